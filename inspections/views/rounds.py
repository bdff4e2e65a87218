"""Spot-check round pages: list, create/edit a draft, draw, and the drawn record with its audit data."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from assessment.selectors.campaign import campaign_current
from inspections.forms import add_service_errors
from inspections.forms.rounds import RoundForm
from inspections.models import Inspection
from inspections.permissions import can_read_supervision, is_bureau_staff
from inspections.selectors.rounds import round_get_for_user, round_list_for_user, round_redraw
from inspections.services.rounds import round_create, round_draw, round_update
from units.models import Unit
from units.selectors import district_list_for_user


def _require_reader(user):
    if not can_read_supervision(user):
        raise PermissionDenied


def _require_staff(user):
    if not is_bureau_staff(user):
        raise PermissionDenied


@login_required
def round_list(request):
    _require_reader(request.user)
    # The list shows no draw inputs: each drawn round's candidates are ~1.5 MB of JSON at province scale.
    rounds = round_list_for_user(user=request.user).defer("candidates", "weights", "draw_log")
    page = Paginator(rounds, 24).get_page(request.GET.get("page"))
    return render(request, "inspections/spotcheckround_list.html", {
        "page": page, "can_manage": is_bureau_staff(request.user), "campaign": campaign_current(),
    })


def _form_values(form) -> dict:
    data = dict(form.cleaned_data)
    return {k: data.get(k) for k in ("month", "sample_size", "sample_share", "district", "risk_weighting",
                                     "no_repeat_months", "seed")}


@login_required
@require_http_methods(["GET", "POST"])
def round_create_view(request):
    _require_staff(request.user)
    campaign = campaign_current()
    districts = district_list_for_user(user=request.user)
    form = RoundForm(request.POST or None, districts=districts)
    if campaign is None:
        messages.error(request, _("尚未设置当前创建年度,不能创建抽查批次"))
        return redirect("inspections:round_list")
    if request.method == "POST" and form.is_valid():
        try:
            spot_round = round_create(actor=request.user, campaign=campaign, **_form_values(form))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("抽查批次已创建,确认设置后点击“抽取”"))
            return redirect("inspections:round_detail", pk=spot_round.pk)
    return render(request, "inspections/spotcheckround_form.html", {"form": form, "campaign": campaign},
                  status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def round_edit(request, pk):
    _require_staff(request.user)
    spot_round = round_get_for_user(user=request.user, pk=pk)
    if spot_round.is_drawn:
        messages.error(request, _("抽查批次已抽取,记录不可更改"))
        return redirect("inspections:round_detail", pk=spot_round.pk)
    initial = {f: getattr(spot_round, f) for f in ("month", "sample_size", "sample_share", "district",
                                                    "risk_weighting", "no_repeat_months", "seed")}
    form = RoundForm(request.POST or None, initial=initial, districts=district_list_for_user(user=request.user))
    if request.method == "POST" and form.is_valid():
        try:
            round_update(actor=request.user, spot_round=spot_round, **_form_values(form))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已保存"))
            return redirect("inspections:round_detail", pk=spot_round.pk)
    return render(request, "inspections/spotcheckround_form.html",
                  {"form": form, "campaign": spot_round.campaign, "spot_round": spot_round},
                  status=400 if form.errors else 200)


@login_required
def round_detail(request, pk):
    _require_reader(request.user)
    spot_round = round_get_for_user(user=request.user, pk=pk)
    visits = list(
        Inspection.objects.filter(round=spot_round).select_related("unit__district")
        .prefetch_related("inspectors").order_by("unit__code")
    )
    candidates = []
    if spot_round.candidates:
        names = {u.pk: u for u in Unit.objects.filter(pk__in=[c["unit_id"] for c in spot_round.candidates])
                 .select_related("district")}
        drawn = set(spot_round.drawn_unit_ids)
        must = set(spot_round.draw_log.get("must_cover", []))
        excluded = set(spot_round.draw_log.get("excluded_recent", []))
        for c in spot_round.candidates:
            weight = spot_round.weights.get(str(c["unit_id"]))
            candidates.append({**c, "unit": names.get(c["unit_id"]), "weight": weight,
                               "drawn": c["unit_id"] in drawn, "must_cover": c["unit_id"] in must,
                               "excluded": c["unit_id"] in excluded})
        candidates.sort(key=lambda c: (not c["drawn"], -(c["weight"] or 0), c["unit_id"]))
    return render(request, "inspections/spotcheckround_detail.html", {
        "spot_round": spot_round,
        "visits": visits,
        "candidates": candidates,
        "redraw": round_redraw(spot_round),
        "can_manage": is_bureau_staff(request.user),
    })


@login_required
@require_POST
def round_draw_view(request, pk):
    _require_staff(request.user)
    spot_round = round_get_for_user(user=request.user, pk=pk)
    try:
        spot_round = round_draw(actor=request.user, spot_round=spot_round)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("已抽取%(n)s个单位,随机种子%(seed)s")
                         % {"n": len(spot_round.drawn_unit_ids), "seed": spot_round.seed})
    return redirect("inspections:round_detail", pk=spot_round.pk)
