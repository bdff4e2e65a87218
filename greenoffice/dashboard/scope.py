"""Who may open the dashboard, and the one filter every panel reads through.

A `DashboardScope` is built once per request from the filter form (campaign, district, unit category) and
the user's scope (`units.selectors.unit_scope_q`). Every panel selector narrows its querysets with
`scope.unit_q(path)`, so a district leader's panels and exports can only ever contain their units."""
import datetime
from dataclasses import dataclass, field

from django import forms
from django.db.models import Q
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assessment.models import Campaign
from assessment.selectors.campaign import campaign_current, campaign_list_for_user
from units.models import District, Role, Unit, UnitCategory
from units.selectors import district_list_for_user, unit_scope_q


def dashboard_can_view(user) -> bool:
    """Leaders read the dashboard; inspectors and administrators read it too. Directors never do."""
    return bool(getattr(user, "is_authenticated", False) and user.is_active and (
        user.is_admin_role or user.role in (Role.LEADER, Role.INSPECTOR)
    ))


class DashboardFilterForm(forms.Form):
    campaign = forms.ModelChoiceField(label=_("创建年度"), queryset=Campaign.objects.none(), required=False,
                                      empty_label=None)
    district = forms.ModelChoiceField(label=_("区域"), queryset=District.objects.none(), required=False,
                                      empty_label=_("全部区域"))
    category = forms.ChoiceField(label=_("单位类别"), required=False,
                                 choices=[("", _("全部类别")), *UnitCategory.choices])

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = campaign_list_for_user(user=user)
        # Only the districts the user may see are offered; any other id is simply not valid.
        self.fields["district"].queryset = district_list_for_user(user=user)
        for form_field in self.fields.values():
            form_field.widget.attrs["class"] = "form-select"


@dataclass
class DashboardScope:
    user: object
    campaign: Campaign | None
    district: District | None = None
    category: str = ""
    today: datetime.date = field(default_factory=timezone.localdate)
    _user_q: Q | None = field(default=None, repr=False)

    @property
    def as_of(self) -> datetime.date:
        """The day "this month" and "overdue" are measured on: today, or the last day of a past campaign."""
        if self.campaign is None:
            return self.today
        return min(self.today, datetime.date(self.campaign.year, 12, 31))

    @property
    def category_label(self) -> str:
        return str(UnitCategory(self.category).label) if self.category else ""

    def _scope_q(self) -> Q:
        if self._user_q is None:
            # One call per request: for scoped users it reads their districts once.
            self._user_q = unit_scope_q(self.user)
        return self._user_q

    def unit_q(self, path: str = "") -> Q:
        """A filter on a model that reaches Unit through `path` ("unit", "enrolment__unit", "" for Unit
        itself): the user's scope plus the district and category filters."""
        prefix = f"{path}__" if path else ""
        q = Q()
        scope = self._scope_q()
        if scope:
            # A subquery keeps the scope rule exactly as units.selectors states it, whatever the path.
            q &= Q(**{f"{prefix}pk__in": Unit.objects.filter(scope).values("pk")})
        if self.district is not None:
            q &= Q(**{f"{prefix}district_id": self.district.pk})
        if self.category:
            q &= Q(**{f"{prefix}category": self.category})
        return q

    def querystring(self, *, district: bool = True) -> str:
        """The filters as a query string, for the panel URLs and export links."""
        query = QueryDict(mutable=True)
        if self.campaign is not None:
            query["campaign"] = str(self.campaign.pk)
        if district and self.district is not None:
            query["district"] = str(self.district.pk)
        if self.category:
            query["category"] = self.category
        return query.urlencode()


def dashboard_scope_from_request(request) -> DashboardScope:
    """Read the filters from the query string. Invalid values are dropped (a stale link still shows the
    dashboard, with that filter off) rather than refused; no campaign means the current one."""
    parsed = DashboardFilterForm(request.GET, user=request.user)
    parsed.is_valid()
    data = parsed.cleaned_data
    return DashboardScope(user=request.user, campaign=data.get("campaign") or campaign_current(),
                          district=data.get("district"), category=data.get("category") or "")


def dashboard_filter_form(scope: DashboardScope) -> DashboardFilterForm:
    """The filter form as applied, so the select boxes never claim a filter that is not in effect."""
    return DashboardFilterForm(user=scope.user, initial={
        "campaign": scope.campaign.pk if scope.campaign else None,
        "district": scope.district.pk if scope.district else None,
        "category": scope.category,
    })
