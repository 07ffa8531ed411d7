"""The cycle's outputs over HTTP, on both stores: 月评, 季通报 and award reports as data and PDF, the winners,
certificates and credentials as downloads, the public credential check, and every way a request can miss."""

from __future__ import annotations

import copy
import hashlib
import json
from datetime import UTC, date, datetime
from pathlib import Path
from urllib.parse import unquote

import pytest
from fastapi.testclient import TestClient
from httpx2 import Response
from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import Session

from scoring.accounts.roles import Role
from scoring.awards import AwardFacts, AwardKind, IssuerKey, dumps_credential, issue_credential
from scoring.awards.dataintegrity import add_proof
from scoring.awards.jsonio import MAX_JSON_BYTES
from scoring.storage import tables as t
from tests.api.closed_cycle import QUARTER, SEEDS, YEAR, Closed, close_small_cycle
from tests.scoring.reports.pdf_reading import pdf_text

LONGTAN_KEY = IssuerKey.from_seed(SEEDS["longtan"], "龙潭街道办事处")


@pytest.fixture
def closed(seeded: Engine, tmp_path: Path) -> Closed:
    return close_small_cycle(seeded, tmp_path / "cycle")


@pytest.fixture
def client(closed: Closed) -> TestClient:
    return closed.client()


@pytest.fixture
def admin(closed: Closed) -> dict[str, str]:
    return closed.accounts().headers(Role.ADMIN)


def _error(r: Response, status: int, code: str) -> str:
    assert r.status_code == status, r.text
    assert r.json()["code"] == code
    detail: str = r.json()["detail"]
    return detail


def _names(r: Response) -> tuple[str, str]:
    """The ASCII fallback and the UTF-8 file name of a download."""
    disposition = r.headers["content-disposition"]
    assert disposition.startswith("attachment; ")
    fallback = disposition.split('filename="', 1)[1].split('"', 1)[0]
    utf8 = unquote(disposition.split("filename*=UTF-8''", 1)[1])
    assert fallback.isascii() and " " not in fallback
    return fallback, utf8


# --- 月评 ------------------------------------------------------------------------------------------------


def test_a_month_review_gives_the_subdistricts_ranking_stars_and_lanes(closed: Closed, client: TestClient,
                                                                       admin: dict[str, str]) -> None:
    r = client.get(f"/subdistricts/{closed.subdistrict}/reviews/2018-01", headers=admin)
    assert r.status_code == 200, r.text
    review = r.json()
    assert review["month"] == "2018-01" and review["subdistrict"] == "龙潭街道" and review["stewards"] == 15
    ranks = [line["rank"] for line in review["rankings"]]
    assert ranks == sorted(ranks) and review["rankings"][0]["name"] == "赵云华"
    assert review["stars"] and all(line["star"] for line in review["stars"])
    assert review["stars"][0]["steward_id"] == closed.zhao  # 月度之星
    assert {lane["lane"] for lane in review["lanes"]} >= {"福光路", "幸福北里"}
    with Session(closed.engine) as session:
        january = session.scalar(select(func.sum(t.PointsEntry.points)).where(
            t.PointsEntry.day >= date(2018, 1, 1), t.PointsEntry.day <= date(2018, 1, 31)))
    assert sum(line["points"] for line in review["rankings"]) == january

    page = client.get(f"/subdistricts/{closed.subdistrict}/reviews/2018-01?limit=5&offset=5", headers=admin).json()
    assert page["stewards"] == 15 and page["rankings"] == review["rankings"][5:10]
    quiet = client.get(f"/subdistricts/{closed.subdistrict}/reviews/2018-07", headers=admin).json()
    assert (quiet["stewards"], quiet["rankings"], quiet["stars"]) == (0, [], [])  # closed with the year, no points


# --- 季通报 ----------------------------------------------------------------------------------------------


