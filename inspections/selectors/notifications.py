"""Reads of a user's own notifications."""
from django.db.models import QuerySet

from inspections.models import Notification


def notification_list_for_user(*, user) -> QuerySet[Notification]:
    if not getattr(user, "is_authenticated", False):
        return Notification.objects.none()
    return Notification.objects.filter(user=user)


def notification_unread_count(*, user) -> int:
    return notification_list_for_user(user=user).filter(read_at__isnull=True).count()
