"""Drill: Redis (the Celery broker) is down, or up but silent.

The shared Redis is never stopped: the Celery app is pointed at a port nothing listens on (refused at
once, like a stopped server) or at a socket that accepts and never answers, with task_always_eager off
so that every .delay() really talks to that broker.

What the drill shows:
- self-assessment submissions and reviews send nothing to the broker at all: they save, and the
  unit gets its messages, whatever Redis does;
- notifications (rectification orders, reminders) are rows written in the change's own transaction:
  the in-app notice is there with Redis down. Their e-mail is sent only by a worker (never by the web
  request): the hand-over after commit fails with Redis down without failing the page, the notice's
  e-mail stays queued in the database, and beat's e-mail sweeper sends it once Redis is back. The one
  beat-driven job (daily reminders) is lost for a run while Redis is down, but its state is per-order
  markers in the database, so the next run once Redis is back sends what is due;
- a PDF report requested while Redis is down returns normally (the report page, "排队中"), the
  report row stays queued, and the beat sweeper sends it once Redis is back; it is then rendered;
- a Redis that accepts connections and never answers doesn't hang the request: the transport's
  socket_timeout (settings/base.py) ends the attempt and the report waits in the queue likewise.
"""
import contextlib
import datetime
import signal
import socket
from unittest import mock

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from assessment.models import AssessmentStatus, Enrolment, ReviewDecision, SelfAssessment, Stage, SubmissionRound
from greenoffice.celery import app
from inspections.models import (
    ChecklistResult,
    EmailStatus,
    Finding,
    InspectionKind,
    Notification,
    RectificationOrder,
)
from inspections.reports.models import Report, ReportStatus
from inspections.reports.tasks import sweep_queued_reports_task
from inspections.services.visits import checklist_record, inspection_complete, inspection_create
from inspections.tasks import send_rectification_reminders, sweep_notification_emails
from tests.drills.conftest import DEAD_BROKER_URL, answer_all, broker_at
from tests.factories import UserFactory
from units.models import Role

pytestmark = pytest.mark.django_db(transaction=True)  # on_commit work (sends, e-mails) runs as in production


@contextlib.contextmanager
def broker_sends():
    """Record every message the app tries to hand to the broker (the attempt still happens)."""
    with mock.patch.object(app, "send_task", wraps=app.send_task) as spy:
        yield spy


@contextlib.contextmanager
def tasks_run_inline():
    """Broker back, and a worker takes whatever is sent: here the worker is this process (eager)."""
    saved = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        yield
    finally:
        app.conf.task_always_eager = saved


@contextlib.contextmanager
def fail_if_hung(seconds: int):
    """A hang detector, not a timing assertion: the request must come back at all. The bound is far
    above the transport's socket_timeout (5 s)."""
    def hung(signum, frame):
        raise AssertionError(f"the request still had not returned after {seconds} s: it hangs on the broker")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def assert_broker_unreachable():
    with app.connection_for_write() as conn, pytest.raises(BrokerError):
        conn.ensure_connection(max_retries=1)


@pytest.fixture
def director_mail(unit_a):
    return UserFactory(username="director_mail", role=Role.DIRECTOR, units=[unit_a],
                       email="director@example.gov.cn")


def test_broker_down_submission_and_review_still_save_and_send_nothing(client, director_a, inspector_a,
                                                                       enrolment_a):
    assessment = answer_all(enrolment_a, director_a, evidence=True)
    submit_url = reverse("assessment:self_assessment_submit", args=[enrolment_a.pk])
    review_url = reverse("assessment:review_detail", args=[enrolment_a.pk])
    with broker_at(DEAD_BROKER_URL), broker_sends() as sends:
        assert_broker_unreachable()
        client.force_login(director_a)
        page = client.post(submit_url, {"version": assessment.revision}, follow=True).content.decode()
        assert "已提交第1轮自评,等待督查员审核" in page
        client.force_login(inspector_a)
        page = client.post(review_url, {"decision": "return", "comment": "请补充领导小组成立文件"},
                           follow=True).content.decode()
        assert "已退回甲区发展和改革局第1轮自评" in page
        client.force_login(director_a)
        assessment.refresh_from_db()
        page = client.post(submit_url, {"version": assessment.revision}, follow=True).content.decode()
        assert "已提交第2轮自评" in page
        client.force_login(inspector_a)
        page = client.post(review_url, {"decision": "accept", "comment": ""}, follow=True).content.decode()
        assert "第2轮自评已审核通过" in page
    assert sends.call_count == 0  # nothing of a submission or a review goes through the broker
    assessment = SelfAssessment.objects.get(pk=assessment.pk)
    assert assessment.status == AssessmentStatus.ACCEPTED
    assert list(SubmissionRound.objects.filter(assessment=assessment).order_by("number")
                .values_list("number", "decision")) == [(1, ReviewDecision.RETURNED), (2, ReviewDecision.ACCEPTED)]
    assert Enrolment.objects.get(pk=enrolment_a.pk).stage == Stage.ACCEPTED


