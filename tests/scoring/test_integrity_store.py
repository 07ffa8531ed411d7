"""Flags once stored: listing, appeal, a chief's decision, the audit trail, lapsing; and explanations."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import Engine, func, select

from scoring.errors import NotAuthorisedError
from scoring.ingest import IngestStore
from scoring.integrity.store import (
    FlagDecidedError,
    FlagState,
    NotYourFlagError,
    UnknownFlagError,
    appeal,
    decide,
    list_flags,
    upheld_flag_count,
)
from scoring.ledger.explanations import PACED_OUT, WITHHELD, explain_period
from scoring.periods import PeriodKind, parse_period
from scoring.scorer import score_pending
from scoring.seed.dataset import Dataset
from scoring.storage import tables as t
from scoring.storage.engine import session_factory
from tests.scoring.checkins import Patroller, Recorder, at, patroller

DAY = date(2017, 6, 6)
NOW = datetime(2017, 6, 7, 9, tzinfo=UTC)


def _storm(engine: Engine, p: Patroller, rec: Recorder, count: int = 12, start_s: int = 0) -> None:
    rows = [rec.row(p, at(DAY, 7) + timedelta(seconds=start_s + 2 * i), p.segments[0][0]) for i in range(count)]
    IngestStore(engine).commit(rows, [], received_at=NOW)


def _points(engine: Engine, steward_id: int) -> int:
    with engine.connect() as conn:
        return int(conn.scalar(select(func.coalesce(func.sum(t.PointsEntry.points), 0))
                               .where(t.PointsEntry.steward_id == steward_id)) or 0)


def _chief(engine: Engine, subdistrict: str) -> int:
    with engine.connect() as conn:
        chief = conn.scalar(select(t.Chief.id).join(t.Subdistrict).where(t.Subdistrict.name == subdistrict)
                            .order_by(t.Chief.id).limit(1))
    assert chief is not None
    return chief


def test_a_restored_flag_counts_again_with_every_step_audited(seeded: Engine, longtan: Dataset) -> None:
    zhao = patroller(seeded, longtan, "赵云华")
    han = patroller(seeded, longtan, "韩险峰")
    _storm(seeded, zhao, Recorder())
    score_pending(seeded)
    assert _points(seeded, zhao.steward_id) == 0
    sessions = session_factory(seeded)
    with sessions() as s:
        (flag,) = list_flags(s, zhao.steward_id)
        assert flag.state is FlagState.OPEN and flag.withholds and len(flag.visit_keys) == 12
        assert "申诉" in flag.reason_zh and "appeal" in flag.reason_en
        with pytest.raises(NotYourFlagError):
            appeal(s, flag.id, han.steward_id, "不是我的", now=NOW)
        appealed = appeal(s, flag.id, zhao.steward_id, "手环在巡查点旁反复感应,我当时站在原地劝阻占道经营。", now=NOW)
        assert appealed.state is FlagState.OPEN
        with pytest.raises(NotAuthorisedError):
            decide(s, flag.id, _chief(seeded, "西长安街街道"), True, "", now=NOW)
        decided = decide(s, flag.id, _chief(seeded, "龙潭街道"), True, "核实属实", now=NOW + timedelta(hours=1))
        s.commit()
        with pytest.raises(FlagDecidedError):
            decide(s, flag.id, _chief(seeded, "龙潭街道"), False, "", now=NOW)
        with pytest.raises(UnknownFlagError):
            appeal(s, 10_000, zhao.steward_id, "?", now=NOW)
    assert decided.state is FlagState.RESTORED and not decided.withholds
    assert [a.action for a in decided.actions] == ["raised", "appealed", "restored"]
    assert [a.actor_kind for a in decided.actions] == ["system", "steward", "chief"]

    report = score_pending(seeded)  # the decision queued the day
    assert report.steward_days == 1
    assert _points(seeded, zhao.steward_id) == 1  # the checkpoint counts once a day, storm or not
    with sessions() as s:
        assert upheld_flag_count(s, zhao.steward_id, DAY, DAY) == 0
        explained = explain_period(s, zhao.steward_id, parse_period(PeriodKind.DAY, DAY.isoformat()))
    assert explained.total == 1 and [e.points for e in explained.entries] == [1]
    assert all(a.reason != WITHHELD for a in explained.set_aside)


def test_an_upheld_flag_keeps_its_check_ins_withheld_and_counts_against_the_steward(seeded: Engine,
                                                                                   longtan: Dataset) -> None:
    zhao = patroller(seeded, longtan, "赵云华")
    _storm(seeded, zhao, Recorder())
    score_pending(seeded)
    with session_factory(seeded)() as s:
        (flag,) = list_flags(s, zhao.steward_id)
        decide(s, flag.id, _chief(seeded, "龙潭街道"), False, "同一位置一分钟内打卡十二次", now=NOW)
        s.commit()
        assert upheld_flag_count(s, zhao.steward_id, DAY, DAY) == 1
        explained = explain_period(s, zhao.steward_id, parse_period(PeriodKind.MONTH, "2017-06"))
    assert score_pending(seeded).steward_days == 0
    assert _points(seeded, zhao.steward_id) == 0
    withheld = [a for a in explained.set_aside if a.reason == WITHHELD]
    assert len(withheld) == 12 and {a.flag_state for a in withheld} == {"upheld"}
    assert "经复核维持" in withheld[0].text


def test_a_flag_the_records_no_longer_raise_lapses_and_the_new_one_is_raised(seeded: Engine, longtan: Dataset) -> None:
    zhao = patroller(seeded, longtan, "赵云华")
    rec = Recorder()
    _storm(seeded, zhao, rec, count=11)
    score_pending(seeded)
    _storm(seeded, zhao, rec, count=1, start_s=22)  # a late record of the same burst
    score_pending(seeded)
    with session_factory(seeded)() as s:
        flags = list_flags(s, zhao.steward_id)
        assert len(list_flags(s, zhao.steward_id, include_lapsed=False)) == 1
    old, new = sorted(flags, key=lambda f: len(f.visit_keys))
    assert old.lapsed and [a.action for a in old.actions] == ["raised", "lapsed"]
    assert not new.lapsed and len(new.visit_keys) == 12 and new.withholds


def test_an_explanation_names_the_check_ins_rule_versions_and_what_pacing_set_aside(seeded: Engine,
                                                                                  longtan: Dataset) -> None:
    zhao = patroller(seeded, longtan, "赵云华")
    rec = Recorder()
    first, last = zhao.segments[0]
    rows = rec.walk(zhao, at(DAY, 7), 0) + [rec.row(zhao, at(DAY, 9), first), rec.row(zhao, at(DAY, 9, 0, 40), last)]
    IngestStore(seeded).commit(rows, [], received_at=NOW)
    score_pending(seeded)
    with session_factory(seeded)() as s:
        explained = explain_period(s, zhao.steward_id, parse_period(PeriodKind.WEEK, "2017-W23"))
    assert explained.total == 7 and len(explained.entries) == 3
    assert all(e.ruleset_version in e.text and e.evidence[0] in e.text for e in explained.entries)
    assert any("早巡" in e.text for e in explained.entries)
    paced = [a for a in explained.set_aside if a.reason == PACED_OUT]
    assert [a.checkin_key for a in paced] == [f"{zhao.band_id}/0/4"]
    assert explained.lines()[0].startswith("赵云华")
