"""Beacons in the store, on both stores: installed and replaced with random secrets sealed at rest, read back
through one function; and an old database, whose secrets were stored in the clear, migrated to sealed ones."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from scoring.ingest import IngestStore
from scoring.registry.beacons import beacon_history, beacon_secrets, install_beacon
from scoring.registry.errors import BeaconKeyError, BeaconStateError, UnknownCheckpointError
from scoring.seed.derive import beacon_secret
from scoring.storage import tables as t
from scoring.storage.engine import session_factory
from scoring.storage.migrate import upgrade

NOW = datetime(2017, 9, 30, 4, 0, tzinfo=UTC)
KEY = bytes(range(50, 82))


def test_a_replaced_beacon_ends_now_and_its_successor_starts_now(seeded: Engine) -> None:
    with session_factory(seeded)() as s:
        checkpoint = s.scalars(select(t.Checkpoint.id).order_by(t.Checkpoint.id)).first()
        assert checkpoint is not None
        with pytest.raises(BeaconStateError, match="use `stewards beacons replace`"):
            install_beacon(s, checkpoint, now=NOW, deployment_key=KEY)
        with pytest.raises(BeaconKeyError, match="set STEWARDS_BEACON_KEY"):
            install_beacon(s, checkpoint, now=NOW, deployment_key=None, replace=True)
        with pytest.raises(UnknownCheckpointError):
            install_beacon(s, 999_999, now=NOW, deployment_key=KEY)
        first = install_beacon(s, checkpoint, now=NOW, deployment_key=KEY, replace=True)
        second = install_beacon(s, checkpoint, now=NOW + timedelta(days=1), deployment_key=KEY, replace=True)
        s.commit()
        assert len(first.secret) == 16 and first.secret != second.secret
        history = beacon_history(s, checkpoint, limit=10)
        assert [(b.key_origin, b.active_to) for b in history] == [
            ("demo", NOW), ("installed", NOW + timedelta(days=1)), ("installed", None)]
        sealed = s.scalars(select(t.Beacon.sealed_secret).where(t.Beacon.id == second.beacon_id)).one()
        assert second.secret not in bytes(sealed)
        opened = [b for b in beacon_secrets(s, KEY) if b.checkpoint_id == checkpoint]
        assert [b.secret for b in opened][1:] == [first.secret, second.secret]
        with pytest.raises(BeaconKeyError):
            beacon_secrets(s, None)  # an installed beacon needs the deployment's key
        bare = _bare_checkpoint(s, checkpoint)
        with pytest.raises(BeaconStateError, match="no active beacon"):
            install_beacon(s, bare, now=NOW, deployment_key=KEY, replace=True)
        install_beacon(s, bare, now=NOW, deployment_key=KEY)
        s.rollback()

    directory = IngestStore(seeded, beacon_key=KEY).load_directory()
    entries = directory.beacons[checkpoint]
    assert [(e.secret, e.demo) for e in entries][1:] == [(first.secret, False), (second.secret, False)]
    assert entries[0].demo and not directory.demo_keys_allowed


def _bare_checkpoint(s: Session, besides: int) -> int:
    """Another checkpoint, whose beacon was taken down (ended, not replaced)."""
    beacon = s.scalars(select(t.Beacon).where(t.Beacon.active_to.is_(None), t.Beacon.checkpoint_id != besides)
                       .order_by(t.Beacon.id)).first()
    assert beacon is not None
    beacon.active_to = NOW - timedelta(days=1)
    s.flush()
    return beacon.checkpoint_id


def test_an_old_database_keeps_its_beacons_sealed_as_demo_secrets(engine: Engine) -> None:
    upgrade(engine, "0008")
    at = datetime(2017, 5, 1, tzinfo=UTC)
    secret = beacon_secret("old/cp1")
    with engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO districts (id, key, name) VALUES (1, 'd', '区')"))
        conn.execute(sa.text("INSERT INTO subdistricts (id, key, district_id, name, note) "
                             "VALUES (1, 's', 1, '街道', '')"))
        conn.execute(sa.text("INSERT INTO lanes (id, key, subdistrict_id, name, kind) "
                             "VALUES (1, 'l', 1, '巷', 'lane')"))
        conn.execute(sa.text("INSERT INTO segments (id, key, lane_id, name, length_m) VALUES (1, 'g', 1, '段', 50)"))
        conn.execute(sa.text("INSERT INTO checkpoints (id, key, segment_id, name, position_m) "
                             "VALUES (7, 'old/cp1', 1, '点', 5.0)"))
        conn.execute(sa.text("INSERT INTO beacons (checkpoint_id, secret, active_from) VALUES (7, :secret, :at)"),
                     {"secret": secret, "at": at})
        conn.execute(sa.text("INSERT INTO bands (id, public_key, registered_at) VALUES (1001, :key, :at)"),
                     {"key": bytes(32), "at": at})
    upgrade(engine)
    with session_factory(engine)() as s:
        (beacon,) = beacon_secrets(s, None)
        assert (beacon.checkpoint_id, beacon.secret, beacon.key_origin) == (7, secret, "demo")
        assert secret not in bytes(s.scalars(select(t.Beacon.sealed_secret)).one())
        assert s.scalars(select(t.Band.key_origin)).one() == "demo"
    directory = IngestStore(engine).load_directory()
    assert directory.bands[1001].demo_key and directory.beacons[7][0].demo
