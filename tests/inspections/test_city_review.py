"""The city's review (市级评审): the reviewer decides per passed unit — 同意命名, 暂缓, 不予命名 — with a reason;
no publicity before 同意命名; the reviewer's pages show the year-end result, the public evaluation and
the open problems, city-wide."""
import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from assessment.models import Stage
from greenoffice.models import AuditEvent
from inspections.models import CityDecision
from inspections.services.certification import publicity_candidates, publicity_open
from inspections.services.city_review import city_decision_record
from inspections.services.year_end import review_finalise, review_start
from tests.factories import UserFactory
from tests.inspections.test_year_end import verify_all
from units.models import Role

pytestmark = pytest.mark.django_db

START, END = datetime.date(2026, 12, 1), datetime.date(2026, 12, 7)


@pytest.fixture
def reviewer(db):
    return UserFactory(username="reviewer_c", role=Role.REVIEWER)


@pytest.fixture
def passed_a(accepted_a, inspector_a):
    review = review_start(actor=inspector_a, enrolment=accepted_a)
    verify_all(review, inspector_a)
    review_finalise(actor=inspector_a, review=review)
    accepted_a.refresh_from_db()
    assert accepted_a.stage == Stage.PASSED
    return accepted_a


def test_no_publicity_before_the_city_decision(passed_a, campaign, inspector_a, reviewer):
    assert not publicity_candidates(campaign).exists()
    with pytest.raises(ValidationError):
        publicity_open(actor=inspector_a, campaign=campaign, title="", start_date=START, end_date=END)
    city_decision_record(actor=reviewer, enrolment=passed_a, decision="defer", reason="待补充公开评议材料")
    with pytest.raises(ValidationError):  # 暂缓 is not 同意命名
        publicity_open(actor=inspector_a, campaign=campaign, title="", start_date=START, end_date=END)
    passed_a.refresh_from_db()
    assert passed_a.stage == Stage.PASSED
    decision = city_decision_record(actor=reviewer, enrolment=passed_a, decision="approve", reason="同意命名")
    assert decision.basis["grade"] == "优秀" and decision.basis["gate_status"] == "not_evaluated"
    assert decision.basis["open_findings"] == 0
    event = AuditEvent.objects.filter(action="city_decision_record").latest("id")
    assert event.actor == reviewer and event.changes["decision"] == ["defer", "approve"]
    batch = publicity_open(actor=inspector_a, campaign=campaign, title="", start_date=START, end_date=END)
    assert list(batch.entries.values_list("enrolment_id", flat=True)) == [passed_a.pk]
    with pytest.raises(ValidationError):  # in publicity: no more decisions
        city_decision_record(actor=reviewer, enrolment=passed_a, decision="refuse", reason="x")


def test_city_decision_needs_a_reviewer_a_reason_and_a_passed_unit(passed_a, enrolment_b, inspector_a, leader_a,
                                                                   director_a, reviewer, admin_user):
    for actor in (inspector_a, leader_a, director_a):
        with pytest.raises(PermissionDenied):
            city_decision_record(actor=actor, enrolment=passed_a, decision="approve", reason="同意")
    with pytest.raises(ValidationError):
        city_decision_record(actor=reviewer, enrolment=passed_a, decision="approve", reason="  ")
    with pytest.raises(ValidationError):  # b has not even started: no year-end result
        city_decision_record(actor=reviewer, enrolment=enrolment_b, decision="approve", reason="同意")
    assert not CityDecision.objects.exists()
    city_decision_record(actor=admin_user, enrolment=passed_a, decision="refuse", reason="存在严重问题")
    passed_a.refresh_from_db()
    assert passed_a.stage == Stage.FAILED  # 不予命名 ends the unit's year


def test_reviewer_pages_list_and_decide_city_wide(client, passed_a, reviewer, inspector_a):
    client.force_login(reviewer)
    html = client.get(reverse("inspections:city_review_list")).content.decode()
    assert passed_a.unit.name in html and "待评审" in html and "未列入公开评议" in html
    url = reverse("inspections:city_review_decide", args=[passed_a.pk])
    page = client.get(url).content.decode()
    assert "同意命名" in page and "暂缓" in page and "不予命名" in page
    response = client.post(url, {"decision": "approve", "reason": ""})
    assert response.status_code == 200 and not CityDecision.objects.exists()
    response = client.post(url, {"decision": "approve", "reason": "年终考核优秀,同意命名"})
    assert response.status_code == 302
    assert CityDecision.objects.get().decided_by == reviewer
    # Bureau staff read the decisions but cannot make them.
    client.force_login(inspector_a)
    assert "同意命名" in client.get(reverse("inspections:city_review_list")).content.decode()
    assert client.post(url, {"decision": "refuse", "reason": "x"}).status_code == 403


def test_reviewer_home_and_menu(client, reviewer, campaign):
    client.force_login(reviewer)
    html = client.get(reverse("home")).content.decode()
    assert reverse("inspections:city_review_list") in html
    assert reverse("assessment:campaign_timeline", args=[campaign.pk]) in html
    assert reverse("ledger:index") not in html  # no unit day-to-day data for the city's office


def test_public_evaluation_on_every_applicants_path_unless_switched_off(passed_a, campaign, inspector_a, reviewer):
    """Once the campaign has its round, an applicant left out of it can't be decided on; the campaign
    setting switches public evaluation off."""
    from assessment.services.campaign import campaign_update
    from inspections.evaluation.services.evaluation import round_create

    today = datetime.date.today()
    round_create(actor=inspector_a, campaign=campaign, title="", start_date=today, end_date=today)
    with pytest.raises(ValidationError) as exc:
        city_decision_record(actor=reviewer, enrolment=passed_a, decision="approve", reason="同意")
    assert exc.value.code == "not_evaluated"
    campaign_update(actor=None, campaign=campaign, public_evaluation_required=False)
    decision = city_decision_record(actor=reviewer, enrolment=passed_a, decision="approve", reason="同意")
    assert decision.decision == "approve"
    assert AuditEvent.objects.filter(action="city_decision_record").latest("id").changes["gate"] == "off"
