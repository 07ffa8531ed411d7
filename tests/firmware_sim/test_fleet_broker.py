"""The fleet against real MQTT brokers (embedded amqtt for 3.1.1, mosquitto for v5) and an in-test acker.

The acker stands in for the gateway: it subscribes to every band's uplink topic, decodes and
verifies each message, stores each record key once, and acks STORED (DUPLICATE for a key it already
has). Dedupe is the server's job; these tests check that bands upload everything, resend what is
not acked, and free records only on acks.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import shutil
import socket
import subprocess
import tempfile
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import date, datetime, time
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

import aiomqtt
import pytest
from amqtt.broker import Broker

import wire
from firmware_sim import BandProfile, BrokerAddress, BrokerUnreachableError, Fleet, FleetStats, LinkSettings, SimClock
from firmware_sim.planner import plan_day
from firmware_sim.windows import DEFAULT_PATROL_WINDOWS, parse_windows

pytestmark = pytest.mark.integration

HOST = "127.0.0.1"
SHANGHAI = ZoneInfo("Asia/Shanghai")
FIRST_DAY = date(2024, 5, 6)
FAST_LINKS = LinkSettings(backoff_base_seconds=0.05, backoff_cap_seconds=0.5, operation_timeout_seconds=10.0)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


@contextlib.asynccontextmanager
async def running_amqtt(port: int) -> AsyncIterator[Broker]:
    broker = Broker(
        {
            "listeners": {"default": {"type": "tcp", "bind": f"{HOST}:{port}", "max_connections": -1}},
            "plugins": {"amqtt.plugins.authentication.AnonymousAuthPlugin": {"allow_anonymous": True}},
        }
    )
    await broker.start()
    try:
        yield broker
    finally:
        await broker.shutdown()


class Acker:
    """Gateway stand-in: verify, store each key once, ack every record of every message."""

    def __init__(self, profiles: list[BandProfile], *, drop_first_ack_per_band: bool = False) -> None:
        self._verify_keys = {p.band_id: wire.generate_keypair(p.signing_seed)[1] for p in profiles}
        self._drop_first = drop_first_ack_per_band
        self.stored: Counter[tuple[int, int, int]] = Counter()
        self.received: Counter[tuple[int, int, int]] = Counter()
        self.message_types: Counter[str] = Counter()
        self.dropped_acks: dict[int, tuple[tuple[int, int, int], ...]] = {}
        self.bad: list[str] = []
        self.ready = asyncio.Event()
        self._message_count = 0
        self.hold_acks = False  # keep acks back, as a gateway would while a band is offline
        self.held: list[tuple[str, bytes]] = []
        self._outbox: asyncio.Queue[tuple[str, bytes]] = asyncio.Queue()
        self._count_reached: list[tuple[int, asyncio.Event]] = []

    async def wait_for_messages(self, count: int) -> None:
        reached = asyncio.Event()
        self._count_reached.append((count, reached))
        if self._message_count >= count:
            reached.set()
        await reached.wait()

    async def run(self, port: int) -> None:
        async with aiomqtt.Client(HOST, port, identifier="acker") as client:
            await client.subscribe(wire.UPLINK_FILTER, qos=1)
            self.ready.set()
            # Acks go out from their own task so that iterating messages notices a lost connection
            # at once, even while an ack publish waits for its PUBACK.
            publisher = asyncio.create_task(self._publish(client, self._outbox))
            try:
                async for message in client.messages:
                    for ack in self._handle(message):
                        item = (wire.ack_topic(ack.band_id), bytes(ack))
                        if self.hold_acks:
                            self.held.append(item)
                        else:
                            self._outbox.put_nowait(item)
            finally:
                publisher.cancel()
                await asyncio.gather(publisher, return_exceptions=True)

    async def flush(self) -> None:
        """Wait until every ack handed to the publisher has been accepted by the broker."""
        await self._outbox.join()

    def release_held_acks(self) -> None:
        for item in self.held:
            self._outbox.put_nowait(item)
        self.held.clear()

    @staticmethod
    async def _publish(client: aiomqtt.Client, outbox: asyncio.Queue[tuple[str, bytes]]) -> None:
        while True:
            topic, payload = await outbox.get()
            await client.publish(topic, payload, qos=1)
            outbox.task_done()

    def _handle(self, message: aiomqtt.Message) -> tuple[wire.Ack, ...]:
        band_id = wire.band_id_from_uplink_topic(message.topic.value)
        assert isinstance(message.payload, bytes)
        uplink = wire.decode_uplink(message.payload)
        if uplink.band_id != band_id or not wire.verify(uplink, self._verify_keys[band_id]):
            self.bad.append(f"band {band_id}: bad uplink on {message.topic.value}")
            return ()
        self.message_types[type(uplink).__name__] += 1
        self._message_count += 1
        for count, reached in self._count_reached:
            if self._message_count >= count:
                reached.set()
        outcomes = []
        for record in uplink.records:
            self.received[record.key] += 1
            status = wire.AckStatus.DUPLICATE if self.stored[record.key] else wire.AckStatus.STORED
            self.stored[record.key] += status is wire.AckStatus.STORED
            outcomes.append((record.boot, record.seq, status))
        if self._drop_first and band_id not in self.dropped_acks:
            self.dropped_acks[band_id] = tuple(record.key for record in uplink.records)
            return ()
        return wire.acks_from_outcomes(band_id, outcomes)


@contextlib.asynccontextmanager
async def acking(acker: Acker, port: int) -> AsyncIterator[Acker]:
    task = asyncio.create_task(acker.run(port))
    ready = asyncio.create_task(acker.ready.wait())
    await asyncio.wait((task, ready), return_when=asyncio.FIRST_COMPLETED)
    if task.done():
        ready.cancel()
        task.result()
    try:
        yield acker
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, aiomqtt.MqttError):
            await task


def _clock_at_midnight(day: date) -> SimClock:
    return SimClock(datetime.combine(day, time(0, 0), tzinfo=SHANGHAI))


def _assert_every_record_acked_once(fleet: Fleet, acker: Acker) -> list[wire.Record]:
    made = list(fleet.records_made())
    keys = [record.key for record in made]
    assert len(keys) == len(set(keys)), "a (band, boot, seq) key was reused"
    assert set(acker.stored) == set(keys)
    assert set(acker.stored.values()) == {1}
    assert not acker.bad
    assert all(len(band.flash) == 0 for band in fleet.bands.values())
    return made


def test_fifty_bands_two_days_every_record_acked_exactly_once(make_profile: Callable[..., BandProfile]) -> None:
    profiles = [make_profile(band_id) for band_id in range(1, 51)]
    acker = Acker(profiles)
    clock = _clock_at_midnight(FIRST_DAY)
    days_seen: list[tuple[date, FleetStats]] = []

    async def scenario() -> Fleet:
        port = _free_port()
        async with running_amqtt(port), acking(acker, port):
            fleet = Fleet(profiles, BrokerAddress(HOST, port, mqtt_version=3), clock, seed=11, link_settings=FAST_LINKS)
            async with fleet:
                assert fleet.stats().connected == len(profiles)
                await fleet.run_days(FIRST_DAY, 2, on_day=lambda day, stats: days_seen.append((day, stats)))
                await fleet.drain(timeout_seconds=20)
            return fleet

    fleet = asyncio.run(scenario())
    made = _assert_every_record_acked_once(fleet, acker)
    stats = fleet.stats()
    assert stats.made == len(made) > 50 * 2  # at least a heartbeat per band per day, plus patrols
    assert stats.acked_stored == len(made)
    assert stats.acked_duplicate == stats.acked_refused == stats.resent_records == stats.overflowed == 0
    assert stats.reconnects == 0
    assert stats.pending == 0
    assert stats.published_records == len(made)
    assert acker.message_types.keys() == {"LogSegment"}
    assert [day for day, _ in days_seen] == [FIRST_DAY, date(2024, 5, 7)]
    assert days_seen[0][1].made < days_seen[1][1].made == len(made)
    # The shared clock ends at the last heartbeat and no record is from the clock's future.
    assert clock.now() == max(record.event_at for record in made)
    heartbeats = [record for record in made if record.kind is wire.Kind.HEARTBEAT]
    assert len(heartbeats) == 2 * len(profiles)
    # Every band made exactly what its planner said, in key order.
    windows = parse_windows(DEFAULT_PATROL_WINDOWS)
    for profile in profiles:
        own = [record for record in made if record.band_id == profile.band_id]
        assert [record.seq for record in own] == list(range(1, len(own) + 1))
        planned = [
            event
            for day in (FIRST_DAY, date(2024, 5, 7))
            for event in plan_day(profile, day, windows=windows, seed=11).events
        ]
        assert [(r.event_at_ms, r.kind, r.checkpoint_id) for r in own] == [
            (e.at_ms, e.kind, e.checkpoint_id) for e in planned
        ]


def test_a_band_is_silent_until_it_is_handed_to_its_steward(make_profile: Callable[..., BandProfile]) -> None:
    second_day = date(2024, 5, 7)
    early = make_profile(1, diligence=1.0)
    late = dataclasses.replace(make_profile(2, diligence=1.0), active_from=second_day)
    acker = Acker([early, late])

    async def scenario() -> Fleet:
        port = _free_port()
        async with running_amqtt(port), acking(acker, port):
            fleet = Fleet([early, late], BrokerAddress(HOST, port, mqtt_version=3), _clock_at_midnight(FIRST_DAY),
                          link_settings=FAST_LINKS)
            async with fleet:
                await fleet.run_days(FIRST_DAY, 2)
                await fleet.drain(timeout_seconds=20)
            return fleet

    made = _assert_every_record_acked_once(asyncio.run(scenario()), acker)
    days = {(r.band_id, r.event_at.astimezone(SHANGHAI).date()) for r in made}
    assert days == {(1, FIRST_DAY), (1, second_day), (2, second_day)}


def test_live_mode_publishes_each_record_as_made(make_profile: Callable[..., BandProfile]) -> None:
    profiles = [make_profile(band_id, diligence=1.0) for band_id in range(1, 11)]
    acker = Acker(profiles)

    async def scenario() -> Fleet:
        port = _free_port()
        async with running_amqtt(port), acking(acker, port):
            fleet = Fleet(
                profiles, BrokerAddress(HOST, port, mqtt_version=3), _clock_at_midnight(FIRST_DAY), mode="live",
                link_settings=FAST_LINKS,
            )
            async with fleet:
                await fleet.run_days(FIRST_DAY, 1)
                await fleet.drain(timeout_seconds=20)
            return fleet

    fleet = asyncio.run(scenario())
    made = _assert_every_record_acked_once(fleet, acker)
    assert acker.message_types == Counter({"LiveRecord": len(made)})
    assert fleet.stats().published_messages == len(made)


def test_unacked_upload_is_resent_after_ack_timeout_then_freed(
    make_profile: Callable[..., BandProfile], caplog: pytest.LogCaptureFixture
) -> None:
    profiles = [make_profile(band_id) for band_id in range(1, 11)]
    acker = Acker(profiles, drop_first_ack_per_band=True)

    async def scenario() -> Fleet:
        port = _free_port()
        async with running_amqtt(port), acking(acker, port):
            fleet = Fleet(
                profiles,
                BrokerAddress(HOST, port, mqtt_version=3),
                _clock_at_midnight(FIRST_DAY),
                seed=3,
                ack_timeout_seconds=0.5,
                link_settings=FAST_LINKS,
            )
            async with fleet:
                await fleet.run_days(FIRST_DAY, 1)
                await fleet.drain(timeout_seconds=20)
            return fleet

    fleet = asyncio.run(scenario())
    made = _assert_every_record_acked_once(fleet, acker)
    assert set(acker.dropped_acks) == {profile.band_id for profile in profiles}
    unacked_first_time = {key for keys in acker.dropped_acks.values() for key in keys}
    # The band sent those records again, the server said DUPLICATE, and the band freed them.
    assert all(acker.received[key] >= 2 for key in unacked_first_time)
    stats = fleet.stats()
    assert stats.resent_records >= len(unacked_first_time)
    assert stats.acked_duplicate == len(unacked_first_time)
    assert stats.acked_stored == len(made) - len(unacked_first_time)
    assert stats.pending == 0


class MosquittoProcess:
    """A throwaway mosquitto on loopback that the test can kill and start again on the same port."""

    def __init__(self, workdir: Path, passwords: dict[str, str] | None = None) -> None:
        binary = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
        assert Path(binary).exists(), "mosquitto 2.x is needed: run scripts/install-services.sh"
        self.port = _free_port()
        lines = [f"listener {self.port} {HOST}", "persistence false", "log_dest none"]
        if passwords is None:
            lines.append("allow_anonymous true")
        else:
            password_file = workdir / "passwd"
            password_file.write_text("".join(f"{user}:{password}\n" for user, password in passwords.items()))
            subprocess.run(["mosquitto_passwd", "-U", str(password_file)], check=True)
            lines += ["allow_anonymous false", f"password_file {password_file}"]
        self._config = workdir / "mosquitto.conf"
        self._config.write_text("\n".join(lines) + "\n")
        self._command = [binary, "-c", str(self._config)]
        self._process: subprocess.Popen[bytes] | None = None

    async def start(self) -> None:
        # Spawning forks the test process: off the event loop, which is carrying the fleet's traffic.
        self._process = await asyncio.to_thread(subprocess.Popen, self._command, stdin=subprocess.DEVNULL)
        deadline = asyncio.get_running_loop().time() + 10.0
        while True:
            try:
                _, writer = await asyncio.open_connection(HOST, self.port)
            except OSError:
                assert self._process.poll() is None, f"mosquitto exited with {self._process.returncode}"
                assert asyncio.get_running_loop().time() < deadline, "mosquitto did not start listening"
                await asyncio.sleep(0.02)
                continue
            writer.close()
            await writer.wait_closed()
            return

    def kill(self) -> None:
        """A crash: no goodbye to any client, nothing saved."""
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
            self._process.wait(timeout=10)


@pytest.fixture
def mosquitto(tmp_path: Path) -> Iterator[MosquittoProcess]:
    broker = MosquittoProcess(tmp_path)
    try:
        yield broker
    finally:
        broker.kill()


class ReconnectingAcker(Acker):
    """The acker, reconnecting like a gateway when its broker goes away."""

    async def run(self, port: int) -> None:
        while True:
            try:
                await super().run(port)
            except aiomqtt.MqttError:
                await asyncio.sleep(0.05)


def test_broker_crash_mid_run_loses_nothing(
    make_profile: Callable[..., BandProfile], mosquitto: MosquittoProcess
) -> None:
    """MQTT v5 through a real mosquitto that is killed while uploads and acks are in flight."""
    profiles = [make_profile(band_id, diligence=1.0) for band_id in range(1, 31)]
    acker = ReconnectingAcker(profiles)
    crash_after_messages = 150

    async def scenario() -> Fleet:
        await mosquitto.start()
        fleet = Fleet(
            profiles,
            BrokerAddress(HOST, mosquitto.port, mqtt_version=5),
            _clock_at_midnight(FIRST_DAY),
            mode="live",
            ack_timeout_seconds=1.0,
            link_settings=FAST_LINKS,
        )
        async with acking(acker, mosquitto.port), fleet:
            run = asyncio.create_task(fleet.run_days(FIRST_DAY, 2))
            await acker.wait_for_messages(crash_after_messages)
            mosquitto.kill()
            await asyncio.sleep(0.3)
            assert fleet.stats().connected == 0
            await mosquitto.start()
            await run
            await fleet.drain(timeout_seconds=30)
        return fleet

    # A guard, not a speed target: once, on a machine loaded to ten times its cores, this run stalled
    # instead of failing, and a stall holds the whole suite. Ten minutes is far past any honest run.
    fleet = asyncio.run(asyncio.wait_for(scenario(), timeout=600))
    _assert_every_record_acked_once(fleet, acker)
    stats = fleet.stats()
    assert stats.reconnects >= len(profiles)
    assert stats.pending == 0
    assert stats.acked_stored + stats.acked_duplicate == stats.made
    assert stats.made > crash_after_messages


def test_rebooted_band_resends_its_pending_records_under_their_old_keys(
    make_profile: Callable[..., BandProfile],
) -> None:
    profiles = [make_profile(band_id, diligence=1.0) for band_id in range(1, 6)]
    acker = Acker(profiles, drop_first_ack_per_band=True)

    async def scenario() -> Fleet:
        port = _free_port()
        async with running_amqtt(port), acking(acker, port):
            fleet = Fleet(
                profiles,
                BrokerAddress(HOST, port, mqtt_version=3),
                _clock_at_midnight(FIRST_DAY),
                ack_timeout_seconds=60.0,  # longer than the test: only the reboot can trigger a resend
                day_timeout_seconds=0.3,
                link_settings=FAST_LINKS,
            )
            async with fleet:
                await fleet.run_days(FIRST_DAY, 1)
                assert all(len(band.flash) > 0 for band in fleet.bands.values())
                for band in fleet.bands.values():
                    band.reboot()
                await fleet.run_days(date(2024, 5, 7), 1)
                await fleet.drain(timeout_seconds=10)
            return fleet

    fleet = asyncio.run(scenario())
    made = _assert_every_record_acked_once(fleet, acker)
    for profile in profiles:
        own = [record for record in made if record.band_id == profile.band_id]
        first_boot = [record.seq for record in own if record.boot == 0]
        second_boot = [record.seq for record in own if record.boot == 1]
        assert first_boot == list(range(1, len(first_boot) + 1))
        assert second_boot == list(range(1, len(second_boot) + 1))
        assert max(r.event_at_ms for r in own if r.boot == 0) < min(r.event_at_ms for r in own if r.boot == 1)
    stats = fleet.stats()
    assert stats.acked_duplicate == sum(len(keys) for keys in acker.dropped_acks.values())
    assert stats.pending == 0


@pytest.mark.parametrize("mqtt_version", [3, 5])
def test_acks_sent_while_a_band_is_offline_reach_it_through_its_persistent_session(
    make_profile: Callable[..., BandProfile], mosquitto: MosquittoProcess, mqtt_version: Literal[3, 5]
) -> None:
    profiles = [make_profile(band_id, diligence=1.0) for band_id in range(1, 11)]
    acker = Acker(profiles)

    async def scenario() -> Fleet:
        await mosquitto.start()
        fleet = Fleet(
            profiles,
            BrokerAddress(HOST, mosquitto.port, mqtt_version=mqtt_version),
            _clock_at_midnight(FIRST_DAY),
            ack_timeout_seconds=60.0,  # no resend can happen within the test
            day_timeout_seconds=0.2,
            link_settings=FAST_LINKS,
        )
        async with acking(acker, mosquitto.port):
            acker.hold_acks = True
            async with fleet:
                await fleet.run_days(FIRST_DAY, 1)
                assert fleet.stats().pending == fleet.stats().made
            assert fleet.stats().connected == 0
            acker.release_held_acks()
            await acker.flush()  # every ack is with the broker, queued in each offline band's session
            async with fleet:
                await fleet.drain(timeout_seconds=10)
        return fleet

    fleet = asyncio.run(scenario())
    _assert_every_record_acked_once(fleet, acker)
    stats = fleet.stats()
    assert stats.resent_records == 0
    assert stats.acked_stored == stats.made


def test_refused_credentials_are_reported_and_fail_the_connect(
    make_profile: Callable[..., BandProfile], caplog: pytest.LogCaptureFixture
) -> None:
    profiles = [make_profile(1), make_profile(2)]
    workdir = Path(tempfile.mkdtemp(prefix="fs-mosquitto-"))
    workdir.chmod(0o755)  # mosquitto reads its password file as its own unprivileged user
    broker = MosquittoProcess(workdir, passwords={"1": profiles[0].mqtt_password, "2": "not-the-band's-password"})
    caplog.set_level(logging.WARNING, logger="firmware_sim.link")

    async def scenario() -> Fleet:
        await broker.start()
        fleet = Fleet(
            profiles,
            BrokerAddress(HOST, broker.port, mqtt_version=5),
            _clock_at_midnight(FIRST_DAY),
            connect_timeout_seconds=1.0,
            link_settings=FAST_LINKS,
        )
        with pytest.raises(BrokerUnreachableError, match="1 of 2 bands could not connect"):
            async with fleet:
                pytest.fail("band 2 must not connect with a wrong password")
        return fleet

    try:
        fleet = asyncio.run(scenario())
    finally:
        broker.kill()
        shutil.rmtree(workdir, ignore_errors=True)
    refusals = [r for r in caplog.records if r.levelno == logging.WARNING and r.getMessage().startswith("band 2:")]
    assert refusals, "a refused CONNECT must be logged at WARNING"
    assert not any(r.getMessage().startswith("band 1:") for r in caplog.records)
    assert fleet.stats().band(2).reconnects >= 1
