"""A document's contents as the closing jobs store them (`document_data`): every field, JSON-ready, and read
back by the API's schemas."""

from __future__ import annotations

import json

from api.schemas.documents import AwardReportOut, BulletinOut
from scoring.reports import document_data
from tests.scoring.reports.samples import sample_award_report, sample_bulletin

RECORD = {"period": "2017-Q3", "subdistrict_id": 1, "closed_at": "2017-10-01T00:00:00Z", "pdf_sha256": "0" * 64}


def test_a_bulletins_data_is_json_and_holds_every_field() -> None:
    bulletin = sample_bulletin()
    data = json.loads(json.dumps(document_data(bulletin), ensure_ascii=False))  # as the JSON column stores it
    assert data["title"] == bulletin.title
    assert data["issued_on"] == bulletin.issued_on.isoformat()
    assert [r["name"] for r in data["rankings"]] == [r.name for r in bulletin.rankings]
    assert data["open_cases"][0]["reported_on"] == bulletin.open_cases[0].reported_on.isoformat()
    assert data["notable_teams"][0]["members"] == list(bulletin.notable_teams[0].members)
    out = BulletinOut.model_validate({**data, "record": RECORD})
    assert out.issued_on == bulletin.issued_on and len(out.monthly_points) == len(bulletin.monthly_points)


def test_an_award_reports_data_is_json_and_holds_every_field() -> None:
    award_report = sample_award_report()
    data = json.loads(json.dumps(document_data(award_report), ensure_ascii=False))
    winner = award_report.groups[0].winners[0]
    assert data["groups"][0]["winners"][0]["evidence"]["points"] == winner.evidence.points
    assert data["tie_breaks"] == list(award_report.tie_breaks)
    out = AwardReportOut.model_validate({**data, "record": RECORD})
    assert out.groups[0].winners[0].credential_id == winner.credential_id
    assert out.team_awards[0].members[0].name == award_report.team_awards[0].members[0].name