def test_a_bulletin_as_data_is_what_its_pdf_prints(closed: Closed, client: TestClient, admin: dict[str, str]) -> None:
    r = client.get(f"/subdistricts/{closed.subdistrict}/bulletins/{QUARTER}", headers=admin)
    assert r.status_code == 200, r.text
    bulletin = r.json()
    assert bulletin["title"] == "龙潭街道 2018年第一季度 小巷管家工作通报"
    assert (bulletin["year"], bulletin["quarter"], bulletin["issued_on"]) == (2018, 1, "2018-04-01")
    assert bulletin["rankings"][0] == {"rank": 1, "name": "赵云华", "points": 300, "community": "幸福社区",
                                       "lane": "福光路", "level": None}
    assert [m["month"] for m in bulletin["monthly_points"]] == ["2018-01-01", "2018-02-01", "2018-03-01"]

    pdf = client.get(f"/subdistricts/{closed.subdistrict}/bulletins/{QUARTER}/pdf", headers=admin)
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert hashlib.sha256(pdf.content).hexdigest() == bulletin["record"]["pdf_sha256"]
    assert _names(pdf) == ("bulletin-longtan-2018-Q1.pdf", "龙潭街道2018年第一季度小巷管家工作通报.pdf")
    text = pdf_text(pdf.content)
    assert "小巷管家工作通报" in text and "赵云华" in text


# --- 年度金牌管家 ---------------------------------------------------------------------------------------


def test_the_award_report_its_pdf_and_the_years_winners(closed: Closed, client: TestClient,
                                                        admin: dict[str, str]) -> None:
    base = f"/subdistricts/{closed.subdistrict}/awards/{YEAR}"
    report = client.get(base, headers=admin).json()
    assert report["title"] == "龙潭街道 2018年度金牌管家评选报告"
    winners = [w for group in report["groups"] for w in group["winners"]]
    assert winners[0]["name"] == "赵云华" and winners[0]["evidence"]["points"] == 300
    assert [team["team"] for team in report["team_awards"]] == ["幸福北里小巷管家团"]

    pdf = client.get(f"{base}/pdf", headers=admin)
    assert pdf.status_code == 200 and hashlib.sha256(pdf.content).hexdigest() == report["record"]["pdf_sha256"]
    assert _names(pdf) == ("award-report-longtan-2018.pdf", "龙潭街道2018年度金牌管家评选报告.pdf")
    assert "金牌管家评选报告" in pdf_text(pdf.content)

    gold = client.get(f"{base}/gold-stewards", headers=admin).json()
    assert tuple(w["steward_id"] for w in gold) == closed.gold
    assert [w["credential_id"] for w in gold] == [w["credential_id"] for w in winners]
    assert client.get(f"{base}/gold-stewards?limit=2&offset=1", headers=admin).json() == gold[1:3]
    teams = client.get(f"{base}/gold-teams", headers=admin).json()
    assert [(w["team_id"], w["name"], w["rank"]) for w in teams] == [(closed.team, "幸福北里小巷管家团", 1)]


