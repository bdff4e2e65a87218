"""Mail only from Celery: a request that makes a notice (or asks for a password reset) sends no e-mail
in-process; it hands ids to a named task after commit, and the worker sends each e-mail once.

The tests replace the task's .delay() with a recorder: that is what a real broker does (the test
settings run tasks eagerly, which would hide the difference)."""
import datetime
import re
from pathlib import Path

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from inspections.models import EmailStatus, Notification
from inspections.services.notifications import notification_emails_send
from inspections.tasks import send_notification_emails
from tests.inspections.conftest import make_findings
from units.tasks import send_password_reset_email

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def queued(monkeypatch):
    calls = []
    monkeypatch.setattr(send_notification_emails, "delay", lambda *args: calls.append(args))
    return calls


def _issue_order_through_the_page(client, enrolment_a, inspector_a, callbacks):
    finding = make_findings(enrolment_a, actor=inspector_a, severities=["serious"])[0]
    client.force_login(inspector_a)
    deadline = (timezone.localdate() + datetime.timedelta(days=7)).isoformat()
    with callbacks(execute=True):
        response = client.post(reverse("inspections:order_create", args=[finding.pk]),
                               {"required_action": "配齐容器", "deadline": deadline})
    assert response.status_code == 302


def test_notification_mail_request_sends_nothing_and_the_worker_sends_once(
        client, enrolment_a, inspector_a, director_a, queued, settings, django_capture_on_commit_callbacks):
    settings.GREENOFFICE_SITE_URL = "https://lvse.example.gov.cn"
    director_a.email = "director_a@example.gov.cn"
    director_a.save()
    mail.outbox.clear()
    _issue_order_through_the_page(client, enrolment_a, inspector_a, django_capture_on_commit_callbacks)

    assert mail.outbox == []  # nothing was sent by the request
    notice = Notification.objects.get(user=director_a, kind="order_issued")
    assert notice.email_status == EmailStatus.QUEUED
    assert queued == [([notice.pk],)]

    # The worker: one e-mail, with an absolute link; a redelivered message sends nothing more.
    send_notification_emails(*queued[0])
    assert [m.to for m in mail.outbox] == [[director_a.email]]
    assert "https://lvse.example.gov.cn/inspections/orders/" in mail.outbox[0].body
    send_notification_emails(*queued[0])
    assert len(mail.outbox) == 1
    notice.refresh_from_db()
    assert notice.email_status == EmailStatus.SENT and notice.emailed_at is not None


def test_notification_mail_users_without_address_get_no_task(
        client, enrolment_a, inspector_a, director_a, queued, django_capture_on_commit_callbacks):
    director_a.email = ""
    director_a.save()
    _issue_order_through_the_page(client, enrolment_a, inspector_a, django_capture_on_commit_callbacks)
    assert Notification.objects.get(user=director_a, kind="order_issued").email_status == EmailStatus.NONE
    assert queued == []


def test_notification_mail_outage_marks_failed_and_keeps_the_notice(
        client, enrolment_a, inspector_a, director_a, queued, monkeypatch, django_capture_on_commit_callbacks):
    director_a.email = "director_a@example.gov.cn"
    director_a.save()
    _issue_order_through_the_page(client, enrolment_a, inspector_a, django_capture_on_commit_callbacks)

    class Down:
        def send_messages(self, messages):
            raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr("inspections.services.notifications.get_connection", lambda **kw: Down())
    assert notification_emails_send(notification_ids=queued[0][0]) == {"sent": 0, "failed": 1}
    notice = Notification.objects.get(user=director_a, kind="order_issued")
    assert notice.email_status == EmailStatus.FAILED and notice.read_at is None


def test_password_reset_request_sends_no_mail_and_the_worker_does(client, director_a, monkeypatch, settings):
    settings.GREENOFFICE_SITE_URL = "https://lvse.example.gov.cn"
    director_a.email = "director_a@example.gov.cn"
    director_a.save()
    calls = []
    monkeypatch.setattr(send_password_reset_email, "delay", lambda *args: calls.append(args))
    mail.outbox.clear()
    response = client.post(reverse("password_reset"), {"email": director_a.email})
    assert response.status_code == 302
    assert mail.outbox == []
    assert len(calls) == 1 and calls[0][0] == director_a.pk

    send_password_reset_email(*calls[0])
    assert [m.to for m in mail.outbox] == [[director_a.email]]
    link = re.search(r"https://lvse\.example\.gov\.cn(/accounts/password/reset/\S+/)", mail.outbox[0].body)
    assert link is not None
    assert client.get(link.group(1)).status_code == 302  # a valid token: on to the set-password form


def test_mail_is_sent_only_from_worker_side_modules():
    """No view, form or service sends mail directly: only the two worker-side functions do."""
    allowed = {ROOT / "inspections/services/notifications.py", ROOT / "units/password_reset.py"}
    pattern = re.compile(r"\b(send_mail|send_mass_mail|mail_admins|mail_managers|send_messages|EmailMessage|"
                         r"EmailMultiAlternatives)\b")
    offenders = []
    for app in ("greenoffice", "units", "assessment", "inspections"):
        for path in (ROOT / app).rglob("*.py"):
            if path in allowed or "migrations" in path.parts:
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
                if pattern.search(line) and not line.lstrip().startswith("#"):
                    offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == []
