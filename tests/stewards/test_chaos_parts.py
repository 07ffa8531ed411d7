"""The fault harness's own parts: the proxy that partitions, the seeded schedule, the tally against the
database, and the report's verdict. The whole harness runs in tests/integration/test_chaos.py."""

from __future__ import annotations

import contextlib
import random
import socket
import socketserver
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, insert, select

import wire
from scoring.checkins import CheckInRow, RefusalReason, RefusalRow
from scoring.ingest import IngestStore
from scoring.seed.dataset import Dataset
from scoring.storage import tables as t
from stewards.chaos.faults import KINDS, Fault, schedule
from stewards.chaos.proxy import TcpProxy
from stewards.chaos.report import ChaosReport, fault_line
from stewards.chaos.tally import Tally, tally

WAIT_SECONDS = 10.0
QUIET_SECONDS = 0.3  # long enough for held bytes to show if a stall let them through
AT = datetime(2017, 9, 5, 0, 0, tzinfo=UTC)


# --- the proxy -----------------------------------------------------------------------------------


class _Echo(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        with contextlib.suppress(OSError):  # the proxy resets its side: that is what is tested
            while data := self.request.recv(4096):
                self.request.sendall(data)


@pytest.fixture
def proxy() -> Iterator[TcpProxy]:
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Echo)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    with TcpProxy("echo", *server.server_address) as proxy:  # type: ignore[misc]  # (host, port)
        yield proxy
    server.shutdown()
    server.server_close()


def _connect(proxy: TcpProxy) -> socket.socket:
    return socket.create_connection((proxy.host, proxy.port), timeout=WAIT_SECONDS)


def _reachable(proxy: TcpProxy) -> bool:
    """A new connection through the proxy that carries bytes both ways."""
    try:
        client = _connect(proxy)
    except OSError:
        return False
    with client:
        return _echoes(client, b"anyone there?")


def _echoes(client: socket.socket, data: bytes) -> bool:
    received = b""
    try:
        client.sendall(data)
        while len(received) < len(data):
            chunk = client.recv(4096)
            if not chunk:
                return False
            received += chunk
    except OSError:
        return False
    return received == data


def test_the_proxy_forwards_both_ways(proxy: TcpProxy) -> None:
    with _connect(proxy) as client:
        assert _echoes(client, b"stewards/v1/bands/1001/up")


def test_a_reset_tears_down_open_connections_and_refuses_new_ones_until_restored(proxy: TcpProxy) -> None:
    with _connect(proxy) as client:
        assert _echoes(client, b"before")
        proxy.cut("reset")
        assert not _echoes(client, b"during")  # reset: the gateway learns at once
    assert not _reachable(proxy)
    proxy.restore()
    with _connect(proxy) as client:
        assert _echoes(client, b"after")
    assert proxy.connections_reset >= 1


def test_a_stall_holds_every_byte_and_delivers_it_on_restore(proxy: TcpProxy) -> None:
    with _connect(proxy) as client:
        assert _echoes(client, b"before")
        proxy.cut("stall")
        client.sendall(b"held")
        client.settimeout(QUIET_SECONDS)
        with pytest.raises(TimeoutError):
            client.recv(4096)
        proxy.restore()
        client.settimeout(WAIT_SECONDS)
        assert client.recv(4096) == b"held"  # nothing lost, the connection never broke


def test_an_unknown_cut_is_refused(proxy: TcpProxy) -> None:
    with pytest.raises(ValueError, match="reset"):
        proxy.cut("unplug")  # type: ignore[arg-type]  # what a typo would pass


# --- the schedule --------------------------------------------------------------------------------


def test_the_schedule_brings_every_kind_once_a_round_in_an_order_the_seed_fixes() -> None:
    order = schedule(KINDS, 3 * len(KINDS) + 2, random.Random(7))
    rounds = [order[i:i + len(KINDS)] for i in range(0, 3 * len(KINDS), len(KINDS))]
    assert all(sorted(r) == sorted(KINDS) for r in rounds)
    assert len(set(map(tuple, rounds))) > 1  # shuffled, not repeated
    assert schedule(KINDS, 9, random.Random(7)) == order[:9]
    assert schedule(KINDS, 9, random.Random(8)) != order[:9]


