"""Writes of rubric versions: import from YAML, publish, copy to a new version, delete a draft.

A published version is immutable: campaigns, self-assessments and year-end scores point at its items,
so a change is always a new version (item codes stay, so years compare). Every write here goes through
`_require_draft` before touching an existing version. The YAML file is the editing path for drafts:
export, edit, re-import with `replace_draft=True`."""
import dataclasses

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from assessment.models import (
    BonusItem,
    RubricBlock,
    RubricDeduction,
    RubricItem,
    RubricStatus,
    RubricVersion,
)
from assessment.rubric_schema import RubricSpec, dump_rubric_yaml, parse_rubric
from assessment.selectors.rubric import (  # noqa: F401  (re-exported: callers may import them from here)
    rubric_export_yaml,
    rubric_scoring_rules,
    rubric_spec_from_db,
)
from greenoffice.audit import audit_record

__all__ = [
    "rubric_delete_draft",
    "rubric_export_yaml",
    "rubric_import",
    "rubric_new_version",
    "rubric_publish",
    "rubric_scoring_rules",
    "rubric_spec_from_db",
]


def _require_admin(actor):
    # actor=None is the system (management commands, seed_demo).
    if actor is not None and not actor.is_admin_role:
        raise PermissionDenied


def _require_draft(rubric: RubricVersion):
    if rubric.status != RubricStatus.DRAFT:
        raise ValidationError(_("已发布的考评细则不能修改,请创建新版本"), code="published")


def _summary(spec: RubricSpec) -> dict:
    return {
        "code": spec.code,
        "version": spec.version,
        "blocks": len(spec.blocks),
        "items": len(spec.items),
        "total_points": spec.total_points,
    }


