"""Missed and late patrols on workdays, 调休 days and holidays, and their delivery."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import UTC, date, datetime, time

import pytest

from scoring.rulebook import (
    LoggingNotifier,
    Notifier,
    OutboxNotifier,
    PatrolEvent,
    PatrolEventKind,
    PatrolWindow,
    RuleSet,
    Visit,
    expected_patrols,
    patrol_events,
)
from tests.scoring.rulebook.builders import SEG10, SEG20, STEWARD, at, walk, with_rules

WED = date(2017, 5, 3)
ADJUSTED_SATURDAY = date(2017, 9, 30)
NATIONAL_DAY = date(2017, 10, 2)
ORDINARY_SATURDAY = date(2017, 10, 14)
RULES = with_rules()  # late grace 60 minutes
MISSED, LATE = PatrolEventKind.MISSED, PatrolEventKind.LATE


def events(day: date, visits: list[Visit], claimed=(SEG20,), rules: RuleSet = RULES, **kw) -> list[tuple]:
    return [(e.kind, e.segment_id, e.window) for e in patrol_events(STEWARD, day, visits, list(claimed), rules, **kw)]


CASES = [
    ("nothing done on a workday", WED, [], [(MISSED, 20, "morning"), (MISSED, 20, "evening")]),
    ("morning done", WED, walk(WED, "07:00", SEG20), [(MISSED, 20, "evening")]),
    ("both done", WED, walk(WED, "07:00", SEG20) + walk(WED, "18:00", SEG20), []),
    ("morning late within the grace", WED, walk(WED, "10:59", SEG20) + walk(WED, "18:00", SEG20),
     [(LATE, 20, "morning")]),
    ("finished after the grace", WED, walk(WED, "11:59", SEG20) + walk(WED, "18:00", SEG20), [(MISSED, 20, "morning")]),
    ("done before the window is not a patrol", WED, walk(WED, "05:00", SEG20) + walk(WED, "18:00", SEG20),
     [(MISSED, 20, "morning")]),
    ("调休 Saturday is a workday", ADJUSTED_SATURDAY, [], [(MISSED, 20, "morning"), (MISSED, 20, "evening")]),
    ("public holiday: nothing raised", NATIONAL_DAY, [], []),
    ("ordinary Saturday: nothing raised", ORDINARY_SATURDAY, [], []),
]


@pytest.mark.parametrize(("name", "day", "visits", "expected"), CASES, ids=[c[0] for c in CASES])
def test_events_table(name: str, day: date, visits: list[Visit], expected: list) -> None:
    assert events(day, visits) == expected


def test_late_event_says_when() -> None:
    visits = walk(WED, "10:59", SEG20) + walk(WED, "18:00", SEG20)  # done at 11:01
    (event,) = patrol_events(STEWARD, WED, visits, [SEG20], RULES)
    assert event.due_at == datetime(2017, 5, 3, 3, 0, tzinfo=UTC)
    assert event.completed_at == datetime(2017, 5, 3, 3, 1, tzinfo=UTC)
    assert event.key == "late/7/2017-05-03/20/morning"
    assert event.ruleset_version == RULES.version
    assert "早巡结束后1分钟" in event.message_zh


def test_nothing_is_decided_before_the_grace_ends() -> None:
    assert events(WED, [], as_of=at(WED, "11:59")) == []
    assert events(WED, [], as_of=at(WED, "12:00")) == [(MISSED, 20, "morning")]
    assert events(WED, [], as_of=at(WED, "22:00")) == [(MISSED, 20, "morning"), (MISSED, 20, "evening")]


def test_withheld_check_ins_do_not_complete_a_patrol() -> None:
    visits = walk(WED, "07:00", SEG20) + walk(WED, "18:00", SEG20)
    assert events(WED, visits, withheld=frozenset({visits[0].key})) == [(MISSED, 20, "morning")]


def test_a_claim_must_cover_the_whole_window() -> None:
    claimed = [replace(SEG20, valid_from=at(WED, "08:00"))]
    assert events(WED, [], claimed) == [(MISSED, 20, "evening")]
    claimed = [replace(SEG20, valid_to=at(WED, "20:00"))]
    assert events(WED, [], claimed) == [(MISSED, 20, "morning")]


def test_community_windows_set_the_due_time() -> None:
    rules = with_rules(community_windows=(("c-1", (PatrolWindow("evening", "晚巡", time(18), time(21, 30)),)),))
    (event,) = patrol_events(STEWARD, WED, [], [SEG10], rules)
    assert (event.window, event.due_at) == ("evening", datetime(2017, 5, 3, 13, 30, tzinfo=UTC))


def test_events_can_be_raised_on_holidays_when_the_rulebook_says_so() -> None:
    calendar = replace(RULES.calendar, public_holiday=replace(RULES.calendar.public_holiday, raise_events=True))
    assert events(NATIONAL_DAY, [], rules=with_rules(calendar=calendar)) == [(MISSED, 20, "morning")]


def test_expected_patrols_follow_the_calendar() -> None:
    def names(day: date) -> list[tuple[int, str]]:
        return [(p.segment.segment_id, p.window.name) for p in expected_patrols(day, [SEG20, SEG10], RULES)]

    assert names(WED) == [(10, "morning"), (20, "morning"), (10, "evening"), (20, "evening")]
    assert names(NATIONAL_DAY) == [(10, "morning"), (20, "morning")]
    assert names(ORDINARY_SATURDAY) == [(10, "morning"), (20, "morning")]


def test_the_outbox_keeps_each_event_once() -> None:
    outbox = OutboxNotifier()
    notifier: Notifier = outbox
    for _ in range(2):
        for event in patrol_events(STEWARD, WED, [], [SEG20], RULES):
            notifier.deliver(event)
    assert [e.key for e in outbox.drain()] == ["missed/7/2017-05-03/20/morning", "missed/7/2017-05-03/20/evening"]
    assert outbox.drain() == []
    notifier.deliver(patrol_events(STEWARD, WED, [], [SEG20], RULES)[0])
    assert outbox.events == []


def test_the_logging_notifier_logs_in_chinese(caplog: pytest.LogCaptureFixture) -> None:
    event: PatrolEvent = patrol_events(STEWARD, WED, [], [SEG20], RULES)[0]
    with caplog.at_level(logging.INFO, logger="scoring.rulebook.events"):
        LoggingNotifier().deliver(event)
    assert "小巷管家7在2017-05-03早巡未完成路段20的巡查" in caplog.text
    assert event.key in caplog.text
