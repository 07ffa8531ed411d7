"""The programme end to end on TimescaleDB: a resident signs up online, the street office approves, she
claims a free segment, binds the band the operator enrolled with its own key, and her first patrol is
stored by the real gateway (mosquitto, MQTT v5) and scored. Every step goes through the API with her own
or the office's credential; nothing is seeded for her."""

from __future__ import annotations

import asyncio
import secrets
import uuid
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from firmware_sim import BandProfile, BrokerAddress, CheckpointPlan, Fleet, SegmentRoute, SimClock
from scoring.accounts.roles import Role
from scoring.periods import day_starts_at
from scoring.registry.beacons import beacon_secrets
from scoring.rulebook_default import default_rulebook
from scoring.scorer import score_pending
from scoring.seed.dataset import Dataset
from scoring.storage import tables as t
from scoring.storage.engine import make_engine
from stewards.registry import prepare_store
from tests.api.signin import Accounts, api
from tests.conftest import broker_for, running_gateway, service_workdir
from wire.signing import generate_keypair

SIGNED_UP_AT = datetime(2017, 9, 3, 2, 0, tzinfo=UTC)  # 10:00 in Beijing, the Sunday before her first patrol
PATROL_DAY = date(2017, 9, 4)
BAND_ID = 900_001  # a band of the operator's stock, not of the seed
PASSWORD = "幸福北里 patrol 2017"


def _free_segment(engine: Engine, subdistrict_key: str) -> tuple[int, int, int]:
    """(subdistrict, lane, segment): a segment of a lane of the subdistrict that nobody holds now."""
    with Session(engine) as s:
        held = select(t.Claim.segment_id).where(t.Claim.valid_to.is_(None))
        row = s.execute(
            select(t.Lane.subdistrict_id, t.Segment.lane_id, t.Segment.id).join(t.Lane, t.Segment.lane_id == t.Lane.id)
            .join(t.Subdistrict, t.Lane.subdistrict_id == t.Subdistrict.id)
            .where(t.Subdistrict.key == subdistrict_key, t.Lane.kind != "main_street", t.Segment.id.not_in(held))
            .order_by(t.Segment.id)).first()
    assert row is not None, "the data set leaves no segment free"
    return row[0], row[1], row[2]


def _route(engine: Engine, segment: int) -> SegmentRoute:
    """Her segment's checkpoints in order, with the secrets their beacons broadcast from."""
    with Session(engine) as s:
        opened = {b.checkpoint_id: b.secret for b in beacon_secrets(s, None, active_only=True)}
        checkpoints = s.scalars(select(t.Checkpoint).where(t.Checkpoint.segment_id == segment)
                                .order_by(t.Checkpoint.position_m)).all()
        return SegmentRoute(segment, tuple(CheckpointPlan(c.id, c.position_m, opened[c.id]) for c in checkpoints))


def test_sign_up_approval_claim_band_and_a_first_scored_patrol_on_timescaledb(postgres, longtan: Dataset) -> None:  # type: ignore[no-untyped-def]
    engine = make_engine(postgres.create_database(f"programme_{uuid.uuid4().hex[:8]}"))
    prepare_store(engine, longtan)
    subdistrict, lane, segment = _free_segment(engine, "longtan")
    client, offices = api(engine, clock=lambda: SIGNED_UP_AT), Accounts(engine, lambda: SIGNED_UP_AT)

    # 报名: online, by the resident herself; the street office of her subdistrict approves.
    form = {"name": "周桂兰", "phone": "13911112222", "lane_id": lane, "address": "幸福北里17号楼3门201",
            "username": "zhou-guilan", "password": PASSWORD}
    signed_up = client.post("/signups", json=form)
    assert signed_up.status_code == 201, signed_up.text
    coordinator = offices.headers(Role.COORDINATOR, subdistrict_id=subdistrict)
    approved = client.post(f"/signups/{signed_up.json()['id']}/approve", headers=coordinator)
    assert approved.status_code == 200, approved.text
    steward = approved.json()["steward_id"]
    with Session(engine) as s:  # assigned where she lives (按照居住原则分配)
        her = s.get(t.Steward, steward)
        assert her is not None and her.home_lane_id == lane and her.subdistrict_id == subdistrict

    # She signs in with the password she chose, and claims the segment (认领).
    signed_in = client.post("/auth/token", data={"username": "zhou-guilan", "password": PASSWORD})
    assert signed_in.status_code == 200, signed_in.text
    me = {"Authorization": f"Bearer {signed_in.json()['access_token']}"}
    claimed = client.post("/claims", json={"segment_id": segment}, headers=me)
    assert claimed.status_code == 201, claimed.text

    # The operator enrols a band with the key the band made; she binds it with the code printed with it.
    seed = secrets.token_bytes(32)
    public_key = bytes(generate_keypair(seed)[1]).hex()
    enrolled = client.post("/bands", json={"band_id": BAND_ID, "public_key": public_key},
                           headers=offices.headers(Role.ADMIN))
    assert enrolled.status_code == 201, enrolled.text
    bound = client.post("/bands/claim", json={"claim_code": enrolled.json()["claim_code"]}, headers=me)
    assert bound.status_code in (200, 201), bound.text
    assert bound.json()["steward_id"] == steward

    # Her first patrol: the band's own key, her segment's beacons, the real broker and gateway.
    password = secrets.token_urlsafe(16)
    band = BandProfile(band_id=BAND_ID, signing_seed=seed, mqtt_password=password, routes=(_route(engine, segment),),
                       diligence=1.0, active_from=PATROL_DAY)
    clock = SimClock(day_starts_at(PATROL_DAY))
    with broker_for(service_workdir("mq"), longtan, **{str(BAND_ID): password}) as broker, \
            running_gateway(engine, broker, clock=clock.now) as gateway:
        async def patrol() -> Fleet:
            async with Fleet([band], BrokerAddress(broker.host, broker.port, 5), clock) as fleet:
                await fleet.run_days(PATROL_DAY, 1)
                await fleet.drain(120)
            return fleet

        fleet = asyncio.run(patrol())
        committed = gateway.counters.snapshot().committed
    made = list(fleet.records_made())
    assert made and committed == len(made) and fleet.stats().pending == 0
    with Session(engine) as s:
        stored = s.scalars(select(t.CheckIn.band_id).where(t.CheckIn.band_id == BAND_ID)).all()
        refused = s.scalars(select(t.Quarantine.reason).where(t.Quarantine.band_id == BAND_ID)).all()
    assert len(stored) == len(made) and refused == []

    score_pending(engine, default_rulebook())
    # The evening after: she signs in again (an access token lives minutes) and reads her own day.
    evening = day_starts_at(PATROL_DAY) + timedelta(hours=21)
    later = api(engine, clock=lambda: evening)
    token = later.post("/auth/token", data={"username": "zhou-guilan", "password": PASSWORD}).json()["access_token"]
    points = later.get(f"/stewards/{steward}/points", params={"period": "day", "label": PATROL_DAY.isoformat()},
                       headers={"Authorization": f"Bearer {token}"})
    assert points.status_code == 200, points.text
    assert points.json()["total"] > 0 and points.json()["entry_count"] > 0
