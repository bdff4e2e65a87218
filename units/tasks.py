"""Celery tasks of units: interfaces only; the work is in the modules they call."""
from celery import shared_task

from units.password_reset import password_reset_email_send


@shared_task(name="units.send_password_reset_email", acks_late=True, time_limit=60, soft_time_limit=50)
def send_password_reset_email(user_id: int, domain: str, protocol: str, language: str) -> bool:
    """The password reset e-mail, made and sent by the worker (the request only gave the user's id).
    Sending it twice (a redelivered message) sends two valid links to the same owner: harmless."""
    return password_reset_email_send(user_id=user_id, domain=domain, protocol=protocol, language=language)
