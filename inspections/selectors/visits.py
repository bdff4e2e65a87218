"""Reads of inspections (visits). Bureau staff and leaders see visits in their scope; a director sees
only completed visits of their own units (a planned spot check or unannounced visit is not announced)."""
from django.db.models import Prefetch, QuerySet
from django.http import Http404

from assessment.models import RubricItem
from inspections.models import (
    ChecklistEntry,
    Finding,
    Inspection,
    InspectionPhoto,
    InspectionStatus,
)
from inspections.permissions import can_read_supervision, is_director
from units.selectors import unit_scope_q

METHOD_ORDER = {"onsite": 0, "both": 1, "self": 2}
# A drawn round stores its whole draw (every candidate with its risk inputs: ~1.5 MB of JSON for 10,000
# units); a visit page only names its round, so the draw record is not fetched with it (issue 8).
ROUND_DRAW_RECORD = ("round__candidates", "round__weights", "round__draw_log", "round__drawn_unit_ids")


def visit_list_for_user(*, user) -> QuerySet[Inspection]:
    qs = Inspection.objects.filter(unit_scope_q(user, "unit__")).select_related(
        "unit__district", "campaign", "round"
    ).defer(*ROUND_DRAW_RECORD).prefetch_related("inspectors")
    # No .distinct(): unit_scope_q joins at most one membership per unit (unique user+unit), and
    # DISTINCT over every column is a sort of the whole scope at province scale (docs/performance.md).
    if is_director(user):
        return qs.filter(status=InspectionStatus.COMPLETED)
    if not can_read_supervision(user):
        return qs.none()
    return qs


def visit_get_for_user(*, user, pk) -> Inspection:
    try:
        return visit_list_for_user(user=user).get(pk=pk)
    except (Inspection.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def visit_checklist(inspection: Inspection) -> list[dict]:
    """The rubric's items in checklist order (on-site items first, then both, then self-assessed),
    each with this visit's entry and photos (4 queries)."""
    items = list(RubricItem.objects.filter(rubric_id=inspection.campaign.rubric_id).select_related("block")
                 .prefetch_related("deductions"))
    items.sort(key=lambda item: (METHOD_ORDER.get(item.method, 9), item.order))
    entries = {
        e.item_id: e
        for e in ChecklistEntry.objects.filter(inspection=inspection).prefetch_related(
            Prefetch("photos", queryset=InspectionPhoto.objects.order_by("id"))
        )
    }
    return [{"item": item, "entry": entries.get(item.pk)} for item in items]


def finding_list_for_user(*, user) -> QuerySet[Finding]:
    qs = Finding.objects.filter(unit_scope_q(user, "unit__")).select_related("unit", "item", "inspection")
    if not (can_read_supervision(user) or is_director(user)):
        return qs.none()
    return qs  # no .distinct(): see visit_list_for_user


def finding_get_for_user(*, user, pk) -> Finding:
    try:
        return finding_list_for_user(user=user).get(pk=pk)
    except (Finding.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def photo_get_for_user(*, user, pk) -> InspectionPhoto:
    visits = visit_list_for_user(user=user)
    try:
        return InspectionPhoto.objects.select_related("entry__inspection").get(pk=pk, entry__inspection__in=visits)
    except (InspectionPhoto.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
