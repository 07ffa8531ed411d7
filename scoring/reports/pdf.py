"""Draw a `Document` as a PDF, and what every PDF shares: the CJK font, paragraph and table styles,
charts as reportlab drawings, and pages that give the same bytes for the same content.

Chinese text uses reportlab's built-in 'STSong-Light' CID font: viewers supply the glyphs, so no font
file ships with the project and the PDFs stay small. `invariant=1` fixes the creation date and the
document id, which is what makes a PDF reproducible from its data.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Final
from xml.sax.saxutils import escape

from reportlab.graphics.shapes import Drawing, Line, Rect, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    ListFlowable,
    ListItem,
    Paragraph,
    SimpleDocTemplate,
    Table,
    TableStyle,
)

from scoring.reports.charts import ChartLayout, layout_bar_chart
from scoring.reports.document import Block, Bullets, ChartBlock, Document, Para, Subheading, TableBlock

CJK_FONT: Final = "STSong-Light"
BULLET_FONT: Final = "Helvetica"
PDF_CREATOR: Final = "街巷管家 Lane Stewards"
PAGE_MARGIN_PT: Final = 18 * mm
FOOTER_FONT_SIZE_PT: Final = 8
HEADER_FILL: Final = colors.HexColor("#f3e9e4")
RULE_COLOUR: Final = colors.HexColor("#999999")
ACCENT: Final = colors.HexColor("#a31515")


@functools.cache
def cjk_font() -> str:
    """Register the CID font once per process (reportlab keeps a global font registry)."""
    pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))
    return CJK_FONT


@dataclass(frozen=True, slots=True)
class Styles:
    title: ParagraphStyle
    subtitle: ParagraphStyle
    heading: ParagraphStyle
    subheading: ParagraphStyle
    body: ParagraphStyle
    note: ParagraphStyle
    cell: ParagraphStyle
    signature: ParagraphStyle
    signature_more: ParagraphStyle


@functools.cache
def styles() -> Styles:
    font = cjk_font()

    def style(name: str, size: float, **extra: Any) -> ParagraphStyle:
        # wordWrap CJK breaks lines between any two characters, as Chinese text does.
        return ParagraphStyle(name, fontName=font, fontSize=size, leading=size * 1.5, wordWrap="CJK", **extra)

    return Styles(
        title=style("title", 18, alignment=TA_CENTER, textColor=ACCENT, spaceAfter=4),
        subtitle=style("subtitle", 10, alignment=TA_CENTER, textColor=colors.HexColor("#444444"), spaceAfter=10),
        heading=style("heading", 13, spaceBefore=12, spaceAfter=6, textColor=ACCENT, keepWithNext=1),
        subheading=style("subheading", 11.5, spaceBefore=8, spaceAfter=4, keepWithNext=1),
        body=style("body", 10.5, spaceAfter=4),
        note=style("note", 8.5, textColor=colors.HexColor("#555555"), spaceAfter=4),
        cell=style("cell", 9),
        signature=style("signature", 10.5, alignment=TA_RIGHT, spaceBefore=24),
        signature_more=style("signature_more", 10.5, alignment=TA_RIGHT),
    )


def para(text: str, style: ParagraphStyle) -> Paragraph:
    """A paragraph of plain text: reportlab reads markup, so data is escaped first."""
    return Paragraph(escape(text), style)


def _table(t: TableBlock, frame_width_pt: float) -> Table:
    cell = styles().cell
    total = sum(t.widths)
    widths = [frame_width_pt * w / total for w in t.widths]

    def row_cells(row: Sequence[str]) -> list[str | Paragraph]:
        return [para(v, cell) if i in t.wrap_columns else v for i, v in enumerate(row)]

    rows: list[list[str | Paragraph]] = [list(t.header), *(row_cells(r) for r in t.rows)]
    commands: list[tuple[Any, ...]] = [
        ("FONTNAME", (0, 0), (-1, -1), cjk_font()),
        ("FONTSIZE", (0, 0), (-1, -1), 9),
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
        ("GRID", (0, 0), (-1, -1), 0.5, RULE_COLOUR),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ]
    commands += [("ALIGN", (c, 1), (c, -1), "RIGHT") for c in sorted(t.numeric_columns)]
    if t.footer is not None:
        rows.append(list(t.footer))
        commands.append(("BACKGROUND", (0, -1), (-1, -1), HEADER_FILL))
    return Table(rows, colWidths=widths, repeatRows=1, style=TableStyle(commands))


def chart_drawing(layout: ChartLayout) -> Drawing:
    font = cjk_font()
    plot = layout.plot
    d = Drawing(layout.width, layout.height)
    d.add(String(plot.x, layout.height - 16, f"{layout.title}（{layout.unit}）", fontName=font, fontSize=12))
    for tick in layout.ticks:
        colour = colors.HexColor("#555555") if tick.value == 0 else colors.HexColor("#dddddd")
        d.add(Line(plot.x, tick.y, plot.x + plot.width, tick.y, strokeColor=colour, strokeWidth=0.8))
        d.add(String(plot.x - 4, tick.y - 3, str(tick.value), fontName=font, fontSize=9, textAnchor="end"))
    for bar in layout.bars:
        b = bar.box
        # types-reportlab annotates Rect's **kw as the TypedDict itself, not Unpack of it.
        d.add(Rect(b.x, b.y, b.width, b.height, fillColor=colors.HexColor(bar.colour), strokeColor=None))  # type: ignore[arg-type]
        d.add(String(b.x + b.width / 2, b.y + b.height + 3, str(bar.value), fontName=font, fontSize=8,
                     textAnchor="middle"))
    for label in layout.labels:
        d.add(String(label.x, plot.y - 14, label.text, fontName=font, fontSize=9, textAnchor="middle"))
    for item in layout.legend:
        y = layout.height - 16
        d.add(Rect(item.x, y - 1, 9, 9, fillColor=colors.HexColor(item.colour), strokeColor=None))  # type: ignore[arg-type]
        d.add(String(item.x + 13, y, item.name, fontName=font, fontSize=9))
    return d


def render_pdf(doc: Document) -> bytes:
    """Lay out a document on A4 pages with "title · 第 n 页" at the foot of every page."""
    st = styles()
    buf = io.BytesIO()
    template = SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=PAGE_MARGIN_PT,
        rightMargin=PAGE_MARGIN_PT,
        topMargin=PAGE_MARGIN_PT,
        bottomMargin=PAGE_MARGIN_PT,
        title=doc.title,
        author=doc.author,
        subject=doc.subject,
        creator=PDF_CREATOR,
        invariant=1,
    )
    story: list[Flowable] = [para(doc.title, st.title), para(doc.subtitle, st.subtitle)]
    for section in doc.sections:
        story.append(para(section.heading, st.heading))
        story.extend(_flowable(block, template.width) for block in section.blocks)
    # The signature never stands alone on a page: it keeps the last block, and the headings that
    # lead into that block, on its page.
    tail: list[Flowable] = [story.pop()]
    while story and story[-1].getKeepWithNext():  # type: ignore[no-untyped-call]  # unannotated in types-reportlab
        tail.insert(0, story.pop())
    signature = [para(line, st.signature if i == 0 else st.signature_more) for i, line in enumerate(doc.signature)]
    story.append(KeepTogether([*tail, *signature]))
    footer = _footer(doc.title)
    template.build(story, onFirstPage=footer, onLaterPages=footer)
    return buf.getvalue()


def _flowable(block: Block, frame_width_pt: float) -> Flowable:
    st = styles()
    match block:
        case Para(text, note):
            return para(text, st.note if note else st.body)
        case Subheading(text):
            return para(text, st.subheading)
        case Bullets(items, ordered):
            return ListFlowable(
                # ListFlowable takes ListItems, which types-reportlab's flowable alias leaves out.
                [ListItem(para(i, st.body)) for i in items],  # type: ignore[misc]
                bulletType="1" if ordered else "bullet",
                # The CID font has no bullet glyph; a standard font draws both bullets and numbers.
                bulletFontName=BULLET_FONT,
                bulletFontSize=9,
                leftIndent=14,
            )
        case TableBlock():
            return _table(block, frame_width_pt)
        case ChartBlock(chart):
            return chart_drawing(layout_bar_chart(chart))
    raise AssertionError(block)  # pragma: no cover - the match is exhaustive


def pdf_canvas(buf: io.BytesIO, *, pagesize: tuple[float, float], title: str, author: str, subject: str) -> Canvas:
    """A bare canvas for one-page documents drawn by hand, reproducible like `render_pdf`'s."""
    cjk_font()
    canvas = Canvas(buf, pagesize=pagesize, invariant=1)
    canvas.setTitle(title)
    canvas.setAuthor(author)
    canvas.setSubject(subject)
    canvas.setCreator(PDF_CREATOR)
    return canvas


def _footer(title: str) -> Callable[[Canvas, SimpleDocTemplate], None]:
    def draw(canvas: Canvas, doc: SimpleDocTemplate) -> None:
        canvas.saveState()
        canvas.setFont(CJK_FONT, FOOTER_FONT_SIZE_PT)
        canvas.setFillColor(colors.HexColor("#666666"))
        canvas.drawCentredString(doc.pagesize[0] / 2, PAGE_MARGIN_PT / 2, f"{title} · 第 {doc.page} 页")
        canvas.restoreState()

    return draw
