"""The inspector's extension (延期) form; the rules live in assessment.services.deadlines."""
from django import forms
from django.utils.translation import gettext_lazy as _

from assessment.forms.self_assessment import ServiceErrorsMixin
from assessment.models import DeadlineKind
from assessment.services.deadlines import REASON_MAX


class ExtensionForm(ServiceErrorsMixin, forms.Form):
    kind = forms.ChoiceField(label=_("截止事项"), choices=DeadlineKind.choices)
    new_date = forms.DateField(label=_("延期至"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=_("延期理由"), max_length=REASON_MAX, widget=forms.Textarea(attrs={"rows": 3}))
