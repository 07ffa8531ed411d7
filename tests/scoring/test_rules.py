"""Table-driven tests of the first two rules of the daily patrol."""

from datetime import date, datetime, timedelta, timezone

import pytest

from scoring.rules import RULE_CHECKPOINT_VISIT, RULE_SEGMENT_PATROL, ClaimedSegment, RuleSet, Visit, score_day

BJ = timezone(timedelta(hours=8))
DAY = date(2017, 5, 3)
CLAIM_FROM = datetime(2017, 5, 1, tzinfo=BJ)
# Segment 10 (lane 1) has checkpoints 101, 102, 103; segment 20 (lane 1) has 201, 202.
SEG10 = ClaimedSegment(10, 1, frozenset({101, 102, 103}), CLAIM_FROM)
SEG20 = ClaimedSegment(20, 1, frozenset({201, 202}), CLAIM_FROM)


def v(hh_mm: str, cp: int, n: int = 0) -> Visit:
    h, m = map(int, hh_mm.split(":"))
    return Visit(f"1001/0/{n or cp}{h:02d}{m:02d}", datetime(2017, 5, 3, h, m, tzinfo=BJ), cp)


def summary(entries: list) -> list[tuple[str, int, int]]:
    return [(e.rule, e.segment_id, e.points) for e in entries]


CASES = [
    ("nothing", [], [SEG10], []),
    ("one checkpoint", [v("07:00", 101)], [SEG10], [(RULE_CHECKPOINT_VISIT, 10, 1)]),
    ("same checkpoint twice counts once", [v("07:00", 101), v("18:00", 101)], [SEG10], [(RULE_CHECKPOINT_VISIT, 10, 1)]),
    (
        "whole segment in the morning window",
        [v("07:00", 101), v("07:05", 102), v("07:10", 103)],
        [SEG10],
        [(RULE_CHECKPOINT_VISIT, 10, 1)] * 3 + [(RULE_SEGMENT_PATROL, 10, 5)],
    ),
    (
        "any order within the window",
        [v("07:10", 103), v("07:00", 102), v("07:05", 101)],
        [SEG10],
        [(RULE_CHECKPOINT_VISIT, 10, 1)] * 3 + [(RULE_SEGMENT_PATROL, 10, 5)],
    ),
    (
        "split across windows: no completion bonus",
        [v("07:00", 101), v("07:05", 102), v("18:00", 103)],
        [SEG10],
        [(RULE_CHECKPOINT_VISIT, 10, 1)] * 3,
    ),
    (
        "outside any window: visits count, no bonus",
        [v("13:00", 101), v("13:05", 102), v("13:10", 103)],
        [SEG10],
        [(RULE_CHECKPOINT_VISIT, 10, 1)] * 3,
    ),
    (
        "both windows complete: two bonuses",
        [v("07:00", 201), v("07:05", 202), v("18:00", 201, 9), v("18:05", 202, 9)],
        [SEG20],
        [(RULE_CHECKPOINT_VISIT, 20, 1)] * 2 + [(RULE_SEGMENT_PATROL, 20, 5)] * 2,
    ),
    ("unclaimed segment earns nothing", [v("07:00", 201), v("07:05", 202)], [SEG10], []),
    (
        "claim starting later in the day",
        [v("07:00", 201), v("19:00", 202)],
        [ClaimedSegment(20, 1, frozenset({201, 202}), datetime(2017, 5, 3, 12, 0, tzinfo=BJ))],
        [(RULE_CHECKPOINT_VISIT, 20, 1)],
    ),
    (
        "window end is exclusive",
        [v("10:55", 201), v("11:00", 202)],
        [SEG20],
        [(RULE_CHECKPOINT_VISIT, 20, 1)] * 2,
    ),
]


@pytest.mark.parametrize(("name", "visits", "claimed", "expected"), CASES, ids=[c[0] for c in CASES])
def test_rules_table(name: str, visits: list[Visit], claimed: list[ClaimedSegment], expected: list) -> None:
    assert summary(score_day(7, DAY, visits, claimed, RuleSet())) == expected


def test_entries_are_deterministic_and_keyed() -> None:
    visits = [v("07:00", 101), v("07:05", 102), v("07:10", 103)]
    first = score_day(7, DAY, visits, [SEG10], RuleSet())
    again = score_day(7, DAY, list(reversed(visits)), [SEG10], RuleSet())
    assert first == again
    assert len({e.entry_key for e in first}) == len(first)
    bonus = first[-1]
    assert bonus.evidence == tuple(x.key for x in visits)


def test_ruleset_version_is_a_hash_of_content() -> None:
    assert RuleSet().version == RuleSet().version
    assert RuleSet(segment_patrol_points=6).version != RuleSet().version