def test_a_winners_certificate_and_credential_download_and_the_credential_verifies(
    closed: Closed, client: TestClient, admin: dict[str, str]
) -> None:
    held = client.get(f"/stewards/{closed.zhao}/awards", headers=admin).json()
    assert [(a["year"], a["kind"], a["rank"]) for a in held] == [(2018, "steward", 1)]
    certificate = client.get(f"/stewards/{closed.zhao}/awards/{YEAR}/certificate", headers=admin)
    assert certificate.status_code == 200 and certificate.headers["content-type"] == "application/pdf"
    assert _names(certificate) == ("2018-steward-longtan_steward-002.pdf", "赵云华2018年度金牌管家证书.pdf")
    assert "赵云华" in pdf_text(certificate.content) and held[0]["credential_id"] in pdf_text(certificate.content)

    r = client.get(f"/stewards/{closed.zhao}/awards/{YEAR}/credential", headers=admin)
    assert r.status_code == 200 and r.headers["content-type"] == "application/ld+json"
    assert _names(r) == ("2018-steward-longtan_steward-002.json", "赵云华2018年度金牌管家.json")
    credential = json.loads(r.content)
    assert credential["id"] == held[0]["credential_id"]
    assert credential["@context"][:2] == ["https://www.w3.org/ns/credentials/v2",
                                          "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]
    assert isinstance(credential["proof"], list) and len(credential["proof"]) == 1
    check = client.post("/credentials/verify", content=r.content, headers={"content-type": "application/ld+json"})
    assert check.status_code == 200 and check.json()["valid"] and check.json()["on_record"]
    assert check.json()["award"]["subject_name"] == "赵云华"

    for kind in ("certificate", "credential"):
        team = client.get(f"/teams/{closed.team}/awards/{YEAR}/{kind}", headers=admin)
        assert team.status_code == 200, team.text
        assert _names(team)[1].startswith("幸福北里小巷管家团2018年度金牌小巷管家团")
    team_credential = client.get(f"/teams/{closed.team}/awards/{YEAR}/credential", headers=admin).content
    checked = client.post("/credentials/verify", files={"file": ("team.json", team_credential)}).json()
    assert checked["valid"] and checked["award"]["kind"] == "team"


# --- what is not there: not closed, never closed, not awarded, not valid -----------------------------------


# One cycle closed, every case asked of it: closing a cycle per case would cost a second each.
NOT_CLOSED = [
    ("/subdistricts/{sub}/reviews/2019-01", "has ended but its 月评 has not run yet"),
    ("/subdistricts/{sub}/reviews/2019-02", "has not ended: its 月评 runs after it ends, on 2019-03-01"),
    ("/subdistricts/{sub}/bulletins/2018-Q2", "has ended but its 季通报 has not run yet"),
    ("/subdistricts/{sub}/bulletins/2019-Q1/pdf", "has not ended"),
    ("/subdistricts/{sub}/awards/2019", "has not ended: its 年度金牌管家评选 runs after it ends, on 2020-01-01"),
    ("/subdistricts/{sub}/awards/2019/gold-stewards", "has not ended"),
    ("/stewards/{zhao}/awards/2019/credential", "has not ended"),
    ("/teams/{team}/awards/2019/certificate", "has not ended"),
]


def test_a_period_not_closed_yet_answers_409_saying_when_it_will_be(closed: Closed, client: TestClient,
                                                                    admin: dict[str, str]) -> None:
    for path, fragment in NOT_CLOSED:
        url = path.format(sub=closed.subdistrict, zhao=closed.zhao, team=closed.team)
        assert fragment in _error(client.get(url, headers=admin), 409, "not_closed"), path


NOT_THERE = [
    ("/subdistricts/{sub}/reviews/2016-05", 404, "no_document", "ledger begins on 2018-01-01"),
    ("/subdistricts/{sub}/awards/2017", 404, "no_document", "ledger begins"),
    ("/subdistricts/{other}/bulletins/2018-Q1", 404, "no_document", "no 季通报 for 2018-Q1"),
    ("/subdistricts/{other}/awards/2018/pdf", 404, "no_document", "no award report"),
    ("/stewards/{loser}/awards/2018/certificate", 404, "no_document", "was not named 金牌管家 in 2018"),
    ("/subdistricts/999999/reviews/2018-01", 404, "not_found", "no subdistrict with id 999999"),
    ("/stewards/999999/awards/2018/credential", 404, "not_found", "no steward with id 999999"),
    ("/teams/999999/awards/2018/credential", 404, "not_found", "no team with id 999999"),
    ("/subdistricts/{sub}/reviews/2018-13", 422, "unknown_period", "not a month label"),
    ("/subdistricts/{sub}/reviews/2018", 422, "unknown_period", "not a month label"),
    ("/subdistricts/{sub}/bulletins/2018-Q5", 422, "unknown_period", "not a quarter label"),
    ("/subdistricts/{sub}/bulletins/2018-05", 422, "unknown_period", "not a quarter label"),
    ("/subdistricts/{sub}/awards/9999", 422, "unknown_period", "last day a date can hold"),
    ("/subdistricts/{sub}/awards/0", 422, "invalid_request", ""),
    ("/subdistricts/{sub}/awards/MMXVIII", 422, "invalid_request", ""),
    ("/stewards/{zhao}/awards/99999/certificate", 422, "invalid_request", ""),
    ("/subdistricts/0/reviews/2018-01", 422, "invalid_request", ""),
]


def test_what_is_not_there_is_404_and_a_bad_label_422_never_500(closed: Closed, client: TestClient,
                                                                admin: dict[str, str]) -> None:
    with Session(closed.engine) as session:
        other = session.scalars(select(t.Subdistrict.id).where(t.Subdistrict.key != "longtan")).first()
    for path, status, code, fragment in NOT_THERE:
        url = path.format(sub=closed.subdistrict, other=other, zhao=closed.zhao, loser=closed.loser)
        assert fragment in str(_error(client.get(url, headers=admin), status, code)), path


def test_a_steward_without_awards_holds_none(closed: Closed, client: TestClient, admin: dict[str, str]) -> None:
    assert client.get(f"/stewards/{closed.loser}/awards", headers=admin).json() == []


def test_a_document_closed_before_its_data_was_kept_still_downloads(closed: Closed, client: TestClient,
                                                                    admin: dict[str, str]) -> None:
    with Session(closed.engine) as session, session.begin():
        session.execute(update(t.Bulletin).values(content=None))
        session.execute(update(t.AwardReportRecord).values(content=None))
    for base in (f"/subdistricts/{closed.subdistrict}/bulletins/{QUARTER}",
                 f"/subdistricts/{closed.subdistrict}/awards/{YEAR}"):
        assert "download its PDF" in _error(client.get(base, headers=admin), 404, "no_document")
        assert client.get(f"{base}/pdf", headers=admin).status_code == 200


def test_a_file_gone_or_changed_on_disk_is_503_for_the_operator_never_other_bytes(
    closed: Closed, client: TestClient, admin: dict[str, str]
) -> None:
    with Session(closed.engine) as session:
        bulletin = session.scalars(select(t.Bulletin)).one()
        award = session.scalars(select(t.Award).where(t.Award.steward_id == closed.zhao)).one()
    (closed.out_dir / bulletin.pdf_path).unlink()
    gone = client.get(f"/subdistricts/{closed.subdistrict}/bulletins/{QUARTER}/pdf", headers=admin)
    assert "cannot be read" in _error(gone, 503, "document_missing")
    path = closed.out_dir / award.credential_path
    path.write_text(path.read_text(encoding="utf-8").replace("赵云华", "赵云"), encoding="utf-8")
    changed = client.get(f"/stewards/{closed.zhao}/awards/{YEAR}/credential", headers=admin)
    assert "differs from the file recorded" in _error(changed, 503, "document_missing")
    assert client.get(f"/subdistricts/{closed.subdistrict}/bulletins/{QUARTER}", headers=admin).status_code == 200


def test_without_the_closing_folder_the_data_answers_and_the_files_are_503(closed: Closed) -> None:
    client, admin = closed.client(cycle_dir=False), closed.accounts().headers(Role.ADMIN)
    assert client.get(f"/subdistricts/{closed.subdistrict}/awards/{YEAR}", headers=admin).status_code == 200
    for url in (f"/subdistricts/{closed.subdistrict}/awards/{YEAR}/pdf", f"/stewards/{closed.zhao}/awards/{YEAR}/"
                "certificate", "/credentials/issuers"):
        assert "not served here" in _error(client.get(url, headers=admin), 503, "document_missing")


# --- the public check ---------------------------------------------------------------------------------------


def _issued(closed: Closed, client: TestClient) -> dict[str, object]:
    r = client.get(f"/stewards/{closed.zhao}/awards/{YEAR}/credential", headers=closed.accounts().headers(Role.ADMIN))
    credential: dict[str, object] = r.json()
    return credential


def _check(client: TestClient, credential: object) -> dict[str, object]:
    r = client.post("/credentials/verify", json=credential)  # no account: anyone may check
    assert r.status_code == 200, r.text
    verdict: dict[str, object] = r.json()
    return verdict


def _legacy(credential: dict[str, object]) -> dict[str, object]:
    """As credentials were issued first: two contexts and one bare proof object."""
    document = {k: v for k, v in credential.items() if k != "proof"}
    document["@context"] = document["@context"][:2]  # type: ignore[index]
    (proof,) = add_proof(document, LONGTAN_KEY.signing_key, verification_method=LONGTAN_KEY.public.verification_method,
                         created="2018-12-31T16:00:00Z")["proof"]  # type: ignore[misc]
    return {**document, "proof": proof}


def test_the_check_says_valid_for_both_shapes_and_why_not_for_a_tampered_one(closed: Closed,
                                                                             client: TestClient) -> None:
    credential = _issued(closed, client)
    assert _check(client, credential)["code"] == "valid"
    old = _check(client, _legacy(credential))
    assert old["valid"] and old["code"] == "valid"
    for change in (("credentialSubject", "identifier", 0, "identityHash"), ("validFrom",), ("issuer", "name"),
                   ("credentialSubject", "laneStewardsAward", "evidence", "points_total")):
        tampered = copy.deepcopy(credential)
        target: object = tampered
        for step in change[:-1]:
            target = target[step]  # type: ignore[index]
        value = target[change[-1]]  # type: ignore[index]
        target[change[-1]] = value + 1 if isinstance(value, int) else value + "x"  # type: ignore[index]
        verdict = _check(client, tampered)
        assert (verdict["valid"], verdict["code"]) == (False, "bad_signature"), change
        assert "changed after it was issued" in str(verdict["reason"])
        assert verdict["award"] is None


def test_the_check_names_an_unknown_key_a_mismatched_issuer_and_the_validity_period(closed: Closed,
                                                                                    client: TestClient) -> None:
    facts = AwardFacts(year=2018, kind=AwardKind.STEWARD, subject_key="longtan/steward-002", subject_name="赵云华",
                       subdistrict_name="龙潭街道", ruleset_version="sim000000001", evidence={"points_total": 300},
                       issued_at=datetime(2018, 12, 31, 16, tzinfo=UTC))
    impostor = IssuerKey.from_seed(bytes(32), "龙潭街道办事处")
    assert _check(client, issue_credential(facts, impostor))["code"] == "unknown_issuer_key"
    misnamed = IssuerKey.from_seed(SEEDS["longtan"], "体育馆路街道办事处")
    assert _check(client, issue_credential(facts, misnamed))["code"] == "issuer_mismatch"
    expired = AwardFacts(**{**facts.__dict__, "valid_until": datetime(2019, 1, 1, tzinfo=UTC)})
    verdict = _check(client, issue_credential(expired, LONGTAN_KEY))
    assert verdict["code"] == "expired" and "expired" in str(verdict["reason"])
    future = AwardFacts(**{**facts.__dict__, "issued_at": datetime(2020, 1, 1, tzinfo=UTC)})
    assert _check(client, issue_credential(future, LONGTAN_KEY))["code"] == "not_yet_valid"
    stranger = _check(client, issue_credential(facts, LONGTAN_KEY))
    assert stranger["valid"] and stranger["on_record"] is False  # signed by a trusted key, not one of the records


MALFORMED = [
    (b"[1, 2]", "a JSON object"),
    (b'{"proof": 1, "proof": 2}', "appears twice"),
    (b"{" + b" " * (MAX_JSON_BYTES + 10) + b"}", "cap"),
    (json.dumps({"@context": ["https://www.w3.org/ns/credentials/v2"]}).encode(), "no proof object"),
]


def test_a_malformed_submission_is_not_valid_and_says_why(closed: Closed, client: TestClient) -> None:
    for body, fragment in MALFORMED:
        r = client.post("/credentials/verify", content=body, headers={"content-type": "application/json"})
        assert r.status_code == 200
        assert (r.json()["valid"], r.json()["code"]) == (False, "malformed")
        assert fragment in r.json()["reason"], fragment
    # No credential at all is no question: a request error, not a verdict.
    empty = client.post("/credentials/verify", content=b"", headers={"content-type": "application/json"})
    assert (empty.status_code, empty.json()["code"]) == (422, "invalid_request")
    assert "send the credential" in str(empty.json()["detail"])


def test_an_upload_needs_its_file_field_and_a_size_under_the_cap(closed: Closed, client: TestClient) -> None:
    credential = dumps_credential(_issued(closed, client)).encode()
    assert client.post("/credentials/verify", files={"file": ("award.json", credential)}).json()["valid"]
    wrong = client.post("/credentials/verify", files={"upload": ("award.json", credential)})
    assert (wrong.status_code, wrong.json()["code"]) == (422, "invalid_request") and "'file'" in str(wrong.json())
    big = client.post("/credentials/verify", files={"file": ("award.json", b" " * (MAX_JSON_BYTES + 20_000))}).json()
    assert big["code"] == "malformed" and "at most" in big["reason"]


def test_the_issuer_keys_are_public_and_are_the_key_files_verifiers_trust(closed: Closed, client: TestClient) -> None:
    r = client.get("/credentials/issuers")
    assert r.status_code == 200
    (key,) = r.json()
    assert key["name"] == "龙潭街道办事处" and key["id"] == LONGTAN_KEY.public.did
    assert key == LONGTAN_KEY.public.to_json()

