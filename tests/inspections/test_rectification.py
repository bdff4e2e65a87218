"""Rectification orders: numbering, the director's acknowledgement and proof, verification by an
inspector other than the proof's submitter, overdue, and reminders sent once however often the beat
task runs."""
import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from inspections.models import Notification, OrderStatus, ProofDecision
from inspections.selectors.rectification import order_counts_for_user, order_overdue_list_for_user
from inspections.services.rectification import (
    order_acknowledge,
    order_issue,
    proof_submit,
    rectification_send_reminders,
    rectification_verify,
)
from inspections.tasks import send_rectification_reminders
from tests.factories import UserFactory
from tests.inspections.conftest import make_findings, photo_upload
from units.models import Role

TODAY = datetime.date(2026, 6, 12)


@pytest.fixture
def finding(enrolment_a, inspector_a):
    return make_findings(enrolment_a, actor=inspector_a, severities=["serious"])[0]


@pytest.fixture
def order(finding, inspector_a):
    return order_issue(actor=inspector_a, finding=finding, required_action="配齐四类分类容器",
                       deadline=TODAY + datetime.timedelta(days=10), today=TODAY)


def test_order_issue_numbers_orders_per_year(enrolment_a, inspector_a, finding, director_a):
    first = order_issue(actor=inspector_a, finding=finding, required_action="整改", deadline=TODAY, today=TODAY)
    assert first.number == "整改〔2026〕第001号"
    assert first.status == OrderStatus.ISSUED and first.unit == enrolment_a.unit
    second_finding = make_findings(enrolment_a, actor=inspector_a, severities=["minor"], codes=["2.2"])[0]
    second = order_issue(actor=inspector_a, finding=second_finding, required_action="整改", deadline=TODAY,
                         today=TODAY)
    assert second.number == "整改〔2026〕第002号"
    # Issuing again for the same finding returns the same order (a double submit).
    assert order_issue(actor=inspector_a, finding=finding, required_action="x", deadline=TODAY, today=TODAY) == first
    assert director_a.notifications.filter(kind="order_issued").count() == 2


def test_order_issue_validates_deadline_and_action(finding, inspector_a):
    with pytest.raises(ValidationError) as exc:
        order_issue(actor=inspector_a, finding=finding, required_action="", deadline=TODAY - datetime.timedelta(days=1),
                    today=TODAY)
    assert set(exc.value.message_dict) == {"required_action", "deadline"}


def test_order_acknowledge_only_by_the_units_director(order, director_a, director_b, inspector_a, leader_a):
    for outsider in (director_b, inspector_a, leader_a):
        with pytest.raises(PermissionDenied):
            order_acknowledge(actor=outsider, order=order)
    acknowledged = order_acknowledge(actor=director_a, order=order)
    assert acknowledged.status == OrderStatus.ACKNOWLEDGED and acknowledged.acknowledged_by == director_a
    assert order_acknowledge(actor=director_a, order=order).acknowledged_at == acknowledged.acknowledged_at


def test_proof_submit_needs_acknowledgement_and_a_note(order, director_a):
    with pytest.raises(ValidationError):
        proof_submit(actor=director_a, order=order, note="已整改")
    order_acknowledge(actor=director_a, order=order)
    with pytest.raises(ValidationError):
        proof_submit(actor=director_a, order=order, note=" ")
    proof = proof_submit(actor=director_a, order=order, note="已配齐容器", files=[photo_upload("整改后.jpg")])
    order.refresh_from_db()
    assert order.status == OrderStatus.PROOF_SUBMITTED
    stored = proof.files.get()
    assert stored.original_name == "整改后.jpg" and stored.taken_at is not None


def test_inspector_cannot_verify_proof_they_submitted(order, director_a, inspector_a, inspector_a2):
    order_acknowledge(actor=director_a, order=order)
    proof_submit(actor=inspector_a, order=order, note="复查时现场已整改")
    with pytest.raises(ValidationError) as exc:
        rectification_verify(actor=inspector_a, order=order, decision=ProofDecision.CLOSED)
    assert exc.value.code == "own_proof"
    order.refresh_from_db()
    assert order.status == OrderStatus.PROOF_SUBMITTED
    closed = rectification_verify(actor=inspector_a2, order=order, decision=ProofDecision.CLOSED)
    assert closed.status == OrderStatus.CLOSED and closed.closed_by == inspector_a2


def test_director_proof_may_be_verified_by_any_impartial_inspector(order, director_a, inspector_a, finding):
    order_acknowledge(actor=director_a, order=order)
    proof_submit(actor=director_a, order=order, note="已整改")
    closed = rectification_verify(actor=inspector_a, order=order, decision=ProofDecision.CLOSED)
    assert closed.status == OrderStatus.CLOSED
    finding.refresh_from_db()
    assert finding.is_rectified


def test_verify_refused_to_directors_and_leaders(order, director_a, leader_a):
    order_acknowledge(actor=director_a, order=order)
    proof_submit(actor=director_a, order=order, note="已整改")
    for actor in (director_a, leader_a):
        with pytest.raises(PermissionDenied):
            rectification_verify(actor=actor, order=order, decision=ProofDecision.CLOSED)


