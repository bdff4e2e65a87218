from django import forms
from django.utils.translation import gettext_lazy as _

from inspections.models import ObjectionStatus, ReviewOutcome, VerificationDecision


class ItemVerifyForm(forms.Form):
    decision = forms.ChoiceField(label=_("核定方式"), choices=VerificationDecision.choices,
                                 widget=forms.RadioSelect)
    deductions = forms.TypedMultipleChoiceField(label=_("核定扣分项"), coerce=int, required=False,
                                                widget=forms.CheckboxSelectMultiple)
    score = forms.DecimalField(label=_("核定得分"), required=False, min_value=0, decimal_places=2,
                               help_text=_("无标准扣分项的项目(如分档计分)直接填写得分"))
    reason = forms.CharField(label=_("理由"), required=False, max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 2}),
                             help_text=_("改分,或核定得分与建议得分相差超过1分(含认可自评)时必填"))

    def __init__(self, *args, item=None, **kwargs):
        super().__init__(*args, **kwargs)
        if item is not None:
            self.fields["deductions"].choices = [
                (d.pk, f"{d.text} −{d.points.normalize():f}") for d in item.deductions.all()
            ]


class ObjectionForm(forms.Form):
    reason = forms.CharField(label=_("异议理由"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4}))


class ObjectionRuleForm(forms.Form):
    decision = forms.ChoiceField(label=_("裁定结论"), widget=forms.RadioSelect, choices=[
        (ObjectionStatus.UPHELD, ObjectionStatus.UPHELD.label),
        (ObjectionStatus.CHANGED, _("改变结论(按当前逐项核定重新计分)")),
    ])
    ruling = forms.CharField(label=_("裁定意见"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))


class RecheckForm(forms.Form):
    outcome = forms.ChoiceField(label=_("复查结论"), widget=forms.RadioSelect, choices=[
        (ReviewOutcome.PASSED, _("整改到位,考核通过")), (ReviewOutcome.FAILED, _("整改不到位,未通过")),
    ])
    note = forms.CharField(label=_("复查意见"), max_length=3000, widget=forms.Textarea(attrs={"rows": 3}))
