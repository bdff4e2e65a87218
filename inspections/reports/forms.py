"""The request form of the reports page: which kind, and its subject, from the user's own scope."""
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from assessment.selectors.campaign import campaign_list_for_user
from inspections.models import RoundStatus, SpotCheckRound
from inspections.reports.models import ReportKind
from inspections.reports.selectors import report_district_scope
from units.selectors import unit_list_for_user

# Above this many units in scope the page offers no unit drop-down: the unit detail page's button is
# the way in (a 10,000-option select helps nobody).
UNIT_SELECT_LIMIT = 300
ROUND_CHOICES = 36


class ReportRequestForm(forms.Form):
    kind = forms.ChoiceField(label=_("报告类型"), choices=ReportKind.choices, widget=forms.HiddenInput)
    unit = forms.ModelChoiceField(label=_("单位"), queryset=None, required=False, empty_label=_("请选择单位"))
    campaign = forms.ModelChoiceField(label=_("创建年度"), queryset=None, required=False, empty_label=None)
    spot_round = forms.ModelChoiceField(label=_("抽查批次"), queryset=None, required=False,
                                        empty_label=_("请选择抽查批次"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = unit_list_for_user(user=user).order_by("district__sort_order", "code")
        self.fields["campaign"].queryset = campaign_list_for_user(user=user)
        rounds = SpotCheckRound.objects.filter(status=RoundStatus.DRAWN)
        scope = report_district_scope(user)
        if scope is not None:
            # City-wide rounds (their bulletin is cut to the user's districts) and their own districts'.
            rounds = rounds.filter(Q(district__isnull=True) | Q(district_id__in=scope))
        self.fields["spot_round"].queryset = rounds.select_related("campaign", "district").order_by("-month", "-id")
        for field in ("unit", "campaign", "spot_round"):
            self.fields[field].widget.attrs["class"] = "form-select"

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind == ReportKind.UNIT and not data.get("unit"):
            self.add_error("unit", _("请选择单位"))
        if kind == ReportKind.ROUND and not data.get("spot_round"):
            self.add_error("spot_round", _("请选择抽查批次"))
        return data

    def unit_choices_shown(self) -> bool:
        return self.fields["unit"].queryset.count() <= UNIT_SELECT_LIMIT

    def round_choices(self):
        return list(self.fields["spot_round"].queryset[:ROUND_CHOICES])