def test_reopen_needs_a_reason_and_goes_back_to_acknowledged(order, director_a, inspector_a, finding):
    order_acknowledge(actor=director_a, order=order)
    proof_submit(actor=director_a, order=order, note="已整改")
    with pytest.raises(ValidationError):
        rectification_verify(actor=inspector_a, order=order, decision=ProofDecision.REOPENED, reason="")
    reopened = rectification_verify(actor=inspector_a, order=order, decision=ProofDecision.REOPENED,
                                    reason="照片未显示有害垃圾回收点")
    assert reopened.status == OrderStatus.ACKNOWLEDGED and reopened.reopen_count == 1
    finding.refresh_from_db()
    assert not finding.is_rectified
    assert director_a.notifications.filter(kind="order_verified").exists()
    # The unit answers again and this time it closes.
    proof_submit(actor=director_a, order=order, note="已补设回收点")
    assert rectification_verify(actor=inspector_a, order=order, decision=ProofDecision.CLOSED).is_closed


def test_overdue_is_computed_from_deadline_and_status(order, inspector_a, director_a):
    late = order.deadline + datetime.timedelta(days=1)
    assert not order.is_overdue(order.deadline)
    assert order.is_overdue(late)
    assert list(order_overdue_list_for_user(user=inspector_a, today=late)) == [order]
    assert order_counts_for_user(user=director_a, today=late)["overdue"] == 1
    order_acknowledge(actor=director_a, order=order)
    proof_submit(actor=director_a, order=order, note="已整改")
    rectification_verify(actor=inspector_a, order=order, decision=ProofDecision.CLOSED)
    order.refresh_from_db()
    assert not order.is_overdue(late)
    assert order_counts_for_user(user=director_a, today=late)["overdue"] == 0


@pytest.fixture
def people_with_email(director_a, leader_a, leader_city, district_b):
    for user in (director_a, leader_a, leader_city):
        user.email = f"{user.username}@example.gov.cn"
        user.save()
    # A leader of another district must not hear about district A's orders.
    return UserFactory(username="leader_b", role=Role.LEADER, districts=[district_b], email="leader_b@example.gov.cn")


def test_reminders_sent_once_three_days_before_deadline(order, people_with_email, director_a,
                                                        django_capture_on_commit_callbacks):
    day = order.deadline - datetime.timedelta(days=3)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert rectification_send_reminders(today=day - datetime.timedelta(days=1)) == {"reminders": 0,
                                                                                        "escalations": 0}
        assert rectification_send_reminders(today=day) == {"reminders": 1, "escalations": 0}
        assert rectification_send_reminders(today=day) == {"reminders": 0, "escalations": 0}
        assert rectification_send_reminders(today=day + datetime.timedelta(days=1)) == {"reminders": 0,
                                                                                        "escalations": 0}
    assert Notification.objects.filter(kind="order_reminder").count() == 1
    assert director_a.notifications.filter(kind="order_reminder").count() == 1
    assert [m.to for m in mail.outbox] == [[director_a.email]]
    order.refresh_from_db()
    assert order.reminder_sent_at is not None


def test_overdue_escalated_once_to_the_units_leaders(order, people_with_email, director_a, leader_a, leader_city,
                                                     inspector_a, django_capture_on_commit_callbacks):
    leader_b = people_with_email
    first_overdue_day = order.deadline + datetime.timedelta(days=1)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert rectification_send_reminders(today=first_overdue_day)["escalations"] == 1
        for extra in range(3):
            result = rectification_send_reminders(today=first_overdue_day + datetime.timedelta(days=extra))
            assert result["escalations"] == 0
    notified = set(Notification.objects.filter(kind="order_overdue").values_list("user__username", flat=True))
    assert notified == {leader_a.username, leader_city.username, director_a.username, inspector_a.username}
    assert leader_b.notifications.count() == 0
    assert sorted(m.to[0] for m in mail.outbox if "逾期" in m.subject) == sorted(
        [leader_a.email, leader_city.email, director_a.email])
    order.refresh_from_db()
    assert order.escalated_at is not None


def test_beat_task_runs_the_reminders_and_is_idempotent(order, director_a):
    order.deadline = datetime.date.today() + datetime.timedelta(days=2)
    type(order).objects.filter(pk=order.pk).update(deadline=order.deadline)
    send_rectification_reminders.delay()
    send_rectification_reminders.delay()
    assert director_a.notifications.filter(kind="order_reminder").count() == 1


def test_closed_orders_get_no_reminders(order, director_a, inspector_a):
    order_acknowledge(actor=director_a, order=order)
    proof_submit(actor=director_a, order=order, note="已整改")
    rectification_verify(actor=inspector_a, order=order, decision=ProofDecision.CLOSED)
    assert rectification_send_reminders(today=order.deadline + datetime.timedelta(days=5)) == {
        "reminders": 0, "escalations": 0}