# --- the tally -----------------------------------------------------------------------------------


def _record(band_id: int, seq: int) -> wire.Record:
    return wire.Record(kind=wire.Kind.PATROL_CHECKIN, band_id=band_id, boot=0, seq=seq,
                       event_at_ms=wire.epoch_ms(AT + timedelta(minutes=seq)), checkpoint_id=7,
                       beacon_token=bytes(8), rssi_dbm=-60, battery_pct=80, detail=0)


def _row(record: wire.Record, steward_id: int, **changes: object) -> CheckInRow:
    row = CheckInRow(record.band_id, record.boot, record.seq, record.event_at, int(record.kind),
                     record.checkpoint_id, record.beacon_token, record.rssi_dbm, record.battery_pct, record.detail,
                     steward_id)
    return row._replace(**changes)


def test_the_tally_tells_stored_once_from_lost_duplicated_altered_refused_and_unexpected(
        seeded: Engine, longtan: Dataset) -> None:
    band_id = longtan.bands[0].band_id
    with seeded.connect() as conn:
        steward_id = conn.scalar(select(t.BandBinding.steward_id).where(t.BandBinding.band_id == band_id))
    assert steward_id is not None
    made = [_record(band_id, seq) for seq in range(1, 7)]
    store = IngestStore(seeded)
    store.commit([_row(r, steward_id) for r in made[:3]] + [_row(made[3], steward_id, checkpoint_id=8),
                                                             _row(_record(band_id, 99), steward_id)],
                 [RefusalRow(RefusalReason.CLOCK_AHEAD, "", "", b"", band_id, 0, 5, made[4].event_at)],
                 received_at=AT)
    store.commit([_row(made[0], steward_id)], [], received_at=AT)  # a resend: quarantined as a replay
    with seeded.begin() as conn:  # a second row for key 3, as a table without checkin_keys would allow
        conn.execute(insert(t.CheckIn).values(**_row(made[2], steward_id, event_at=made[2].event_at
                                                      + timedelta(seconds=1))._asdict(), received_at=AT))

    counted = tally(seeded, made)

    assert counted == Tally(made=6, stored_once=2, lost=1, duplicated=1, altered=1, unexpected=1, refused=1,
                            quarantined={"clock_ahead": 1, "replay": 1}, lost_keys=((band_id, 0, 6),),
                            duplicated_keys=((band_id, 0, 3),))


# --- the verdict ---------------------------------------------------------------------------------


def _report(**tally_changes: int) -> ChaosReport:
    counted = Tally(**{"made": 10, "stored_once": 10, "lost": 0, "duplicated": 0, "altered": 0, "unexpected": 0,
                       "refused": 0, **tally_changes})
    fault = Fault(1, "gateway_kill", "gateway-a", "kill -9", 1.0, 2.0, 3.5, True)
    acks = dict.fromkeys(("acked_stored", "acked_duplicate", "acked_refused", "resent_records", "unmatched_acks",
                          "overflowed", "pending", "reconnects"), 0)
    return ChaosReport(seed=1, cycles=1, bands=2, mqtt_bands=1, ble_bands=1, mode="segment", gateways=["gateway-a"],
                       share_group="gateways", faults=[fault], tally=counted, band_acks=acks, drained=True,
                       drain_s=1.0, run_s=9.0, days=3, stalls=0, progress_timeout_s=120.0)


def test_a_run_with_nothing_lost_or_twice_is_ok() -> None:
    report = _report()
    assert report.ok and report.faults_by_kind == {"gateway_kill": 1}
    assert report.summary()[-1].startswith("OK") and report.as_dict()["ok"] is True
    assert "gateway_kill gateway-a" in fault_line(report.faults[0])


@pytest.mark.parametrize("problem", ["lost", "duplicated", "altered", "unexpected"])
def test_a_run_with_one_record_wrong_fails(problem: str) -> None:
    report = _report(**{problem: 1})
    assert not report.ok
    assert report.summary()[-1].startswith("FAILED")
