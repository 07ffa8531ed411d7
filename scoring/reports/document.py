"""A document as a few kinds of blocks, so each report is written once and drawn as HTML and PDF.

The bulletin and the award report build a `Document`; `html_page.render_html` and
`pdf.render_pdf` draw it. Both formats therefore carry the same words and figures.
"""

from __future__ import annotations

from dataclasses import dataclass

from scoring.reports.charts import BarChart


@dataclass(frozen=True, slots=True)
class Para:
    text: str
    note: bool = False  # small print: rule versions, how figures were counted


@dataclass(frozen=True, slots=True)
class Subheading:
    text: str


@dataclass(frozen=True, slots=True)
class Bullets:
    items: tuple[str, ...]
    ordered: bool = False


@dataclass(frozen=True, slots=True)
class TableBlock:
    css_class: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    widths: tuple[float, ...]  # relative column widths; the PDF scales them to the page
    numeric_columns: frozenset[int] = frozenset()
    wrap_columns: frozenset[int] = frozenset()  # long text that wraps inside the cell in the PDF
    footer: tuple[str, ...] | None = None  # a totals row


@dataclass(frozen=True, slots=True)
class ChartBlock:
    chart: BarChart


Block = Para | Subheading | Bullets | TableBlock | ChartBlock


@dataclass(frozen=True, slots=True)
class Section:
    section_id: str  # the HTML element id: "rankings", "patrols", ...
    heading: str
    blocks: tuple[Block, ...]


@dataclass(frozen=True, slots=True)
class Document:
    title: str
    subtitle: str
    author: str  # the issuing office
    subject: str
    sections: tuple[Section, ...]
    signature: tuple[str, ...]  # issuer and date, printed at the end
