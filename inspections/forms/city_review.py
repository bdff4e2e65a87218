from django import forms
from django.utils.translation import gettext_lazy as _

from inspections.models import CityDecisionKind
from inspections.services.city_review import REASON_MAX


class CityDecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("评审结论"), choices=CityDecisionKind.choices, widget=forms.RadioSelect)
    reason = forms.CharField(label=_("理由"), max_length=REASON_MAX, widget=forms.Textarea(attrs={"rows": 3}))
