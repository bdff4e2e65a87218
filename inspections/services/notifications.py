"""In-app notifications (and the e-mail that goes with them)."""
import logging

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction
from django.utils import timezone

from inspections.models import Notification

logger = logging.getLogger(__name__)


def _send_emails(messages):
    try:
        send_mass_mail(messages, fail_silently=False)
    except Exception:  # noqa: BLE001 — a mail outage must not undo the in-app notice (ASVS 16.5)
        logger.exception("通知邮件发送失败(%s封)", len(messages))


def notification_send(*, users, title: str, body: str = "", link: str = "", kind: str = "",
                      email: bool = True) -> list[Notification]:
    """One notice per distinct active user; e-mail (to those with an address) goes out after commit so a
    rolled-back change never mails anyone."""
    seen, recipients = set(), []
    for user in users:
        if user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        recipients.append(user)
    notices = Notification.objects.bulk_create(
        [Notification(user=u, kind=kind, title=title[:200], body=body, link=link) for u in recipients]
    )
    if email:
        full_link = link
        base = getattr(settings, "GREENOFFICE_SITE_URL", "")
        if base and link.startswith("/"):
            full_link = base.rstrip("/") + link
        text = f"{body}\n\n{full_link}".strip() if full_link else body
        messages = tuple(
            (title, text, settings.DEFAULT_FROM_EMAIL, [u.email]) for u in recipients if u.email
        )
        if messages:
            transaction.on_commit(lambda: _send_emails(messages))
    return notices


def notification_mark_read(*, user, notification_ids=None) -> int:
    """Mark the user's own notices read (all unread when no ids are given). Repeating it changes nothing."""
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if notification_ids is not None:
        qs = qs.filter(pk__in=list(notification_ids))
    return qs.update(read_at=timezone.now())
