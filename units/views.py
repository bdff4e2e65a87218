"""Unit pages. Reads go through the access gates in units.selectors; writes through units.services.

Access rule of every page: a role that may never use a page gets 403 before anything is looked up;
an object outside the user's scope is 404 (the gates raise it)."""
import secrets
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from units import services
from units.forms import ImportConfirmForm, PersonForm, UnitFilterForm, UnitForm, UnitImportForm
from units.models import UnitCategory
from units.selectors import (
    district_list_for_user,
    membership_list_for_unit,
    person_get_for_user,
    person_list_for_user,
    person_manage_allowed,
    unit_counts,
    unit_filter,
    unit_get_for_user,
    unit_list_for_user,
)
from units.spreadsheets import XLSX_CONTENT_TYPE, build_units_template, build_units_workbook

PAGE_SIZE = 25
IMPORT_DIR = "imports/units"
IMPORT_SESSION_KEY = "units_import_uploads"
IMPORT_KEEP = timedelta(hours=12)


def _require_admin(user):
    if not user.is_admin_role:
        raise PermissionDenied


def _require_person_role(user):
    # Only administrators and unit directors ever edit people; inspectors and leaders read them.
    if not (user.is_admin_role or user.is_director):
        raise PermissionDenied


def _add_service_errors(form, exc: ValidationError):
    """Show a service's ValidationError on the form fields it names (others at the top)."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for name, errors in exc.error_dict.items():
        form.add_error(name if name in form.fields else None, errors)


def _filtered_units(request):
    districts = district_list_for_user(user=request.user)
    filter_form = UnitFilterForm(request.GET or None, districts=districts)
    units = unit_filter(unit_list_for_user(user=request.user), **filter_form.filters())
    return filter_form, units.order_by("district__sort_order", "code")


@login_required
def unit_list(request):
    filter_form, units = _filtered_units(request)
    counts = unit_counts(units)
    paginator = Paginator(units, PAGE_SIZE)
    # The aggregate above already counted the rows; this saves the paginator its own COUNT query.
    paginator.count = counts["total"]
    page = paginator.get_page(request.GET.get("page"))
    return render(request, "units/unit_list.html", {
        "page": page,
        "counts": counts,
        "filter_form": filter_form,
        "is_filtered": any(request.GET.get(name) for name in ("q", "district", "category", "status")),
    })


@login_required
def unit_export(request):
    """The list as filtered on screen, as .xlsx in the import columns (so it can be edited and re-imported)."""
    _filter_form, units = _filtered_units(request)
    data = build_units_workbook(units.iterator(chunk_size=2000))
    response = HttpResponse(data, content_type=XLSX_CONTENT_TYPE)
    filename = _("创建单位") + timezone.localdate().strftime("_%Y%m%d") + ".xlsx"
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


@login_required
def unit_detail(request, pk):
    unit = unit_get_for_user(user=request.user, pk=pk)
    people = person_list_for_user(user=request.user, unit_id=unit.pk).order_by(
        "-is_active", "-is_leadership_group", "name")
    return render(request, "units/unit_detail.html", {
        "unit": unit,
        "people": people,
        "members": membership_list_for_unit(unit=unit),
        "can_manage_people": person_manage_allowed(user=request.user, unit=unit),
    })


@login_required
def unit_create(request):
    _require_admin(request.user)
    form = UnitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            unit = services.unit_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _add_service_errors(form, exc)
        else:
            messages.success(request, _("已新增单位“%(name)s”") % {"name": unit.name})
            return redirect("units:detail", pk=unit.pk)
    return render(request, "units/unit_form.html", {"form": form, "unit": None})


@login_required
def unit_edit(request, pk):
    _require_admin(request.user)
    unit = unit_get_for_user(user=request.user, pk=pk)
    # Validation writes the posted values onto the instance; the heading keeps the stored name.
    stored_name = unit.name
    form = UnitForm(request.POST or None, instance=unit)
    if request.method == "POST" and form.is_valid():
        try:
            unit = services.unit_update(actor=request.user, unit=unit, **form.cleaned_data)
        except ValidationError as exc:
            _add_service_errors(form, exc)
        else:
            messages.success(request, _("已保存单位“%(name)s”") % {"name": unit.name})
            return redirect("units:detail", pk=unit.pk)
    return render(request, "units/unit_form.html", {"form": form, "unit": unit, "unit_name": stored_name})


@login_required
@require_POST
def unit_set_active(request, pk):
    _require_admin(request.user)
    unit = unit_get_for_user(user=request.user, pk=pk)
    is_active = request.POST.get("is_active") == "1"
    unit = services.unit_set_active(actor=request.user, unit=unit, is_active=is_active)
    if is_active:
        messages.success(request, _("已启用单位“%(name)s”") % {"name": unit.name})
    else:
        messages.success(request, _("已停用单位“%(name)s”") % {"name": unit.name})
    return redirect("units:detail", pk=unit.pk)


# --- people (单位人员) ------------------------------------------------------------------------------

@login_required
def person_create(request, unit_pk):
    _require_person_role(request.user)
    unit = unit_get_for_user(user=request.user, pk=unit_pk)
    if not person_manage_allowed(user=request.user, unit=unit):
        raise PermissionDenied
    form = PersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            person = services.person_create(actor=request.user, unit=unit, **form.cleaned_data)
        except ValidationError as exc:
            _add_service_errors(form, exc)
        else:
            messages.success(request, _("已添加人员“%(name)s”") % {"name": person.name})
            return redirect("units:detail", pk=unit.pk)
    return render(request, "units/person_form.html", {"form": form, "unit": unit, "person": None})


@login_required
def person_edit(request, pk):
    _require_person_role(request.user)
    person = person_get_for_user(user=request.user, pk=pk)
    if not person_manage_allowed(user=request.user, unit=person.unit):
        raise PermissionDenied
    form = PersonForm(request.POST or None, instance=person)
    if request.method == "POST" and form.is_valid():
        try:
            person = services.person_update(actor=request.user, person=person, **form.cleaned_data)
        except ValidationError as exc:
            _add_service_errors(form, exc)
        else:
            messages.success(request, _("已保存人员“%(name)s”") % {"name": person.name})
            return redirect("units:detail", pk=person.unit_id)
    return render(request, "units/person_form.html", {"form": form, "unit": person.unit, "person": person})


# --- spreadsheet import ---------------------------------------------------------------------------

def _prune_stale_uploads():
    """Uploads whose preview was never confirmed are deleted after IMPORT_KEEP."""
    try:
        _dirs, files = default_storage.listdir(IMPORT_DIR)
    except (FileNotFoundError, NotImplementedError):
        return
    cutoff = timezone.now() - IMPORT_KEEP
    for name in files:
        path = f"{IMPORT_DIR}/{name}"
        try:
            if default_storage.get_modified_time(path) < cutoff:
                default_storage.delete(path)
        except (FileNotFoundError, NotImplementedError):
            continue


def _stash_upload(request, upload) -> str:
    """Keep the checked file between the preview and the confirmation, tied to this session."""
    _prune_stale_uploads()
    token = secrets.token_hex(16)
    upload.seek(0)
    stored = default_storage.save(f"{IMPORT_DIR}/{token}.xlsx", upload)
    uploads = request.session.get(IMPORT_SESSION_KEY, {})
    uploads[token] = {"path": stored, "name": upload.name}
    request.session[IMPORT_SESSION_KEY] = dict(list(uploads.items())[-5:])
    return token


def _take_upload(request, token):
    """The stashed upload for `token` as (storage path, original name), removed from the session."""
    uploads = request.session.get(IMPORT_SESSION_KEY, {})
    entry = uploads.pop(token, None) if token else None
    request.session[IMPORT_SESSION_KEY] = uploads
    if entry is None or not default_storage.exists(entry["path"]):
        return None
    return entry["path"], entry["name"]


@login_required
def unit_import(request):
    _require_admin(request.user)
    form = UnitImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        result = services.units_import_xlsx(actor=request.user, file=upload, dry_run=True)
        if result.ok:
            token = _stash_upload(request, upload)
            return render(request, "units/unit_import_preview.html", {
                "result": result, "file_name": upload.name,
                "confirm_form": ImportConfirmForm(initial={"token": token}),
            })
    return render(request, "units/unit_import.html", {"form": form, "result": result, "error_limit": 1000})


@login_required
@require_POST
def unit_import_confirm(request):
    _require_admin(request.user)
    confirm = ImportConfirmForm(request.POST)
    stashed = _take_upload(request, confirm.cleaned_data["token"] if confirm.is_valid() else None)
    if stashed is None:
        messages.error(request, _("导入文件已失效或已经导入过,请重新上传"))
        return redirect("units:import")
    path, name = stashed
    try:
        with default_storage.open(path, "rb") as handle:
            result = services.units_import_xlsx(actor=request.user, file=File(handle, name=name))
    finally:
        default_storage.delete(path)
    if not result.imported:
        # The database changed since the preview (e.g. another admin added a unit with that code).
        form = UnitImportForm()
        return render(request, "units/unit_import.html", {"form": form, "result": result, "error_limit": 1000})
    messages.success(request, _(
        "导入完成:新增 %(created)d 个单位,按单位编号更新 %(updated)d 个,%(unchanged)d 个无变化"
    ) % {"created": result.created_count, "updated": result.updated_count, "unchanged": result.unchanged})
    return redirect("units:list")


@login_required
def unit_import_template(request):
    _require_admin(request.user)
    data = build_units_template(
        district_names=list(district_list_for_user(user=request.user).values_list("name", flat=True)),
        category_labels=[str(label) for label in UnitCategory.labels],
    )
    response = HttpResponse(data, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, _("创建单位导入模板") + ".xlsx")
    return response
