from datetime import UTC, datetime

from scoring.teams import LaneClaim, plan_teams


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
