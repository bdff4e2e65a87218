"""Server-side SVG charts for the PDF reports: inline markup, no script, no network, no JS library.

WeasyPrint draws inline SVG itself; text inside the SVG names the report font explicitly because SVG
text does not inherit the HTML font reliably."""
from dataclasses import dataclass
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from assessment.rubric_schema import format_points
from greenoffice.pdf import REPORT_FONT_FAMILIES

SELF_COLOUR = "#9bb7d4"
VERIFIED_COLOUR = "#1f6b3a"
MAX_COLOUR = "#eeeeee"


@dataclass(frozen=True)
class Bar:
    label: str
    max_points: Decimal
    self_score: Decimal | None
    verified_score: Decimal | None
    self_max: Decimal | None = None  # the maximum of the self-scored items (assessment.figures' self basis)


def _num(value) -> str:
    return f"{float(value):.2f}".rstrip("0").rstrip(".")


def block_bar_chart(bars: list[Bar], *, width: int = 640, title: str = "") -> SafeString:
    """Horizontal bars per block: the block's full points as a grey track, the self score and the
    verified score as two bars on it, with the figures printed at the bar ends."""
    font = f'font-family="{REPORT_FONT_FAMILIES}"'
    label_w, value_w, row_h, bar_h, top = 150, 130, 32, 11, 30 if title else 8
    track_w = width - label_w - value_w
    height = top + row_h * len(bars) + 26
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img">'
    ]
    if title:
        out.append(f'<text x="0" y="16" {font} font-size="13">{escape(title)}</text>')
    for index, bar in enumerate(bars):
        y = top + index * row_h
        maximum = float(bar.max_points) or 1.0
        out.append(f'<text x="0" y="{y + 19}" {font} font-size="12">{escape(bar.label)}</text>')
        out.append(f'<rect x="{label_w}" y="{y + 2}" width="{track_w}" height="{bar_h * 2 + 4}" fill="{MAX_COLOUR}"/>')
        for offset, value, colour in ((0, bar.self_score, SELF_COLOUR), (bar_h + 4, bar.verified_score,
                                                                          VERIFIED_COLOUR)):
            if value is None:
                continue
            w = max(0.0, min(1.0, float(value) / maximum)) * track_w
            out.append(f'<rect x="{label_w}" y="{y + 2 + offset}" width="{w:.1f}" height="{bar_h}" fill="{colour}"/>')
        figures = []
        figures.append(format_points(bar.self_score) if bar.self_score is not None else "—")
        figures.append(format_points(bar.verified_score) if bar.verified_score is not None else "—")
        if bar.self_max is not None:
            # Each side over its own maximum: the self side covers only the self-scored items.
            text = (f"{figures[0]}/{format_points(bar.self_max)} · "
                    f"{figures[1]}/{format_points(bar.max_points)}")
        else:
            text = f'{" / ".join(figures)} / {format_points(bar.max_points)}'
        out.append(f'<text x="{label_w + track_w + 8}" y="{y + 19}" {font} font-size="11">{escape(text)}</text>')
    legend_y = top + row_h * len(bars) + 14
    out.append(f'<rect x="{label_w}" y="{legend_y - 9}" width="12" height="10" fill="{SELF_COLOUR}"/>')
    out.append(f'<text x="{label_w + 16}" y="{legend_y}" {font} font-size="11">自评得分</text>')
    out.append(f'<rect x="{label_w + 90}" y="{legend_y - 9}" width="12" height="10" fill="{VERIFIED_COLOUR}"/>')
    out.append(f'<text x="{label_w + 106}" y="{legend_y}" {font} font-size="11">核定得分</text>')
    if any(b.self_max is not None for b in bars):
        legend, legend_x = "右侧数字:自评/自评项目满分 · 核定/满分", label_w + 200
    else:
        legend, legend_x = "自评 / 核定 / 满分", label_w + track_w + 8
    out.append(f'<text x="{legend_x}" y="{legend_y}" {font} font-size="10" fill="#555">{legend}</text>')
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308 - every text node above is escaped


def ranking_bar_chart(rows: list[tuple[str, Decimal]], *, maximum: Decimal, width: int = 640) -> SafeString:
    """One bar per row (label, value), for district averages in the campaign summary."""
    font = f'font-family="{REPORT_FONT_FAMILIES}"'
    label_w, value_w, row_h = 150, 60, 22
    track_w = width - label_w - value_w
    height = row_h * len(rows) + 6
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
           f'height="{height}" role="img">']
    top = float(maximum) or 1.0
    for index, (label, value) in enumerate(rows):
        y = index * row_h + 3
        w = max(0.0, min(1.0, float(value) / top)) * track_w
        out.append(f'<text x="0" y="{y + 13}" {font} font-size="11">{escape(label)}</text>')
        out.append(f'<rect x="{label_w}" y="{y + 2}" width="{track_w}" height="14" fill="{MAX_COLOUR}"/>')
        out.append(f'<rect x="{label_w}" y="{y + 2}" width="{w:.1f}" height="14" fill="{VERIFIED_COLOUR}"/>')
        out.append(f'<text x="{label_w + track_w + 6}" y="{y + 13}" {font} font-size="11">{_num(value)}</text>')
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308 - every text node above is escaped
