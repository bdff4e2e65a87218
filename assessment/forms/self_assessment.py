"""Forms of the self-assessment, submit and review pages. They only shape input: the rules (which
deductions belong to an item, who may edit, file checks) live in the services, whose ValidationErrors
come back into these forms with `add_service_error` so nothing typed is lost."""
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from assessment.selectors.self_assessment import (
    deduction_counts,
    deduction_is_repeatable,
    deduction_max_count,
)
from assessment.services.self_assessment import COMMENT_MAX, EXPLANATION_MAX
from assessment.uploads import EVIDENCE_KINDS, accept_attribute


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        values = data if isinstance(data, list | tuple) else [data]
        single = super().clean
        return [single(value, initial) for value in values if value]


class ServiceErrorsMixin:
    def add_service_error(self, exc: ValidationError):
        """Put a service's errors next to the matching field, the rest at the top of the form."""
        if hasattr(exc, "error_dict"):
            for field, errors in exc.error_dict.items():
                target = field if field in self.fields else None
                for error in errors:
                    self.add_error(target, error)
        else:
            self.add_error(None, exc)


class ItemResponseForm(ServiceErrorsMixin, forms.Form):
    """One item's answer. Choice lists come from data already loaded for the page (the rubric's
    deductions and the unit's people), so 27 forms cost no query each."""

    full_marks = forms.BooleanField(label=_("满分(无扣分项)"), required=False)
    self_score = forms.DecimalField(label=_("自评得分"), required=False, min_value=0, decimal_places=2,
                                    max_digits=6)
    explanation = forms.CharField(
        label=_("情况说明"), required=False, max_length=EXPLANATION_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": _("情况说明不能超过%(limit_value)d字(当前%(show_value)d字)")},
    )
    responsible = forms.ChoiceField(label=_("责任人"), required=False)
    files = MultipleFileField(label=_("上传佐证材料"), required=False)

    def __init__(self, *args, item, people, response=None, **kwargs):
        self.item = item
        kwargs.setdefault("prefix", f"i{item.pk}")
        if response is not None and "initial" not in kwargs:
            kwargs["initial"] = self.initial_for(item, response)
        super().__init__(*args, **kwargs)
        self.deductions = list(item.deductions.all())
        self.fields["self_score"].max_value = item.points
        self.fields["self_score"].widget.attrs.update({"max": item.points, "step": "0.5", "inputmode": "decimal"})
        if self.deductions:
            del self.fields["self_score"]
        for deduction in self.deductions:
            name = f"d{deduction.pk}"
            if deduction_is_repeatable(deduction):
                limit = deduction_max_count(item, deduction)
                self.fields[name] = forms.IntegerField(
                    label=deduction.text, required=False, min_value=0, max_value=limit,
                    widget=forms.NumberInput(attrs={"min": 0, "max": limit, "inputmode": "numeric"}),
                )
            else:
                self.fields[name] = forms.BooleanField(label=deduction.text, required=False)
        self.fields["responsible"].choices = [("", _("— 未指定 —"))] + [(str(p.pk), str(p)) for p in people]
        self.fields["files"].widget.attrs.update({"accept": accept_attribute(EVIDENCE_KINDS)})
        self._style()

    def _style(self):
        # The card is laid out by hand (checkbox lists, counts); the widgets carry Bootstrap's classes
        # and the data-* hooks static/js/selfassessment.js reads to preview the score.
        points = {f"d{d.pk}": d.points for d in self.deductions}
        for name, field in self.fields.items():
            attrs = field.widget.attrs
            if isinstance(field, forms.BooleanField):
                attrs["class"] = "form-check-input"
            elif name == "responsible":
                attrs["class"] = "form-select form-select-sm"
            elif name in points:
                attrs["class"] = "form-control form-control-sm go-count"
            else:
                attrs["class"] = "form-control form-control-sm"
            if name in points:
                attrs["data-deduction"] = ""
                attrs["data-points"] = str(points[name])
        self.fields["full_marks"].widget.attrs["data-full-marks"] = ""

    @staticmethod
    def initial_for(item, response) -> dict:
        initial = {
            "explanation": response.explanation,
            "responsible": str(response.responsible_id or ""),
        }
        counts = deduction_counts(response.deduction_ids)
        for deduction in item.deductions.all():
            if deduction.pk in counts:
                initial[f"d{deduction.pk}"] = (
                    counts[deduction.pk] if deduction_is_repeatable(deduction) else True
                )
        if response.answered and not counts:
            if item.deductions.all():
                initial["full_marks"] = True
            else:
                # Tiered items (no standard deductions) show the score the unit entered.
                initial["self_score"] = response.self_score
        return initial

    def deduction_fields(self):
        """(deduction, bound field, repeatable) in rubric order, for the template."""
        return [
            (d, self[f"d{d.pk}"], deduction_is_repeatable(d)) for d in self.deductions
        ]

    def deduction_ids(self) -> list[int]:
        ids = []
        for deduction in self.deductions:
            value = self.cleaned_data.get(f"d{deduction.pk}")
            if deduction_is_repeatable(deduction):
                ids.extend([deduction.pk] * int(value or 0))
            elif value:
                ids.append(deduction.pk)
        return ids

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "deduction_ids": self.deduction_ids(),
            "full_marks": data.get("full_marks", False),
            "self_score": data.get("self_score"),
            "explanation": data.get("explanation", ""),
            "responsible_id": data.get("responsible") or None,
            "uploaded_files": data.get("files") or [],
        }


class SupersedeForm(ServiceErrorsMixin, forms.Form):
    file = forms.FileField(label=_("替换为新文件"))


class SubmitForm(forms.Form):
    version = forms.CharField(widget=forms.HiddenInput)


class ReviewForm(ServiceErrorsMixin, forms.Form):
    """Accept or return, with an overall comment and an optional remark per item (`c_<item pk>`)."""

    ACCEPT, RETURN = "accept", "return"

    decision = forms.ChoiceField(choices=[(ACCEPT, _("审核通过")), (RETURN, _("退回修改"))])
    comment = forms.CharField(
        label=_("审核意见"), required=False, max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
        help_text=_("退回修改时必填,写明需要修改的内容"),
    )

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = list(items)
        for item in self.items:
            self.fields[f"c_{item.pk}"] = forms.CharField(
                label=_("对%(code)s的意见") % {"code": item.code}, required=False, max_length=COMMENT_MAX,
                widget=forms.Textarea(attrs={"rows": 2, "class": "form-control form-control-sm"}),
            )

    def clean(self):
        data = super().clean()
        if data.get("decision") == self.RETURN and not (data.get("comment") or "").strip():
            self.add_error("comment", _("退回修改必须填写退回原因"))
        return data

    def item_comments(self) -> dict[str, str]:
        return {
            item.code: self.cleaned_data.get(f"c_{item.pk}", "")
            for item in self.items if (self.cleaned_data.get(f"c_{item.pk}") or "").strip()
        }
