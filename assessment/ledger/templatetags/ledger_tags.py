"""Filters of the ledger templates, and `suggestion_for` for pages that include
templates/ledger/_suggestion.html (the self-assessment and the year-end review)."""
from django import template

from assessment.ledger import indicators

register = template.Library()


@register.filter
def suggestion_for(suggestions, item_code):
    """`ledger_suggestions|suggestion_for:item.code` → the item's Suggestion, or None (no partial)."""
    if not suggestions:
        return None
    return suggestions.get(str(item_code))


@register.filter
def num(value, places=1):
    """`83,164.5`; 无法计算 for None (and for a missing attribute, which templates make "")."""
    return indicators.fmt(None if value in (None, "") else value, int(places))


@register.filter
def qty(value):
    return "" if value in (None, "") else indicators.fmt_qty(value)


@register.filter
def points(value):
    return "" if value in (None, "") else indicators.fmt_points(value)


@register.filter
def pct(value):
    return indicators.fmt_pct(None if value in (None, "") else value)


@register.filter
def attr(obj, name):
    return getattr(obj, str(name), None) if obj is not None else None


@register.filter
def get(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def co2_plain(value):
    """`kgCO₂` → `kgCO2` for the PDF reports: the bundled report font (GB 2312 and a few symbol ranges)
    has no subscript digits, and one missing glyph would embed the whole fallback font."""
    return "" if value in (None, "") else str(value).replace("₂", "2")
