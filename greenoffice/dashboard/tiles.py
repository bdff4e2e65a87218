"""The battle map's tiles as HTML, built in Python.

A province shows up to 10,000 tiles; a `{% for %}` loop in the template spent ~300 ms on them, a join
of f-strings ~15 ms. The markup is the same a template would write: an escaped name in the title (and,
when few enough units, as the text), the stage as a class, the unit page as the link."""
from html import escape

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

NAME_CHARS = 7  # characters of the short name on a named tile


def _short(name: str) -> str:
    return name if len(name) <= NAME_CHARS else name[:NAME_CHARS] + "…"


def tiles_html(tiles: list[dict], *, named: bool) -> SafeString:
    # The standard library's escape (what Django's wraps) without the lazy-string wrapper: ~3x faster here.
    parts = []
    stages: dict[str, str] = {}
    late = escape(str(_("逾期")))
    for tile in tiles:
        text = escape(_short(tile["short"])) if named else ""
        stage = stages.get(tile["stage"])
        if stage is None:
            stage = stages[tile["stage"]] = escape(str(tile["stage"]))
        # url comes from reverse() plus an integer id and group from a fixed set of keys: nothing to escape.
        overdue = tile.get("overdue")
        parts.append(
            f'<a class="go-tile go-stage-{tile["group"]}{" go-overdue" if overdue else ""}" href="{tile["url"]}" '
            f'title="{escape(tile["name"])} · {stage}{f" · {late}" if overdue else ""}">{text}</a>'
        )
    return mark_safe("".join(parts))  # noqa: S308 (every user-supplied part is escaped above)
