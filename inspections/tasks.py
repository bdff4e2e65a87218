"""Celery tasks of inspections: interfaces only; the work is in the services."""
from celery import shared_task

from inspections.services.notifications import notification_emails_send, notification_emails_sweep
from inspections.services.rectification import rectification_send_reminders


@shared_task(name="inspections.send_rectification_reminders", acks_late=True, time_limit=600, soft_time_limit=540)
def send_rectification_reminders() -> dict:
    """Daily (CELERY_BEAT_SCHEDULE): reminders 3 days before deadlines, escalation of overdue orders.
    Idempotent: the per-order sent markers make a second run the same day send nothing."""
    return rectification_send_reminders()


@shared_task(name="inspections.send_notification_emails", acks_late=True, time_limit=120, soft_time_limit=100)
def send_notification_emails(notification_ids: list[int]) -> dict:
    """After commit (notification_send): the e-mail of these notices. Idempotent: each notice is claimed
    from "queued" once, so a redelivered message sends nothing twice."""
    return notification_emails_send(notification_ids=notification_ids)


@shared_task(name="inspections.sweep_notification_emails", acks_late=True, time_limit=300, soft_time_limit=270)
def sweep_notification_emails() -> dict:
    """Beat, every two minutes: e-mails still queued a while after commit (broker down at the time)."""
    return notification_emails_sweep()
