"""In-app notifications, and the e-mail that goes with them: sent by a Celery worker after commit,
never inside the web request that made the notice (DESIGN.md: notifications are sent by Celery)."""
import datetime
import logging

from django.conf import settings
from django.core.mail import get_connection
from django.core.mail.message import EmailMessage
from django.db import transaction
from django.utils import timezone

from inspections.models import EmailStatus, Notification

logger = logging.getLogger(__name__)


def notification_send(*, users, title: str, body: str = "", link: str = "", kind: str = "",
                      email: bool = True) -> list[Notification]:
    """One notice per distinct active user. Notices of users with an address are marked for e-mail and
    handed to the worker after commit (ids only), so a rolled-back change never mails anyone and no
    request waits for, or fails on, the mail server."""
    seen, recipients = set(), []
    for user in users:
        if user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        recipients.append(user)
    notices = Notification.objects.bulk_create([
        Notification(user=u, kind=kind, title=title[:200], body=body, link=link,
                     email_status=EmailStatus.QUEUED if email and u.email else EmailStatus.NONE)
        for u in recipients
    ])
    ids = [n.pk for n in notices if n.email_status == EmailStatus.QUEUED]
    if ids:
        # Imported here: the tasks module imports the services that call this one.
        from inspections.tasks import send_notification_emails

        # robust: with the broker down the change is still saved and the page still answers; the rows
        # stay queued and the beat sweeper (notification_emails_sweep) sends them later.
        transaction.on_commit(lambda: send_notification_emails.delay(ids), robust=True)
    return notices


def _full_link(link: str) -> str:
    base = (getattr(settings, "GREENOFFICE_SITE_URL", "") or "").rstrip("/")
    if base and link.startswith("/"):
        return base + link
    return link


def notification_emails_send(*, notification_ids) -> dict:
    """Worker side: send the e-mail of each queued notice once. A notice is claimed (queued → sending)
    by one conditional UPDATE, so a duplicated or redelivered task sends nothing twice; a mail outage
    marks the claimed notices failed and leaves the in-app notices as they are (ASVS 16.5)."""
    claimed = []
    for pk in notification_ids:
        if Notification.objects.filter(pk=pk, email_status=EmailStatus.QUEUED).update(
                email_status=EmailStatus.SENDING):
            claimed.append(pk)
    if not claimed:
        return {"sent": 0, "failed": 0}
    notices = list(Notification.objects.filter(pk__in=claimed).select_related("user").order_by("pk"))
    messages, by_message = [], []
    for notice in notices:
        if not notice.user.email:
            continue
        link = _full_link(notice.link)
        text = f"{notice.body}\n\n{link}".strip() if link else notice.body
        messages.append(EmailMessage(notice.title, text, settings.DEFAULT_FROM_EMAIL, [notice.user.email]))
        by_message.append(notice.pk)
    try:
        if messages:
            get_connection(fail_silently=False).send_messages(messages)
    except Exception:  # noqa: BLE001 — a mail outage must not undo the in-app notice
        logger.exception("通知邮件发送失败(%s封)", len(messages))
        Notification.objects.filter(pk__in=claimed).update(email_status=EmailStatus.FAILED)
        return {"sent": 0, "failed": len(claimed)}
    Notification.objects.filter(pk__in=claimed).update(email_status=EmailStatus.SENT, emailed_at=timezone.now())
    return {"sent": len(messages), "failed": 0}


def notification_emails_sweep(*, older_than_seconds: int | None = None, batch: int = 500) -> dict:
    """Beat: send the e-mails still queued some minutes after their notice was made (the broker was
    down at commit time, or a restarted Redis lost the message). Claiming makes a late original
    message harmless."""
    seconds = older_than_seconds if older_than_seconds is not None else getattr(
        settings, "NOTIFICATION_EMAIL_REQUEUE_AFTER_SECONDS", 300)
    cutoff = timezone.now() - datetime.timedelta(seconds=seconds)
    ids = list(Notification.objects.filter(email_status=EmailStatus.QUEUED, created_at__lte=cutoff)
               .order_by("pk").values_list("pk", flat=True)[:batch])
    return notification_emails_send(notification_ids=ids) if ids else {"sent": 0, "failed": 0}


def notification_mark_read(*, user, notification_ids=None) -> int:
    """Mark the user's own notices read (all unread when no ids are given). Repeating it changes nothing."""
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if notification_ids is not None:
        qs = qs.filter(pk__in=list(notification_ids))
    return qs.update(read_at=timezone.now())
