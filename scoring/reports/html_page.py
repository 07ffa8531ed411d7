"""Draw a `Document` as one self-contained HTML page: inline CSS and inline SVG charts, no script,
no network, every piece of text escaped.

Pages are printed by the street office, so the style sheet sets an A4 page and keeps table rows and
charts whole across page breaks.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Final

from scoring.reports.charts import layout_bar_chart
from scoring.reports.document import Block, Bullets, ChartBlock, Document, Para, Section, Subheading, TableBlock
from scoring.reports.svg import chart_svg

STYLE: Final = """
@page { size: A4; margin: 18mm; }
body { font-family: "Noto Serif CJK SC", "Source Han Serif SC", "Songti SC", "SimSun", serif;
       color: #222; max-width: 190mm; margin: 0 auto; line-height: 1.6; font-size: 11pt; }
header { text-align: center; border-bottom: 2px solid #a31515; margin-bottom: 1em; }
h1 { color: #a31515; font-size: 20pt; margin: 0.4em 0 0.2em; }
.subtitle { color: #444; margin: 0 0 0.6em; }
h2 { color: #a31515; font-size: 14pt; margin: 1.2em 0 0.4em; }
h3 { font-size: 12pt; margin: 1em 0 0.3em; }
table { border-collapse: collapse; width: 100%; margin: 0.4em 0 0.8em; font-size: 10pt; }
th, td { border: 1px solid #999; padding: 2px 6px; text-align: left; vertical-align: top; }
thead th, tfoot th { background: #f3e9e4; }
.num { text-align: right; font-variant-numeric: tabular-nums; }
tr { page-break-inside: avoid; }
svg.chart { display: block; margin: 0.6em auto; max-width: 100%; height: auto; page-break-inside: avoid; }
svg.chart text { font-family: inherit; fill: #222; }
.signature { text-align: right; margin-top: 2em; }
.note { color: #555; font-size: 9pt; }
""".strip()


def render_html(doc: Document) -> str:
    signature = "".join(f"<div>{_e(line)}</div>" for line in doc.signature)
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
        f'<meta name="author" content="{_e(doc.author)}">\n'
        f'<meta name="description" content="{_e(doc.subject)}">\n'
        f"<title>{_e(doc.title)}</title>\n<style>\n{STYLE}\n</style>\n</head>\n<body>\n"
        f'<header>\n<h1>{_e(doc.title)}</h1>\n<p class="subtitle">{_e(doc.subtitle)}</p>\n</header>\n'
        + "".join(_section(s) for s in doc.sections)
        + f'<footer class="signature">{signature}</footer>\n</body>\n</html>\n'
    )


def _section(s: Section) -> str:
    return (
        f'<section id="{_e(s.section_id)}">\n<h2>{_e(s.heading)}</h2>\n'
        + "".join(_block(b) for b in s.blocks)
        + "</section>\n"
    )


def _block(block: Block) -> str:
    match block:
        case Para(text, note):
            return f'<p class="note">{_e(text)}</p>\n' if note else f"<p>{_e(text)}</p>\n"
        case Subheading(text):
            return f"<h3>{_e(text)}</h3>\n"
        case Bullets(items, ordered):
            tag = "ol" if ordered else "ul"
            return f"<{tag}>" + "".join(f"<li>{_e(i)}</li>" for i in items) + f"</{tag}>\n"
        case TableBlock():
            return _table(block)
        case ChartBlock(chart):
            return chart_svg(layout_bar_chart(chart)) + "\n"
    raise AssertionError(block)  # pragma: no cover - the match is exhaustive


def _table(t: TableBlock) -> str:
    def cells(row: Sequence[str], tag: str) -> str:
        return "".join(
            f'<{tag} class="num">{_e(v)}</{tag}>' if i in t.numeric_columns else f"<{tag}>{_e(v)}</{tag}>"
            for i, v in enumerate(row)
        )

    head = "<thead><tr>" + "".join(f"<th>{_e(h)}</th>" for h in t.header) + "</tr></thead>"
    body = "<tbody>" + "".join(f"<tr>{cells(r, 'td')}</tr>" for r in t.rows) + "</tbody>"
    foot = f"<tfoot><tr>{cells(t.footer, 'th')}</tr></tfoot>" if t.footer is not None else ""
    return f'<table class="{_e(t.css_class)}">{head}{body}{foot}</table>\n'


def _e(text: str) -> str:
    return escape(text, quote=True)
