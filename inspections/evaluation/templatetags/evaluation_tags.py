"""Template tags of the evaluation app, including the two small cards other apps' pages include:
the activity evidence of rubric item 1.6 (self-assessment and review pages) and the satisfaction gate
(year-end review page). They read through this app's selectors so those pages' views need no change."""
from django import template

from inspections.evaluation.selectors.activities import (
    ACTIVITIES_REQUIRED_PER_YEAR,
    ACTIVITY_ITEM_CODE,
    activity_participations_for,
)
from inspections.evaluation.selectors.gate import format_percent, satisfaction_gate
from inspections.permissions import can_read_supervision, is_bureau_staff

register = template.Library()


@register.simple_tag
def activity_evidence_for(item, enrolment):
    """None unless `item` is the activities item (1.6); else the unit's activities of the campaign year
    (two queries, only on that one card)."""
    if item is None or enrolment is None or getattr(item, "code", None) != ACTIVITY_ITEM_CODE:
        return None
    participations = activity_participations_for(unit=enrolment.unit, year=enrolment.campaign.year)
    counted = [p for p in participations if p.photo_count]
    return {"participations": participations, "count": len(counted), "required": ACTIVITIES_REQUIRED_PER_YEAR,
            "met": len(counted) >= ACTIVITIES_REQUIRED_PER_YEAR, "year": enrolment.campaign.year}


@register.simple_tag
def satisfaction_gate_of(enrolment):
    return satisfaction_gate(enrolment=enrolment) if enrolment is not None else None


@register.filter
def percent(value):
    return format_percent(value)


@register.inclusion_tag("evaluation/_nav.html", takes_context=True)
def evaluation_nav(context, active=""):
    user = context["request"].user
    return {"active": active, "reader": can_read_supervision(user), "staff": is_bureau_staff(user)}
