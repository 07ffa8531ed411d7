"""Draw a chart layout as inline SVG: no script, no external font or style sheet, stable text.

Numbers are printed with at most two decimals so the same layout always gives the same bytes.
"""

from __future__ import annotations

from html import escape
from typing import Final

from scoring.reports.charts import ChartLayout

FONT_SIZE_PT: Final = 10
TITLE_FONT_SIZE_PT: Final = 12
AXIS_COLOUR: Final = "#555555"
GRID_COLOUR: Final = "#dddddd"


def chart_svg(layout: ChartLayout) -> str:
    h = layout.height
    plot = layout.plot
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="{_n(layout.width)}" '
        f'height="{_n(h)}" viewBox="0 0 {_n(layout.width)} {_n(h)}" role="img" '
        f'aria-label="{escape(layout.title)}">',
        f"<title>{escape(layout.title)}</title>",
        f'<text x="{_n(plot.x)}" y="{_n(TITLE_FONT_SIZE_PT + 4)}" font-size="{TITLE_FONT_SIZE_PT}" '
        f'font-weight="bold">{escape(layout.title)}（{escape(layout.unit)}）</text>',
    ]
    for tick in layout.ticks:
        y = h - tick.y
        colour = AXIS_COLOUR if tick.value == 0 else GRID_COLOUR
        parts.append(
            f'<line x1="{_n(plot.x)}" y1="{_n(y)}" x2="{_n(plot.x + plot.width)}" y2="{_n(y)}" '
            f'stroke="{colour}" stroke-width="0.8"/>'
        )
        parts.append(
            f'<text x="{_n(plot.x - 4)}" y="{_n(y + FONT_SIZE_PT / 3)}" font-size="{FONT_SIZE_PT}" '
            f'text-anchor="end" fill="{AXIS_COLOUR}">{tick.value}</text>'
        )
    for bar in layout.bars:
        b = bar.box
        parts.append(
            f'<rect x="{_n(b.x)}" y="{_n(h - b.y - b.height)}" width="{_n(b.width)}" '
            f'height="{_n(b.height)}" fill="{escape(bar.colour)}"><title>{bar.value}</title></rect>'
        )
        parts.append(
            f'<text x="{_n(b.x + b.width / 2)}" y="{_n(h - b.y - b.height - 3)}" '
            f'font-size="{FONT_SIZE_PT - 1}" text-anchor="middle">{bar.value}</text>'
        )
    for label in layout.labels:
        parts.append(
            f'<text x="{_n(label.x)}" y="{_n(h - plot.y + FONT_SIZE_PT + 6)}" font-size="{FONT_SIZE_PT}" '
            f'text-anchor="middle">{escape(label.text)}</text>'
        )
    for item in layout.legend:
        y = TITLE_FONT_SIZE_PT + 4
        parts.append(
            f'<rect x="{_n(item.x)}" y="{_n(y - FONT_SIZE_PT + 1)}" width="{FONT_SIZE_PT}" '
            f'height="{FONT_SIZE_PT}" fill="{escape(item.colour)}"/>'
        )
        parts.append(
            f'<text x="{_n(item.x + FONT_SIZE_PT + 4)}" y="{_n(y)}" font-size="{FONT_SIZE_PT}">'
            f"{escape(item.name)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def _n(x: float) -> str:
    """A coordinate with at most two decimals and no trailing zeros: 12, 12.5, 12.33."""
    text = f"{x:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text
