"""Evidence files: download through the access gate, remove a draft file, supersede a submitted one.

Files are never under a public URL: this view is the only way out, and it serves them as attachments
with nosniff so a browser never renders an upload as a page."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from assessment.forms.self_assessment import SupersedeForm
from assessment.selectors.self_assessment import (
    evidence_get_for_user,
    self_assessment_can_edit_role,
    self_assessment_get_for_user,
)
from assessment.services.evidence import evidence_remove, evidence_supersede
from assessment.views.self_assessment import page_url, render_item_card


@login_required
def evidence_download(request, pk):
    evidence = evidence_get_for_user(user=request.user, pk=pk)
    try:
        handle = evidence.file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    response = FileResponse(
        handle, as_attachment=True, filename=evidence.original_name, content_type=evidence.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def _gate_for_write(request, pk):
    if not self_assessment_can_edit_role(request.user):
        raise PermissionDenied
    evidence = evidence_get_for_user(user=request.user, pk=pk)
    enrolment = self_assessment_get_for_user(
        user=request.user, enrolment_pk=evidence.response.assessment.enrolment_id,
    )
    return evidence, enrolment


def _done(request, enrolment, item, *, notice="", error=""):
    if request.htmx:
        return render_item_card(request, enrolment, item.pk, notice=notice, error=error)
    if error:
        messages.error(request, error)
    elif notice:
        messages.success(request, notice)
    return redirect(page_url(enrolment, item))


@login_required
@require_POST
def evidence_delete(request, pk):
    evidence, enrolment = _gate_for_write(request, pk)
    item = evidence.response.item
    name = evidence.original_name
    try:
        evidence_remove(actor=request.user, evidence=evidence)
    except ValidationError as exc:
        return _done(request, enrolment, item, error=" ".join(exc.messages))
    return _done(request, enrolment, item, notice=_("已删除文件“%(name)s”") % {"name": name})


@login_required
@require_POST
def evidence_replace(request, pk):
    evidence, enrolment = _gate_for_write(request, pk)
    item = evidence.response.item
    form = SupersedeForm(request.POST, {"file": request.FILES.get(f"replace-{pk}") or request.FILES.get("file")})
    if not form.is_valid():
        return _done(request, enrolment, item, error=_("请选择用于替换的新文件"))
    try:
        new = evidence_supersede(actor=request.user, evidence=evidence, uploaded_file=form.cleaned_data["file"])
    except ValidationError as exc:
        return _done(request, enrolment, item, error=" ".join(exc.messages))
    return _done(request, enrolment, item, notice=_("已用“%(new)s”替换“%(old)s”,原文件保留在提交记录中")
                 % {"new": new.original_name, "old": evidence.original_name})
