from __future__ import annotations

import dataclasses

from scoring.reports import Certificate, render_certificate_pdf
from tests.scoring.reports.pdf_reading import pdf_reader, pdf_text


def test_one_landscape_page_with_name_award_year_and_place(certificate: Certificate) -> None:
    pdf = render_certificate_pdf(certificate)
    reader = pdf_reader(pdf)
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert box.width > box.height
    text = pdf_text(pdf)
    for expected in ("荣誉证书", "赵云华 同志", "年度金牌管家", "2017年度", "龙潭街道幸福社区", "东城区龙潭街道办事处",
                     "二〇一八年一月十日"):
        assert expected in text
    metadata = reader.metadata
    assert metadata is not None
    assert metadata.title == "赵云华 · 2017 · 年度金牌管家证书"


def test_credential_id_and_verification_hint(certificate: Certificate) -> None:
    text = pdf_text(render_certificate_pdf(certificate))
    assert "LT-2017-GS-001" in text
    assert "stewards awards verify LT-2017-GS-001.json" in text


def test_team_certificate_names_the_team_and_its_members(team_certificate: Certificate) -> None:
    text = pdf_text(render_certificate_pdf(team_certificate))
    assert "幸福北里小巷管家团" in text and "金牌小巷管家团" in text
    assert "同志" not in text
    for member in team_certificate.members:
        assert member in text


def test_reproducible(certificate: Certificate) -> None:
    first = render_certificate_pdf(certificate)
    assert render_certificate_pdf(certificate) == first
    assert render_certificate_pdf(dataclasses.replace(certificate, name="韩险峰")) != first
