from django import forms
from django.utils.translation import gettext_lazy as _

from assessment.uploads import EVIDENCE_KINDS, accept_attribute
from inspections.forms.visits import MultipleFileInput, MultipleImageField
from inspections.models import OrderStatus, ProofDecision


class OrderForm(forms.Form):
    required_action = forms.CharField(label=_("整改要求"), max_length=3000, widget=forms.Textarea(attrs={"rows": 4}))
    deadline = forms.DateField(label=_("整改时限"), widget=forms.DateInput(attrs={"type": "date"}))


class ProofForm(forms.Form):
    note = forms.CharField(label=_("整改情况说明"), max_length=3000, widget=forms.Textarea(attrs={"rows": 3}))
    files = MultipleImageField(
        label=_("整改材料(照片、PDF、文档)"),
        widget=MultipleFileInput(attrs={"accept": accept_attribute(EVIDENCE_KINDS) + ",image/*", "multiple": True,
                                        "class": "form-control"}),
    )


class VerifyForm(forms.Form):
    decision = forms.ChoiceField(label=_("验收结论"), choices=ProofDecision.choices, widget=forms.RadioSelect)
    reason = forms.CharField(label=_("验收意见"), required=False, max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 2}),
                             help_text=_("退回重新整改时必填"))


ORDER_FILTERS = [("", _("全部")), ("open", _("未销号")), ("overdue", _("逾期未整改"))] + list(OrderStatus.choices)


class OrderFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("状态"), choices=ORDER_FILTERS, required=False,
                               widget=forms.Select(attrs={"class": "form-select form-select-sm"}))
