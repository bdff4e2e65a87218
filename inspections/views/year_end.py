"""Year-end review pages: the list of units to review, the review itself (every item with self-score,
evidence, the year's findings and the inspector's verdict; bonus, vetoes; the live result with the
provenance of every point), finalising, objections and the re-check."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from assessment import figures
from assessment.models import RubricItem, Stage
from assessment.selectors.campaign import campaign_current
from inspections.forms import add_service_errors
from inspections.forms.year_end import ItemVerifyForm, ObjectionForm, ObjectionRuleForm, RecheckForm
from inspections.models import ObjectionStatus, ReviewStatus
from inspections.permissions import can_read_supervision, is_bureau_staff, is_director, is_member_of
from inspections.selectors.year_end import (
    objection_deadline,
    objection_open,
    pending_objection,
    review_enrolment_get_for_user,
    review_enrolment_list_for_user,
    review_get_for_user,
    review_list_for_user,
    review_score,
    review_suggestion_view,
)
from inspections.services.year_end import (
    item_verify,
    objection_raise,
    objection_rule,
    review_accept_remaining,
    review_finalise,
    review_recheck,
    review_set_extras,
    review_start,
)


def _require_staff(user):
    if not is_bureau_staff(user):
        raise PermissionDenied


@login_required
def review_list(request):
    user = request.user
    if is_director(user):
        return render(request, "inspections/yearendreview_list.html", {
            "own_reviews": review_list_for_user(user=user).order_by("-enrolment__campaign__year"),
            "director": True,
        })
    if not can_read_supervision(user):
        raise PermissionDenied
    campaign = campaign_current()
    enrolments = list(review_enrolment_list_for_user(user=user, campaign=campaign))
    show = request.GET.get("show", "")
    rows = []
    for enrolment in enrolments:
        review = getattr(enrolment, "year_end_review", None)
        objection = getattr(review, "objection", None) if review else None
        row = {"enrolment": enrolment, "review": review, "objection": objection}
        if show == "todo" and review is not None and review.is_finalised:
            continue
        if show == "objections" and not (objection and objection.status == ObjectionStatus.PENDING):
            continue
        if show == "rectifying" and enrolment.stage != Stage.RECTIFYING:
            continue
        rows.append(row)
    return render(request, "inspections/yearendreview_list.html", {
        "campaign": campaign, "rows": rows, "show": show, "can_manage": is_bureau_staff(user),
        "total": len(enrolments),
        "finalised": sum(1 for e in enrolments if getattr(e, "year_end_review", None)
                         and e.year_end_review.is_finalised),
    })


@login_required
@require_POST
def review_start_view(request, enrolment_pk):
    _require_staff(request.user)
    enrolment = review_enrolment_get_for_user(user=request.user, pk=enrolment_pk)
    try:
        review = review_start(actor=request.user, enrolment=enrolment)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("inspections:review_list")
    return redirect("inspections:review_detail", pk=review.pk)


def _editable_by(user, review, objection) -> bool:
    if not is_bureau_staff(user) or is_member_of(user, review.enrolment.unit_id):
        return False
    if review.status == ReviewStatus.DRAFT:
        return True
    return objection is not None and review.finalised_by_id != user.pk


def _detail_context(request, review, bound=None, **forms):
    user = request.user
    data = review_score(review)
    objection = getattr(review, "objection", None) if hasattr(review, "objection") else None
    pending = pending_objection(review)
    editable = _editable_by(user, review, pending)
    bound = bound or {}
    for row in data.rows:
        verification = row.verification
        if row.item.pk in bound:
            row.form = bound[row.item.pk]
        else:
            initial = {}
            if verification is not None:
                initial = {"decision": verification.decision, "deductions": verification.deduction_ids,
                           "reason": verification.reason}
                if not verification.deduction_ids and verification.decision == "override":
                    initial["score"] = verification.verified_score
            elif row.has_self_score:
                initial = {"decision": "accept"}
            else:
                initial = {"decision": "override"}
            row.form = ItemVerifyForm(initial=initial, item=row.item, prefix=f"v{row.item.pk}")
    blocks = []
    for row in data.rows:
        if not blocks or blocks[-1]["block"].pk != row.item.block_id:
            blocks.append({"block": row.item.block, "rows": []})
        blocks[-1]["rows"].append(row)
    block_results = {b.code: b for b in data.score.blocks}
    for block in blocks:
        block["result"] = block_results.get(block["block"].code)
    staff = is_bureau_staff(user) and not is_member_of(user, review.enrolment.unit_id)
    stored = review.is_finalised and pending is None
    result = _result_view(review, data.score, stored)
    # The reviewer sees the energy ledger's suggested score (2.1–2.4) beside the self-score: live while
    # the review is a draft, the kept one (with a notice if the ledger changed since) once finalised.
    suggestions = review_suggestion_view(review)
    for row in data.rows:
        row.lines = (review.provenance or {}).get(row.item.code, []) if stored else row.result.provenance
        row.ledger_suggestion = suggestions.get(row.item.code)
    return {
        "result": result,
        "ledger_url": reverse("ledger:unit_year", args=[review.enrolment.unit_id, review.enrolment.campaign.year]),
        "review": review,
        "enrolment": review.enrolment,
        "data": data,
        "score": data.score,
        "blocks": blocks,
        "editable": editable,
        "bonus_items": data.bonus_items,
        "claims": review.bonus_claims or {},
        "vetoes": list(review.enrolment.campaign.rubric.vetoes or ()),
        "chosen_vetoes": set(review.vetoes or ()),
        "objection": objection,
        "pending_objection": pending,
        "objection_deadline": objection_deadline(review),
        "can_object": is_director(user) and is_member_of(user, review.enrolment.unit_id) and objection_open(review),
        "can_rule": staff and pending is not None and review.finalised_by_id != user.pk,
        "can_recheck": staff and review.enrolment.stage == Stage.RECTIFYING and pending is None,
        "can_finalise": editable and review.status == ReviewStatus.DRAFT,
        "is_director_view": is_director(user),
        "objection_form": forms.get("objection_form") or ObjectionForm(),
        "rule_form": forms.get("rule_form") or ObjectionRuleForm(),
        "recheck_form": forms.get("recheck_form") or RecheckForm(),
        "unverified": set(data.score.unverified_codes),
    }


def _result_view(review, score, stored: bool) -> dict:
    """What the result card shows: once finalised, the stored numbers (the record dashboards and
    reports read; a later change such as a closed order must not silently alter it); before, the live
    computation."""
    if stored:
        lines = review.provenance or {}
        return {
            "figures": figures.from_stored(review),
            "stored": True, "verified_total": review.verified_total,
            "supervision_deduction": review.supervision_deduction, "pass_score": review.pass_score,
            "bonus": review.bonus, "final_score": review.final_score,
            "grade": review.grade, "certified": review.certified, "self_total": review.self_total, "gap": review.gap,
            "summary": lines.get("summary", []), "supervision": lines.get("supervision", []),
            "bonus_lines": lines.get("bonus", []),
        }
    return {
        "figures": figures.from_score(score),
        "stored": False, "verified_total": score.verified_total, "supervision_deduction": score.supervision_deduction,
        "pass_score": score.pass_score, "bonus": score.bonus, "final_score": score.final_score,
        "grade": score.grade.grade, "certified": score.certified, "self_total": score.self_total, "gap": score.gap,
        "summary": score.summary, "supervision": score.supervision_provenance, "bonus_lines": score.bonus_provenance,
    }


@login_required
def review_detail(request, pk):
    if not (can_read_supervision(request.user) or is_director(request.user)):
        raise PermissionDenied
    review = review_get_for_user(user=request.user, pk=pk)
    return render(request, "inspections/yearendreview_detail.html", _detail_context(request, review))


@login_required
@require_POST
def review_item(request, pk, item_pk):
    _require_staff(request.user)
    review = review_get_for_user(user=request.user, pk=pk)
    try:
        item = RubricItem.objects.prefetch_related("deductions").get(
            pk=item_pk, rubric_id=review.enrolment.campaign.rubric_id)
    except (RubricItem.DoesNotExist, ValueError):
        raise Http404 from None
    form = ItemVerifyForm(request.POST, item=item, prefix=f"v{item.pk}")
    if form.is_valid():
        try:
            item_verify(actor=request.user, review=review, item=item, decision=form.cleaned_data["decision"],
                        deduction_ids=form.cleaned_data["deductions"], score=form.cleaned_data["score"],
                        reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已核定:%(code)s") % {"code": item.code})
            return redirect(reverse("inspections:review_detail", args=[review.pk]) + f"#item-{item.pk}")
    return render(request, "inspections/yearendreview_detail.html",
                  _detail_context(request, review, {item.pk: form}), status=400)


@login_required
@require_POST
def review_accept_remaining_view(request, pk):
    _require_staff(request.user)
    review = review_get_for_user(user=request.user, pk=pk)
    try:
        count = review_accept_remaining(actor=request.user, review=review)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("已认可%(n)s个项目的自评得分") % {"n": count})
    return redirect("inspections:review_detail", pk=review.pk)


@login_required
@require_POST
def review_extras(request, pk):
    _require_staff(request.user)
    review = review_get_for_user(user=request.user, pk=pk)
    claims = {}
    for code in request.POST.getlist("bonus"):
        claims[code] = request.POST.get(f"bonus_note_{code}", "")
    try:
        review_set_extras(actor=request.user, review=review, bonus_claims=claims,
                          vetoes=request.POST.getlist("veto"))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("加分项和一票否决情形已保存"))
    return redirect(reverse("inspections:review_detail", args=[review.pk]) + "#extras")


@login_required
@require_POST
def review_finalise_view(request, pk):
    _require_staff(request.user)
    review = review_get_for_user(user=request.user, pk=pk)
    try:
        review = review_finalise(actor=request.user, review=review)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("年终考核已出结论:%(outcome)s") % {"outcome": review.get_outcome_display()})
    return redirect("inspections:review_detail", pk=review.pk)


@login_required
@require_POST
def objection_raise_view(request, pk):
    if not is_director(request.user):
        raise PermissionDenied
    review = review_get_for_user(user=request.user, pk=pk)
    form = ObjectionForm(request.POST)
    if form.is_valid():
        try:
            objection_raise(actor=request.user, review=review, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("异议已提交,将由原考核人以外的督查员裁定"))
            return redirect("inspections:review_detail", pk=review.pk)
    return render(request, "inspections/yearendreview_detail.html",
                  _detail_context(request, review, objection_form=form), status=400)


@login_required
@require_POST
def objection_rule_view(request, pk):
    _require_staff(request.user)
    review = review_get_for_user(user=request.user, pk=pk)
    objection = pending_objection(review)
    if objection is None:
        raise Http404
    form = ObjectionRuleForm(request.POST)
    if form.is_valid():
        try:
            objection_rule(actor=request.user, objection=objection, decision=form.cleaned_data["decision"],
                           ruling=form.cleaned_data["ruling"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("异议已裁定"))
            return redirect("inspections:review_detail", pk=review.pk)
    return render(request, "inspections/yearendreview_detail.html",
                  _detail_context(request, review, rule_form=form), status=400)


@login_required
@require_POST
def review_recheck_view(request, pk):
    _require_staff(request.user)
    review = review_get_for_user(user=request.user, pk=pk)
    form = RecheckForm(request.POST)
    if form.is_valid():
        try:
            review_recheck(actor=request.user, review=review, outcome=form.cleaned_data["outcome"],
                           note=form.cleaned_data["note"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("复查结论已记录"))
            return redirect("inspections:review_detail", pk=review.pk)
    return render(request, "inspections/yearendreview_detail.html",
                  _detail_context(request, review, recheck_form=form), status=400)
