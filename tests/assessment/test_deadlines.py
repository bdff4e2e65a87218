"""Binding deadlines: 自评截止 refuses a late submission (a resubmission included) until an inspector
grants an extension (延期) with a reason and a new date (audited); late work is marked 逾期; the
timeline and every home page show the calendar and what is due."""
import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from assessment.models import AssessmentStatus, DeadlineExtension, DeadlineKind, Stage
from assessment.selectors.deadlines import (
    due_for_enrolment,
    effective_deadline,
    overdue_enrolment_ids,
    self_assessment_overdue,
)
from assessment.services.deadlines import deadline_extend
from assessment.services.self_assessment import assessment_accept, assessment_return, assessment_submit
from greenoffice.models import AuditEvent

pytestmark = pytest.mark.django_db


def _days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


def _date_campaign(campaign, *, end_in: int, application_in: int | None = None):
    """Give the fixture campaign a calendar whose 自评截止 is `end_in` days from today."""
    campaign.self_assessment_start = _days(end_in - 120)
    campaign.self_assessment_end = _days(end_in)
    campaign.application_deadline = _days(application_in if application_in is not None else end_in + 15)
    campaign.save()
    return campaign


def test_submission_after_deadline_refused_then_accepted_after_extension(campaign, enrolment_a, answered_a,
                                                                          director_a, inspector_a):
    _date_campaign(campaign, end_in=-1)
    with pytest.raises(ValidationError) as exc:
        assessment_submit(actor=director_a, assessment=answered_a)
    assert exc.value.code == "late"
    answered_a.refresh_from_db()
    assert answered_a.status == AssessmentStatus.DRAFT
    assert self_assessment_overdue(enrolment_a, answered_a, timezone.localdate())

    extension = deadline_extend(actor=inspector_a, enrolment=enrolment_a, kind=DeadlineKind.SELF_ASSESSMENT,
                                new_date=_days(5), reason="单位主要负责人调整,材料需重新签批")
    event = AuditEvent.objects.get(action="deadline_extend")
    assert event.actor == inspector_a and event.unit_id == enrolment_a.unit_id
    assert event.reason == "单位主要负责人调整,材料需重新签批"
    assert effective_deadline(enrolment_a, DeadlineKind.SELF_ASSESSMENT) == extension.new_date

    submission, created = assessment_submit(actor=director_a, assessment=answered_a)
    assert created and submission.number == 1
    enrolment_a.refresh_from_db()
    assert enrolment_a.stage == Stage.SUBMITTED
    # Submitted under an extension: still late work (逾期), in the lists as well.
    answered_a.refresh_from_db()
    assert self_assessment_overdue(enrolment_a, answered_a, timezone.localdate())
    assert overdue_enrolment_ids(campaign=campaign, enrolment_ids=[enrolment_a.pk],
                                 day=timezone.localdate()) == {enrolment_a.pk}


def test_submission_on_the_deadline_day_is_on_time(campaign, enrolment_a, answered_a, director_a):
    _date_campaign(campaign, end_in=0)
    assessment_submit(actor=director_a, assessment=answered_a)
    answered_a.refresh_from_db()
    assert not self_assessment_overdue(enrolment_a, answered_a, timezone.localdate())
    # The next day the on-time submission is still not late.
    with time_machine.travel(timezone.now() + datetime.timedelta(days=1)):
        assert not self_assessment_overdue(enrolment_a, answered_a, timezone.localdate())


def test_resubmission_after_a_return_binds_by_the_deadline(campaign, enrolment_a, answered_a, director_a,
                                                           inspector_a):
    _date_campaign(campaign, end_in=2)
    assessment_submit(actor=director_a, assessment=answered_a)
    assessment_return(actor=inspector_a, assessment=answered_a, comment="补充佐证材料")
    with time_machine.travel(timezone.now() + datetime.timedelta(days=3)):
        with pytest.raises(ValidationError) as exc:
            assessment_submit(actor=director_a, assessment=answered_a)
        assert exc.value.code == "late"
        deadline_extend(actor=inspector_a, enrolment=enrolment_a, kind=DeadlineKind.SELF_ASSESSMENT,
                        new_date=_days(10), reason="退回意见较多,给予一周修改时间")
        submission, created = assessment_submit(actor=director_a, assessment=answered_a)
        assert created and submission.number == 2
        assessment_accept(actor=inspector_a, assessment=answered_a)


def test_extension_needs_inspector_in_scope_reason_and_later_date(campaign, enrolment_a, enrolment_b,
                                                                  director_a, inspector_a, leader_a):
    _date_campaign(campaign, end_in=-1)
    for actor in (director_a, leader_a):
        with pytest.raises(PermissionDenied):
            deadline_extend(actor=actor, enrolment=enrolment_a, kind=DeadlineKind.SELF_ASSESSMENT,
                            new_date=_days(5), reason="理由")
    with pytest.raises(PermissionDenied):  # unit_b is outside inspector_a's district
        deadline_extend(actor=inspector_a, enrolment=enrolment_b, kind=DeadlineKind.SELF_ASSESSMENT,
                        new_date=_days(5), reason="理由")
    with pytest.raises(ValidationError) as exc:
        deadline_extend(actor=inspector_a, enrolment=enrolment_a, kind=DeadlineKind.SELF_ASSESSMENT,
                        new_date=_days(-1), reason=" ")
    assert set(exc.value.error_dict) == {"reason", "new_date"}
    assert not DeadlineExtension.objects.exists()
    assert not AuditEvent.objects.filter(action="deadline_extend").exists()


