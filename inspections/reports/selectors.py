"""Reads of report records: the access gate and who may ask for which kind.

A report is visible to the person who asked for it, and only while they may still see its subject: a
unit report needs the unit in the user's scope (unit_scope_q), the other kinds a supervisory role.
Missing and forbidden look the same (404)."""
from django.db.models import Q, QuerySet
from django.http import Http404

from inspections.reports.models import Report, ReportKind
from units.models import Role
from units.selectors import unit_scope_q

SUPERVISORY_KINDS = (ReportKind.ROUND, ReportKind.SUMMARY, ReportKind.BULK)


def _active(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def report_is_supervisor(user) -> bool:
    return _active(user) and (user.is_admin_role or user.role in (Role.INSPECTOR, Role.LEADER))


def report_kinds_for_user(user) -> list[str]:
    """The kinds `user` may request, in the order the reports page offers them."""
    if not _active(user):
        return []
    if report_is_supervisor(user):
        return [ReportKind.UNIT, ReportKind.ROUND, ReportKind.SUMMARY, ReportKind.BULK]
    if user.role == Role.DIRECTOR:
        return [ReportKind.UNIT]
    return []


def report_district_scope(user) -> list[int] | None:
    """The user's districts for the scope frozen into a report; None means city-wide."""
    if user.is_admin_role or user.role not in (Role.INSPECTOR, Role.LEADER):
        return None
    ids = sorted(user.districts.values_list("pk", flat=True))
    return ids or None


def report_list_for_user(*, user) -> QuerySet[Report]:
    if not _active(user):
        return Report.objects.none()
    visible = Q(kind=ReportKind.UNIT) & Q(pk__in=Report.objects.filter(unit_scope_q(user, "unit__")).values("pk"))
    if report_is_supervisor(user):
        visible |= Q(kind__in=SUPERVISORY_KINDS)
    return (
        Report.objects.filter(visible, requested_by=user, parent__isnull=True)
        .select_related("unit", "campaign", "round")
        .order_by("-requested_at", "-id")
    )


def report_get_for_user(*, user, pk) -> Report:
    try:
        return report_list_for_user(user=user).get(pk=pk)
    except (Report.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def report_find_by_code(*, code: str) -> Report | None:
    """For the verification page: a printed code names a finished top-level report (or a bulk member)."""
    normalised = "".join(ch for ch in (code or "").upper() if ch.isalnum())
    if len(normalised) != 16:
        return None
    formatted = "-".join(normalised[i:i + 4] for i in range(0, 16, 4))
    return (
        Report.objects.filter(verification_code=formatted, status="done")
        .select_related("unit", "campaign", "round").first()
    )
