"""Rubric version pages: administrators manage, inspectors read. Writes go through services.rubric."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from assessment.forms.rubric import RubricImportForm
from assessment.models import RubricStatus
from assessment.rubric_schema import RubricValidationError, format_points
from assessment.selectors.rubric import (
    rubric_blocks_with_items,
    rubric_can_manage,
    rubric_can_view,
    rubric_export_filename,
    rubric_export_yaml,
    rubric_get,
    rubric_latest_draft,
    rubric_list,
)
from assessment.services.rubric import rubric_delete_draft, rubric_import, rubric_new_version, rubric_publish


def _require_view(user):
    if not rubric_can_view(user):
        raise PermissionDenied


def _require_manage(user):
    if not rubric_can_manage(user):
        raise PermissionDenied


@login_required
def rubric_list_view(request):
    _require_view(request.user)
    return render(request, "assessment/rubric_list.html", {
        "rubrics": rubric_list(),
        "can_manage": rubric_can_manage(request.user),
    })


@login_required
def rubric_detail(request, pk):
    _require_view(request.user)
    rubric = rubric_get(pk=pk)
    blocks = rubric_blocks_with_items(rubric)
    items = [item for block in blocks for item in block.items.all()]
    return render(request, "assessment/rubric_detail.html", {
        "rubric": rubric,
        "blocks": blocks,
        "item_count": len(items),
        "must_pass_count": sum(1 for item in items if item.must_pass),
        "bonus_items": rubric.bonus_items.order_by("order"),
        "grade_bands": [
            {**band, "min_display": format_points(band["min"])} for band in rubric.grade_bands
        ],
        "campaigns": rubric.campaigns.order_by("-year"),
        "can_manage": rubric_can_manage(request.user),
        "is_draft": rubric.status == RubricStatus.DRAFT,
    })


@login_required
@require_http_methods(["GET", "POST"])
def rubric_import_view(request):
    _require_manage(request.user)
    errors: list[str] = []
    if request.method == "POST":
        form = RubricImportForm(request.POST, request.FILES)
        if form.is_valid():
            source = form.cleaned_data["source"]
            try:
                rubric = rubric_import(actor=request.user, text=source,
                                       replace_draft=form.cleaned_data["replace_draft"])
            except RubricValidationError as exc:
                errors = exc.errors
            except ValidationError as exc:
                errors = exc.messages
            else:
                messages.success(request, _("已导入考评细则“%(title)s”第%(version)s版(草稿),请核对后发布")
                                 % {"title": rubric.title, "version": rubric.version})
                return redirect("assessment:rubric_detail", pk=rubric.pk)
            if form.cleaned_data.get("file"):
                # Keep an uploaded file's content in the text box so it can be fixed in place.
                data = request.POST.copy()
                data["text"] = source
                form = RubricImportForm(data)
                form.is_valid()
    else:
        form = RubricImportForm()
    return render(request, "assessment/rubric_import.html", {"form": form, "errors": errors})


@login_required
def rubric_export(request, pk):
    _require_view(request.user)
    rubric = rubric_get(pk=pk)
    response = HttpResponse(rubric_export_yaml(rubric), content_type="application/yaml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{rubric_export_filename(rubric)}"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def rubric_publish_view(request, pk):
    _require_manage(request.user)
    rubric = rubric_get(pk=pk)
    if request.method == "POST":
        try:
            rubric_publish(actor=request.user, rubric=rubric)
        except RubricValidationError as exc:
            for message in exc.errors:
                messages.error(request, message)
        else:
            messages.success(request, _("已发布考评细则第%(version)s版,此后不能再修改") % {"version": rubric.version})
        return redirect("assessment:rubric_detail", pk=rubric.pk)
    if rubric.status != RubricStatus.DRAFT:
        messages.info(request, _("该版本已发布"))
        return redirect("assessment:rubric_detail", pk=rubric.pk)
    blocks = rubric_blocks_with_items(rubric)
    return render(request, "assessment/rubric_publish.html", {
        "rubric": rubric,
        "blocks": blocks,
        "item_count": sum(len(block.items.all()) for block in blocks),
    })


@login_required
@require_POST
def rubric_new_version_view(request, pk):
    _require_manage(request.user)
    rubric = rubric_get(pk=pk)
    existing_draft = rubric_latest_draft(code=rubric.code)
    copy = rubric_new_version(actor=request.user, rubric=rubric)
    if existing_draft is not None and existing_draft.pk == copy.pk:
        messages.info(request, _("已有草稿第%(version)s版,请在该草稿上继续") % {"version": copy.version})
    else:
        messages.success(request, _("已创建第%(version)s版草稿,导出YAML修改后可用“导入”替换该草稿")
                         % {"version": copy.version})
    return redirect("assessment:rubric_detail", pk=copy.pk)


@login_required
@require_POST
def rubric_delete_view(request, pk):
    _require_manage(request.user)
    rubric = rubric_get(pk=pk)
    try:
        rubric_delete_draft(actor=request.user, rubric=rubric)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("assessment:rubric_detail", pk=rubric.pk)
    messages.success(request, _("已删除草稿第%(version)s版") % {"version": rubric.version})
    return redirect("assessment:rubric_list")
