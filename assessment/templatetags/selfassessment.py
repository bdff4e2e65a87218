"""Template filters of the self-assessment and review pages."""
from django import template

from assessment.rubric_schema import format_points

register = template.Library()


@register.filter
def points(value):
    """`3`, `1.5`: points as the rubric writes them (no `3.00`); empty for no score."""
    if value is None or value == "":
        return ""
    return format_points(value)


@register.filter
def minus(points_value, count=1):
    """The deduction a choice costs: points × count."""
    try:
        return format_points(points_value * int(count))
    except (TypeError, ValueError):
        return ""


@register.filter
def anchor(code) -> str:
    """An item or block code as an HTML id fragment: "1.3" → "1-3" (same rule as ItemRow.dom_id)."""
    return str(code).replace(".", "-")
