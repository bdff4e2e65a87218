"""Template helpers of the inspections pages: points as people write them, and the section's tab bar
with the unread-notification count."""
from django import template
from django.utils.translation import gettext_lazy as _

from assessment.rubric_schema import format_points
from inspections.permissions import can_read_supervision, is_bureau_staff
from inspections.selectors.notifications import notification_unread_count

register = template.Library()


@register.filter
def pts(value):
    """`35`, `1.5`, `—` for nothing."""
    if value in (None, ""):
        return "—"
    try:
        return format_points(value)
    except (ValueError, ArithmeticError, TypeError):
        return value


@register.filter
def get_item(mapping, key):
    try:
        return mapping.get(key) if hasattr(mapping, "get") else mapping[key]
    except (KeyError, IndexError, TypeError):
        return None


@register.inclusion_tag("inspections/_section_nav.html", takes_context=True)
def section_nav(context, active=""):
    request = context["request"]
    user = request.user
    return {
        "active": active,
        "reader": can_read_supervision(user),
        "staff": is_bureau_staff(user),
        "unread": notification_unread_count(user=user) if user.is_authenticated else 0,
    }


ACTION_LABELS = {
    "order_issue": _("下发整改通知"),
    "order_acknowledge": _("签收"),
    "proof_submit": _("提交整改材料"),
    "rectification_verify": _("整改验收"),
    "order_reminder": _("到期提醒"),
    "order_escalate": _("逾期通报"),
}


@register.filter
def action_label(action: str):
    return ACTION_LABELS.get(action, action)
