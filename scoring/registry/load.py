"""Write a registry data set (see `scoring.seed`) into the database, and form the teams it implies."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from scoring.periods import day_starts_at
from scoring.registry.beacon_secrets import seal_secret
from scoring.registry.key_origin import KeyOrigin
from scoring.seed.dataset import BandSeed, Dataset
from scoring.storage import tables as t
from scoring.teams import LaneClaim, plan_teams, team_name

log = logging.getLogger(__name__)

PublicKeyOf = Callable[[BandSeed], bytes]


def load_dataset(session: Session, data: Dataset, public_key_of: PublicKeyOf) -> None:
    """Insert every row of `data`. The server keeps only the bands' public keys: `public_key_of` derives them.

    Every band key and beacon secret of a data set is marked `demo`: they are derived from ids by public
    code, and the gateway refuses them unless the deployment allows demo keys."""
    ids: dict[str, int] = {}

    def add(row: t.Base, key: str) -> None:
        session.add(row)
        session.flush()
        ids[key] = row.id  # type: ignore[attr-defined]

    for d in data.districts:
        add(t.District(key=d.key, name=d.name, lanes_planned=d.lanes_planned), d.key)
    for s in data.subdistricts:
        add(
            t.Subdistrict(
                key=s.key, district_id=ids[s.district_key], name=s.name,
                main_streets=s.main_streets, lanes=s.lanes, note=s.note,
            ),
            s.key,
        )
    for c in data.communities:
        add(t.Community(key=c.key, subdistrict_id=ids[c.subdistrict_key], name=c.name), c.key)

    # Main streets first: a lane names the street it opens onto by the street's id.
    for on_a_street in (False, True):
        _bulk(session, t.Lane, ids, [
            dict(key=ln.key, subdistrict_id=ids[ln.subdistrict_key],
                 community_id=ids[ln.community_key] if ln.community_key else None,
                 name=ln.name, kind=ln.kind, length_m=ln.length_m, shops=ln.shops,
                 residential_buildings=ln.residential_buildings, improvement_year=ln.improvement_year,
                 street_id=ids[ln.street_key] if ln.street_key else None)
            for ln in data.lanes if (ln.street_key is not None) is on_a_street
        ])
    _bulk(session, t.Segment, ids, [
        dict(key=s.key, lane_id=ids[s.lane_key], name=s.name, length_m=s.length_m) for s in data.segments
    ])
    _bulk(session, t.Checkpoint, ids, [
        dict(key=c.key, segment_id=ids[c.segment_key], name=c.name, position_m=c.position_m,
             latitude=c.latitude, longitude=c.longitude)
        for c in data.checkpoints
    ])
    install_day = min((s.joined_on for s in data.stewards), default=date(2017, 5, 1))
    # A data set's secrets are derived by public code: demo secrets, sealed as such (see beacon_secrets).
    session.execute(t.Beacon.__table__.insert(), [
        dict(checkpoint_id=ids[c.key], key_origin=KeyOrigin.DEMO.value, active_from=day_starts_at(install_day),
             sealed_secret=seal_secret(c.beacon_secret, ids[c.key], KeyOrigin.DEMO, None), active_to=None)
        for c in data.checkpoints
    ])
    _bulk(session, t.Steward, ids, [
        dict(key=s.key, name=s.name, subdistrict_id=ids[s.subdistrict_key],
             community_id=ids[s.community_key] if s.community_key else None,
             home_lane_id=ids[s.home_lane_key], joined_on=s.joined_on, party_member=s.party_member, phone=s.phone)
        for s in data.stewards
    ])
    _bulk(session, t.Chief, ids, [
        dict(key=c.key, name=c.name, role=c.role, subdistrict_id=ids[c.subdistrict_key],
             lane_id=ids[c.lane_key] if c.lane_key else None, lives_locally=c.lives_locally)
        for c in data.chiefs
    ])
    _bulk(session, t.Contractor, ids, [
        dict(key=c.key, name=c.name, lane_id=ids[c.lane_key]) for c in data.contractors
    ])
    session.execute(t.Band.__table__.insert(), [
        dict(id=b.band_id, public_key=public_key_of(b), registered_at=day_starts_at(b.bound_from),
             key_origin=KeyOrigin.DEMO.value)
        for b in data.bands
    ])
    session.execute(t.BandBinding.__table__.insert(), [
        dict(band_id=b.band_id, steward_id=ids[b.steward_key], valid_from=day_starts_at(b.bound_from), valid_to=None)
        for b in data.bands
    ])
    session.execute(t.Claim.__table__.insert(), [
        dict(steward_id=ids[c.steward_key], segment_id=ids[c.segment_key],
             valid_from=day_starts_at(c.valid_from), valid_to=None)
        for c in data.claims
    ])
    form_teams(session)
    log.info("registry loaded: %d lanes, %d stewards, %d bands", len(data.lanes), len(data.stewards), len(data.bands))


def form_teams(session: Session) -> int:
    """Plan the teams of the claim history (`scoring.teams.plan_teams`) on the lanes that have never had
    one; a lane with a team keeps its own history. Returns how many teams were formed."""
    rows = session.execute(
        select(t.Claim.steward_id, t.Segment.lane_id, t.Claim.valid_from, t.Claim.valid_to)
        .join(t.Segment, t.Segment.id == t.Claim.segment_id)
    ).all()
    existing = set(session.scalars(select(t.Team.lane_id)))
    lane_names = dict(session.execute(select(t.Lane.id, t.Lane.name)).all())
    formed = 0
    for plan in plan_teams(LaneClaim(*r) for r in rows):
        if plan.lane_id in existing:
            continue
        team = t.Team(lane_id=plan.lane_id, name=team_name(lane_names[plan.lane_id]), formed_at=plan.formed_at,
                      dissolved_at=plan.dissolved_at)
        session.add(team)
        session.flush()
        session.execute(t.TeamMembership.__table__.insert(), [
            dict(team_id=team.id, steward_id=m.steward_id, valid_from=m.valid_from, valid_to=m.valid_to)
            for m in plan.members
        ])
        formed += 1
    return formed


def _bulk(session: Session, model: type[t.Base], ids: dict[str, int], rows: list[dict[str, object]]) -> None:
    """Insert many rows and record their generated ids by key (RETURNING keeps this one round trip)."""
    if not rows:
        return
    table = model.__table__
    result = session.execute(table.insert().returning(table.c.key, table.c.id), rows)
    ids.update({key: id_ for key, id_ in result})
