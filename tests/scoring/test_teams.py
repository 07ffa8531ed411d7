from datetime import UTC, datetime

import pytest

from scoring.teams import LaneClaim, TeamChange, plan_teams, team_change


def at(day: int) -> datetime:
    return datetime(2017, 5, day, tzinfo=UTC)


def test_no_team_below_three_stewards() -> None:
    assert plan_teams([LaneClaim(1, 9, at(1), None), LaneClaim(2, 9, at(1), None)]) == []


def test_team_forms_when_the_third_steward_claims() -> None:
    plans = plan_teams([LaneClaim(1, 9, at(1), None), LaneClaim(2, 9, at(2), None), LaneClaim(3, 9, at(5), None)])
    assert len(plans) == 1
    assert plans[0].formed_at == at(5)
    # Members who were there first join the team when it forms, not before.
    assert [(m.steward_id, m.valid_from) for m in plans[0].members] == [(1, at(5)), (2, at(5)), (3, at(5))]


def test_membership_ends_with_the_last_claim_and_overlapping_claims_merge() -> None:
    plans = plan_teams([
        LaneClaim(1, 9, at(1), None),
        LaneClaim(2, 9, at(1), None),
        LaneClaim(3, 9, at(1), at(10)),
        LaneClaim(3, 9, at(8), at(12)),  # a second segment of the same lane, overlapping
    ])
    members = {m.steward_id: (m.valid_from, m.valid_to) for m in plans[0].members}
    assert members[3] == (at(1), at(12))


def test_a_steward_with_two_segments_counts_once() -> None:
    assert plan_teams([LaneClaim(1, 9, at(1), None), LaneClaim(1, 9, at(1), None), LaneClaim(2, 9, at(1), None)]) == []


def test_a_team_below_three_is_dissolved_and_a_lane_back_at_three_forms_a_new_one() -> None:
    plans = plan_teams([
        LaneClaim(1, 9, at(1), None),
        LaneClaim(2, 9, at(1), at(10)),
        LaneClaim(3, 9, at(2), None),
        LaneClaim(4, 9, at(20), None),
    ])
    assert [(p.formed_at, p.dissolved_at) for p in plans] == [(at(2), at(10)), (at(20), None)]
    assert [(m.steward_id, m.valid_from, m.valid_to) for m in plans[0].members] == [
        (1, at(2), at(10)), (2, at(2), at(10)), (3, at(2), at(10))]
    assert [(m.steward_id, m.valid_from, m.valid_to) for m in plans[1].members] == [
        (1, at(20), None), (3, at(20), None), (4, at(20), None)]


def test_a_claim_handed_on_at_one_instant_moves_one_membership_and_keeps_the_team() -> None:
    plans = plan_teams([
        LaneClaim(1, 9, at(1), None), LaneClaim(2, 9, at(1), None),
        LaneClaim(3, 9, at(1), at(5)), LaneClaim(4, 9, at(5), None),  # 3 hands the segment to 4
    ])
    assert [(p.formed_at, p.dissolved_at) for p in plans] == [(at(1), None)]
    assert {m.steward_id: (m.valid_from, m.valid_to) for m in plans[0].members} == {
        1: (at(1), None), 2: (at(1), None), 3: (at(1), at(5)), 4: (at(5), None)}


@pytest.mark.parametrize(("claimants", "standing", "members", "expected"), [
    ({1, 2}, False, set(), TeamChange()),
    ({1, 2, 3}, False, set(), TeamChange(form=True, join=frozenset({1, 2, 3}))),
    ({1, 2, 3, 4}, True, {1, 2, 3}, TeamChange(join=frozenset({4}))),
    ({1, 2, 4}, True, {1, 2, 3}, TeamChange(join=frozenset({4}), leave=frozenset({3}))),
    ({1, 2}, True, {1, 2, 3}, TeamChange(dissolve=True, leave=frozenset({1, 2, 3}))),
    ({1, 2, 3}, True, {1, 2, 3}, TeamChange()),
])
def test_the_team_rule_at_an_instant(claimants: set[int], standing: bool, members: set[int],
                                     expected: TeamChange) -> None:
    assert team_change(claimants, standing, members) == expected
