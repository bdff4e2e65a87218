"""Public-welfare activity pages: the bureau publishes; every signed-in user reads; a unit's director
registers the unit's participation with photos."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from inspections.evaluation.forms import ActivityForm, ParticipationForm
from inspections.evaluation.selectors.activities import (
    ACTIVITIES_REQUIRED_PER_YEAR,
    activity_count_for,
    activity_get_for_user,
    activity_list_for_user,
    participation_list_for_user,
)
from inspections.evaluation.services.activities import (
    activity_create,
    activity_set_cancelled,
    activity_update,
    participation_register,
)
from inspections.forms import add_service_errors
from inspections.permissions import is_bureau_staff, is_director
from units.selectors import unit_list_for_user


def _require_staff(user):
    if not is_bureau_staff(user):
        raise PermissionDenied


def _own_units(user):
    # Only directors register participation; for them the scoped unit list is their own units.
    if not is_director(user):
        return []
    return list(unit_list_for_user(user=user).order_by("code"))


@login_required
def activity_list(request):
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year") or today.year)
    except ValueError:
        year = today.year
    activities = list(activity_list_for_user(user=request.user, year=year))
    own = [{"unit": u, "count": activity_count_for(unit=u, year=year)} for u in _own_units(request.user)]
    return render(request, "evaluation/activity_list.html", {
        "activities": activities, "year": year, "years": range(today.year + 1, today.year - 4, -1),
        "own": own, "required": ACTIVITIES_REQUIRED_PER_YEAR, "can_manage": is_bureau_staff(request.user),
        "today": today,
    })


@login_required
@require_http_methods(["GET", "POST"])
def activity_create_view(request):
    _require_staff(request.user)
    form = ActivityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            activity = activity_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("活动已发布"))
            return redirect("evaluation:activity_detail", pk=activity.pk)
    return render(request, "evaluation/activity_form.html", {"form": form}, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def activity_edit(request, pk):
    _require_staff(request.user)
    activity = activity_get_for_user(user=request.user, pk=pk)
    fields = ("title", "kind", "date", "location", "description")
    form = ActivityForm(request.POST or None, initial={f: getattr(activity, f) for f in fields})
    if request.method == "POST" and form.is_valid():
        try:
            activity_update(actor=request.user, activity=activity, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("活动已保存"))
            return redirect("evaluation:activity_detail", pk=activity.pk)
    return render(request, "evaluation/activity_form.html", {"form": form, "activity": activity},
                  status=400 if form.errors else 200)


@login_required
@require_POST
def activity_cancel(request, pk):
    _require_staff(request.user)
    activity = activity_get_for_user(user=request.user, pk=pk)
    cancelled = request.POST.get("cancelled", "1") == "1"
    activity_set_cancelled(actor=request.user, activity=activity, cancelled=cancelled)
    messages.success(request, _("活动已取消") if cancelled else _("活动已恢复"))
    return redirect("evaluation:activity_detail", pk=activity.pk)


def _detail(request, activity, form=None, status=200):
    units = _own_units(request.user)
    can_register = bool(units) and not activity.is_cancelled and activity.date <= timezone.localdate()
    if can_register and form is None:
        form = ParticipationForm(units=units)
    return render(request, "evaluation/activity_detail.html", {
        "activity": activity, "participations": list(participation_list_for_user(user=request.user,
                                                                                 activity=activity)),
        "form": form if can_register else None, "can_manage": is_bureau_staff(request.user),
        "director": bool(units),
    }, status=status)


@login_required
def activity_detail(request, pk):
    return _detail(request, activity_get_for_user(user=request.user, pk=pk))


@login_required
@require_POST
def participation_register_view(request, pk):
    if not is_director(request.user):
        raise PermissionDenied
    activity = activity_get_for_user(user=request.user, pk=pk)
    units = _own_units(request.user)
    form = ParticipationForm(request.POST, request.FILES, units=units)
    if form.is_valid():
        unit = next(u for u in units if u.pk == form.cleaned_data["unit"])
        try:
            participation_register(actor=request.user, activity=activity, unit=unit,
                                   summary=form.cleaned_data["summary"],
                                   participants=form.cleaned_data["participants"],
                                   photos=form.cleaned_data["photos"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已登记“%(unit)s”参加本次活动") % {"unit": unit.name})
            return redirect("evaluation:activity_detail", pk=activity.pk)
    return _detail(request, activity, form=form, status=400)
