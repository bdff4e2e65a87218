"""Inspections (visits): the checklist, photos with their EXIF time and place, completion into
findings, and the rule that a completed inspection can't be changed."""
import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from inspections.models import ChecklistResult, Finding, InspectionKind, InspectionStatus, Severity
from inspections.selectors.visits import visit_checklist
from inspections.services.visits import (
    checklist_record,
    inspection_cancel,
    inspection_complete,
    inspection_create,
    photo_remove,
)
from tests.factories import UserFactory
from tests.inspections.conftest import item, make_visit, photo_upload
from units.models import Membership, Role


def test_inspection_create_puts_the_planner_on_the_team(enrolment_a, inspector_a):
    visit = make_visit(enrolment_a, actor=inspector_a, kind=InspectionKind.UNANNOUNCED)
    assert list(visit.inspectors.all()) == [inspector_a]
    assert visit.status == InspectionStatus.PLANNED and visit.unit == enrolment_a.unit


def test_inspection_create_refuses_an_inspector_of_the_unit(enrolment_a, inspector_a, inspector_a2, unit_a):
    Membership.objects.create(user=inspector_a2, unit=unit_a)
    with pytest.raises(ValidationError):
        make_visit(enrolment_a, actor=inspector_a, inspectors=[inspector_a, inspector_a2])
    with pytest.raises(PermissionDenied):
        make_visit(enrolment_a, actor=inspector_a2)


def test_inspection_create_refuses_spot_check_kind_and_leaders(enrolment_a, inspector_a, leader_a):
    with pytest.raises(ValidationError):
        make_visit(enrolment_a, actor=inspector_a, kind=InspectionKind.SPOT_CHECK)
    with pytest.raises(PermissionDenied):
        make_visit(enrolment_a, actor=leader_a)


def test_checklist_lists_onsite_items_first_then_both_then_self(enrolment_a, inspector_a):
    visit = make_visit(enrolment_a, actor=inspector_a)
    methods = [row["item"].method for row in visit_checklist(visit)]
    assert len(methods) == 27
    first_both, first_self = methods.index("both"), methods.index("self")
    assert set(methods[:first_both]) == {"onsite"}
    assert set(methods[first_both:first_self]) == {"both"}
    assert set(methods[first_self:]) == {"self"}


