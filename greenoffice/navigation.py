"""The main menu: which role sees which entry. One list, so the menu and the role matrix agree."""
from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from units.models import Role

ALL_ROLES = frozenset(Role.values)
# The city's reviewers see no unit's day-to-day data (orders, ledger, units): only the city review.
UNIT_ROLES = ALL_ROLES - {Role.REVIEWER}


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    roles: frozenset
    icon: str = ""


NAV_ITEMS = (
    NavItem(_("首页"), "home", ALL_ROLES, "house"),
    NavItem(_("数据看板"), "dashboard:index", frozenset({Role.LEADER, Role.INSPECTOR, Role.ADMIN}), "bar-chart"),
    NavItem(_("自评"), "assessment:my_assessments", frozenset({Role.DIRECTOR}), "pencil-square"),
    NavItem(_("审核"), "assessment:review_queue", frozenset({Role.INSPECTOR, Role.ADMIN}), "clipboard-check"),
    NavItem(_("督查检查"), "inspections:round_list", frozenset({Role.INSPECTOR, Role.ADMIN, Role.LEADER}), "search"),
    NavItem(_("整改通知"), "inspections:order_list", UNIT_ROLES, "exclamation-triangle"),
    NavItem(_("年终考核"), "inspections:review_list", frozenset({Role.INSPECTOR, Role.ADMIN, Role.LEADER}), "award"),
    NavItem(_("市级评审"), "inspections:city_review_list",
            frozenset({Role.REVIEWER, Role.INSPECTOR, Role.LEADER, Role.ADMIN}), "patch-check"),
    NavItem(_("能源台账"), "ledger:index", UNIT_ROLES, "lightning-charge"),
    NavItem(_("评议评选"), "evaluation:index", UNIT_ROLES, "megaphone"),
    NavItem(_("报告"), "reports:list", ALL_ROLES, "file-earmark-pdf"),
    NavItem(_("单位管理"), "units:list", UNIT_ROLES, "building"),
    NavItem(_("考评细则"), "assessment:rubric_list", frozenset({Role.ADMIN, Role.INSPECTOR}), "journal-text"),
    NavItem(_("操作记录"), "audit_list", frozenset({Role.ADMIN}), "clock-history"),
    NavItem(_("创建年度"), "assessment:campaign_list", frozenset({Role.ADMIN, Role.INSPECTOR, Role.LEADER}),
            "calendar"),
)


def nav_items_for(user) -> list[dict]:
    if not getattr(user, "is_authenticated", False):
        return []
    role = Role.ADMIN if user.is_admin_role else user.role
    items = []
    for item in NAV_ITEMS:
        if role not in item.roles:
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            # Entries of features not installed yet stay hidden.
            continue
        items.append({"label": item.label, "url": url, "icon": item.icon, "url_name": item.url_name})
    return items
