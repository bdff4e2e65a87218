"""The inspector's review of submitted self-assessments: the queue and the accept / return page.

Inspectors and admins only (403 for other roles); the unit must be in the reviewer's scope (404)."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from assessment.forms.self_assessment import ReviewForm
from assessment.models import AssessmentStatus, DeadlineKind
from assessment.selectors.deadlines import submitted_late
from assessment.selectors.self_assessment import (
    assessment_of,
    latest_round,
    review_queue_for_user,
    self_assessment_can_review_role,
    self_assessment_get_for_user,
    self_assessment_page_data,
)
from assessment.services.self_assessment import assessment_accept, assessment_return


def _require_reviewer_role(user):
    if not self_assessment_can_review_role(user):
        raise PermissionDenied


@login_required
def review_queue(request):
    _require_reviewer_role(request.user)
    page = Paginator(review_queue_for_user(user=request.user), 50).get_page(request.GET.get("page"))
    for assessment in page:
        # 逾期: submitted after the campaign's 自评截止 (under an extension); no query, the campaign is loaded.
        assessment.late = submitted_late(assessment.enrolment.campaign, assessment.submitted_at,
                                         DeadlineKind.SELF_ASSESSMENT)
    return render(request, "assessment/review_list.html", {"page": page})


@login_required
def review_detail(request, enrolment_pk):
    _require_reviewer_role(request.user)
    enrolment = self_assessment_get_for_user(user=request.user, enrolment_pk=enrolment_pk)
    assessment = assessment_of(enrolment)
    data = self_assessment_page_data(enrolment=enrolment)
    items = [row.item for row in data.rows_by_item.values()]
    pending = assessment is not None and assessment.status == AssessmentStatus.SUBMITTED
    form = ReviewForm(request.POST or None, items=items) if pending else None

    if request.method == "POST":
        if not pending:
            messages.info(request, _("该自评当前不在待审核状态,无需重复审核"))
            return redirect("assessment:review_detail", enrolment_pk=enrolment.pk)
        if form.is_valid():
            decide = assessment_return if form.cleaned_data["decision"] == ReviewForm.RETURN else assessment_accept
            try:
                decided = decide(actor=request.user, assessment=assessment, comment=form.cleaned_data["comment"],
                                 item_comments=form.item_comments())
            except ValidationError as exc:
                form.add_service_error(exc)
            else:
                if form.cleaned_data["decision"] == ReviewForm.RETURN:
                    messages.success(request, _("已退回%(unit)s第%(n)s轮自评,单位修改后可重新提交")
                                     % {"unit": enrolment.unit.name, "n": decided.number})
                else:
                    messages.success(request, _("%(unit)s第%(n)s轮自评已审核通过")
                                     % {"unit": enrolment.unit.name, "n": decided.number})
                return redirect("assessment:review_queue")

    for row in data.rows_by_item.values():
        row.comment_field = form[f"c_{row.item.pk}"] if form is not None else None
    return render(request, "assessment/review_detail.html", {
        "enrolment": enrolment, "assessment": assessment, "page": data, "form": form,
        "round": latest_round(assessment) if assessment else None,
    })
