"""证书: one landscape page per award winner — name, 年度金牌管家, year, subdistrict, issuer, date,
and a line with the credential id and how to verify it offline.

Drawn straight on a canvas (a certificate is a fixed layout, not flowing text), reproducibly: the
same certificate gives the same bytes.
"""

from __future__ import annotations

import io
import logging
from typing import Final

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph

from scoring.reports.model import Certificate
from scoring.reports.pdf import ACCENT, cjk_font, para, pdf_canvas
from scoring.reports.wording import formal_day_text

log = logging.getLogger(__name__)

PAGE_SIZE: Final = landscape(A4)
GOLD: Final = colors.HexColor("#c9a227")
OUTER_BORDER_INSET_PT: Final = 22.0
INNER_BORDER_INSET_PT: Final = 32.0
TEXT_INSET_PT: Final = 110.0
HEADING: Final = "荣誉证书"


def render_certificate_pdf(cert: Certificate) -> bytes:
    font = cjk_font()
    width, height = PAGE_SIZE
    buf = io.BytesIO()
    c = pdf_canvas(buf, pagesize=PAGE_SIZE, title=cert.title, author=cert.issuer,
                   subject=f"{cert.subdistrict} {cert.year}年度{cert.award} · {cert.credential_id}")

    c.setStrokeColor(GOLD)
    c.setLineWidth(5)
    c.rect(OUTER_BORDER_INSET_PT, OUTER_BORDER_INSET_PT,
           width - 2 * OUTER_BORDER_INSET_PT, height - 2 * OUTER_BORDER_INSET_PT)
    c.setStrokeColor(ACCENT)
    c.setLineWidth(1)
    c.rect(INNER_BORDER_INSET_PT, INNER_BORDER_INSET_PT,
           width - 2 * INNER_BORDER_INSET_PT, height - 2 * INNER_BORDER_INSET_PT)

    c.setFillColor(ACCENT)
    c.setFont(font, 40)
    c.drawCentredString(width / 2, height - 120, HEADING)

    text_width = width - 2 * TEXT_INSET_PT
    salutation = f"{cert.name}：" if cert.is_team else f"{cert.name} 同志："
    body_style = ParagraphStyle("cert-body", fontName=font, fontSize=18, leading=30, wordWrap="CJK",
                                alignment=TA_LEFT, firstLineIndent=36)
    place = f"{cert.subdistrict}{cert.community}" if cert.community else cert.subdistrict
    y = height - 190
    y = _draw(c, para(salutation, ParagraphStyle("cert-name", fontName=font, fontSize=22, leading=30)),
              TEXT_INSET_PT, y, text_width)
    if cert.members:
        y = _draw(c, para(f"（成员：{'、'.join(cert.members)}）",
                          ParagraphStyle("cert-members", fontName=font, fontSize=12, leading=18, wordWrap="CJK")),
                  TEXT_INSET_PT, y - 2, text_width) - 6
    y = _draw(c, para(f"在{cert.year}年度{place}小巷管家工作中，坚持日巡周查，发现问题、劝阻不文明行为，"
                      "成绩突出，被评为", body_style), TEXT_INSET_PT, y - 6, text_width)
    award_style = ParagraphStyle("cert-award", fontName=font, fontSize=34, leading=50, alignment=TA_CENTER,
                                 textColor=ACCENT)
    y = _draw(c, para(cert.award, award_style), TEXT_INSET_PT, y - 4, text_width)
    _draw(c, para("特发此证，以资鼓励。", body_style), TEXT_INSET_PT, y, text_width)

    c.setFillColor(colors.black)
    c.setFont(font, 16)
    right = width - TEXT_INSET_PT
    c.drawRightString(right, 150, f"{cert.district}{cert.issuer}")
    c.drawRightString(right, 124, formal_day_text(cert.issued_on))

    c.setFont(font, 9)
    c.setFillColor(colors.HexColor("#555555"))
    c.drawCentredString(width / 2, INNER_BORDER_INSET_PT + 14,
                        f"证书编号：{cert.credential_id}　　核验：{cert.verification_hint}")
    c.showPage()
    c.save()
    pdf = buf.getvalue()
    log.debug("rendered certificate %s: %d bytes", cert.credential_id, len(pdf))
    return pdf


def _draw(canvas: Canvas, paragraph: Paragraph, x: float, top: float, width: float) -> float:
    """Draw a paragraph with its top edge at `top`; return where the next one starts."""
    _, h = paragraph.wrap(width, top)
    paragraph.drawOn(canvas, x, top - h)
    return top - h
