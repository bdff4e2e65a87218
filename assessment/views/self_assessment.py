"""The director's self-assessment pages: my assessments, the 27-item page, saving one item (htmx or a
plain POST), submitting, and the history of rounds and changes.

Access: the page, the history and the files are read through `self_assessment_get_for_user` (unit scope,
404 outside it). Writing is for unit directors only: any other role gets 403 before the scope is
looked at, and the services check again."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from assessment.forms.self_assessment import ItemResponseForm, SubmitForm
from assessment.ledger.selectors import ledger_suggestions
from assessment.models import AssessmentStatus
from assessment.selectors.deadlines import due_for_enrolment, self_assessment_overdue
from assessment.selectors.self_assessment import (
    assessment_of,
    my_assessment_list,
    response_change_list,
    round_list,
    rubric_item_get,
    self_assessment_can_edit_role,
    self_assessment_can_review_role,
    self_assessment_get_for_user,
    self_assessment_page_data,
)
from assessment.services.deadlines import deadline_can_extend_role
from assessment.services.self_assessment import assessment_submit, response_save, self_assessment_start
from units.models import Person


def _require_editor_role(user):
    if not self_assessment_can_edit_role(user):
        raise PermissionDenied


def page_url(enrolment, item=None) -> str:
    url = reverse("assessment:self_assessment", args=[enrolment.pk])
    if item is not None:
        url += "#item-" + item.code.replace(".", "-")
    return url


@login_required
def my_assessments(request):
    _require_editor_role(request.user)
    rows = my_assessment_list(user=request.user)
    return render(request, "assessment/selfassessment_list.html", {"rows": rows})


def _page_context(request, enrolment, *, forms=None, notices=None, errors=None):
    """The page (or one card) context. `forms` maps item pk → a bound form to show instead of a fresh
    one (a validation error keeps what was typed); `notices` maps item pk → a success message."""
    page = self_assessment_page_data(enrolment=enrolment)
    assessment = page.assessment
    is_editor = self_assessment_can_edit_role(request.user)
    editable = is_editor and (assessment is None or not assessment.is_locked)
    forms = forms or {}
    # Items 2.1–2.4 get a suggested score computed from the unit's energy ledger, with its calculation.
    suggestions = ledger_suggestions(unit=enrolment.unit, year=enrolment.campaign.year)
    for row in page.rows_by_item.values():
        row.ledger_suggestion = suggestions.get(row.item.code)
        row.form = None
        if editable and row.self_scored:
            row.form = forms.get(row.item.pk) or ItemResponseForm(
                item=row.item, people=page.people, response=row.response,
            )
        row.notice = (notices or {}).get(row.item.pk, "")
        row.error = (errors or {}).get(row.item.pk, "")
    return {
        "page": page,
        "enrolment": enrolment,
        "assessment": assessment,
        "editable": editable,
        "is_editor": is_editor,
        "can_review": self_assessment_can_review_role(request.user)
        and assessment is not None and assessment.status == AssessmentStatus.SUBMITTED,
        "ledger_url": reverse("ledger:unit_year", args=[enrolment.unit_id, enrolment.campaign.year]),
        "submit_form": SubmitForm(initial={"version": assessment.revision if assessment else 0}),
    }


@login_required
def self_assessment_page(request, enrolment_pk):
    enrolment = self_assessment_get_for_user(user=request.user, enrolment_pk=enrolment_pk)
    context = _page_context(request, enrolment)
    # The binding deadlines (the full page only: an item card's htmx swap does not show them).
    today = timezone.localdate()
    context["due"] = due_for_enrolment(enrolment, context["assessment"], today)
    context["overdue"] = self_assessment_overdue(enrolment, context["assessment"], today)
    context["can_extend"] = deadline_can_extend_role(request.user)
    return render(request, "assessment/selfassessment_detail.html", context)


def render_item_card(request, enrolment, item_pk, *, form=None, notice="", error="", status=200):
    """One item's card plus out-of-band swaps of the progress panel and the submit form (whose version
    must follow every save), for htmx requests."""
    context = _page_context(
        request, enrolment, forms={item_pk: form} if form is not None else None, notices={item_pk: notice},
        errors={item_pk: error},
    )
    context["row"] = context["page"].row(item_pk)
    context["oob"] = True
    return render(request, "assessment/_item_response.html", context, status=status)


@login_required
@require_POST
def item_save(request, enrolment_pk, item_pk):
    _require_editor_role(request.user)
    enrolment = self_assessment_get_for_user(user=request.user, enrolment_pk=enrolment_pk)
    item = rubric_item_get(enrolment=enrolment, item_pk=item_pk)
    people = list(Person.objects.filter(unit_id=enrolment.unit_id, is_active=True).order_by("name"))
    form = ItemResponseForm(request.POST, request.FILES, item=item, people=people)
    saved = False
    if form.is_valid():
        try:
            assessment = assessment_of(enrolment) or self_assessment_start(actor=request.user, enrolment=enrolment)
            response_save(actor=request.user, assessment=assessment, item=item, **form.service_kwargs())
            saved = True
        except ValidationError as exc:
            form.add_service_error(exc)
    if saved:
        enrolment = self_assessment_get_for_user(user=request.user, enrolment_pk=enrolment_pk)
        notice = _("第%(code)s项已保存") % {"code": item.code}
        if request.htmx:
            return render_item_card(request, enrolment, item.pk, notice=notice)
        messages.success(request, notice)
        return redirect(page_url(enrolment, item))
    # A card that renders read-only (submitted meanwhile) has no form to carry the reason: show it on top.
    current = assessment_of(enrolment)
    reason = " ".join(form.non_field_errors()) if current is not None and current.is_locked else ""
    if form.files:
        # Browsers cannot refill a file input: say so next to the error.
        form.add_error("files", _("本项未保存,请重新选择要上传的文件"))
    else:
        form.add_error(None, _("本项未保存,请修改后重试"))
    if request.htmx:
        return render_item_card(request, enrolment, item.pk, form=form, error=reason)
    context = _page_context(request, enrolment, forms={item.pk: form}, errors={item.pk: reason})
    messages.error(request, _("第%(code)s项未保存,请查看该项的提示") % {"code": item.code})
    return render(request, "assessment/selfassessment_detail.html", context)


@login_required
@require_POST
def submit(request, enrolment_pk):
    _require_editor_role(request.user)
    enrolment = self_assessment_get_for_user(user=request.user, enrolment_pk=enrolment_pk)
    assessment = assessment_of(enrolment)
    form = SubmitForm(request.POST)
    if assessment is None:
        messages.error(request, _("尚未填报任何项目,不能提交"))
    elif not form.is_valid():
        messages.error(request, _("自评内容已在其他页面更新,请刷新后再提交"))
    else:
        try:
            submission, created = assessment_submit(
                actor=request.user, assessment=assessment, version=form.cleaned_data["version"],
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            if created:
                messages.success(request, _("已提交第%(n)s轮自评,等待督查员审核") % {"n": submission.number})
            else:
                messages.info(request, _("该自评已于%(at)s提交(第%(n)s轮),无需重复提交") % {
                    "at": localtime(submission.submitted_at).strftime("%Y-%m-%d %H:%M"), "n": submission.number,
                })
    return redirect(page_url(enrolment))


@login_required
def history(request, enrolment_pk):
    enrolment = self_assessment_get_for_user(user=request.user, enrolment_pk=enrolment_pk)
    assessment = assessment_of(enrolment)
    rounds = round_list(assessment=assessment) if assessment else []
    changes = response_change_list(assessment=assessment) if assessment else []
    return render(request, "assessment/selfassessment_history.html", {
        "enrolment": enrolment, "assessment": assessment, "rounds": rounds, "changes": changes,
    })
