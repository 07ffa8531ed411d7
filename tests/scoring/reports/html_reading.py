"""Read rendered HTML back with the standard library's parser: tables by class, sections, elements."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Table:
    header: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    footer: list[str] = field(default_factory=list)


@dataclass
class Page:
    title: str
    h1: str
    section_ids: list[str]
    headings: list[str]
    tables: dict[str, list[Table]]
    list_items: list[str]
    paragraphs: list[str]
    tags: Counter[str]
    attribute_values: list[str]
    svg_texts: list[str]


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = Page("", "", [], [], {}, [], [], Counter(), [], [])
        self._stack: list[str] = []
        self._text: list[str] = []
        self._table: Table | None = None
        self._part = ""
        self._row: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self.page.tags[tag] += 1
        self.page.attribute_values.extend(v for v in a.values() if v)
        if tag == "section" and a.get("id"):
            self.page.section_ids.append(a["id"] or "")
        if tag == "table":
            self._table = Table()
            self.page.tables.setdefault(a.get("class") or "", []).append(self._table)
        if tag in ("thead", "tbody", "tfoot"):
            self._part = tag
        if tag == "tr":
            self._row = []
        if tag in ("td", "th", "li", "p", "h1", "h2", "h3", "title", "text"):
            self._text = []
        self._stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        text = "".join(self._text).strip()
        if tag in ("td", "th") and self._row is not None:
            self._row.append(text)
        elif tag == "tr" and self._table is not None and self._row is not None:
            if self._part == "thead":
                self._table.header = self._row
            elif self._part == "tfoot":
                self._table.footer = self._row
            else:
                self._table.rows.append(self._row)
            self._row = None
        elif tag == "li":
            self.page.list_items.append(text)
        elif tag == "p":
            self.page.paragraphs.append(text)
        elif tag in ("h2", "h3"):
            self.page.headings.append(text)
        elif tag == "h1":
            self.page.h1 = text
        elif tag == "title" and "svg" not in self._stack:
            self.page.title = text
        elif tag == "text":
            self.page.svg_texts.append(text)
        if self._stack and self._stack[-1] == tag:
            self._stack.pop()

    def handle_data(self, data: str) -> None:
        self._text.append(data)


def read_page(html: str) -> Page:
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return reader.page
