"""Celery tasks of inspections: interfaces only; the work is in the services."""
from celery import shared_task

from inspections.services.rectification import rectification_send_reminders


@shared_task(name="inspections.send_rectification_reminders", acks_late=True, time_limit=600, soft_time_limit=540)
def send_rectification_reminders() -> dict:
    """Daily (CELERY_BEAT_SCHEDULE): reminders 3 days before deadlines, escalation of overdue orders.
    Idempotent: the per-order sent markers make a second run the same day send nothing."""
    return rectification_send_reminders()
