"""Reads of rectification orders: every role in scope sees them (a director: own units' orders)."""
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from greenoffice.models import AuditEvent
from inspections.models import OrderStatus, ProofFile, RectificationOrder
from inspections.permissions import can_read_supervision, is_director
from units.selectors import unit_scope_q


def order_list_for_user(*, user) -> QuerySet[RectificationOrder]:
    if not (can_read_supervision(user) or is_director(user)):
        return RectificationOrder.objects.none()
    # No .distinct(): unit_scope_q joins at most one membership per unit (unique user+unit); DISTINCT
    # over every column cost ~250 ms per page count at 50,000 orders (docs/performance.md).
    return RectificationOrder.objects.filter(unit_scope_q(user, "unit__")).select_related(
        "unit__district", "finding__item", "issued_by"
    )


def order_get_for_user(*, user, pk) -> RectificationOrder:
    try:
        return order_list_for_user(user=user).select_related("finding__inspection").get(pk=pk)
    except (RectificationOrder.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def order_filter(qs: QuerySet[RectificationOrder], *, status: str = "", today=None) -> QuerySet:
    """The list's filter: a status, "overdue" (deadline passed, not closed) or "open"."""
    today = today or timezone.localdate()
    if status == "overdue":
        return qs.exclude(status=OrderStatus.CLOSED).filter(deadline__lt=today)
    if status == "open":
        return qs.exclude(status=OrderStatus.CLOSED)
    if status in OrderStatus.values:
        return qs.filter(status=status)
    return qs


def order_overdue_list_for_user(*, user, today=None) -> QuerySet[RectificationOrder]:
    """Overdue orders (deadline < today, not closed): what the dashboard and leaders watch."""
    return order_filter(order_list_for_user(user=user), status="overdue", today=today).order_by("deadline")


def order_counts_for_user(*, user, today=None) -> dict:
    """Open, overdue, awaiting verification and closed counts in one query."""
    today = today or timezone.localdate()
    open_q = ~Q(status=OrderStatus.CLOSED)
    return order_list_for_user(user=user).order_by().aggregate(
        total=Count("id"),
        open=Count("id", filter=open_q),
        overdue=Count("id", filter=open_q & Q(deadline__lt=today)),
        awaiting_verification=Count("id", filter=Q(status=OrderStatus.PROOF_SUBMITTED)),
        closed=Count("id", filter=Q(status=OrderStatus.CLOSED)),
    )


def order_timeline(order: RectificationOrder) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(object_type=order._meta.label, object_id=str(order.pk)).select_related(
        "actor"
    ).order_by("at", "id")


def proof_file_get_for_user(*, user, pk) -> ProofFile:
    orders = order_list_for_user(user=user)
    try:
        return ProofFile.objects.select_related("proof__order").get(pk=pk, proof__order__in=orders)
    except (ProofFile.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
