"""Writes of public-welfare activities: the bureau publishes (and may cancel) them; a unit's director
registers the unit's participation with photos, which counts toward rubric item 1.6."""
import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from assessment.uploads import PHOTO_KINDS, validate_upload
from greenoffice.audit import audit_record, diff_fields
from inspections.evaluation.models import (
    Activity,
    ActivityKind,
    Participation,
    ParticipationPhoto,
    participation_photo_upload_to,
)
from inspections.permissions import require_bureau_staff, require_director_of

ACTIVITY_FIELDS = ("title", "kind", "date", "location", "description")
MAX_PHOTOS_PER_PARTICIPATION = 9


def _clean_activity(values: dict) -> dict:
    values = {k: v for k, v in values.items() if k in ACTIVITY_FIELDS}
    for name in ("title", "location", "description"):
        if name in values:
            values[name] = (values[name] or "").strip()
    errors = {}
    if "title" in values and not values["title"]:
        errors["title"] = [_("请填写活动名称")]
    if "kind" in values and values["kind"] not in ActivityKind.values:
        errors["kind"] = [_("请选择活动类型")]
    if "date" in values and not isinstance(values["date"], datetime.date):
        errors["date"] = [_("请填写活动日期")]
    if errors:
        raise ValidationError(errors)
    return values


@transaction.atomic
def activity_create(*, actor, title: str, kind: str, date: datetime.date, location: str = "",
                    description: str = "") -> Activity:
    require_bureau_staff(actor)
    values = _clean_activity({"title": title, "kind": kind, "date": date, "location": location,
                              "description": description})
    activity = Activity(created_by=actor, **values)
    activity.full_clean()
    activity.save()
    audit_record(actor=actor, action="activity_create", obj=activity, changes=values)
    return activity


@transaction.atomic
def activity_update(*, actor, activity: Activity, **values) -> Activity:
    require_bureau_staff(actor)
    locked = Activity.objects.select_for_update().get(pk=activity.pk)
    values = _clean_activity(values)
    changes = diff_fields(locked, values)
    if not changes:
        return locked
    for name, value in values.items():
        setattr(locked, name, value)
    locked.full_clean()
    locked.save()
    audit_record(actor=actor, action="activity_update", obj=locked, changes=changes)
    return locked


@transaction.atomic
def activity_set_cancelled(*, actor, activity: Activity, cancelled: bool) -> Activity:
    """A cancelled activity stays listed (marked) and no longer counts toward item 1.6."""
    require_bureau_staff(actor)
    locked = Activity.objects.select_for_update().get(pk=activity.pk)
    if locked.is_cancelled == cancelled:
        return locked
    locked.is_cancelled = cancelled
    locked.save(update_fields=["is_cancelled", "updated_at"])
    audit_record(actor=actor, action="activity_cancel" if cancelled else "activity_restore", obj=locked,
                 changes={"is_cancelled": (not cancelled, cancelled)})
    return locked


@transaction.atomic
def participation_register(*, actor, activity: Activity, unit, summary: str, participants: int,
                           photos=(), today=None) -> Participation:
    """Register (or update) the unit's part in the activity. The first registration needs at least
    one photo; later calls edit the text and add photos. Every photo is checked and re-encoded by
    assessment.uploads before anything is stored: one bad file stores nothing."""
    require_director_of(actor, unit.pk)
    today = today or timezone.localdate()
    locked = Activity.objects.select_for_update().get(pk=activity.pk)
    if locked.is_cancelled:
        raise ValidationError(_("该活动已取消,不能登记参与"))
    if locked.date > today:
        raise ValidationError(_("活动将于%(date)s举行,活动结束后再登记参与情况并上传照片")
                              % {"date": locked.date.isoformat()})
    errors = {}
    summary = (summary or "").strip()
    if not summary:
        errors["summary"] = [_("请简要填写参与情况")]
    try:
        participants = int(participants)
    except (TypeError, ValueError):
        participants = 0
    if participants < 1:
        errors["participants"] = [_("参加人数至少为1")]
    participation = Participation.objects.select_for_update().filter(activity=locked, unit=unit).first()
    existing_photos = participation.photos.count() if participation else 0
    photos = list(photos or ())
    if existing_photos + len(photos) == 0:
        errors["photos"] = [_("请至少上传一张活动照片")]
    elif existing_photos + len(photos) > MAX_PHOTOS_PER_PARTICIPATION:
        errors["photos"] = [_("每次活动最多保存%(n)s张照片") % {"n": MAX_PHOTOS_PER_PARTICIPATION}]
    checked = []
    for photo in photos:
        try:
            checked.append(validate_upload(photo, allowed_kinds=PHOTO_KINDS))
        except ValidationError as exc:
            errors.setdefault("photos", []).extend(exc.messages)
    if errors:
        raise ValidationError(errors)
    created = participation is None
    if created:
        participation = Participation(activity=locked, unit=unit, registered_by=actor)
    changes = diff_fields(participation, {"summary": summary, "participants": participants}) if not created else {}
    participation.summary, participation.participants = summary, participants
    participation.full_clean(exclude=["activity", "unit"])
    participation.save()
    for upload in checked:
        row = ParticipationPhoto(participation=participation, original_name=upload.original_name,
                                 extension=upload.extension, content_type=upload.content_type, size=upload.size,
                                 sha256=upload.sha256, uploaded_by=actor)
        storage = row.file.storage
        name = participation_photo_upload_to(row, upload.original_name)
        # Content-addressed: identical bytes are stored once.
        row.file.name = name if storage.exists(name) else storage.save(name, upload.content)
        row.save()
    audit_record(actor=actor, action="participation_register" if created else "participation_update",
                 obj=participation, unit_id=unit.pk,
                 changes={"activity": locked.pk, "photos_added": len(checked),
                          **({"summary": summary, "participants": participants} if created else changes)})
    return participation