def _create_from_spec(*, actor, spec: RubricSpec, source_yaml: str) -> RubricVersion:
    """Store `spec` as a draft with all its rows. Bulk inserts keep a 27-item rubric at ~6 queries."""
    rubric = RubricVersion(
        code=spec.code,
        version=spec.version,
        title=spec.title,
        title_en=spec.title_en,
        status=RubricStatus.DRAFT,
        total_points=spec.total_points,
        pass_mark=spec.pass_mark,
        grade_bands=[
            {"min": str(b.min), "grade": b.grade, "grade_en": b.grade_en, "certified": b.certified}
            for b in spec.grade_bands
        ],
        minor_deduction=spec.supervision.minor,
        serious_deduction=spec.supervision.serious,
        deduction_cap=spec.supervision.cap,
        vetoes=list(spec.vetoes),
        bonus_title=spec.bonus.title,
        bonus_max=spec.bonus.max_points,
        source_yaml=source_yaml,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    rubric.full_clean(validate_unique=False)
    rubric.save()

    blocks = RubricBlock.objects.bulk_create([
        RubricBlock(rubric=rubric, code=b.code, title=b.title, title_en=b.title_en, points=b.points, order=i)
        for i, b in enumerate(spec.blocks, start=1)
    ])
    item_rows, item_specs = [], []
    order = 0
    for block, block_spec in zip(blocks, spec.blocks, strict=True):
        for item in block_spec.items:
            order += 1
            item_rows.append(RubricItem(
                rubric=rubric, block=block, code=item.code, title=item.title, title_en=item.title_en,
                points=item.points, method=item.method, evidence=list(item.evidence), must_pass=item.must_pass,
                scoring_note=item.scoring, order=order,
            ))
            item_specs.append(item)
    items = RubricItem.objects.bulk_create(item_rows)
    RubricDeduction.objects.bulk_create([
        RubricDeduction(item=item, points=d.points, text=d.text, order=i)
        for item, item_spec in zip(items, item_specs, strict=True)
        for i, d in enumerate(item_spec.deductions, start=1)
    ])
    BonusItem.objects.bulk_create([
        BonusItem(rubric=rubric, code=b.code, points=b.points, title=b.title, title_en=b.title_en, order=i)
        for i, b in enumerate(spec.bonus.items, start=1)
    ])
    return rubric


@transaction.atomic
def rubric_import(*, actor, text, replace_draft: bool = False) -> RubricVersion:
    """Validate a rubric file and store it as a draft whose version is the file's `version`.

    Raises `RubricValidationError` (every problem of the file) or `ValidationError` (the version exists).
    With `replace_draft`, an existing *draft* of the same code and version is replaced by the file."""
    _require_admin(actor)
    spec = parse_rubric(text)
    if isinstance(text, bytes):
        text = text.decode("utf-8")
    existing = RubricVersion.objects.select_for_update().filter(code=spec.code, version=spec.version).first()
    replaced_id = None
    if existing is not None:
        if existing.status != RubricStatus.DRAFT:
            raise ValidationError(
                _("考评细则%(code)s第%(version)s版已发布,不能覆盖;如需修改,请将文件中的version改为新的版本号")
                % {"code": spec.code, "version": spec.version},
                code="exists",
            )
        if not replace_draft:
            raise ValidationError(
                _("考评细则%(code)s第%(version)s版已存在(草稿);如需用本文件替换该草稿,请勾选“替换同版本草稿”")
                % {"code": spec.code, "version": spec.version},
                code="exists",
            )
        replaced_id = existing.pk
        existing.delete()
    rubric = _create_from_spec(actor=actor, spec=spec, source_yaml=text)
    changes = _summary(spec)
    if replaced_id is not None:
        changes["replaced_draft_id"] = replaced_id
    audit_record(actor=actor, action="rubric_import", obj=rubric, changes=changes)
    return rubric


@transaction.atomic
def rubric_publish(*, actor, rubric: RubricVersion) -> RubricVersion:
    """Freeze the version. Publishing a published version again changes nothing (double submits)."""
    _require_admin(actor)
    locked = RubricVersion.objects.select_for_update().get(pk=rubric.pk)
    if locked.status == RubricStatus.PUBLISHED:
        return locked
    spec = rubric_spec_from_db(locked)
    # Re-check what the scorer will rely on, in case rows were changed since the import.
    parse_rubric(dump_rubric_yaml(spec))
    rubric_scoring_rules(locked)
    locked.status = RubricStatus.PUBLISHED
    locked.published_at = timezone.now()
    locked.save(update_fields=["status", "published_at", "updated_at"])
    audit_record(actor=actor, action="rubric_publish", obj=locked,
                 changes={"status": (RubricStatus.DRAFT, RubricStatus.PUBLISHED), **_summary(spec)})
    rubric.status, rubric.published_at = locked.status, locked.published_at
    return locked


@transaction.atomic
def rubric_new_version(*, actor, rubric: RubricVersion) -> RubricVersion:
    """Copy `rubric` to a draft numbered one above the highest version of its code.

    If a draft of the code already exists it is returned instead: one working draft at a time, and a
    repeated request does not pile up copies."""
    _require_admin(actor)
    # Lock every version of the code so two admins can't both take max+1.
    versions = list(RubricVersion.objects.select_for_update().filter(code=rubric.code).order_by("-version"))
    drafts = [v for v in versions if v.status == RubricStatus.DRAFT]
    if drafts:
        return drafts[0]
    next_version = (RubricVersion.objects.filter(code=rubric.code).aggregate(m=Max("version"))["m"] or 0) + 1
    spec = dataclasses.replace(rubric_spec_from_db(rubric), version=next_version)
    copy = _create_from_spec(actor=actor, spec=spec, source_yaml=dump_rubric_yaml(spec))
    audit_record(actor=actor, action="rubric_new_version", obj=copy,
                 changes={"copied_from": rubric.pk, "from_version": rubric.version, **_summary(spec)})
    return copy


@transaction.atomic
def rubric_delete_draft(*, actor, rubric: RubricVersion) -> None:
    _require_admin(actor)
    locked = RubricVersion.objects.select_for_update().get(pk=rubric.pk)
    _require_draft(locked)
    if locked.campaigns.exists():
        raise ValidationError(_("该考评细则已被创建年度使用,不能删除"), code="in_use")
    audit_record(actor=actor, action="rubric_delete_draft", obj=locked,
                 changes={"code": locked.code, "version": locked.version})
    locked.delete()
