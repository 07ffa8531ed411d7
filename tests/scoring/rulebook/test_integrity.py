"""Integrity flags: teleporting, scan storms, patrols faster than walking; flagged check-ins earn nothing."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from scoring.rulebook import (
    CheckpointPosition,
    FlagKind,
    RuleSet,
    Visit,
    flag_visits,
    score_day,
    withheld_keys,
)
from tests.scoring.rulebook.builders import SEG10, STEWARD, at, visit, walk

DAY = date(2017, 5, 3)
RULES = RuleSet()  # teleport 8 m/s, beacon range 10 m, storm > 10 in 60 s, walking 2 m/s
# Segment 10: 101 @ 0 m, 102 @ 50 m, 103 @ 100 m. Segment 30 (elsewhere): 301 @ 0 m, 302 @ 340 m.
# Segment 11: two beacons 15 m apart, both heard from the spot between them.
POSITIONS = {
    101: CheckpointPosition(10, 0.0), 102: CheckpointPosition(10, 50.0), 103: CheckpointPosition(10, 100.0),
    301: CheckpointPosition(30, 0.0), 302: (30, 340.0),
    111: CheckpointPosition(11, 0.0), 112: CheckpointPosition(11, 15.0),
}


def v(hms: str, cp: int) -> Visit:
    return visit(DAY, hms, cp)


def kinds(visits: list[Visit], distance_m=None) -> list[tuple[FlagKind, int]]:
    return [(f.kind, len(f.visit_keys)) for f in flag_visits(visits, POSITIONS, RULES, distance_m)]


CASES = [
    ("nothing", [], []),
    ("an honest walk", walk(DAY, "07:00", SEG10, step_seconds=60), []),
    ("a brisk walk is not a teleport", [v("07:00:00", 101), v("07:00:15", 102)], []),  # (50-20)/15 = 2 m/s
    ("teleport within a segment", [v("07:00:00", 101), v("07:00:03", 103)], [(FlagKind.TELEPORT, 2)]),
    ("at once, far apart", [v("07:00:00", 101), v("07:00:00", 103)], [(FlagKind.TELEPORT, 2)]),
    ("beacons heard from one spot", [v("07:00:00", 111), v("07:00:00", 112)], []),
    ("near beacons, still too quick", [v("07:00:00", 101), v("07:00:01", 102)], [(FlagKind.TELEPORT, 2)]),
    ("different segments without a distance are not judged", [v("07:00:00", 101), v("07:00:01", 301)], []),
    ("the same checkpoint again", [v("07:00:00", 101), v("07:00:01", 101)], []),
]


@pytest.mark.parametrize(("name", "visits", "expected"), CASES, ids=[c[0] for c in CASES])
def test_flag_table(name: str, visits: list[Visit], expected: list) -> None:
    assert kinds(visits) == expected


def test_teleport_across_segments_uses_the_distance_function() -> None:
    visits = [v("07:00:00", 101), v("07:00:30", 301)]
    assert kinds(visits, lambda a, b: 2000.0) == [(FlagKind.TELEPORT, 2)]
    assert kinds(visits, lambda a, b: 200.0) == []


def test_scan_storm_flags_every_check_in_of_the_burst() -> None:
    burst = [visit(DAY, f"07:00:{s:02d}", 101) for s in range(0, 55, 5)]  # 11 taps in 50 s
    calm = [v("07:30:00", 101), v("07:40:00", 101)]
    flags = flag_visits(burst + calm, POSITIONS, RULES)
    assert [(f.kind, f.visit_keys) for f in flags] == [(FlagKind.SCAN_STORM, tuple(x.key for x in burst))]
    assert "11" in flags[0].reason_zh and "申诉" in flags[0].reason_zh
    assert "appeal" in flags[0].reason_en


def test_ten_in_a_minute_is_not_a_storm() -> None:
    taps = [visit(DAY, f"07:00:{s:02d}", 101) for s in range(0, 50, 5)]
    assert kinds(taps) == []


def test_a_storm_needs_the_burst_within_the_window() -> None:
    taps = [visit(DAY, f"07:{m:02d}:{s:02d}", 101) for m in range(3) for s in (0, 15, 30, 45)]  # 4 a minute
    assert kinds(taps) == []


def test_a_patrol_faster_than_walking() -> None:
    # 340 m (less twice the beacon range: 320 m) at 2 m/s needs 160 s; a 60 s pass is a bicycle or a trick.
    fast = [v("07:00:00", 301), v("07:01:00", 302)]
    assert kinds(fast) == [(FlagKind.PATROL_TOO_FAST, 2)]
    slow = [v("07:00:00", 301), v("07:02:40", 302)]
    assert kinds(slow) == []


def test_patrol_too_fast_and_teleport_can_both_hold() -> None:
    visits = [v("07:00:00", 101), v("07:00:04", 102), v("07:00:08", 103)]  # 30 m each leg in 4 s: 7.5 m/s
    assert sorted(kinds(visits)) == [(FlagKind.PATROL_TOO_FAST, 3)]
    visits = [v("07:00:00", 101), v("07:00:02", 102), v("07:00:04", 103)]  # 15 m/s
    assert kinds(visits) == [(FlagKind.TELEPORT, 2), (FlagKind.PATROL_TOO_FAST, 3), (FlagKind.TELEPORT, 2)]


def test_flags_are_deterministic_and_keyed() -> None:
    visits = [v("07:00:00", 101), v("07:00:03", 103), v("08:00:00", 301), v("08:00:01", 302)]
    flags = flag_visits(visits, POSITIONS, RULES)
    assert flag_visits(visits[::-1] + visits, POSITIONS, RULES) == flags
    assert [f.key for f in flags] == [f"teleport/{visits[0].key}", f"teleport/{visits[2].key}",
                                      f"patrol_too_fast/{visits[2].key}"]
    assert "相距约100米" in flags[0].reason_zh
    assert "100 m apart" in flags[0].reason_en


def test_flagged_check_ins_earn_no_points_and_stay_visible() -> None:
    honest = walk(DAY, "07:00", SEG10, step_seconds=60)
    cloned = [visit(DAY, "09:00:00", 101), visit(DAY, "09:00:02", 103)]  # a copied beacon carried about
    visits = honest + cloned
    flags = flag_visits(visits, POSITIONS, RULES)
    result = score_day(STEWARD, DAY, visits, [SEG10], RULES, withheld=withheld_keys(flags))
    assert result.withheld == tuple(x.key for x in cloned)
    assert all(key not in e.evidence for e in result.entries for key in result.withheld)


def test_a_cheat_corpus_earns_nothing() -> None:
    visits = [Visit(f"9/0/{i}", at(DAY, "07:00") + timedelta(seconds=3 * i), 101 + i % 3) for i in range(15)]
    flags = flag_visits(visits, POSITIONS, RULES)
    result = score_day(STEWARD, DAY, visits, [SEG10], RULES, withheld=withheld_keys(flags))
    assert {f.kind for f in flags} >= {FlagKind.SCAN_STORM}
    assert result.entries == ()
