"""The city's review (市级评审) pages: the applicants with their year-end result, public-evaluation gate
and open problems (reviewers, bureau staff and leaders read), and the decision per unit (reviewers and
administrators)."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from assessment.selectors.campaign import campaign_current
from inspections.evaluation.selectors.gate import satisfaction_gate, satisfaction_gates
from inspections.forms import add_service_errors
from inspections.forms.city_review import CityDecisionForm
from inspections.models import CityDecision, CityDecisionKind
from inspections.permissions import can_read_city_review, is_city_reviewer
from inspections.selectors.city_review import city_review_enrolments_for_user, city_review_get_for_user
from inspections.services.city_review import city_decision_record


def _require_reader(user):
    if not can_read_city_review(user):
        raise PermissionDenied


@login_required
def city_review_list(request):
    _require_reader(request.user)
    campaign = campaign_current()
    enrolments = list(city_review_enrolments_for_user(user=request.user, campaign=campaign)) if campaign else []
    labels = dict(CityDecisionKind.choices)
    gates = satisfaction_gates(enrolment_ids=[e.pk for e in enrolments])  # one query for the list
    for enrolment in enrolments:
        enrolment.decision_label = labels.get(enrolment.latest_decision, "")
        enrolment.gate = gates[enrolment.pk]
    return render(request, "inspections/city_review_list.html", {
        "campaign": campaign, "enrolments": enrolments, "can_decide": is_city_reviewer(request.user),
    })


@login_required
@require_http_methods(["GET", "POST"])
def city_review_decide(request, enrolment_pk):
    _require_reader(request.user)
    campaign = campaign_current()
    if campaign is None:
        raise PermissionDenied
    enrolment = city_review_get_for_user(user=request.user, campaign=campaign, pk=enrolment_pk)
    can_decide = is_city_reviewer(request.user)
    if request.method == "POST" and not can_decide:
        raise PermissionDenied
    form = CityDecisionForm(request.POST or None) if can_decide else None
    if request.method == "POST" and form.is_valid():
        try:
            record = city_decision_record(actor=request.user, enrolment=enrolment, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已记录%(unit)s的市级评审结论:%(decision)s")
                             % {"unit": enrolment.unit.name, "decision": record.get_decision_display()})
            return redirect("inspections:city_review_list")
    review = getattr(enrolment, "year_end_review", None)
    return render(request, "inspections/city_review_detail.html", {
        "enrolment": enrolment, "review": review, "gate": satisfaction_gate(enrolment=enrolment),
        "decisions": CityDecision.objects.filter(enrolment=enrolment).select_related("decided_by")
        .order_by("-decided_at", "-id"),
        "form": form,
    })
