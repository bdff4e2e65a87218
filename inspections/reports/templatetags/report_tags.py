"""Filters for the report templates."""
from django import template

from assessment.rubric_schema import format_points

register = template.Library()


@register.filter
def points(value) -> str:
    """35, 1.5, or — for no score."""
    if value is None or value == "":
        return "—"
    return format_points(value)


@register.filter
def points_unit(value) -> str:
    """"3分", with a word joiner so a line never breaks between the figure and 分."""
    return f"{points(value)}\u2060分"


@register.filter
def filesize(value) -> str:
    if value is None:
        return "—"
    value = int(value)
    if value < 1024:
        return f"{value} B"
    if value < 1024 * 1024:
        return f"{value / 1024:.1f} KB"
    return f"{value / 1024 / 1024:.1f} MB"