def test_checklist_record_keeps_photo_exif_time_and_gps(enrolment_a, inspector_a, campaign):
    visit = make_visit(enrolment_a, actor=inspector_a)
    entry = checklist_record(actor=inspector_a, inspection=visit, item=item(campaign, "3.1"),
                             result=ChecklistResult.MINOR, note="分类指引缺失", photos=[photo_upload()])
    photo = entry.photos.get()
    assert photo.taken_at == datetime.datetime(2026, 6, 10, 9, 41, 5, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert photo.gps_latitude == Decimal("30.260000")
    assert photo.gps_longitude == Decimal("120.155000")
    # The stored file was re-encoded: no EXIF left in it.
    with photo.file.open("rb") as stored, Image.open(stored) as image:
        assert not image.getexif()
    visit.refresh_from_db()
    assert visit.status == InspectionStatus.IN_PROGRESS


def test_checklist_record_photo_without_exif_is_fine(enrolment_a, inspector_a, campaign):
    visit = make_visit(enrolment_a, actor=inspector_a)
    entry = checklist_record(actor=inspector_a, inspection=visit, item=item(campaign, "3.1"),
                             result=ChecklistResult.COMPLIANT, photos=[photo_upload(exif=False)])
    photo = entry.photos.get()
    assert photo.taken_at is None and photo.gps_latitude is None


def test_checklist_record_refuses_a_fake_image(enrolment_a, inspector_a, campaign):
    visit = make_visit(enrolment_a, actor=inspector_a)
    fake = SimpleUploadedFile("照片.jpg", b"\x89PNG\r\n\x1a\n<html>not an image</html>", content_type="image/jpeg")
    with pytest.raises(ValidationError):
        checklist_record(actor=inspector_a, inspection=visit, item=item(campaign, "3.1"),
                         result=ChecklistResult.COMPLIANT, photos=[fake])
    assert not visit.entries.exists()


def test_checklist_record_requires_a_note_for_problems(enrolment_a, inspector_a, campaign):
    visit = make_visit(enrolment_a, actor=inspector_a)
    with pytest.raises(ValidationError) as exc:
        checklist_record(actor=inspector_a, inspection=visit, item=item(campaign, "3.1"),
                         result=ChecklistResult.SERIOUS, note="  ")
    assert "note" in exc.value.message_dict


def test_checklist_record_only_by_the_team(enrolment_a, inspector_a, inspector_a2, campaign, director_a):
    visit = make_visit(enrolment_a, actor=inspector_a)
    for outsider in (inspector_a2, director_a):
        with pytest.raises(PermissionDenied):
            checklist_record(actor=outsider, inspection=visit, item=item(campaign, "3.1"),
                             result=ChecklistResult.COMPLIANT)


def test_inspection_complete_turns_problems_into_findings(enrolment_a, inspector_a, campaign):
    visit = make_visit(enrolment_a, actor=inspector_a)
    checklist_record(actor=inspector_a, inspection=visit, item=item(campaign, "3.1"),
                     result=ChecklistResult.SERIOUS, note="无分类容器")
    checklist_record(actor=inspector_a, inspection=visit, item=item(campaign, "4.1"),
                     result=ChecklistResult.MINOR, note="长明灯", rectified_on_site=True)
    checklist_record(actor=inspector_a, inspection=visit, item=item(campaign, "2.2"),
                     result=ChecklistResult.COMPLIANT)
    inspection_complete(actor=inspector_a, inspection=visit, summary="总体较好")
    findings = {f.item.code: f for f in Finding.objects.filter(inspection=visit)}
    assert set(findings) == {"3.1", "4.1"}
    assert findings["3.1"].severity == Severity.SERIOUS and not findings["3.1"].is_rectified
    assert findings["4.1"].rectified_on_site and findings["4.1"].is_rectified
    assert findings["3.1"].unit == enrolment_a.unit and findings["3.1"].enrolment == enrolment_a


def test_completed_inspection_cannot_be_edited(enrolment_a, inspector_a, campaign):
    visit = make_visit(enrolment_a, actor=inspector_a)
    entry = checklist_record(actor=inspector_a, inspection=visit, item=item(campaign, "3.1"),
                             result=ChecklistResult.MINOR, note="标识不清", photos=[photo_upload()])
    completed = inspection_complete(actor=inspector_a, inspection=visit)
    assert completed.status == InspectionStatus.COMPLETED
    with pytest.raises(ValidationError) as exc:
        checklist_record(actor=inspector_a, inspection=visit, item=item(campaign, "3.1"),
                         result=ChecklistResult.COMPLIANT)
    assert "不可更改" in exc.value.messages[0]
    with pytest.raises(ValidationError):
        checklist_record(actor=inspector_a, inspection=visit, item=item(campaign, "3.2"),
                         result=ChecklistResult.COMPLIANT)
    with pytest.raises(ValidationError):
        photo_remove(actor=inspector_a, photo=entry.photos.get())
    with pytest.raises(ValidationError):
        inspection_cancel(actor=inspector_a, inspection=visit, reason="误建")
    entry.refresh_from_db()
    assert entry.result == ChecklistResult.MINOR and entry.photos.count() == 1
    # Completing again is a harmless repeat (a double tap), not a change.
    assert inspection_complete(actor=inspector_a, inspection=visit).completed_at == completed.completed_at


def test_inspection_complete_needs_at_least_one_entry(enrolment_a, inspector_a):
    visit = make_visit(enrolment_a, actor=inspector_a)
    with pytest.raises(ValidationError):
        inspection_complete(actor=inspector_a, inspection=visit)


def test_inspection_cancel_needs_reason_and_no_entries(enrolment_a, inspector_a):
    visit = make_visit(enrolment_a, actor=inspector_a)
    with pytest.raises(ValidationError):
        inspection_cancel(actor=inspector_a, inspection=visit, reason="")
    cancelled = inspection_cancel(actor=inspector_a, inspection=visit, reason="单位搬迁")
    assert cancelled.status == InspectionStatus.CANCELLED


def test_inspection_create_other_inspectors_are_notified(enrolment_a, inspector_a, inspector_a2):
    inspection_create(actor=inspector_a, enrolment=enrolment_a, kind=InspectionKind.RECHECK,
                      scheduled_date=datetime.date(2026, 7, 1), inspectors=[inspector_a, inspector_a2])
    assert inspector_a2.notifications.count() == 1
    assert inspector_a.notifications.count() == 0


def test_inspection_create_refuses_non_inspectors_as_team(enrolment_a, inspector_a, leader_a):
    other = UserFactory(role=Role.DIRECTOR)
    with pytest.raises(ValidationError):
        make_visit(enrolment_a, actor=inspector_a, inspectors=[inspector_a, other])
