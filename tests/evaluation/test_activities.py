"""Public-welfare activities: the bureau publishes, a unit's director registers participation with
photos, and the count per unit in the campaign year shows as the evidence of rubric item 1.6."""
import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from inspections.evaluation.models import ActivityKind, Participation
from inspections.evaluation.selectors.activities import activity_count_for
from inspections.evaluation.services.activities import (
    activity_create,
    activity_set_cancelled,
    participation_register,
)
from tests.evaluation.conftest import YEAR, photo_upload

EARLY = datetime.date(YEAR, 3, 12)  # the campaign year, and in the past whenever the suite runs


@pytest.fixture
def tree_day(inspector_a):
    return activity_create(actor=inspector_a, title="全市机关义务植树", kind=ActivityKind.TREE_PLANTING, date=EARLY,
                           location="城东公园", description="每单位派员参加")


@pytest.fixture
def energy_week(inspector_a):
    return activity_create(actor=inspector_a, title="节能宣传周启动仪式", kind=ActivityKind.ENERGY_WEEK,
                           date=datetime.date(YEAR, 6, 10))


def test_activity_publishing_is_for_bureau_staff(director_a, leader_a):
    for user in (director_a, leader_a):
        with pytest.raises(PermissionDenied):
            activity_create(actor=user, title="x", kind=ActivityKind.CLEAN_PLATE, date=EARLY)


def test_participation_needs_a_photo_and_counts_toward_item_1_6(tree_day, energy_week, director_a, unit_a):
    with pytest.raises(ValidationError) as exc:
        participation_register(actor=director_a, activity=tree_day, unit=unit_a, summary="12人参加", participants=12)
    assert "请至少上传一张活动照片" in exc.value.messages
    assert activity_count_for(unit=unit_a, year=YEAR) == 0
    participation_register(actor=director_a, activity=tree_day, unit=unit_a, summary="植树30棵", participants=12,
                           photos=[photo_upload("植树.jpg")])
    assert activity_count_for(unit=unit_a, year=YEAR) == 1
    # Registering again edits the text and adds photos; it is still one activity.
    participation_register(actor=director_a, activity=tree_day, unit=unit_a, summary="植树32棵", participants=12,
                           photos=[photo_upload("植树2.jpg", size=(50, 50))])
    assert activity_count_for(unit=unit_a, year=YEAR) == 1
    participation = Participation.objects.get(activity=tree_day, unit=unit_a)
    assert participation.summary == "植树32棵" and participation.photos.count() == 2
    participation_register(actor=director_a, activity=energy_week, unit=unit_a, summary="宣传", participants=5,
                           photos=[photo_upload()])
    assert activity_count_for(unit=unit_a, year=YEAR) == 2
    assert activity_count_for(unit=unit_a, year=YEAR + 1) == 0


def test_cancelled_activity_no_longer_counts(tree_day, director_a, unit_a, inspector_a):
    participation_register(actor=director_a, activity=tree_day, unit=unit_a, summary="参加", participants=3,
                           photos=[photo_upload()])
    activity_set_cancelled(actor=inspector_a, activity=tree_day, cancelled=True)
    assert activity_count_for(unit=unit_a, year=YEAR) == 0
    with pytest.raises(ValidationError):
        participation_register(actor=director_a, activity=tree_day, unit=unit_a, summary="参加", participants=3,
                               photos=[photo_upload()])


def test_participation_only_by_the_units_own_director_after_the_activity(
        inspector_a, director_a, director_b, unit_a, tree_day):
    with pytest.raises(PermissionDenied):
        participation_register(actor=director_b, activity=tree_day, unit=unit_a, summary="x", participants=1,
                               photos=[photo_upload()])
    with pytest.raises(PermissionDenied):
        participation_register(actor=inspector_a, activity=tree_day, unit=unit_a, summary="x", participants=1,
                               photos=[photo_upload()])
    future = activity_create(actor=inspector_a, title="光盘行动", kind=ActivityKind.CLEAN_PLATE,
                             date=datetime.date.today() + datetime.timedelta(days=30))
    with pytest.raises(ValidationError) as exc:
        participation_register(actor=director_a, activity=future, unit=unit_a, summary="x", participants=1,
                               photos=[photo_upload()])
    assert "活动结束后再登记" in exc.value.messages[0]


def test_participation_refuses_a_non_image_and_stores_nothing(tree_day, director_a, unit_a):
    fake = SimpleUploadedFile("照片.jpg", b"MZ\x90\x00 not an image", content_type="image/jpeg")
    with pytest.raises(ValidationError) as exc:
        participation_register(actor=director_a, activity=tree_day, unit=unit_a, summary="x", participants=1,
                               photos=[photo_upload(), fake])
    assert "照片.jpg" in " ".join(exc.value.messages)
    assert not Participation.objects.exists()


def test_participation_page_keeps_input_and_photos_are_private(client, tree_day, director_a, director_b, unit_a):
    client.force_login(director_a)
    page = reverse("evaluation:activity_detail", args=[tree_day.pk])
    assert "登记本单位参与情况" in client.get(page).content.decode()
    bad = client.post(reverse("evaluation:participation_register", args=[tree_day.pk]),
                      {"unit": unit_a.pk, "participants": 8, "summary": "植树活动"})
    assert bad.status_code == 400
    html = bad.content.decode()
    assert "请至少上传一张活动照片" in html and "植树活动" in html
    ok = client.post(reverse("evaluation:participation_register", args=[tree_day.pk]),
                     {"unit": unit_a.pk, "participants": 8, "summary": "植树活动", "photos": [photo_upload()]})
    assert ok.status_code == 302
    photo = Participation.objects.get().photos.get()
    file_url = reverse("evaluation:participation_photo", args=[photo.pk])
    response = client.get(file_url)
    assert response.status_code == 200 and response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment")
    client.force_login(director_b)
    assert client.get(file_url).status_code == 404
    assert "植树活动" not in client.get(page).content.decode()  # another unit's participation is not shown


def test_self_assessment_item_1_6_shows_the_activity_count(client, tree_day, director_a, inspector_a, unit_a,
                                                           enrolment_a):
    from assessment.services.self_assessment import self_assessment_start

    self_assessment_start(actor=director_a, enrolment=enrolment_a)
    participation_register(actor=director_a, activity=tree_day, unit=unit_a, summary="参加", participants=3,
                           photos=[photo_upload()])
    client.force_login(director_a)
    html = client.get(reverse("assessment:self_assessment", args=[enrolment_a.pk])).content.decode()
    assert html.count("data-activity-evidence") == 1  # on item 1.6 only
    assert f"{YEAR}年已登记参加环保公益活动1次(本项要求不少于2次)" in html
    assert "全市机关义务植树" in html
