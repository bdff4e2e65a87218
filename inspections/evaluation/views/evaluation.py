"""Public evaluation management: the overview, the round (create, edit, open/close, add units), each
unit's results with its short link, QR code and poster, invitations, the moderation queue and media
feedback. Bureau staff manage; leaders read; a director reads their own units' results and posters."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from assessment.selectors.campaign import campaign_current
from inspections.evaluation.forms import InvitationForm, MediaFeedbackForm, ModerationForm, RoundForm
from inspections.evaluation.models import (
    RoundStatus,
    default_min_answers,
    default_open_per_address,
    default_open_per_unit,
)
from inspections.evaluation.poster import poster_pdf, qr_data_uri, questionnaire_link
from inspections.evaluation.selectors.activities import activity_count_for, activity_list_for_user
from inspections.evaluation.selectors.evaluation import (
    invitation_list,
    media_list_for_user,
    moderation_queue_for_user,
    moderation_response_get_for_user,
    round_for_campaign,
    round_get_for_user,
    round_list_for_user,
    target_get_for_user,
    target_list_for_user,
    target_results,
)
from inspections.evaluation.selectors.gate import gate_from_counts
from inspections.evaluation.services.evaluation import (
    comment_moderate,
    invitations_create,
    media_record,
    round_add_targets,
    round_create,
    round_set_status,
    round_update,
)
from inspections.forms import add_service_errors
from inspections.permissions import can_read_supervision, is_bureau_staff, is_director
from units.selectors import unit_list_for_user


def _require_staff(user):
    if not is_bureau_staff(user):
        raise PermissionDenied


def _require_reader(user):
    if not can_read_supervision(user):
        raise PermissionDenied


def _with_gates(targets, round_):
    for target in targets:
        target.gate = gate_from_counts(round_=round_ or target.round, answers=target.answer_count,
                                       satisfied=target.satisfied_count, target_id=target.pk,
                                       uncounted=target.open_count)
    return targets


@login_required
def index(request):
    """The overview of this campaign year: evaluation, activities and awards, by role."""
    user = request.user
    campaign = campaign_current()
    round_ = round_for_campaign(campaign)
    context = {"campaign": campaign, "round": round_, "staff": is_bureau_staff(user),
               "reader": can_read_supervision(user), "director": is_director(user)}
    if campaign is not None:
        context["activities"] = list(activity_list_for_user(user=user, year=campaign.year)[:5])
    if is_director(user) and campaign is not None:
        context["own_units"] = [{"unit": unit, "activities": activity_count_for(unit=unit, year=campaign.year)}
                                for unit in unit_list_for_user(user=user).order_by("code")]
        if round_ is not None:
            context["own_targets"] = _with_gates(list(target_list_for_user(user=user, round_=round_)), round_)
    if context["staff"]:
        context["pending_comments"] = moderation_queue_for_user(user=user).count()
    return render(request, "evaluation/index.html", context)


@login_required
def round_list(request):
    _require_reader(request.user)
    return render(request, "evaluation/evaluationround_list.html", {
        "rounds": round_list_for_user(user=request.user).order_by("-campaign__year"),
        "can_manage": is_bureau_staff(request.user),
        "campaign": campaign_current(),
    })


@login_required
@require_http_methods(["GET", "POST"])
def round_create_view(request):
    _require_staff(request.user)
    campaign = campaign_current()
    if campaign is None:
        messages.error(request, _("尚未设置当前创建年度"))
        return redirect("evaluation:round_list")
    existing = round_for_campaign(campaign)
    if existing is not None:
        return redirect("evaluation:round_detail", pk=existing.pk)
    initial = {"start_date": campaign.public_evaluation_start, "end_date": campaign.public_evaluation_end,
               "threshold": 80, "min_answers": default_min_answers(), "open_answers_count": False,
               "open_per_address": default_open_per_address(), "open_per_unit": default_open_per_unit()}
    form = RoundForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            round_ = round_create(actor=request.user, campaign=campaign, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("公开评议已创建,请添加评议单位后开始评议"))
            return redirect("evaluation:round_detail", pk=round_.pk)
    return render(request, "evaluation/evaluationround_form.html", {"form": form, "campaign": campaign},
                  status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def round_edit(request, pk):
    _require_staff(request.user)
    round_ = round_get_for_user(user=request.user, pk=pk)
    fields = ("title", "start_date", "end_date", "threshold", "min_answers", "intro", "open_answers_count",
              "open_per_address", "open_per_unit")
    form = RoundForm(request.POST or None, initial={f: getattr(round_, f) for f in fields})
    if request.method == "POST" and form.is_valid():
        try:
            round_update(actor=request.user, round_=round_, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("公开评议已保存"))
            return redirect("evaluation:round_detail", pk=round_.pk)
    return render(request, "evaluation/evaluationround_form.html",
                  {"form": form, "campaign": round_.campaign, "round": round_}, status=400 if form.errors else 200)


@login_required
@require_POST
def round_status(request, pk):
    _require_staff(request.user)
    round_ = round_get_for_user(user=request.user, pk=pk)
    status = request.POST.get("status", "")
    try:
        round_set_status(actor=request.user, round_=round_, status=status)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("公开评议已开始") if status == RoundStatus.OPEN else _("公开评议已结束"))
    return redirect("evaluation:round_detail", pk=round_.pk)


@login_required
@require_POST
def round_targets_add(request, pk):
    _require_staff(request.user)
    round_ = round_get_for_user(user=request.user, pk=pk)
    created = round_add_targets(actor=request.user, round_=round_)
    messages.success(request, _("已添加%(n)s个评议单位") % {"n": len(created)})
    return redirect("evaluation:round_detail", pk=round_.pk)


@login_required
def round_detail(request, pk):
    _require_reader(request.user)
    round_ = round_get_for_user(user=request.user, pk=pk)
    targets = _with_gates(list(target_list_for_user(user=request.user, round_=round_)), round_)
    return render(request, "evaluation/evaluationround_detail.html", {
        "round": round_, "targets": targets, "can_manage": is_bureau_staff(request.user),
        "media": list(media_list_for_user(user=request.user, round_=round_)[:50]),
        "today": timezone.localdate(),
        "passed_count": sum(1 for t in targets if t.gate.passed is True),
        "failed_count": sum(1 for t in targets if t.gate.passed is False),
    })


def _require_target_reader(user):
    if not (can_read_supervision(user) or is_director(user)):
        raise PermissionDenied


@login_required
def target_detail(request, pk):
    _require_target_reader(request.user)
    target = target_get_for_user(user=request.user, pk=pk)
    link = questionnaire_link(target, request)
    results = target_results(target=target)
    gate = gate_from_counts(round_=target.round, answers=results.answers, satisfied=results.satisfied,
                            target_id=target.pk, uncounted=results.uncounted)
    return render(request, "evaluation/evaluationtarget_detail.html", {
        "target": target, "round": target.round, "results": results, "gate": gate, "link": link,
        "qr": qr_data_uri(link), "can_manage": is_bureau_staff(request.user),
        "can_read_round": can_read_supervision(request.user),
    })


@login_required
def target_poster(request, pk):
    _require_target_reader(request.user)
    target = target_get_for_user(user=request.user, pk=pk)
    pdf = poster_pdf(target, questionnaire_link(target, request))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="poster-{target.token}.pdf"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def target_invitations(request, pk):
    _require_staff(request.user)
    target = target_get_for_user(user=request.user, pk=pk)
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            created = invitations_create(actor=request.user, target=target, count=form.cleaned_data["count"],
                                         note=form.cleaned_data["note"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已生成%(n)s个邀请码") % {"n": len(created)})
            return redirect("evaluation:target_invitations", pk=target.pk)
    rows = []
    for invitation in invitation_list(target=target):
        link = questionnaire_link(target, request, invitation=invitation)
        used = hasattr(invitation, "response")
        # Unused codes carry their QR code, so the page prints as slips to hand out (one per invitee).
        rows.append({"invitation": invitation, "link": link, "used": used, "qr": None if used else qr_data_uri(link)})
    return render(request, "evaluation/invitation_list.html", {"target": target, "form": form, "rows": rows},
                  status=400 if form.errors else 200)


@login_required
def moderation_queue(request):
    _require_staff(request.user)
    pending = list(moderation_queue_for_user(user=request.user)[:100])
    return render(request, "evaluation/moderation_queue.html", {
        "pending": pending, "total": moderation_queue_for_user(user=request.user).count()})


@login_required
@require_POST
def moderation_decide(request, pk):
    _require_staff(request.user)
    response = moderation_response_get_for_user(user=request.user, pk=pk)
    form = ModerationForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择通过或不采用"))
    else:
        try:
            comment_moderate(actor=request.user, response=response, approve=form.cleaned_data["decision"] == "approve")
        except PermissionDenied as exc:
            messages.error(request, str(exc) or _("您不能审核本人所在单位的评议意见"))
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("已处理一条评议意见"))
    return redirect("evaluation:moderation_queue")


@login_required
@require_http_methods(["GET", "POST"])
def media_create(request, pk):
    _require_staff(request.user)
    round_ = round_get_for_user(user=request.user, pk=pk)
    targets = list(target_list_for_user(user=request.user, round_=round_))
    form = MediaFeedbackForm(request.POST or None, targets=targets)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        target = next((t for t in targets if t.pk == data["target"]), None)
        try:
            media_record(actor=request.user, round_=round_, target=target, source=data["source"],
                         published_on=data["published_on"], summary=data["summary"], tone=data["tone"],
                         url=data["url"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("媒体评议已记录"))
            return redirect("evaluation:round_detail", pk=round_.pk)
    return render(request, "evaluation/mediafeedback_form.html", {"form": form, "round": round_},
                  status=400 if form.errors else 200)
