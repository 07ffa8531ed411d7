"""The API on both stores: leaderboards by period and scope, points with evidence, registry, health."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from scoring.accounts.roles import Role
from scoring.checkins import CheckInKind, CheckInRow
from scoring.ingest import IngestStore
from scoring.rulebook import load_rulebook
from scoring.scorer import score_pending
from scoring.seed.dataset import Dataset
from scoring.storage import tables as t
from scoring.storage.engine import session_factory
from tests.api.signin import Accounts, api

BEIJING = timezone(timedelta(hours=8))
PATROL_AT = datetime(2017, 9, 5, 7, 0, tzinfo=BEIJING)  # a Tuesday morning, 早巡


@pytest.fixture
def client(seeded: Engine, longtan: Dataset) -> TestClient:
    """赵云华 patrols all of her first segment; 韩险峰 visits one checkpoint."""
    rows = []
    with session_factory(seeded)() as s:
        for name, take in (("赵云华", None), ("韩险峰", 1)):
            steward = next(x for x in longtan.stewards if x.name == name)
            band = longtan.band_of(steward.key)
            sid = s.scalar(select(t.Steward.id).where(t.Steward.key == steward.key))
            assert sid is not None
            cps = s.scalars(select(t.Checkpoint.id).join(t.Segment).where(
                t.Segment.key == longtan.claims_of(steward.key)[0].segment_key).order_by(t.Checkpoint.position_m)).all()
            for i, cp in enumerate(cps[:take]):
                rows.append(CheckInRow(band.band_id, 0, i + 1, PATROL_AT + timedelta(minutes=i),
                                       CheckInKind.PATROL_CHECKIN, cp, b"\x01" * 8, -60, 90, 0, sid))
    IngestStore(seeded).commit(rows, [], received_at=PATROL_AT)
    score_pending(seeded, load_rulebook())
    return api(seeded, clock=lambda: PATROL_AT + timedelta(hours=5))


def test_health_reports_the_store(client: TestClient, seeded: Engine) -> None:
    body = client.get("/health").json()
    assert body["status"] == "ok" and body["checkins"] > 1
    assert body["timescaledb"] is (seeded.dialect.name == "postgresql")


def test_leaderboard_ranks_by_points_for_each_period(client: TestClient) -> None:
    for period, label in (("day", "2017-09-05"), ("week", "2017-W36"), ("month", "2017-09"), ("quarter", "2017-Q3"),
                          ("year", "2017")):
        body = client.get("/leaderboard", params={"period": period, "label": label}).json()
        assert [s["name"] for s in body["standings"]] == ["赵云华", "韩险峰"], period
        assert body["standings"][1]["points"] == 1
        assert body["period"]["label"] == label
    assert client.get("/leaderboard", params={"period": "day", "label": "2017-09-06"}).json()["standings"] == []


def test_leaderboard_defaults_to_the_latest_period_with_points(client: TestClient) -> None:
    body = client.get("/leaderboard").json()
    assert body["period"] == {"kind": "month", "label": "2017-09", "first_day": "2017-09-01", "last_day": "2017-09-30"}


def test_leaderboard_by_scope(client: TestClient, seeded: Engine) -> None:
    with session_factory(seeded)() as s:
        fuguang = s.scalar(select(t.Lane.id).where(t.Lane.name == "福光路"))
        xingfu = s.scalar(select(t.Community.id).where(t.Community.name == "幸福社区"))
        longtan = s.scalar(select(t.Subdistrict.id).where(t.Subdistrict.name == "龙潭街道"))
        xichang = s.scalar(select(t.Subdistrict.id).where(t.Subdistrict.name == "西长安街街道"))
    week = {"period": "week", "label": "2017-W36"}
    def names(**p: str | int | None) -> list[str]:
        return [s["name"] for s in client.get("/leaderboard", params={**week, **p}).json()["standings"]]

    assert names(scope="lane", scope_id=fuguang) == ["赵云华"]
    assert names(scope="community", scope_id=xingfu) == ["赵云华", "韩险峰"]
    assert names(scope="subdistrict", scope_id=longtan) == ["赵云华", "韩险峰"]
    assert names(scope="subdistrict", scope_id=xichang) == []
    teams = client.get("/registry/teams").json()
    assert teams and all(team["members"] >= 3 for team in teams)
    assert client.get("/leaderboard", params={"scope": "team", "scope_id": teams[0]["id"]}).status_code == 200


def test_a_stewards_points_show_the_entries_and_evidence_behind_them(client: TestClient, seeded: Engine) -> None:
    board = client.get("/leaderboard", params={"period": "day", "label": "2017-09-05"}).json()
    zhao = board["standings"][0]
    day = {"period": "day", "label": "2017-09-05"}
    accounts = Accounts(seeded)
    assert client.get(f"/stewards/{zhao['steward_id']}/points", params=day).status_code == 401
    other = board["standings"][1]["steward_id"]
    assert client.get(f"/stewards/{zhao['steward_id']}/points", params=day,
                      headers=accounts.steward(other)).status_code == 403  # another steward's patrols
    body = client.get(f"/stewards/{zhao['steward_id']}/points", params=day,
                      headers=accounts.steward(zhao["steward_id"])).json()
    assert body["total"] == zhao["points"] == sum(e["points"] for e in body["entries"])
    bonus = [e for e in body["entries"] if e["rule"] == "segment_patrol"]
    assert len(bonus) == 1 and bonus[0]["points"] == 5 and len(bonus[0]["evidence"]) >= 2
    assert all(e["ruleset_version"] == load_rulebook().rules_for(date(2017, 9, 5)).version for e in body["entries"])
    totals = client.get(f"/stewards/{zhao['steward_id']}/totals", params={"year": 2017, "per": "week"}).json()
    assert totals == [{"label": "2017-W36", "points": zhao["points"]}]


def test_a_stewards_points_and_the_board_page_without_losing_the_total_or_the_rank(
    client: TestClient, seeded: Engine
) -> None:
    day = {"period": "day", "label": "2017-09-05"}
    board = client.get("/leaderboard", params=day).json()["standings"]
    second = client.get("/leaderboard", params={**day, "limit": 1, "offset": 1}).json()["standings"]
    assert second == board[1:2] and second[0]["rank"] == board[1]["rank"]
    zhao = board[0]["steward_id"]
    mine = Accounts(seeded).steward(zhao)
    whole = client.get(f"/stewards/{zhao}/points", params=day, headers=mine).json()
    pages = [client.get(f"/stewards/{zhao}/points", params={**day, "limit": 1, "offset": i}, headers=mine).json()
             for i in range(whole["entry_count"])]
    assert whole["entry_count"] == len(whole["entries"]) >= 2
    assert [p["entries"][0] for p in pages] == whole["entries"]
    assert {(p["total"], p["entry_count"]) for p in pages} == {(whole["total"], whole["entry_count"])}


def test_registry_shows_fuguang_lu_as_the_report_describes_it(client: TestClient, seeded: Engine) -> None:
    lanes = client.get("/registry/lanes", params={"limit": 500}).json()  # every lane: a page holds 100
    fuguang = next(lane for lane in lanes if lane["name"] == "福光路")
    assert (fuguang["length_m"], fuguang["shops"], fuguang["residential_buildings"]) == (340, 20, 3)
    detail = client.get(f"/registry/lanes/{fuguang['id']}").json()
    assert detail["segments_detail"] and all(seg["checkpoints"] for seg in detail["segments_detail"])
    assert any(c["name"] == "梁金荣" for c in detail["chiefs"])
    assert client.get("/registry/stewards").status_code == 401  # names, homes and bands are not for the wall
    admin = Accounts(seeded).headers(Role.ADMIN)
    stewards = client.get("/registry/stewards", headers=admin).json()
    bands = client.get("/registry/bands", headers=admin).json()
    assert len(bands) == len(stewards) == 63
    assert {b["steward_id"] for b in bands} == {s["id"] for s in stewards}
    places = client.get("/registry/places").json()
    assert {"西城区", "东城区"} <= {d["name"] for d in places["districts"]}


@pytest.mark.parametrize(
    ("path", "params", "status"),
    [
        ("/leaderboard", {"period": "fortnight"}, 422),
        ("/leaderboard", {"period": "week", "label": "2017-18"}, 422),
        ("/leaderboard", {"scope": "lane", "scope_id": 999_999}, 404),
        ("/stewards/999999/points", {}, 404),
        ("/registry/lanes/999999", {}, 404),
    ],
)
def test_bad_requests_get_clear_errors(
    client: TestClient, seeded: Engine, path: str, params: dict[str, str | int], status: int
) -> None:
    response = client.get(path, params=params, headers=Accounts(seeded).headers(Role.ADMIN))
    assert response.status_code == status
    assert response.json()["detail"]


def test_openapi_and_the_live_page(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert {"/leaderboard", "/stewards/{steward_id}/points", "/registry/lanes", "/health"} <= set(spec["paths"])
    page = client.get("/", params={"period": "week"})
    assert page.status_code == 200 and "小巷管家积分榜" in page.text and "赵云华" in page.text


def test_activity_counts_checkins_per_bucket_in_beijing_time(client: TestClient, seeded: Engine) -> None:
    with session_factory(seeded)() as s:
        rows = s.execute(select(t.CheckIn.event_at, t.CheckIn.steward_id)).all()
        fuguang = s.scalar(select(t.Lane.id).where(t.Lane.name == "福光路"))
    body = client.get("/activity", params={"period": "week", "label": "2017-W36", "bucket": "day"}).json()
    # 07:00 Beijing on 2017-09-05 is 2017-09-04T23:00Z: the bucket is the Beijing day, starting 16:00Z.
    assert body["points"] == [{"starts_at": "2017-09-04T16:00:00Z", "checkins": len(rows),
                               "stewards": len({steward for _, steward in rows})}]
    hourly = client.get("/activity", params={"period": "day", "label": "2017-09-05", "bucket": "hour"}).json()
    assert [p["starts_at"] for p in hourly["points"]] == ["2017-09-04T23:00:00Z"]
    lane = client.get("/activity", params={"period": "week", "label": "2017-W36", "lane_id": fuguang}).json()
    assert lane["points"][0]["stewards"] == 1  # only 赵云华 patrols 福光路
