"""Certification pages: publicity batches, naming, revocation, and the public list of named units."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from assessment.selectors.campaign import campaign_current
from inspections.forms import add_service_errors
from inspections.forms.certification import PublicityForm, ReasonForm
from inspections.models import PublicityEntry
from inspections.permissions import can_read_supervision, is_bureau_staff
from inspections.selectors.certification import (
    batch_get_for_user,
    batch_list_for_user,
    certificate_get_for_user,
    certificate_list_for_user,
    public_certified_list,
)
from inspections.services.certification import (
    certificate_revoke,
    publicity_candidates,
    publicity_close,
    publicity_open,
    publicity_withdraw,
)


def _require_reader(user):
    if not can_read_supervision(user):
        raise PermissionDenied


def _require_staff(user):
    if not is_bureau_staff(user):
        raise PermissionDenied


@login_required
def certification_list(request):
    _require_reader(request.user)
    campaign = campaign_current()
    return render(request, "inspections/certificate_list.html", {
        "batches": batch_list_for_user(user=request.user),
        "certificates": certificate_list_for_user(user=request.user).order_by("-year", "sequence"),
        "candidate_count": publicity_candidates(campaign).count() if campaign else 0,
        "campaign": campaign,
        "can_manage": is_bureau_staff(request.user),
    })


@login_required
@require_http_methods(["GET", "POST"])
def publicity_create(request):
    _require_staff(request.user)
    campaign = campaign_current()
    if campaign is None:
        messages.error(request, _("尚未设置当前创建年度"))
        return redirect("inspections:certification_list")
    candidates = list(publicity_candidates(campaign))
    initial = {"start_date": campaign.publicity_start, "end_date": campaign.publicity_end}
    form = PublicityForm(request.POST or None, candidates=candidates, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            batch = publicity_open(actor=request.user, campaign=campaign, title=form.cleaned_data["title"],
                                   start_date=form.cleaned_data["start_date"], end_date=form.cleaned_data["end_date"],
                                   enrolment_ids=form.cleaned_data["enrolments"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已列入公示:%(n)s个单位") % {"n": batch.entries.count()})
            return redirect("inspections:publicity_detail", pk=batch.pk)
    return render(request, "inspections/publicitybatch_form.html",
                  {"form": form, "campaign": campaign, "candidates": candidates},
                  status=400 if form.errors else 200)


@login_required
def publicity_detail(request, pk):
    _require_reader(request.user)
    batch = batch_get_for_user(user=request.user, pk=pk)
    return render(request, "inspections/publicitybatch_detail.html", {
        "batch": batch, "certificates": batch.certificates.select_related("unit"),
        "can_manage": is_bureau_staff(request.user), "reason_form": ReasonForm(),
    })


@login_required
@require_POST
def publicity_close_view(request, pk):
    _require_staff(request.user)
    batch = batch_get_for_user(user=request.user, pk=pk)
    try:
        certificates = publicity_close(actor=request.user, batch=batch)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("公示结束,%(n)s个单位已命名并发放证书") % {"n": len(certificates)})
    return redirect("inspections:publicity_detail", pk=batch.pk)


@login_required
@require_POST
def publicity_withdraw_view(request, pk):
    _require_staff(request.user)
    entry = PublicityEntry.objects.filter(pk=pk).select_related("batch").first()
    if entry is None:
        raise Http404
    batch = batch_get_for_user(user=request.user, pk=entry.batch_id)
    form = ReasonForm(request.POST)
    try:
        publicity_withdraw(actor=request.user, entry=entry,
                           reason=form.cleaned_data["reason"] if form.is_valid() else "")
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("已撤出公示"))
    return redirect("inspections:publicity_detail", pk=batch.pk)


@login_required
@require_POST
def certificate_revoke_view(request, pk):
    _require_staff(request.user)
    certificate = certificate_get_for_user(user=request.user, pk=pk)
    form = ReasonForm(request.POST)
    try:
        certificate_revoke(actor=request.user, certificate=certificate,
                           reason=form.cleaned_data["reason"] if form.is_valid() else "")
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("已撤销称号:%(number)s") % {"number": certificate.number})
    return redirect("inspections:certification_list")


def public_certified(request):
    """No log-in: the named green offices and their certificate numbers, as the bureau publishes them."""
    certificates = list(public_certified_list())
    years = {}
    for certificate in certificates:
        years.setdefault(certificate.year, []).append(certificate)
    return render(request, "inspections/public_certified.html", {"years": sorted(years.items(), reverse=True),
                                                                  "count": len(certificates)})
