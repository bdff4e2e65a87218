"""The campaign timeline (every role) and the inspector's extension (延期) of a unit's deadline."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from assessment.forms.deadlines import ExtensionForm
from assessment.models import DeadlineExtension
from assessment.selectors.campaign import campaign_get_for_user
from assessment.selectors.deadlines import (
    due_for_user,
    self_assessment_overdue,
    timeline_rows,
)
from assessment.selectors.self_assessment import assessment_of, self_assessment_get_for_user
from assessment.services.deadlines import deadline_can_extend_role, deadline_extend


@login_required
def campaign_timeline(request, pk):
    campaign = campaign_get_for_user(user=request.user, pk=pk)
    today = timezone.localdate()
    return render(request, "assessment/campaign_timeline.html", {
        "campaign": campaign, "today": today, "rows": timeline_rows(campaign, today),
        "due": due_for_user(request.user, campaign, today),
    })


@login_required
@require_http_methods(["GET", "POST"])
def extension_grant(request, enrolment_pk):
    if not deadline_can_extend_role(request.user):
        raise PermissionDenied
    enrolment = self_assessment_get_for_user(user=request.user, enrolment_pk=enrolment_pk)
    form = ExtensionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            extension = deadline_extend(actor=request.user, enrolment=enrolment, **form.cleaned_data)
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("已批准%(unit)s%(what)s延期至%(day)s") % {
                "unit": enrolment.unit.name, "what": extension.get_kind_display(),
                "day": f"{extension.new_date:%Y-%m-%d}"})
            return redirect("assessment:self_assessment", enrolment_pk=enrolment.pk)
    return render(request, "assessment/extension_form.html", {
        "enrolment": enrolment, "form": form,
        "extensions": DeadlineExtension.objects.filter(enrolment=enrolment).select_related("granted_by")
        .order_by("-granted_at", "-id"),
        "overdue": self_assessment_overdue(enrolment, assessment_of(enrolment), timezone.localdate()),
    })
