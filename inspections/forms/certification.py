from django import forms
from django.utils.translation import gettext_lazy as _


class PublicityForm(forms.Form):
    title = forms.CharField(label=_("公示名称"), max_length=200, required=False)
    start_date = forms.DateField(label=_("公示开始"), widget=forms.DateInput(attrs={"type": "date"}))
    end_date = forms.DateField(label=_("公示结束"), widget=forms.DateInput(attrs={"type": "date"}))
    enrolments = forms.TypedMultipleChoiceField(label=_("公示单位"), coerce=int, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enrolments"].choices = [(e.pk, e.unit.name) for e in candidates]
        self.fields["enrolments"].initial = [e.pk for e in candidates]


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("原因"), max_length=3000, widget=forms.Textarea(attrs={"rows": 2}))
