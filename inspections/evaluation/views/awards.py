"""Award pages: nominations of the current campaign (绿色机关之星, 环保卫士) and the bureau's selection.
Directors nominate for their own units; bureau staff nominate stars and select winners; leaders read."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from assessment.selectors.campaign import campaign_current
from inspections.evaluation.forms import DecisionForm, GuardianNominationForm, StarNominationForm
from inspections.evaluation.models import AwardKind
from inspections.evaluation.selectors.awards import (
    excellent_grade,
    guardian_people_for_user,
    nomination_get_for_user,
    nomination_list_for_user,
    star_units_for_user,
)
from inspections.evaluation.services.awards import (
    guardian_limit,
    nomination_decide,
    nomination_guardian,
    nomination_star,
    nomination_withdraw,
)
from inspections.forms import add_service_errors
from inspections.permissions import can_read_supervision, is_bureau_staff, is_director


def _require_page(user):
    if not (can_read_supervision(user) or is_director(user)):
        raise PermissionDenied


def _page(request, campaign, *, star_form=None, guardian_form=None, status=200):
    user = request.user
    nominations = list(nomination_list_for_user(user=user, campaign=campaign)) if campaign else []
    context = {
        "campaign": campaign, "stars": [n for n in nominations if n.kind == AwardKind.STAR],
        "guardians": [n for n in nominations if n.kind == AwardKind.GUARDIAN],
        "can_decide": is_bureau_staff(user), "director": is_director(user),
        "top_grade": excellent_grade(campaign.rubric) if campaign else "", "guardian_limit": guardian_limit(),
        "decision_form": DecisionForm(),
    }
    if campaign is not None:
        star_units = star_units_for_user(user=user, campaign=campaign)
        if star_units or star_form is not None:
            context["star_form"] = star_form or StarNominationForm(units=star_units)
        people = guardian_people_for_user(user=user, campaign=campaign)
        if people or guardian_form is not None:
            context["guardian_form"] = guardian_form or GuardianNominationForm(people=people)
    return render(request, "evaluation/nomination_list.html", context, status=status)


@login_required
def nomination_list(request):
    _require_page(request.user)
    return _page(request, campaign_current())


@login_required
@require_POST
def nominate_star(request):
    user = request.user
    if not (is_bureau_staff(user) or is_director(user)):
        raise PermissionDenied
    campaign = campaign_current()
    if campaign is None:
        raise PermissionDenied
    units = star_units_for_user(user=user, campaign=campaign)
    form = StarNominationForm(request.POST, units=units)
    if form.is_valid():
        unit = next(u for u in units if u.pk == form.cleaned_data["unit"])
        try:
            nomination_star(actor=user, campaign=campaign, unit=unit, citation=form.cleaned_data["citation"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已推荐“%(unit)s”为绿色机关之星候选") % {"unit": unit.name})
            return redirect("evaluation:nomination_list")
    return _page(request, campaign, star_form=form, status=400)


@login_required
@require_POST
def nominate_guardian(request):
    user = request.user
    if not is_director(user):
        raise PermissionDenied
    campaign = campaign_current()
    if campaign is None:
        raise PermissionDenied
    people = guardian_people_for_user(user=user, campaign=campaign)
    form = GuardianNominationForm(request.POST, people=people)
    if form.is_valid():
        person = next(p for p in people if p.pk == form.cleaned_data["person"])
        try:
            nomination_guardian(actor=user, campaign=campaign, person=person, citation=form.cleaned_data["citation"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已推荐“%(name)s”为环保卫士候选") % {"name": person.name})
            return redirect("evaluation:nomination_list")
    return _page(request, campaign, guardian_form=form, status=400)


@login_required
@require_POST
def nomination_decide_view(request, pk):
    if not is_bureau_staff(request.user):
        raise PermissionDenied
    nomination = nomination_get_for_user(user=request.user, pk=pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择当选或未当选"))
    else:
        try:
            nomination_decide(actor=request.user, nomination=nomination, selected=form.cleaned_data["selected"],
                              note=form.cleaned_data["note"])
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("评选结果已保存"))
    return redirect("evaluation:nomination_list")


@login_required
@require_POST
def nomination_withdraw_view(request, pk):
    if not (is_bureau_staff(request.user) or is_director(request.user)):
        raise PermissionDenied
    nomination = nomination_get_for_user(user=request.user, pk=pk)
    try:
        nomination_withdraw(actor=request.user, nomination=nomination)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("推荐已撤回"))
    return redirect("evaluation:nomination_list")
