"""The ingest entry point: what the gateway may call to learn the registry and to store check-ins.

The gateway verifies bytes; this module stores what it verified, exactly once. `IngestStore.commit`
writes one batch in one transaction:

1. check-ins, deduplicated by their natural key (band, boot, seq, event_at) — `ON CONFLICT DO NOTHING`,
   through COPY into a staging table on PostgreSQL;
2. a record whose key was already stored is a replay: not stored again, kept in quarantine;
3. refusals the gateway decided on, kept in quarantine with their reason and bytes;
4. the (steward, day) pairs the scorer must revisit.

The directory (`load_directory`) carries the bands' keys and bindings and the beacons' secrets, opened
from their sealed form (scoring.registry.beacons), each marked when it is `db seed`'s derived demo key,
and whether this deployment allows those: the gateway refuses them otherwise.

Nothing here knows about MQTT or the wire format; the gateway converts at its edge.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, select
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from scoring.checkins import CheckInRow, RecordKey, RefusalReason, RefusalRow
from scoring.errors import StorageUnavailableError
from scoring.periods import local_day
from scoring.registry.beacons import beacon_secrets
from scoring.registry.errors import BeaconKeyError
from scoring.registry.key_origin import KeyOrigin
from scoring.storage import bulk
from scoring.storage import tables as t
from scoring.storage.engine import session_factory

# The gateway may import nothing of scoring but this module, so the check-in vocabulary it writes with
# (defined in scoring.checkins, beside the storage that copies it) is part of this port's surface, and so
# is the one error its callers retry on.
__all__ = [
    "BandEntry", "BeaconEntry", "BeaconKeyError", "Binding", "CheckInRow", "CommitResult", "Directory",
    "IngestStore", "RecordKey", "RefusalReason", "RefusalRow", "StorageUnavailableError",
]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Binding:
    steward_id: int
    valid_from: datetime
    valid_to: datetime | None


@dataclass(frozen=True, slots=True)
class BandEntry:
    public_key: bytes
    bindings: tuple[Binding, ...]
    demo_key: bool = False  # db seed's derived key: public, so refused unless the deployment allows demo keys
    _spans_ms: tuple[tuple[int, int, int], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # (from_ms, to_ms, steward): the gateway asks this for every record, in integer time.
        spans = tuple(
            (_ms(b.valid_from), _ms(b.valid_to) if b.valid_to is not None else _FOREVER_MS, b.steward_id)
            for b in self.bindings
        )
        object.__setattr__(self, "_spans_ms", spans)

    def steward_at(self, at: datetime) -> int | None:
        return self.steward_at_ms(_ms(at))

    def steward_at_ms(self, at_ms: int) -> int | None:
        for start_ms, end_ms, steward_id in self._spans_ms:
            if start_ms <= at_ms < end_ms:
                return steward_id
        return None


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_FOREVER_MS = 2**63 - 1


def _ms(at: datetime) -> int:
    return (at - _EPOCH) // timedelta(milliseconds=1)


@dataclass(frozen=True, slots=True)
class BeaconEntry:
    """One beacon's secret and when it was installed at its checkpoint, in epoch milliseconds."""

    secret: bytes = field(repr=False)
    active_from_ms: int
    active_to_ms: int = _FOREVER_MS
    demo: bool = False  # db seed's derived secret: public, so its tokens prove nothing outside a demo


@dataclass(frozen=True)
class Directory:
    """A snapshot of what the gateway checks records against, and whether demo keys count."""

    bands: Mapping[int, BandEntry]
    beacons: Mapping[int, tuple[BeaconEntry, ...]]  # checkpoint id → its beacons, oldest first
    loaded_at: datetime
    demo_keys_allowed: bool = False


@dataclass(frozen=True)
class CommitResult:
    """What one commit did: `stored` new records; `replayed` keys had been stored before this batch;
    `repeated` extra copies of a key inside the batch. Replays and repeats go to quarantine. Only the
    replays are listed, as they are few and the stored many."""

    stored: int = 0
    replayed: frozenset[RecordKey] = field(default_factory=frozenset)
    repeated: int = 0

    @property
    def duplicates(self) -> int:
        return len(self.replayed) + self.repeated


