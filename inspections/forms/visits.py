from django import forms
from django.utils.translation import gettext_lazy as _

from inspections.models import ChecklistResult, InspectionKind
from units.models import Role, User


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleImageField(forms.FileField):
    """Several photos from one <input multiple>; each is checked by the service (validate_upload)."""

    widget = MultipleFileInput

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [super(MultipleImageField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


def camera_input():
    # Phones open the rear camera straight away; several photos per item.
    return MultipleFileInput(attrs={"accept": "image/*", "capture": "environment", "multiple": True,
                                    "class": "form-control"})


VISIT_KINDS = [(k, label) for k, label in InspectionKind.choices if k != InspectionKind.SPOT_CHECK]


class VisitForm(forms.Form):
    enrolment = forms.TypedChoiceField(label=_("检查单位"), coerce=int)
    kind = forms.ChoiceField(label=_("检查类型"), choices=VISIT_KINDS)
    scheduled_date = forms.DateField(label=_("计划检查日期"), widget=forms.DateInput(attrs={"type": "date"}))
    inspectors = forms.ModelMultipleChoiceField(
        label=_("检查人员"), queryset=User.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple, help_text=_("不选则由您本人检查;不得指派本单位人员"),
    )

    def __init__(self, *args, enrolments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enrolment"].choices = [(e.pk, f"{e.unit.name}({e.unit.district.name})") for e in enrolments]
        self.fields["inspectors"].queryset = User.objects.filter(role=Role.INSPECTOR, is_active=True).order_by(
            "username")
        self.fields["inspectors"].label_from_instance = lambda u: u.display_name


class ChecklistItemForm(forms.Form):
    result = forms.ChoiceField(label=_("检查结果"), choices=ChecklistResult.choices, widget=forms.RadioSelect)
    note = forms.CharField(label=_("情况记录"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}))
    rectified_on_site = forms.BooleanField(label=_("已当场整改"), required=False)
    photos = MultipleImageField(label=_("拍照/上传照片"), widget=camera_input())


class CompleteForm(forms.Form):
    summary = forms.CharField(label=_("检查小结"), required=False, max_length=5000,
                              widget=forms.Textarea(attrs={"rows": 3}))


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("取消原因"), max_length=1000)
