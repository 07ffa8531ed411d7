"""认领 in the store, on both stores: one steward per segment (the race included), history that is never
rewritten, 小巷管家团 re-formed as claims change, and the scorer counting a claim from its start to its end."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import Engine, event, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from scoring.accounts.principal import Principal
from scoring.accounts.roles import Role
from scoring.errors import NotAuthorisedError, UnknownScopeError
from scoring.ingest import IngestStore
from scoring.registry.claiming import claim_segment, release_claim, segment_claims, steward_claims, transfer_claim
from scoring.registry.errors import ClaimEndedError, InvalidClaimError, SegmentClaimedError, UnknownClaimError
from scoring.rulebook import load_rulebook
from scoring.scorer import score_pending
from scoring.storage import tables as t
from scoring.storage.engine import session_factory
from tests.scoring.checkins import BJ, Patroller, Recorder, at

NOW = datetime(2017, 9, 30, 2, 0, tzinfo=UTC)
ADMIN = Principal(0, "admin", Role.ADMIN)


def steward(steward_id: int) -> Principal:
    return Principal(0, f"steward-{steward_id}", Role.STEWARD, steward_id=steward_id)


def free_lane(engine: Engine, segments: int = 3) -> tuple[int, list[int], list[int]]:
    """A lane of 龙潭 nobody has claimed on, with at least `segments` segments: (lane, its segments, and
    four stewards of 龙潭 who hold no claim on it)."""
    with Session(engine) as s:
        longtan = s.scalar(select(t.Subdistrict.id).where(t.Subdistrict.key == "longtan"))
        claimed = select(t.Segment.lane_id).join(t.Claim, t.Claim.segment_id == t.Segment.id)
        counts = (select(t.Segment.lane_id, func.count().label("n")).group_by(t.Segment.lane_id).subquery())
        lane = s.scalar(select(t.Lane.id).join(counts, counts.c.lane_id == t.Lane.id).where(
            t.Lane.subdistrict_id == longtan, t.Lane.id.not_in(claimed), counts.c.n >= segments).order_by(t.Lane.id))
        assert lane is not None
        segs = list(s.scalars(select(t.Segment.id).where(t.Segment.lane_id == lane).order_by(t.Segment.id)))
        stewards = list(s.scalars(select(t.Steward.id).where(t.Steward.subdistrict_id == longtan)
                                  .order_by(t.Steward.id).limit(4)))
    return lane, segs, stewards


def run(engine: Engine, command, *args, **kwargs):  # type: ignore[no-untyped-def]
    with session_factory(engine).begin() as session:
        return command(session, *args, **kwargs)


def open_claims(engine: Engine, segment_id: int) -> list[tuple[int, datetime | None]]:
    with Session(engine) as s:
        return [(c.steward_id, c.valid_to) for c in s.scalars(
            select(t.Claim).where(t.Claim.segment_id == segment_id, t.Claim.valid_to.is_(None)))]


def test_a_steward_claims_a_free_segment_of_their_subdistrict_from_now_on(seeded: Engine) -> None:
    lane, (seg, *_), (a, b, *_) = free_lane(seeded)
    change = run(seeded, claim_segment, steward(a), seg, now=NOW)
    assert change.ended is None and change.opened is not None
    assert (change.opened.steward_id, change.opened.segment_id, change.opened.lane_id) == (a, seg, lane)
    assert change.opened.valid_from == NOW and change.opened.valid_to is None
    assert change.team.change.nothing  # one claimant is no team

    with pytest.raises(SegmentClaimedError, match="another steward") as taken:
        run(seeded, claim_segment, steward(b), seg, now=NOW + timedelta(hours=1))
    assert str(a) not in str(taken.value)  # never who holds it
    with pytest.raises(SegmentClaimedError, match="you hold"):
        run(seeded, claim_segment, steward(a), seg, now=NOW + timedelta(hours=1))
    with pytest.raises(UnknownScopeError):
        run(seeded, claim_segment, steward(a), 999_999, now=NOW)
    with pytest.raises(NotAuthorisedError, match="only a steward"):
        run(seeded, claim_segment, ADMIN, seg, now=NOW)
    assert open_claims(seeded, seg) == [(a, None)]


def test_a_steward_claims_in_their_own_subdistrict_only(seeded: Engine) -> None:
    _, _, (a, *_) = free_lane(seeded)
    with Session(seeded) as s:
        elsewhere = s.scalar(select(t.Segment.id).join(t.Lane).join(t.Subdistrict)
                             .where(t.Subdistrict.key != "longtan").order_by(t.Segment.id))
    with pytest.raises(NotAuthorisedError, match="own subdistrict"):
        run(seeded, claim_segment, steward(a), elsewhere, now=NOW)


def test_release_and_transfer_end_only_the_open_claim_and_keep_the_history(seeded: Engine) -> None:
    lane, (seg, *_), (a, b, c, _) = free_lane(seeded)
    first = run(seeded, claim_segment, steward(a), seg, now=NOW).opened
    handed = run(seeded, transfer_claim, ADMIN, first.id, b, now=NOW + timedelta(days=1))
    assert handed.ended.id == first.id and handed.ended.valid_to == NOW + timedelta(days=1)
    assert handed.opened.steward_id == b and handed.opened.valid_from == handed.ended.valid_to  # the same instant
    with pytest.raises(ClaimEndedError):
        run(seeded, release_claim, steward(a), first.id, now=NOW + timedelta(days=2))
    with pytest.raises(ClaimEndedError):
        run(seeded, transfer_claim, ADMIN, first.id, c, now=NOW + timedelta(days=2))
    with pytest.raises(NotAuthorisedError, match="their own claims"):
        run(seeded, release_claim, steward(a), handed.opened.id, now=NOW + timedelta(days=2))
    with pytest.raises(InvalidClaimError, match="holds claim"):
        run(seeded, transfer_claim, ADMIN, handed.opened.id, b, now=NOW + timedelta(days=2))
    with pytest.raises(UnknownClaimError):
        run(seeded, release_claim, ADMIN, 999_999, now=NOW)
    released = run(seeded, release_claim, steward(b), handed.opened.id, now=NOW + timedelta(days=3))
    assert released.ended.valid_to == NOW + timedelta(days=3)

    history = run(seeded, segment_claims, ADMIN, seg, limit=10, offset=0)
    assert [(h.steward_id, h.valid_from, h.valid_to) for h in history] == [
        (a, NOW, NOW + timedelta(days=1)),
        (b, NOW + timedelta(days=1), NOW + timedelta(days=3)),
    ]
    assert [h.id for h in run(seeded, segment_claims, ADMIN, seg, limit=1, offset=1)] == [history[1].id]
    assert [h.segment_id for h in run(seeded, steward_claims, steward(b), b, limit=10, offset=0)][-1] == seg
    assert open_claims(seeded, seg) == []


def test_a_transfer_goes_to_a_steward_of_the_lanes_subdistrict(seeded: Engine) -> None:
    _, (seg, *_), (a, *_) = free_lane(seeded)
    claim = run(seeded, claim_segment, steward(a), seg, now=NOW).opened
    with Session(seeded) as s:
        outsider = s.scalar(select(t.Steward.id).join(t.Subdistrict).where(t.Subdistrict.key != "longtan"))
    if outsider is None:  # the demo has stewards in 龙潭 only: make one in 西长安街
        with session_factory(seeded).begin() as s:
            xichangan = s.scalars(select(t.Subdistrict).where(t.Subdistrict.key == "xichangan")).one()
            s.add(t.Steward(key="test/outsider", name="外人", subdistrict_id=xichangan.id, joined_on=date(2017, 5, 1)))
        with Session(seeded) as s:
            outsider = s.scalar(select(t.Steward.id).where(t.Steward.key == "test/outsider"))
    with pytest.raises(InvalidClaimError, match="another subdistrict"):
        run(seeded, transfer_claim, ADMIN, claim.id, outsider, now=NOW)
    with pytest.raises(InvalidClaimError, match="no steward"):
        run(seeded, transfer_claim, ADMIN, claim.id, 999_999, now=NOW)


def test_the_store_holds_one_open_claim_per_segment(seeded: Engine) -> None:
    _, (seg, *_), (a, b, *_) = free_lane(seeded)
    rows = t.Claim.__table__
    with seeded.begin() as conn:  # ended claims are history: any number of them
        conn.execute(rows.insert(), [dict(steward_id=a, segment_id=seg, valid_from=NOW, valid_to=NOW),
                                     dict(steward_id=b, segment_id=seg, valid_from=NOW, valid_to=NOW)])
        conn.execute(rows.insert(), [dict(steward_id=a, segment_id=seg, valid_from=NOW, valid_to=None)])
    with pytest.raises(IntegrityError), seeded.begin() as conn:
        conn.execute(rows.insert(), [dict(steward_id=b, segment_id=seg, valid_from=NOW, valid_to=None)])
    assert open_claims(seeded, seg) == [(a, None)]


@pytest.fixture
def sneaked_claim(seeded: Engine) -> Iterator[tuple[int, int, int]]:
    """A claim by another steward stored, from another connection, the moment after the check found the
    segment free: (segment, the claimant, the one who got there first)."""
    _, (seg, *_), (a, b, *_) = free_lane(seeded)

    sneaked: list[bool] = []

    def sneak(session: Session, *_: object) -> None:
        if sneaked:
            return
        sneaked.append(True)
        with seeded.begin() as conn:
            conn.execute(t.Claim.__table__.insert(), [dict(steward_id=b, segment_id=seg, valid_from=NOW)])

    event.listen(Session, "before_flush", sneak)
    try:
        yield seg, a, b
    finally:
        event.remove(Session, "before_flush", sneak)
    assert sneaked


def test_a_claim_that_gets_past_the_check_is_refused_by_the_store(seeded: Engine,
                                                                 sneaked_claim: tuple[int, int, int]) -> None:
    seg, a, b = sneaked_claim
    with pytest.raises(SegmentClaimedError, match="another steward"):
        run(seeded, claim_segment, steward(a), seg, now=NOW)
    assert open_claims(seeded, seg) == [(b, None)]


def test_two_claims_racing_for_one_segment_exactly_one_wins(seeded: Engine) -> None:
    _, (seg, *_), (a, b, *_) = free_lane(seeded)
    start = threading.Barrier(2)
    outcome: dict[int, str] = {}

    def claim(who: int) -> None:
        start.wait()
        try:
            run(seeded, claim_segment, steward(who), seg, now=NOW)
            outcome[who] = "won"
        except SegmentClaimedError:
            outcome[who] = "refused"

    threads = [threading.Thread(target=claim, args=(who,)) for who in (a, b)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert sorted(outcome.values()) == ["refused", "won"]
    winner = next(who for who, result in outcome.items() if result == "won")
    assert open_claims(seeded, seg) == [(winner, None)]


# --- 小巷管家团 ------------------------------------------------------------------------------------


def teams_of(engine: Engine, lane: int) -> list[tuple[datetime, datetime | None, list[tuple[int, datetime,
                                                                                        datetime | None]]]]:
    with Session(engine) as s:
        return [
            (team.formed_at, team.dissolved_at, [
                (m.steward_id, m.valid_from, m.valid_to) for m in s.scalars(
                    select(t.TeamMembership).where(t.TeamMembership.team_id == team.id)
                    .order_by(t.TeamMembership.steward_id, t.TeamMembership.valid_from))])
            for team in s.scalars(select(t.Team).where(t.Team.lane_id == lane).order_by(t.Team.id))
        ]


def test_a_team_forms_at_the_third_claimant_dissolves_below_three_and_forms_anew(seeded: Engine) -> None:
    lane, (s1, s2, s3, *_), (a, b, c, d) = free_lane(seeded)
    h = [NOW + timedelta(hours=i) for i in range(8)]
    ca = run(seeded, claim_segment, steward(a), s1, now=h[0]).opened
    run(seeded, claim_segment, steward(b), s2, now=h[1])
    assert teams_of(seeded, lane) == []
    formed = run(seeded, claim_segment, steward(c), s3, now=h[2])
    assert formed.team.change.form and formed.team.members_after == tuple(sorted((a, b, c)))
    assert teams_of(seeded, lane) == [(h[2], None, [(a, h[2], None), (b, h[2], None), (c, h[2], None)])]

    handed = run(seeded, transfer_claim, ADMIN, ca.id, d, now=h[3])  # one leaves and one joins at one instant
    assert not handed.team.change.form and not handed.team.change.dissolve
    assert (handed.team.change.leave, handed.team.change.join) == ({a}, {d})
    held_by_d = handed.opened
    dissolved = run(seeded, release_claim, steward(d), held_by_d.id, now=h[4])
    assert dissolved.team.change.dissolve and dissolved.team.members_after == ()
    assert teams_of(seeded, lane) == [(h[2], h[4], [(a, h[2], h[3]), (b, h[2], h[4]), (c, h[2], h[4]),
                                                    (d, h[3], h[4])])]

    again = run(seeded, claim_segment, steward(a), s1, now=h[5])
    assert again.team.change.form  # a new team: the dissolved one keeps its dates
    (_, first_end, _), (second_start, second_end, members) = teams_of(seeded, lane)
    assert (first_end, second_start, second_end) == (h[4], h[5], None)
    assert members == [(a, h[5], None), (b, h[5], None), (c, h[5], None)]
    with Session(seeded) as s:
        names = set(s.scalars(select(t.Team.name).where(t.Team.lane_id == lane)))
        lane_name = s.scalar(select(t.Lane.name).where(t.Lane.id == lane))
    assert names == {f"{lane_name}小巷管家团"}


def test_a_second_segment_on_the_lane_keeps_one_membership(seeded: Engine) -> None:
    lane, (s1, s2, s3, *rest), (a, b, c, _) = free_lane(seeded, segments=4)
    for who, seg in ((a, s1), (b, s2), (c, s3)):
        run(seeded, claim_segment, steward(who), seg, now=NOW)
    second = run(seeded, claim_segment, steward(a), rest[0], now=NOW + timedelta(hours=1))
    assert second.team.change.nothing
    first_of_a = run(seeded, steward_claims, steward(a), a, limit=100, offset=0)
    mine = next(x for x in first_of_a if x.segment_id == s1)
    assert run(seeded, release_claim, steward(a), mine.id, now=NOW + timedelta(hours=2)).team.change.nothing


# --- the scorer reads the claim history ---------------------------------------------------------


def test_a_patrol_on_a_newly_claimed_segment_earns_points_from_the_claim_until_its_release(
        seeded: Engine) -> None:
    _, (seg, *_), _ = free_lane(seeded)
    with Session(seeded) as s:
        han = s.scalars(select(t.Steward).where(t.Steward.name == "韩险峰")).one()
        band = s.scalar(select(t.BandBinding.band_id).where(t.BandBinding.steward_id == han.id))
        checkpoints = tuple(s.scalars(select(t.Checkpoint.id).where(t.Checkpoint.segment_id == seg)
                                      .order_by(t.Checkpoint.position_m)))
    assert band is not None
    who, rec = Patroller("韩险峰", han.id, band, (checkpoints,)), Recorder()
    before, held, after = date(2017, 6, 6), date(2017, 6, 7), date(2017, 6, 8)
    claimed_at, released_at = at(held, 6).astimezone(UTC), at(after, 6).astimezone(UTC)
    rows = [*rec.walk(who, at(before, 7)), *rec.walk(who, at(held, 5)),  # before the claim: nothing
            *rec.walk(who, at(held, 7)), *rec.walk(who, at(held, 18)),  # while it is held
            *rec.walk(who, at(after, 7))]  # after its release: nothing
    claim = run(seeded, claim_segment, steward(han.id), seg, now=claimed_at).opened
    run(seeded, release_claim, steward(han.id), claim.id, now=released_at)
    IngestStore(seeded).commit(rows, [], received_at=at(after, 20))
    score_pending(seeded, load_rulebook())

    with Session(seeded) as s:
        earned = s.execute(select(t.PointsEntry.day, t.PointsEntry.evidence, t.PointsEntry.points).where(
            t.PointsEntry.steward_id == han.id, t.PointsEntry.segment_id == seg)).all()
    assert earned and {day for day, _, _ in earned} == {held}
    assert sum(points for *_, points in earned) > 0
    assert claimed_at.astimezone(BJ).hour == 6  # the 05:00 walk was before it, the 07:00 one after