def test_campaign_without_dates_binds_nothing(campaign, enrolment_a, answered_a, director_a):
    assessment_submit(actor=director_a, assessment=answered_a)
    answered_a.refresh_from_db()
    assert answered_a.status == AssessmentStatus.SUBMITTED
    assert due_for_enrolment(enrolment_a, answered_a, timezone.localdate()) == []


def test_director_home_page_labels_deadlines_and_links_the_timeline(client, campaign, enrolment_a, director_a):
    _date_campaign(campaign, end_in=10, application_in=20)
    client.force_login(director_a)
    html = client.get(reverse("home")).content.decode()
    deadline = _days(10)
    assert f"自评截止 {deadline.month}月{deadline.day}日" in html
    assert "申报截止" in html
    assert reverse("assessment:campaign_timeline", args=[campaign.pk]) in html
    assert "自评自查" in html  # the current phase


def test_timeline_page_for_every_role(client, campaign, enrolment_a, role_users):
    _date_campaign(campaign, end_in=-1, application_in=5)
    for role, user in role_users.items():
        client.force_login(user)
        response = client.get(reverse("assessment:campaign_timeline", args=[campaign.pk]))
        assert response.status_code == 200, role
        html = response.content.decode()
        assert 'data-phase="application" data-state="current"' in html, role
        assert html.count("data-phase=") == 3 and "动员部署" in html, role
        home = client.get(reverse("home")).content.decode()
        assert reverse("assessment:campaign_timeline", args=[campaign.pk]) in home, role


def test_overdue_marked_on_the_unit_page_and_the_review_queue(client, campaign, enrolment_a, answered_a,
                                                              director_a, inspector_a):
    _date_campaign(campaign, end_in=-1)
    client.force_login(director_a)
    page = client.get(reverse("assessment:self_assessment", args=[enrolment_a.pk])).content.decode()
    assert 'data-testid="overdue"' in page
    deadline_extend(actor=inspector_a, enrolment=enrolment_a, kind=DeadlineKind.SELF_ASSESSMENT,
                    new_date=_days(3), reason="延期理由")
    assessment_submit(actor=director_a, assessment=answered_a)
    client.force_login(inspector_a)
    queue = client.get(reverse("assessment:review_queue")).content.decode()
    assert "逾期" in queue
    page = client.get(reverse("assessment:self_assessment", args=[enrolment_a.pk])).content.decode()
    assert 'data-testid="overdue"' in page


def test_extension_page_grants_with_reason(client, campaign, enrolment_a, inspector_a):
    _date_campaign(campaign, end_in=-1)
    client.force_login(inspector_a)
    url = reverse("assessment:extension_grant", args=[enrolment_a.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"kind": "self_assessment", "new_date": _days(7).isoformat(), "reason": ""})
    assert response.status_code == 200 and not DeadlineExtension.objects.exists()
    response = client.post(url, {"kind": "self_assessment", "new_date": _days(7).isoformat(),
                                 "reason": "因机构改革延期"})
    assert response.status_code == 302
    assert DeadlineExtension.objects.get().granted_by == inspector_a


def test_overdue_in_lists_agrees_with_the_unit_rule(campaign, enrolment_a, enrolment_b, answered_a, director_a,
                                                    inspector_a, admin_user):
    """with_overdue (one query, for lists) and self_assessment_overdue (one unit) give the same answer."""
    from assessment.selectors.self_assessment import assessment_of

    _date_campaign(campaign, end_in=-2)
    today = timezone.localdate()

    def both():
        listed = overdue_enrolment_ids(campaign=campaign, enrolment_ids=[enrolment_a.pk, enrolment_b.pk], day=today)
        single = set()
        for enrolment in (enrolment_a, enrolment_b):
            enrolment.refresh_from_db()
            if hasattr(enrolment, "_state") and "self_assessment" in enrolment._state.fields_cache:
                del enrolment._state.fields_cache["self_assessment"]
            if self_assessment_overdue(enrolment, assessment_of(enrolment), today):
                single.add(enrolment.pk)
        assert listed == single
        return listed

    assert both() == {enrolment_a.pk, enrolment_b.pk}  # owed after the deadline (b not even started)
    deadline_extend(actor=admin_user, enrolment=enrolment_b, kind=DeadlineKind.SELF_ASSESSMENT,
                    new_date=_days(3), reason="延期")
    assert both() == {enrolment_a.pk}  # b's extension runs beyond today
    deadline_extend(actor=inspector_a, enrolment=enrolment_a, kind=DeadlineKind.SELF_ASSESSMENT,
                    new_date=_days(3), reason="延期")
    assessment_submit(actor=director_a, assessment=answered_a)
    assert both() == {enrolment_a.pk}  # submitted under its extension: late work
