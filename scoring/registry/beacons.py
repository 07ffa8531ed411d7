"""Checkpoint beacons: install one, replace it, list a checkpoint's, and read secrets back.

A beacon's secret is random (`secrets.token_bytes`), sealed at rest with the deployment's key
(`beacon_secrets`), shown once to whoever programs the beacon, and never again: the API lists beacons
without it. `beacon_secrets()` is the one way to read secrets back, for those who must (the gateway's
directory, the simulated bands, the benchmark). Replacing a beacon ends the old one now and starts
the new one now, so records from before are checked against the old one's tokens and later ones
against the new one's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from scoring.registry.beacon_secrets import new_beacon_secret, open_secret, seal_secret
from scoring.registry.errors import BeaconKeyError, BeaconStateError, UnknownCheckpointError
from scoring.registry.key_origin import KeyOrigin
from scoring.storage import tables as t


@dataclass(frozen=True, slots=True)
class BeaconSecret:
    checkpoint_id: int
    secret: bytes = field(repr=False)
    active_from: datetime
    active_to: datetime | None
    key_origin: KeyOrigin


@dataclass(frozen=True, slots=True)
class InstalledBeacon:
    """What the installer programs into the beacon; the secret is shown this once."""

    beacon_id: int
    checkpoint_id: int
    secret: bytes = field(repr=False)
    active_from: datetime
    replaced_beacon_id: int | None


@dataclass(frozen=True, slots=True)
class BeaconView:
    """A beacon as anyone but its installer sees it: when it served, and where its secret came from."""

    id: int
    checkpoint_id: int
    active_from: datetime
    active_to: datetime | None
    key_origin: str


def beacon_secrets(session: Session, deployment_key: bytes | None, *, active_only: bool = False) -> list[BeaconSecret]:
    """Every beacon's secret, opened; oldest first per checkpoint. BeaconKeyError when one does not open."""
    query = select(t.Beacon.checkpoint_id, t.Beacon.sealed_secret, t.Beacon.key_origin, t.Beacon.active_from,
                   t.Beacon.active_to).order_by(t.Beacon.checkpoint_id, t.Beacon.active_from, t.Beacon.id)
    if active_only:
        query = query.where(t.Beacon.active_to.is_(None))
    return [BeaconSecret(cp, open_secret(sealed, cp, origin, deployment_key), active_from, active_to,
                         KeyOrigin(origin))
            for cp, sealed, origin, active_from, active_to in session.execute(query)]


def install_beacon(session: Session, checkpoint_id: int, *, now: datetime, deployment_key: bytes | None,
                   replace: bool = False) -> InstalledBeacon:
    """A new beacon at the checkpoint from `now`, with a new random secret; `replace` ends the active one.

    Installing where a beacon is active, or replacing where none is, is a BeaconStateError: the
    operator says which they mean, so a typo in a checkpoint id does not silently retire a beacon."""
    if deployment_key is None:
        raise BeaconKeyError("set STEWARDS_BEACON_KEY (base64 of 32 bytes, `openssl rand -base64 32`) before "
                             "installing a beacon: its secret is kept sealed with it")
    checkpoint_lane(session, checkpoint_id)
    active = session.scalars(select(t.Beacon).where(t.Beacon.checkpoint_id == checkpoint_id,
                                                    t.Beacon.active_to.is_(None))).all()
    if active and not replace:
        raise BeaconStateError(f"checkpoint {checkpoint_id} has an active beacon (id {active[0].id}): "
                               "use `stewards beacons replace` to put a new one in its place")
    if replace and not active:
        raise BeaconStateError(f"checkpoint {checkpoint_id} has no active beacon to replace: "
                               "use `stewards beacons install`")
    for old in active:
        old.active_to = now
    secret = new_beacon_secret()
    beacon = t.Beacon(checkpoint_id=checkpoint_id, key_origin=KeyOrigin.INSTALLED.value, active_from=now,
                      sealed_secret=seal_secret(secret, checkpoint_id, KeyOrigin.INSTALLED, deployment_key))
    session.add(beacon)
    session.flush()
    return InstalledBeacon(beacon.id, checkpoint_id, secret, now, active[0].id if active else None)


def beacon_history(session: Session, checkpoint_id: int, *, limit: int, offset: int = 0) -> list[BeaconView]:
    """A checkpoint's beacons, oldest first, without their secrets."""
    checkpoint_lane(session, checkpoint_id)
    rows = session.scalars(select(t.Beacon).where(t.Beacon.checkpoint_id == checkpoint_id)
                           .order_by(t.Beacon.active_from, t.Beacon.id).limit(limit).offset(offset))
    return [BeaconView(b.id, b.checkpoint_id, b.active_from, b.active_to, b.key_origin) for b in rows]


def checkpoint_lane(session: Session, checkpoint_id: int) -> int:
    """The lane a checkpoint stands on; UnknownCheckpointError when there is no such checkpoint."""
    lane_id = session.scalar(select(t.Segment.lane_id).join(t.Checkpoint, t.Checkpoint.segment_id == t.Segment.id)
                             .where(t.Checkpoint.id == checkpoint_id))
    if lane_id is None:
        raise UnknownCheckpointError(f"no checkpoint with id {checkpoint_id}: see the lane's checkpoints under "
                                     "/registry/lanes/{id}")
    return lane_id
