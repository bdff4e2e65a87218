"""Campaign year pages: admins create, edit and enrol; inspectors and leaders read (enrolments scoped)."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from assessment.forms.campaign import CampaignForm, EnrolFilterForm
from assessment.models import Stage
from assessment.selectors.campaign import (
    campaign_can_manage,
    campaign_can_view,
    campaign_get_for_user,
    campaign_list_for_user,
    enrol_candidates,
    enrolment_get_for_user,
    enrolment_list_for_user,
    enrolment_stage_counts,
)
from assessment.selectors.rubric import rubric_can_view
from assessment.services.campaign import (
    CAMPAIGN_FIELDS,
    campaign_create,
    campaign_enrol_units,
    campaign_unenrol,
    campaign_update,
)
from units.selectors import district_list_for_user

PAGE_SIZE = 50


def _require_view(user):
    if not campaign_can_view(user):
        raise PermissionDenied


def _require_manage(user):
    if not campaign_can_manage(user):
        raise PermissionDenied


@login_required
def campaign_list(request):
    _require_view(request.user)
    return render(request, "assessment/campaign_list.html", {
        "campaigns": campaign_list_for_user(user=request.user),
        "can_manage": campaign_can_manage(request.user),
    })


@login_required
def campaign_detail(request, pk):
    _require_view(request.user)
    campaign = campaign_get_for_user(user=request.user, pk=pk)
    enrolments = enrolment_list_for_user(user=request.user, campaign=campaign)
    districts = district_list_for_user(user=request.user)
    district_id = request.GET.get("district") or ""
    stage = request.GET.get("stage") or ""
    if district_id.isdigit():
        enrolments = enrolments.filter(unit__district_id=int(district_id))
    if stage in Stage.values:
        enrolments = enrolments.filter(stage=stage)
    stage_counts = enrolment_stage_counts(user=request.user, campaign=campaign)
    total = sum(row["count"] for row in stage_counts)
    certified = next(row["count"] for row in stage_counts if row["stage"] == Stage.CERTIFIED)
    page = Paginator(enrolments, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "assessment/campaign_detail.html", {
        "campaign": campaign,
        "page": page,
        "stage_counts": [row for row in stage_counts if row["count"]],
        "enrolled_total": total,
        "certified": certified,
        "target_progress": round(100 * certified / campaign.target_certified_count)
        if campaign.target_certified_count else 0,
        "districts": districts,
        "stages": Stage.choices,
        "selected_district": district_id,
        "selected_stage": stage,
        "can_manage": campaign_can_manage(request.user),
        "can_view_rubric": rubric_can_view(request.user),
        # Counts are scoped; say so when they are not the whole city's, next to a city-wide target.
        "city_wide": request.user.is_admin_role or not request.user.districts.exists(),
        "not_started": Stage.NOT_STARTED,
    })


def _campaign_form_view(request, *, campaign=None):
    _require_manage(request.user)
    form = CampaignForm(request.POST or None, instance=campaign)
    if request.method == "POST" and form.is_valid():
        values = {field: form.cleaned_data[field] for field in CAMPAIGN_FIELDS}
        try:
            if campaign is None:
                saved = campaign_create(actor=request.user, **values)
                messages.success(request, _("已创建%(name)s") % {"name": saved.name})
            else:
                saved = campaign_update(actor=request.user, campaign=campaign, **values)
                messages.success(request, _("已保存%(name)s") % {"name": saved.name})
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect("assessment:campaign_detail", pk=saved.pk)
    return render(request, "assessment/campaign_form.html", {"form": form, "campaign": campaign})


@login_required
@require_http_methods(["GET", "POST"])
def campaign_create_view(request):
    return _campaign_form_view(request)


@login_required
@require_http_methods(["GET", "POST"])
def campaign_update_view(request, pk):
    _require_manage(request.user)
    return _campaign_form_view(request, campaign=campaign_get_for_user(user=request.user, pk=pk))


ENROL_PREVIEW_ROWS = 200


@login_required
@require_http_methods(["GET", "POST"])
def campaign_enrol(request, pk):
    """GET previews the active units the filter selects that are not enrolled yet; POST enrols them."""
    _require_manage(request.user)
    campaign = campaign_get_for_user(user=request.user, pk=pk)
    form = EnrolFilterForm(request.POST if request.method == "POST" else request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    candidates = enrol_candidates(campaign=campaign, districts=filters.get("districts"),
                                  categories=filters.get("categories"))
    if request.method == "POST" and form.is_valid():
        try:
            count = campaign_enrol_units(actor=request.user, campaign=campaign,
                                         units=list(candidates.values_list("pk", flat=True)))
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            if count:
                messages.success(request, _("已登记%(count)s个单位参加%(name)s")
                                 % {"count": count, "name": campaign.name})
            else:
                messages.info(request, _("所选单位均已登记,无需重复登记"))
            return redirect("assessment:campaign_detail", pk=campaign.pk)
    return render(request, "assessment/campaign_enrol.html", {
        "campaign": campaign,
        "form": form,
        "filters": filters,
        "candidates": candidates[:ENROL_PREVIEW_ROWS],
        "candidate_count": candidates.count(),
        "enrolled_count": campaign.enrolments.count(),
    })


@login_required
@require_POST
def campaign_unenrol_view(request, pk, enrolment_pk):
    _require_manage(request.user)
    campaign = campaign_get_for_user(user=request.user, pk=pk)
    enrolment = enrolment_get_for_user(user=request.user, pk=enrolment_pk)
    if enrolment.campaign_id != campaign.pk:
        raise Http404
    try:
        campaign_unenrol(actor=request.user, enrolment=enrolment)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("已撤销“%(unit)s”的参创登记") % {"unit": enrolment.unit.name})
    return redirect("assessment:campaign_detail", pk=campaign.pk)
