"""Ledger pages. Reads go through assessment.ledger.selectors (the gates), writes through services.

Role matrix (tested in tests/ledger/test_views.py): directors see and edit only their own unit (other
units are 404); inspectors and leaders read units and the panel in their scope; admins read and edit
everything and set targets; a role that may never use a page gets 403; anonymous users are sent to log in.
"""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from assessment.ledger import indicators, selectors, services, spreadsheets
from assessment.ledger.forms import EvidenceForm, ImportForm, MonthlyRecordForm, PanelFilterForm, TargetForm
from assessment.models import Campaign
from units.models import Role
from units.selectors import district_list_for_user, unit_list_for_user


def _require_roles(user, *roles):
    if not (user.is_admin_role or user.role in roles):
        raise PermissionDenied


def _year_choices(selected: int) -> list[int]:
    this_year = timezone.localdate().year
    return sorted({this_year, this_year - 1, this_year - 2, selected}, reverse=True)


def _xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=spreadsheets.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{filename}"
    return response


@login_required
def index(request):
    """Directors land on their unit's ledger, everyone else on the panel."""
    user = request.user
    if user.is_director and not user.is_admin_role:
        units = list(unit_list_for_user(user=user))
        if len(units) == 1:
            return redirect("ledger:unit_year", pk=units[0].pk, year=timezone.localdate().year)
        return render(request, "ledger/unit_list.html", {"units": units, "year": timezone.localdate().year})
    return redirect("ledger:panel")


@login_required
def unit_current(request, pk):
    unit = selectors.ledger_unit_get_for_user(user=request.user, pk=pk)
    return redirect("ledger:unit_year", pk=unit.pk, year=timezone.localdate().year)


def _unit_page(request, unit, year, *, import_form=None, import_errors=None, status=200):
    report = selectors.unit_ledger_report(unit=unit, year=year)
    context = {
        "unit": unit,
        "year": year,
        "report": report,
        "can_edit": services.can_edit_ledger(request.user, unit),
        "import_form": import_form or ImportForm(),
        "import_errors": import_errors or [],
        "years": _year_choices(year),
        "fields": indicators.QUANTITY_FIELDS,
        "item_titles": ITEM_TITLES,
    }
    return render(request, "ledger/monthlyrecord_list.html", context, status=status)


ITEM_TITLES = {
    "2.1": gettext_lazy("2.1 完成年度能耗目标(必达项)"),
    "2.2": gettext_lazy("2.2 节约用电"),
    "2.3": gettext_lazy("2.3 节约用水"),
    "2.4": gettext_lazy("2.4 节约用纸"),
}


@login_required
def unit_year(request, pk, year):
    unit = selectors.ledger_unit_get_for_user(user=request.user, pk=pk)
    if not 2000 <= year <= 2100:
        raise Http404
    return _unit_page(request, unit, year)


def _editable_unit(request, pk):
    """Only directors and admins ever write (403 for the others), and only units they may see (404)."""
    _require_roles(request.user, Role.DIRECTOR)
    unit = selectors.ledger_unit_get_for_user(user=request.user, pk=pk)
    if not services.can_edit_ledger(request.user, unit):
        raise PermissionDenied
    return unit


@login_required
def record_edit(request, pk, year, month):
    unit = _editable_unit(request, pk)
    try:
        services.validate_period(year, month)
    except ValidationError:
        raise Http404 from None
    record = selectors.unit_records(unit=unit, year=year)
    record = next((r for r in record if r.month == month), None)
    if request.method == "POST":
        form = MonthlyRecordForm(request.POST)
        if form.is_valid():
            try:
                services.record_save(actor=request.user, unit=unit, year=year, month=month, data=form.cleaned_data)
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                messages.success(request, _("%(year)s年%(month)s月的数据已保存") % {"year": year, "month": month})
                report = selectors.unit_ledger_report(unit=unit, year=year, with_carbon=False)
                for flag in report.flags:
                    if flag.month == month and flag.kind != "missing_month":
                        messages.warning(request, flag.message)
                return redirect(reverse("ledger:unit_year", args=[unit.pk, year]) + f"#month-{month}")
    else:
        form = MonthlyRecordForm(initial=MonthlyRecordForm.initial_for(record))
    evidence = list(record.evidence.all()) if record is not None else []
    return render(request, "ledger/monthlyrecord_form.html", {
        "unit": unit, "year": year, "month": month, "record": record, "form": form,
        "evidence": evidence, "evidence_form": EvidenceForm(),
    })


