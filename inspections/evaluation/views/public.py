"""Public pages, no log-in: a unit's questionnaire (short link /p/<token>/ or a personal invitation
/p/<token>/<invitation>/), the thank-you page and the award winners.

Abuse is contained without hurting real people (docs/architecture.md, "Public evaluation"):
one answer per invitation or per device per day (database constraint), a per-address rate limit on
posts (generous: service-hall Wi-Fi), a 500-character comment cap answered with a message that keeps
the chosen ratings, a honeypot field, and comments hidden until a moderator approves them."""
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from inspections.evaluation import device, throttle
from inspections.evaluation.forms import QuestionnaireForm
from inspections.evaluation.selectors.awards import public_award_winners
from inspections.evaluation.selectors.evaluation import (
    invitation_get_public,
    invitation_used,
    round_accepting_answers,
    target_get_public,
)
from inspections.evaluation.services.evaluation import response_submit
from inspections.forms import add_service_errors


def _render(request, context, status=200):
    response = render(request, "evaluation/questionnaire.html", context, status=status)
    device.ensure_device_cookie(request, response)
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def questionnaire(request, token, invitation_token=None):
    target = target_get_public(token=token)
    invitation = invitation_get_public(target=target, token=invitation_token) if invitation_token else None
    round_ = target.round
    today = timezone.localdate()
    context = {"target": target, "unit": target.unit, "round": round_, "invitation": invitation,
               "open": round_accepting_answers(round_, today), "today": today}
    if invitation is not None and invitation_used(invitation):
        context.update(done=True, notice=_("该邀请码已经使用过,感谢您的参与!"))
        return _render(request, context)
    if not context["open"]:
        return _render(request, context)
    if request.method == "GET":
        context["form"] = QuestionnaireForm()
        return _render(request, context)

    form = QuestionnaireForm(request.POST)
    context["form"] = form
    limit, window = throttle.submit_limit()
    if not throttle.hit("submit", device.address_key(request), limit=limit, window=window):
        form.add_error(None, _("提交过于频繁,请稍后再试。您填写的内容已保留。"))
        return _render(request, context, status=429)
    if form.is_bot:
        # Tell a bot nothing: it sees the same thanks page as a person; nothing is stored.
        return redirect("evaluation_public:thanks", token=target.token)
    if form.is_valid():
        try:
            response_submit(target=target, ratings=form.ratings(), comment=form.cleaned_data["comment"],
                            device_key=device.device_key(request), network_key=device.network_key(request),
                            address_key=device.address_key(request), invitation=invitation)
        except ValidationError as exc:
            if getattr(exc, "code", None) == "duplicate":
                context.update(done=True, notice=exc.messages[0])
                return _render(request, context, status=409)
            add_service_errors(form, exc)
        else:
            return redirect("evaluation_public:thanks", token=target.token)
    return _render(request, context, status=400)


@never_cache
def thanks(request, token):
    target = target_get_public(token=token)
    return render(request, "evaluation/thanks.html", {"target": target, "unit": target.unit})


def public_awards(request):
    """No log-in: the winners of 绿色机关之星 and 环保卫士, as the bureau publishes them."""
    return render(request, "evaluation/public_awards.html", {"years": public_award_winners()})