class IngestStore:
    """The gateway's port into storage.

    `beacon_key` opens the secrets of installed beacons (STEWARDS_BEACON_KEY); demo secrets need none.
    `allow_demo_keys` says whether the directory trusts `db seed`'s derived band keys and beacon secrets:
    a demo, a benchmark or a test says so explicitly; a deployment does not."""

    def __init__(self, engine: Engine, *, beacon_key: bytes | None = None, allow_demo_keys: bool = False) -> None:
        self._engine = engine
        self._sessions = session_factory(engine)
        self._beacon_key = beacon_key
        self._allow_demo_keys = allow_demo_keys

    @contextmanager
    def _unavailable_as_error(self) -> Iterator[None]:
        """Connection failures, wrapped by SQLAlchemy or raised raw by the driver in the COPY path,
        become StorageUnavailableError: the one error callers retry on."""
        driver_errors = _driver_connection_errors(self._engine)
        try:
            yield
        except (OperationalError, InterfaceError) as exc:
            raise StorageUnavailableError(f"database unavailable: {exc.orig}") from exc
        except DBAPIError as exc:
            if exc.connection_invalidated:
                raise StorageUnavailableError(f"database connection lost: {exc.orig}") from exc
            raise
        except driver_errors as exc:
            raise StorageUnavailableError(f"database unavailable: {exc}") from exc

    def load_directory(self) -> Directory:
        with self._unavailable_as_error(), self._sessions() as session:
            bindings: dict[int, list[Binding]] = {}
            for band_id, steward_id, valid_from, valid_to in session.execute(
                select(t.BandBinding.band_id, t.BandBinding.steward_id, t.BandBinding.valid_from,
                       t.BandBinding.valid_to)
            ):
                bindings.setdefault(band_id, []).append(Binding(steward_id, valid_from, valid_to))
            bands = {
                band_id: BandEntry(bytes(public_key), tuple(bindings.get(band_id, ())), origin == KeyOrigin.DEMO)
                for band_id, public_key, origin in session.execute(
                    select(t.Band.id, t.Band.public_key, t.Band.key_origin))
            }
            beacons: dict[int, list[BeaconEntry]] = {cp: [] for cp in session.scalars(select(t.Checkpoint.id))}
            for b in sorted(beacon_secrets(session, self._beacon_key), key=lambda b: b.active_from):
                beacons[b.checkpoint_id].append(BeaconEntry(
                    b.secret, _ms(b.active_from), _ms(b.active_to) if b.active_to is not None else _FOREVER_MS,
                    b.key_origin is KeyOrigin.DEMO))
        return Directory(bands, {cp: tuple(b) for cp, b in beacons.items()}, datetime.now(UTC),
                         self._allow_demo_keys)

    def commit(
        self,
        checkins: Sequence[CheckInRow],
        refusals: Sequence[RefusalRow],
        *,
        received_at: datetime,
        raw_of: Callable[[RecordKey], tuple[str, bytes]] | None = None,
    ) -> CommitResult:
        """Store a batch in one transaction; returns which keys were new and which were replays.

        `raw_of(key)` gives (topic, record bytes) of a check-in; it is called only for replays, which
        are kept in quarantine as received.
        """
        by_key: dict[RecordKey, CheckInRow] = {}
        repeats: list[CheckInRow] = []  # a second copy inside one batch is a replay too
        for c in checkins:
            key = (c.band_id, c.boot, c.seq)
            if key in by_key:
                repeats.append(c)
            else:
                by_key[key] = c
        with self._unavailable_as_error(), self._engine.begin() as conn:
            already = bulk.insert_checkins(conn, list(by_key.values()), received_at)
            replayed = [by_key[key] for key in already] + repeats
            quarantined = list(refusals) + [_replay_refusal(c, raw_of) for c in replayed]
            if quarantined:
                bulk.insert_quarantine(conn, quarantined, received_at)
            backlog = {(c.steward_id, local_day(c.event_at)) for key, c in by_key.items() if key not in already}
            if backlog:
                bulk.insert_backlog(conn, backlog)
        return CommitResult(len(by_key) - len(already), frozenset(already), len(repeats))


def _driver_connection_errors(engine: Engine) -> tuple[type[BaseException], ...]:
    dbapi = engine.dialect.loaded_dbapi
    return (dbapi.OperationalError, dbapi.InterfaceError)


def _replay_refusal(c: CheckInRow, raw_of: Callable[[RecordKey], tuple[str, bytes]] | None) -> RefusalRow:
    topic, payload = raw_of(c.key) if raw_of is not None else ("", b"")
    return RefusalRow(
        RefusalReason.REPLAY, "already stored: the band resent it or someone replayed it",
        topic, payload, c.band_id, c.boot, c.seq, c.event_at,
    )
