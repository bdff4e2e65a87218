"""Rectification order pages: the list (every role, in scope), one order with its proofs and timeline,
issuing from a finding, and the director's / inspector's actions on it."""
import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from inspections.forms import add_service_errors
from inspections.forms.rectification import OrderFilterForm, OrderForm, ProofForm, VerifyForm
from inspections.models import OrderStatus, ProofDecision
from inspections.permissions import can_read_supervision, is_bureau_staff, is_director, is_member_of
from inspections.selectors.rectification import (
    order_counts_for_user,
    order_filter,
    order_get_for_user,
    order_list_for_user,
    order_timeline,
)
from inspections.selectors.visits import finding_get_for_user
from inspections.services.rectification import order_acknowledge, order_issue, proof_submit, rectification_verify

DEFAULT_DEADLINE_DAYS = 15


def _require_reader(user):
    if not (can_read_supervision(user) or is_director(user)):
        raise PermissionDenied


def _require_staff(user):
    if not is_bureau_staff(user):
        raise PermissionDenied


@login_required
def order_list(request):
    _require_reader(request.user)
    filter_form = OrderFilterForm(request.GET or None)
    status = filter_form.cleaned_data["status"] if filter_form.is_valid() else ""
    today = timezone.localdate()
    orders = order_filter(order_list_for_user(user=request.user), status=status, today=today)
    counts = order_counts_for_user(user=request.user, today=today)
    paginator = Paginator(orders.order_by("status", "deadline", "-id"), 25)
    # The counts above already hold the filtered total: saves the paginator a second COUNT over every
    # order in scope (50,000 at province scale; issue 8).
    counted = {"": "total", "open": "open", "overdue": "overdue", OrderStatus.PROOF_SUBMITTED: "awaiting_verification",
               OrderStatus.CLOSED: "closed"}.get(status)
    if counted is not None:
        paginator.count = counts[counted]
    page = paginator.get_page(request.GET.get("page"))
    return render(request, "inspections/rectificationorder_list.html", {
        "page": page, "filter_form": filter_form, "status": status, "today": today, "counts": counts,
    })


def _detail_context(request, order, proof_form=None, verify_form=None):
    user = request.user
    proofs = list(order.proofs.select_related("submitted_by", "decided_by").prefetch_related("files"))
    pending = next((p for p in reversed(proofs) if not p.decision), None)
    impartial_staff = is_bureau_staff(user) and not is_member_of(user, order.unit_id)
    unit_director = is_director(user) and is_member_of(user, order.unit_id)
    return {
        "order": order,
        "finding": order.finding,
        "proofs": proofs,
        "timeline": order_timeline(order),
        "today": timezone.localdate(),
        "can_acknowledge": unit_director and order.status == OrderStatus.ISSUED,
        "can_submit_proof": (unit_director or impartial_staff) and order.status == OrderStatus.ACKNOWLEDGED,
        "can_verify": impartial_staff and order.status == OrderStatus.PROOF_SUBMITTED,
        "own_proof": pending is not None and pending.submitted_by_id == user.pk,
        "proof_form": proof_form or ProofForm(),
        "verify_form": verify_form or VerifyForm(),
    }


@login_required
def order_detail(request, pk):
    _require_reader(request.user)
    order = order_get_for_user(user=request.user, pk=pk)
    return render(request, "inspections/rectificationorder_detail.html", _detail_context(request, order))


@login_required
@require_http_methods(["GET", "POST"])
def order_create(request, finding_pk):
    _require_staff(request.user)
    finding = finding_get_for_user(user=request.user, pk=finding_pk)
    if hasattr(finding, "order"):
        return redirect("inspections:order_detail", pk=finding.order.pk)
    initial = {"required_action": finding.description,
               "deadline": timezone.localdate() + datetime.timedelta(days=DEFAULT_DEADLINE_DAYS)}
    form = OrderForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            order = order_issue(actor=request.user, finding=finding, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("整改通知%(number)s已下发") % {"number": order.number})
            return redirect("inspections:order_detail", pk=order.pk)
    return render(request, "inspections/rectificationorder_form.html", {"form": form, "finding": finding},
                  status=400 if form.errors else 200)


@login_required
@require_POST
def order_acknowledge_view(request, pk):
    if not is_director(request.user):
        raise PermissionDenied
    order = order_get_for_user(user=request.user, pk=pk)
    order_acknowledge(actor=request.user, order=order)
    messages.success(request, _("已签收"))
    return redirect("inspections:order_detail", pk=order.pk)


@login_required
@require_POST
def order_proof(request, pk):
    if not (is_director(request.user) or is_bureau_staff(request.user)):
        raise PermissionDenied
    order = order_get_for_user(user=request.user, pk=pk)
    form = ProofForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            proof_submit(actor=request.user, order=order, note=form.cleaned_data["note"],
                         files=form.cleaned_data["files"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("整改材料已提交,等待督查员验收"))
            return redirect("inspections:order_detail", pk=order.pk)
    return render(request, "inspections/rectificationorder_detail.html",
                  _detail_context(request, order, proof_form=form), status=400)


@login_required
@require_POST
def order_verify(request, pk):
    _require_staff(request.user)
    order = order_get_for_user(user=request.user, pk=pk)
    form = VerifyForm(request.POST)
    if form.is_valid():
        try:
            rectification_verify(actor=request.user, order=order, decision=form.cleaned_data["decision"],
                                 reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if form.cleaned_data["decision"] == ProofDecision.CLOSED:
                messages.success(request, _("已验收销号"))
            else:
                messages.success(request, _("已退回重新整改"))
            return redirect("inspections:order_detail", pk=order.pk)
    return render(request, "inspections/rectificationorder_detail.html",
                  _detail_context(request, order, verify_form=form), status=400)
