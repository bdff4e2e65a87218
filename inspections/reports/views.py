"""Report pages: the list with request buttons, a report's status (polled by htmx), the download
through the access gate, retry and the verification look-up. Writes go through services."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from assessment.selectors.campaign import campaign_current
from inspections.reports.forms import ReportRequestForm
from inspections.reports.models import ReportKind, ReportStatus
from inspections.reports.selectors import (
    report_find_by_code,
    report_get_for_user,
    report_kinds_for_user,
    report_list_for_user,
)
from inspections.reports.services import report_request, report_retry

PAGE_SIZE = 20
# htmx stops polling an element when the response status is 286.
HTMX_STOP_POLLING = 286


def _list_context(request, form=None):
    reports = report_list_for_user(user=request.user)
    form = form or ReportRequestForm(user=request.user, initial={"campaign": campaign_current()})
    return {
        "page": Paginator(reports, PAGE_SIZE).get_page(request.GET.get("page")),
        "kinds": report_kinds_for_user(request.user),
        "form": form,
        "kind_labels": dict(ReportKind.choices),
    }


@login_required
@require_GET
def report_list(request):
    return render(request, "reports/report_list.html", _list_context(request))


@login_required
@require_POST
def report_request_view(request):
    if request.POST.get("kind") in ReportKind.values and request.POST["kind"] not in report_kinds_for_user(
            request.user):
        raise PermissionDenied  # a role that may never ask for this kind
    form = ReportRequestForm(request.POST, user=request.user)
    if form.is_valid():
        data = form.cleaned_data
        campaign = data.get("campaign") or (data["spot_round"].campaign if data.get("spot_round") else None) \
            or campaign_current()
        try:
            report = report_request(actor=request.user, kind=data["kind"], unit=data.get("unit"),
                                    campaign=campaign, spot_round=data.get("spot_round"))
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("已提交生成请求,报告生成后可在此下载。"))
            return redirect("reports:detail", pk=report.pk)
    # Bad input: the list page again with the choices kept and the reason in Chinese.
    return render(request, "reports/report_list.html", _list_context(request, form=form), status=400)


@login_required
@require_GET
def report_detail(request, pk):
    report = report_get_for_user(user=request.user, pk=pk)
    return render(request, "reports/report_detail.html", {"report": report})


@login_required
@require_GET
def report_status(request, pk):
    report = report_get_for_user(user=request.user, pk=pk)
    response = render(request, "reports/_report_status.html", {"report": report})
    if report.is_finished and request.htmx:
        response.status_code = HTMX_STOP_POLLING
    return response


@login_required
@require_GET
def report_download(request, pk):
    report = report_get_for_user(user=request.user, pk=pk)
    if report.status != ReportStatus.DONE or not report.file:
        raise Http404
    response = FileResponse(report.file.open("rb"), as_attachment=True, filename=report.file_name,
                            content_type=report.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def report_retry_view(request, pk):
    report = report_get_for_user(user=request.user, pk=pk)
    report = report_retry(actor=request.user, report=report)
    if request.htmx:
        return render(request, "reports/_report_status.html", {"report": report})
    messages.info(request, _("已重新提交生成请求。"))
    return redirect(reverse("reports:detail", args=[report.pk]))


@login_required
@require_GET
def report_verify(request):
    code = request.GET.get("code", "").strip()
    report = report_find_by_code(code=code) if code else None
    return render(request, "reports/report_verify.html", {"code": code, "report": report, "searched": bool(code)})
