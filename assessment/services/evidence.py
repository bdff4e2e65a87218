"""Writes of evidence files (佐证材料): add, remove a draft file, supersede a submitted one.

Files go through Django's storage API (default_storage: the file system here, S3-compatible storage if
configured) under a name made of their SHA-256; MEDIA_ROOT is never served by URL. A file that went out
with a submission is part of that round's record: it can't be deleted or replaced, only superseded by a
newer file, and both stay.
"""
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from assessment.models import Evidence, ItemResponse, SelfAssessment, evidence_upload_to
from assessment.selectors.self_assessment import is_self_scored, is_unit_director
from assessment.uploads import EVIDENCE_KINDS, ValidatedUpload, validate_upload
from greenoffice.audit import audit_record

MAX_FILES_PER_ITEM = 30


def _require_director(actor, assessment: SelfAssessment):
    """Only a director of the unit touches its evidence; the views already 404 other units."""
    if not is_unit_director(user=actor, unit_id=assessment.enrolment.unit_id):
        raise PermissionDenied


def lock_assessment(assessment: SelfAssessment) -> SelfAssessment:
    """Re-read the assessment under a row lock: every write serialises on it, so a submit can't race an
    edit. Callers keep using the object they were given; this returns the fresh one."""
    return SelfAssessment.objects.select_for_update().select_related("enrolment").get(pk=assessment.pk)


def require_editable(assessment: SelfAssessment):
    if assessment.is_locked:
        raise ValidationError(_("已提交的自评不能修改"), code="locked")


def assessment_changed(assessment: SelfAssessment) -> None:
    """Bump the revision that stale-submit detection compares against."""
    SelfAssessment.objects.filter(pk=assessment.pk).update(revision=F("revision") + 1, updated_at=timezone.now())
    assessment.refresh_from_db(fields=["revision", "updated_at"])


def _store(evidence: Evidence, upload: ValidatedUpload) -> None:
    storage = evidence.file.storage
    name = evidence_upload_to(evidence, upload.original_name)
    # Content-addressed: the same bytes already stored for this assessment are reused, not copied.
    if storage.exists(name):
        evidence.file.name = name
    else:
        evidence.file.name = storage.save(name, upload.content)


def _active_files(response: ItemResponse):
    return Evidence.objects.filter(response=response, superseded_by__isnull=True, is_withdrawn=False)


def evidence_attach(*, actor, response: ItemResponse, upload: ValidatedUpload,
                    supersedes: Evidence | None = None) -> Evidence:
    """Store an already validated file on `response`. For services that already hold the assessment's
    lock and checked the actor and the lock state (response_save, the functions below)."""
    same = _active_files(response).filter(sha256=upload.sha256).exclude(pk=getattr(supersedes, "pk", None)).first()
    if same is not None:
        raise ValidationError(
            _("文件“%(new)s”与已上传的“%(old)s”内容相同,无需重复上传")
            % {"new": upload.original_name, "old": same.original_name},
            code="duplicate",
        )
    if supersedes is None and _active_files(response).count() >= MAX_FILES_PER_ITEM:
        raise ValidationError(
            _("每个项目最多上传%(n)s个文件") % {"n": MAX_FILES_PER_ITEM}, code="too_many_files",
        )
    evidence = Evidence(
        response=response,
        original_name=upload.original_name,
        extension=upload.extension,
        content_type=upload.content_type,
        size=upload.size,
        sha256=upload.sha256,
        uploaded_by=actor,
    )
    _store(evidence, upload)
    evidence.save()
    audit_record(
        actor=actor, action="evidence_add", obj=evidence, unit_id=response.assessment.enrolment.unit_id,
        changes={"item": response.item.code, "name": evidence.original_name, "sha256": evidence.sha256,
                 "size": evidence.size, "supersedes": getattr(supersedes, "pk", None)},
    )
    return evidence


def evidence_validate(uploaded_file) -> ValidatedUpload:
    return validate_upload(uploaded_file, allowed_kinds=EVIDENCE_KINDS)


@transaction.atomic
def evidence_add(*, actor, response: ItemResponse, uploaded_file, validated: ValidatedUpload | None = None) -> Evidence:
    """Check the file (size, type from content, pixel cap, re-encoded images) and store it privately.
    `validated` lets a caller that already checked a batch of files skip checking twice."""
    assessment = lock_assessment(response.assessment)
    _require_director(actor, assessment)
    require_editable(assessment)
    if not is_self_scored(response.item):
        raise ValidationError(_("现场检查项由督查员评分,无需上传自评材料"), code="onsite")
    upload = validated or evidence_validate(uploaded_file)
    response.assessment = assessment
    evidence = evidence_attach(actor=actor, response=response, upload=upload)
    assessment_changed(assessment)
    return evidence


@transaction.atomic
def evidence_remove(*, actor, evidence: Evidence) -> None:
    """Remove a draft file. A file submitted with any round stays: supersede it instead."""
    response = evidence.response
    assessment = lock_assessment(response.assessment)
    _require_director(actor, assessment)
    require_editable(assessment)
    evidence = Evidence.objects.select_for_update().get(pk=evidence.pk)
    if evidence.submitted_in_round is not None:
        raise ValidationError(
            _("文件“%(name)s”已随第%(round)s轮提交,不能删除,只能上传新文件替换")
            % {"name": evidence.original_name, "round": evidence.submitted_in_round},
            code="submitted",
        )
    name, storage = evidence.file.name, evidence.file.storage
    audit_record(
        actor=actor, action="evidence_remove", obj=evidence, unit_id=assessment.enrolment.unit_id,
        changes={"item": response.item.code, "name": evidence.original_name, "sha256": evidence.sha256},
    )
    evidence.delete()
    assessment_changed(assessment)
    # The stored bytes go only once the row is gone for good and no other row still points at them.
    transaction.on_commit(lambda: _delete_if_orphaned(storage, name))


def _delete_if_orphaned(storage, name: str) -> None:
    if name and not Evidence.objects.filter(file=name).exists():
        storage.delete(name)


@transaction.atomic
def evidence_supersede(*, actor, evidence: Evidence, uploaded_file,
                       validated: ValidatedUpload | None = None) -> Evidence:
    """Replace a file by a newer one while keeping both: the old one stays in its round's record."""
    response = evidence.response
    assessment = lock_assessment(response.assessment)
    _require_director(actor, assessment)
    require_editable(assessment)
    old = Evidence.objects.select_for_update().get(pk=evidence.pk)
    if old.superseded_by_id is not None or old.is_withdrawn:
        raise ValidationError(_("文件“%(name)s”已被替换") % {"name": old.original_name}, code="superseded")
    upload = validated or evidence_validate(uploaded_file)
    response.assessment = assessment
    new = evidence_attach(actor=actor, response=response, upload=upload, supersedes=old)
    old.superseded_by = new
    old.save(update_fields=["superseded_by", "updated_at"])
    assessment_changed(assessment)
    return new
