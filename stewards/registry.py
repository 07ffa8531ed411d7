"""Composition helpers shared by the CLI, the demo, the benchmarks and the tests.

They sit above the packages: they may import all of them, and translate between them (the registry in
the database → the wristbands' patrol routes; a data set's key seeds → the public keys the server keeps).
"""

from __future__ import annotations

import hashlib
import hmac
from collections import defaultdict
from datetime import datetime

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

import wire
from firmware_sim import BandProfile, CheckpointPlan, SegmentRoute
from scoring.registry.beacons import beacon_secrets
from scoring.registry.load import load_dataset
from scoring.seed.dataset import BandSeed, Dataset
from scoring.storage import tables as t
from scoring.storage.engine import session_factory
from scoring.storage.migrate import upgrade


def band_public_key(band: BandSeed) -> bytes:
    _, verify_key = wire.generate_keypair(band.signing_seed)
    return bytes(verify_key)


def band_mqtt_password(band_id: int, fleet_secret: bytes) -> str:
    """Per-band broker password, derived so a test or demo fleet needs no password list."""
    return hmac.new(fleet_secret, f"band/{band_id}".encode(), hashlib.sha256).hexdigest()[:24]


def prepare_store(engine: Engine, data: Dataset) -> None:
    """Migrate to the current schema and load a registry data set."""
    upgrade(engine)
    with session_factory(engine).begin() as session:
        load_dataset(session, data, band_public_key)


def band_profiles(
    engine: Engine, data: Dataset, *, fleet_secret: bytes, at: datetime, beacon_key: bytes | None = None
) -> list[BandProfile]:
    """Each band's patrol routes: its steward's claimed segments (claims valid at `at`), checkpoints in order.

    The simulated bands hear the beacons' tokens, so they need the beacons' secrets: demo ones open
    without a key, installed ones with `beacon_key` (STEWARDS_BEACON_KEY)."""
    with Session(engine) as session:
        steward_ids = dict(session.execute(select(t.Steward.key, t.Steward.id)).all())
        claims: dict[int, list[int]] = defaultdict(list)
        for steward_id, segment_id in session.execute(
            select(t.Claim.steward_id, t.Claim.segment_id)
            .where(t.Claim.valid_from <= at, (t.Claim.valid_to.is_(None)) | (t.Claim.valid_to > at))
            .order_by(t.Claim.steward_id, t.Claim.segment_id)
        ):
            claims[steward_id].append(segment_id)
        secrets = {b.checkpoint_id: b.secret for b in beacon_secrets(session, beacon_key, active_only=True)}
        checkpoints: dict[int, list[CheckpointPlan]] = defaultdict(list)
        for cp in session.scalars(select(t.Checkpoint).order_by(t.Checkpoint.segment_id, t.Checkpoint.position_m)):
            checkpoints[cp.segment_id].append(CheckpointPlan(cp.id, cp.position_m, secrets[cp.id]))
    profiles = []
    for band in data.bands:
        steward_id = steward_ids[band.steward_key]
        routes = tuple(SegmentRoute(seg, tuple(checkpoints[seg])) for seg in claims.get(steward_id, ()))
        profiles.append(
            BandProfile(
                band_id=band.band_id,
                signing_seed=band.signing_seed,
                mqtt_password=band_mqtt_password(band.band_id, fleet_secret),
                routes=routes,
                active_from=band.bound_from,
            )
        )
    return profiles