@login_required
@require_POST
def evidence_upload(request, pk):
    _require_roles(request.user, Role.DIRECTOR)
    record = selectors.record_get_for_user(user=request.user, pk=pk)
    if not services.can_edit_ledger(request.user, record.unit):
        raise PermissionDenied
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.evidence_add(actor=request.user, record=record, file=form.cleaned_data["file"])
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("票据已上传"))
    else:
        messages.error(request, _("请选择要上传的文件"))
    return redirect("ledger:record_edit", pk=record.unit_id, year=record.year, month=record.month)


@login_required
@require_POST
def evidence_delete(request, pk):
    _require_roles(request.user, Role.DIRECTOR)
    evidence = selectors.evidence_get_for_user(user=request.user, pk=pk)
    record = evidence.record
    services.evidence_delete(actor=request.user, evidence=evidence)
    messages.success(request, _("票据已删除"))
    return redirect("ledger:record_edit", pk=record.unit_id, year=record.year, month=record.month)


@login_required
def evidence_download(request, pk):
    evidence = selectors.evidence_get_for_user(user=request.user, pk=pk)
    response = FileResponse(evidence.file.open("rb"), as_attachment=True, filename=evidence.original_name,
                            content_type=evidence.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def import_year(request, pk, year):
    unit = _editable_unit(request, pk)
    if request.method != "POST":
        return redirect("ledger:unit_year", pk=unit.pk, year=year)
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _unit_page(request, unit, year, import_form=form, status=400)
    try:
        records = services.records_import_xlsx(actor=request.user, unit=unit, year=year,
                                               file=form.cleaned_data["file"])
    except ValidationError as exc:
        return _unit_page(request, unit, year, import_form=form, import_errors=exc.messages, status=400)
    messages.success(request, _("已导入%(count)s个月的数据") % {"count": len(records)})
    report = selectors.unit_ledger_report(unit=unit, year=year, with_carbon=False)
    for message in report.flag_messages:
        messages.warning(request, message)
    return redirect("ledger:unit_year", pk=unit.pk, year=year)


@login_required
def year_template(request, pk, year):
    unit = selectors.ledger_unit_get_for_user(user=request.user, pk=pk)
    content = spreadsheets.year_template(unit=unit, year=year, records=selectors.unit_records(unit=unit, year=year))
    return _xlsx_response(content, f"ledger-{unit.code}-{year}.xlsx")


def _panel_context(request):
    _require_roles(request.user, Role.INSPECTOR, Role.LEADER)
    this_year = timezone.localdate().year
    districts = list(district_list_for_user(user=request.user))
    form = PanelFilterForm(request.GET or None, years=_year_choices(this_year), districts=districts,
                           initial={"year": this_year})
    year, district_id, category = this_year, None, ""
    if form.is_bound and form.is_valid():
        year = form.cleaned_data["year"]
        district_id = form.cleaned_data["district"]
        category = form.cleaned_data["category"]
    panel = selectors.ledger_panel(user=request.user, year=year, district_id=district_id, category=category)
    group_tables = [(_("按区域"), panel.districts), (_("按单位类别"), panel.categories)]
    return {"form": form, "panel": panel, "year": year, "group_tables": group_tables}


@login_required
def panel(request):
    return render(request, "ledger/panel.html", _panel_context(request))


@login_required
def panel_export(request):
    context = _panel_context(request)
    panel = context["panel"]
    content = spreadsheets.panel_workbook(year=panel.year, unit_rows=panel.units, district_rows=panel.districts,
                                          category_rows=panel.categories)
    return _xlsx_response(content, f"ledger-indicators-{panel.year}.xlsx")


@login_required
def targets(request):
    _require_roles(request.user)
    campaign = Campaign.objects.filter(is_current=True).first() or Campaign.objects.order_by("-year").first()
    if request.method == "POST":
        form = TargetForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.target_set(
                    actor=request.user, campaign=data["campaign"], unit=data["unit"], category=data["category"],
                    **{k: data[k] for k in services.TARGET_FIELDS},
                )
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                messages.success(request, _("目标已保存"))
                return redirect("ledger:targets")
    else:
        initial = {"campaign": campaign, "baseline_year": campaign.year - 1} if campaign else {}
        form = TargetForm(initial=initial)
    campaigns = list(Campaign.objects.order_by("-year"))
    rows = [(c, selectors.target_list(campaign=c)) for c in campaigns]
    return render(request, "ledger/ledgertarget_list.html", {
        "form": form, "rows": rows, "factors": selectors.factor_list(),
        "emission_factors": selectors.emission_factor_list(),
    })
