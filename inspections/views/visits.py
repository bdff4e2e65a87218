"""Inspection (visit) pages: the list, planning a visit, and the phone-first checklist."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from assessment.models import RubricItem
from assessment.selectors.campaign import campaign_current, enrolment_list_for_user
from inspections.forms import add_service_errors
from inspections.forms.visits import CancelForm, ChecklistItemForm, CompleteForm, VisitForm
from inspections.models import ChecklistResult, Finding, InspectionKind, InspectionStatus
from inspections.permissions import can_read_supervision, is_bureau_staff, is_director, is_member_of
from inspections.selectors.visits import photo_get_for_user, visit_checklist, visit_get_for_user, visit_list_for_user
from inspections.services.visits import (
    checklist_record,
    inspection_cancel,
    inspection_complete,
    inspection_create,
    photo_remove,
)


def _require_reader(user):
    if not (can_read_supervision(user) or is_director(user)):
        raise PermissionDenied


def _require_staff(user):
    if not is_bureau_staff(user):
        raise PermissionDenied


def can_record(user, inspection) -> bool:
    """May this user fill in the checklist now? (The service enforces the same.)"""
    if inspection.is_locked or not is_bureau_staff(user) or is_member_of(user, inspection.unit_id):
        return False
    return user.is_admin_role or any(u.pk == user.pk for u in inspection.inspectors.all())


@login_required
def visit_list(request):
    _require_reader(request.user)
    visits = visit_list_for_user(user=request.user)
    kind, status, mine = request.GET.get("kind", ""), request.GET.get("status", ""), request.GET.get("mine") == "1"
    if kind in InspectionKind.values:
        visits = visits.filter(kind=kind)
    if status in InspectionStatus.values:
        visits = visits.filter(status=status)
    if mine:
        visits = visits.filter(inspectors=request.user)
    page = Paginator(visits.order_by("-scheduled_date", "-id"), 25).get_page(request.GET.get("page"))
    return render(request, "inspections/inspection_list.html", {
        "page": page, "kinds": InspectionKind.choices, "statuses": InspectionStatus.choices,
        "kind": kind, "status": status, "mine": mine, "can_manage": is_bureau_staff(request.user),
    })


@login_required
@require_http_methods(["GET", "POST"])
def visit_create(request):
    _require_staff(request.user)
    campaign = campaign_current()
    if campaign is None:
        messages.error(request, _("尚未设置当前创建年度"))
        return redirect("inspections:visit_list")
    enrolments = list(enrolment_list_for_user(user=request.user, campaign=campaign).select_related("unit__district"))
    form = VisitForm(request.POST or None, enrolments=enrolments,
                     initial={"enrolment": request.GET.get("enrolment")})
    if request.method == "POST" and form.is_valid():
        enrolment = next(e for e in enrolments if e.pk == form.cleaned_data["enrolment"])
        try:
            visit = inspection_create(actor=request.user, enrolment=enrolment, kind=form.cleaned_data["kind"],
                                      scheduled_date=form.cleaned_data["scheduled_date"],
                                      inspectors=form.cleaned_data["inspectors"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("检查已创建"))
            return redirect("inspections:visit_detail", pk=visit.pk)
    return render(request, "inspections/inspection_form.html", {"form": form, "campaign": campaign},
                  status=400 if form.errors else 200)


def _rows(inspection, bound=None):
    rows = visit_checklist(inspection)
    bound = bound or {}
    for row in rows:
        entry = row["entry"]
        if row["item"].pk in bound:
            row["form"] = bound[row["item"].pk]
        else:
            initial = {"result": entry.result, "note": entry.note,
                       "rectified_on_site": entry.rectified_on_site} if entry else {}
            row["form"] = ChecklistItemForm(initial=initial, prefix=f"i{row['item'].pk}")
    return rows


def _detail_context(request, inspection, bound=None):
    rows = _rows(inspection, bound)
    findings = list(
        Finding.objects.filter(inspection=inspection).select_related("item", "order").order_by("item__order")
    )
    recorded = sum(1 for row in rows if row["entry"])
    return {
        "inspection": inspection,
        "rows": rows,
        "recorded": recorded,
        "problems": sum(1 for row in rows if row["entry"] and row["entry"].result != ChecklistResult.COMPLIANT),
        "findings": findings,
        "can_record": can_record(request.user, inspection),
        "can_manage": is_bureau_staff(request.user) and not is_member_of(request.user, inspection.unit_id),
        "complete_form": CompleteForm(),
        "cancel_form": CancelForm(),
        "team": list(inspection.inspectors.all()),
    }


@login_required
def visit_detail(request, pk):
    _require_reader(request.user)
    inspection = visit_get_for_user(user=request.user, pk=pk)
    return render(request, "inspections/inspection_detail.html", _detail_context(request, inspection))


@login_required
@require_POST
def visit_item(request, pk, item_pk):
    """Save one checklist item (htmx swaps just its card; without JavaScript the page reloads)."""
    _require_staff(request.user)
    inspection = visit_get_for_user(user=request.user, pk=pk)
    try:
        item = RubricItem.objects.get(pk=item_pk, rubric_id=inspection.campaign.rubric_id)
    except (RubricItem.DoesNotExist, ValueError):
        raise Http404 from None
    form = ChecklistItemForm(request.POST, request.FILES, prefix=f"i{item.pk}")
    saved = False
    if form.is_valid():
        try:
            checklist_record(actor=request.user, inspection=inspection, item=item,
                             result=form.cleaned_data["result"], note=form.cleaned_data["note"],
                             rectified_on_site=form.cleaned_data["rectified_on_site"],
                             photos=form.cleaned_data["photos"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            saved = True
    if request.htmx:
        inspection = visit_get_for_user(user=request.user, pk=pk)
        bound = {} if saved else {item.pk: form}
        rows = _rows(inspection, bound)
        row = next(r for r in rows if r["item"].pk == item.pk)
        # The card, plus the progress box out of band so the counts at the top stay true.
        return render(request, "inspections/_checklist_item_response.html", {
            "row": row, "inspection": inspection, "can_record": True, "saved": saved, "rows": rows,
            "recorded": sum(1 for r in rows if r["entry"]),
            "problems": sum(1 for r in rows if r["entry"] and r["entry"].result != ChecklistResult.COMPLIANT),
        })  # 200 either way: htmx swaps only 2xx responses, and the errors are in the card
    if saved:
        messages.success(request, _("已保存:%(code)s") % {"code": item.code})
        return redirect(reverse("inspections:visit_detail", args=[inspection.pk]) + f"#item-{item.pk}")
    return render(request, "inspections/inspection_detail.html",
                  _detail_context(request, inspection, {item.pk: form}), status=400)


@login_required
@require_POST
def visit_complete(request, pk):
    _require_staff(request.user)
    inspection = visit_get_for_user(user=request.user, pk=pk)
    form = CompleteForm(request.POST)
    summary = form.cleaned_data["summary"] if form.is_valid() else ""
    try:
        inspection_complete(actor=request.user, inspection=inspection, summary=summary)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("检查已完成,记录已锁定。发现的问题可下发整改通知。"))
    return redirect("inspections:visit_detail", pk=inspection.pk)


@login_required
@require_POST
def visit_cancel(request, pk):
    _require_staff(request.user)
    inspection = visit_get_for_user(user=request.user, pk=pk)
    form = CancelForm(request.POST)
    try:
        inspection_cancel(actor=request.user, inspection=inspection,
                          reason=form.cleaned_data["reason"] if form.is_valid() else "")
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("检查已取消"))
    return redirect("inspections:visit_detail", pk=inspection.pk)


@login_required
@require_POST
def visit_photo_remove(request, pk):
    _require_staff(request.user)
    photo = photo_get_for_user(user=request.user, pk=pk)
    inspection_id, item_id = photo.entry.inspection_id, photo.entry.item_id
    try:
        photo_remove(actor=request.user, photo=photo)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    return redirect(reverse("inspections:visit_detail", args=[inspection_id]) + f"#item-{item_id}")