def test_broker_down_order_notice_goes_out_and_reminder_follows_when_back(client, inspector_a, director_mail,
                                                                          enrolment_a):
    today = timezone.localdate()
    visit = inspection_create(actor=inspector_a, enrolment=enrolment_a, kind=InspectionKind.ROUTINE,
                              scheduled_date=today)
    item = enrolment_a.campaign.rubric.items.order_by("order").first()
    checklist_record(actor=inspector_a, inspection=visit, item=item, result=ChecklistResult.SERIOUS,
                     note="垃圾分类容器未配齐")
    inspection_complete(actor=inspector_a, inspection=visit)
    finding = Finding.objects.get(inspection=visit)
    mail.outbox.clear()

    with broker_at(DEAD_BROKER_URL), broker_sends() as sends:
        client.force_login(inspector_a)
        deadline = today + datetime.timedelta(days=3)
        page = client.post(reverse("inspections:order_create", args=[finding.pk]),
                           {"required_action": "配齐四类分类容器", "deadline": deadline.isoformat()},
                           follow=True).content.decode()
        assert "已下发" in page
        # The e-mail was handed to the (dead) broker after commit; the page did not fail for it.
        assert [call.args[0] for call in sends.call_args_list] == ["inspections.send_notification_emails"]
        order = RectificationOrder.objects.get(finding=finding)
        # The unit sees the notice in the app now; the e-mail waits in the database, unsent.
        notice = director_mail.notifications.get(kind="order_issued")
        assert notice.email_status == EmailStatus.QUEUED
        assert mail.outbox == []

        # Beat's daily reminder run can't be handed to a dead broker: this run is lost...
        with pytest.raises(BrokerError):
            send_rectification_reminders.delay()
    order.refresh_from_db()
    assert order.reminder_sent_at is None
    assert not Notification.objects.filter(kind="order_reminder").exists()

    # ...but what is due lives in the database. Redis back: the e-mail sweeper sends the order's e-mail,
    # once, and the next reminder run sends what is due, once.
    with tasks_run_inline():
        assert sweep_notification_emails.delay().get() == {"sent": 0, "failed": 0}  # not yet 5 minutes old
        Notification.objects.filter(pk=notice.pk).update(
            created_at=timezone.now() - datetime.timedelta(minutes=10))
        assert sweep_notification_emails.delay().get() == {"sent": 1, "failed": 0}
        assert sweep_notification_emails.delay().get() == {"sent": 0, "failed": 0}
        assert [m.to for m in mail.outbox] == [["director@example.gov.cn"]]
        assert order.number in mail.outbox[0].subject
        assert send_rectification_reminders.delay().get() == {"reminders": 1, "escalations": 0}
        assert send_rectification_reminders.delay().get() == {"reminders": 0, "escalations": 0}
    assert director_mail.notifications.filter(kind="order_reminder").count() == 1
    assert len(mail.outbox) == 2 and "整改提醒" in mail.outbox[1].subject


def test_broker_down_report_request_stays_queued_and_sweeper_sends_it_when_back(client, director_a, enrolment_a,
                                                                                settings, caplog):
    with broker_at(DEAD_BROKER_URL):
        client.force_login(director_a)
        response = client.post(reverse("reports:request"), {"kind": "unit", "unit": enrolment_a.unit_id,
                                                            "campaign": enrolment_a.campaign_id}, follow=True)
    page = response.content.decode()
    assert response.status_code == 200
    assert "已提交生成请求,报告生成后可在此下载。" in page and "排队中" in page
    report = Report.objects.get(requested_by=director_a)
    assert report.status == ReportStatus.QUEUED and report.enqueued_at is None
    assert "broker unavailable" in caplog.text and "6390" in caplog.text  # refused by the dead port

    # Redis back: beat's sweeper (every two minutes) re-sends queued reports older than
    # REPORTS_REQUEUE_AFTER_SECONDS; set to 0 here instead of waiting five minutes.
    settings.REPORTS_REQUEUE_AFTER_SECONDS = 0
    with tasks_run_inline():
        assert sweep_queued_reports_task.delay().get()["sent"] == 1
    report.refresh_from_db()
    assert report.status == ReportStatus.DONE and report.attempts == 1
    assert report.file.read(5) == b"%PDF-"


@pytest.fixture
def silent_redis():
    """A TCP socket that accepts connections (the kernel does) and never answers: a wedged Redis."""
    if not app.conf.broker_url.startswith(("redis://", "rediss://")):
        pytest.skip("the socket timeouts under test are those settings/base.py gives the Redis transport: "
                    "run with REDIS_URL=redis://127.0.0.1:6379/0 (CI does)")
    assert app.conf.broker_transport_options.get("socket_timeout"), "no socket_timeout: .delay() would hang"
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    try:
        yield f"redis://127.0.0.1:{server.getsockname()[1]}/0"
    finally:
        server.close()


@pytest.mark.redis
def test_silent_redis_report_request_returns_and_stays_queued(client, director_a, enrolment_a, silent_redis,
                                                              caplog):
    client.force_login(director_a)
    with broker_at(silent_redis), fail_if_hung(60):
        response = client.post(reverse("reports:request"), {"kind": "unit", "unit": enrolment_a.unit_id,
                                                            "campaign": enrolment_a.campaign_id})
    report = Report.objects.get(requested_by=director_a)
    assert response.status_code == 302 and response.url == reverse("reports:detail", args=[report.pk])
    assert report.status == ReportStatus.QUEUED and report.enqueued_at is None
    assert "Timeout reading from socket" in caplog.text  # it reached the silent server and gave up
