"""The faults a chaos run injects, one per cycle, in a seeded random order.

- `gateway_kill`: kill -9 of one gateway process, restarted after the outage; back once it has
  subscribed again.
- `gateway_kill_after_commit`: one gateway is restarted with `STEWARDS_FAULT=kill-after-commit:<n>` and
  SIGKILLs itself after its n-th commit, before a single ack or PUBACK of that batch; then it is
  started normally.
- `broker_kill`: kill -9 of mosquitto, restarted on its port with its persistence file; back once
  every gateway has subscribed again.
- `database_kill`: kill -9 of the postmaster and every backend, restarted: crash recovery from the WAL.
- `broker_partition`: one gateway's path to the broker cut (`reset` or `stall`, see `proxy`), then
  restored; after a reset, back once it has subscribed again.
- `database_partition`: one gateway's path to the database cut, then restored.
- `ble_drop`: a BLE band walks a long patrol out of range, comes back, and walks off again mid-sync:
  segments sent, their acks not all written.

The seed fixes the order, the targets, outages, cut modes and commit counts. When each fault lands
relative to the traffic is the machine's doing, which is the point: a second run with the same seed
hits other moments.
"""

from __future__ import annotations

import asyncio
import logging
import random
import signal
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

import wire
from firmware_sim import Band, PlannedEvent
from radio import place
from stewards.chaos.patrol import poll_until
from stewards.chaos.proxy import CUT_MODES, TcpProxy
from stewards.chaos.rig import Rig

log = logging.getLogger(__name__)

GATEWAY_KILL: Final = "gateway_kill"
GATEWAY_KILL_AFTER_COMMIT: Final = "gateway_kill_after_commit"
BROKER_KILL: Final = "broker_kill"
DATABASE_KILL: Final = "database_kill"
BROKER_PARTITION: Final = "broker_partition"
DATABASE_PARTITION: Final = "database_partition"
BLE_DROP: Final = "ble_drop"
KINDS: Final = (GATEWAY_KILL, GATEWAY_KILL_AFTER_COMMIT, BROKER_KILL, DATABASE_KILL, BROKER_PARTITION,
                DATABASE_PARTITION, BLE_DROP)

RECOVERY_TIMEOUT_SECONDS: Final = 90.0
SELF_KILL_TIMEOUT_SECONDS: Final = 90.0  # for an armed gateway to reach its n-th commit
MAX_COMMITS_BEFORE_KILL: Final = 3
MID_SYNC_TIMEOUT_SECONDS: Final = 60.0
LONG_PATROL_RECORDS: Final = 240  # several segments, so a sync is long enough to be cut in the middle
LONG_PATROL_STEP_SECONDS: Final = 20
NEAR: Final = (0.0, 0.0)  # where the BLE bands and gateway-a's radio are
FAR: Final = (5_000.0, 0.0)  # out of anyone's range


@dataclass(frozen=True)
class Fault:
    cycle: int
    kind: str
    target: str  # gateway-a, mosquitto, postgresql, band 1042
    detail: str
    started_s: float  # since the run began
    outage_s: float  # how long the part was down or cut off
    recovered_s: float  # from the blow until the part was back
    injected: bool  # False when the moment never came (an armed gateway that made no commit)
    recovered: bool = True


def schedule(kinds: Sequence[str], cycles: int, rng: random.Random) -> list[str]:
    """`cycles` kinds in random order, in shuffled rounds of every kind: each comes once per round."""
    order: list[str] = []
    while len(order) < cycles:
        round_ = list(kinds)
        rng.shuffle(round_)
        order += round_
    return order[:cycles]


@dataclass
class Cycle:
    """What an injector works with."""

    number: int
    rig: Rig
    rng: random.Random
    outage_range_s: tuple[float, float]
    origin: float  # monotonic time the run began

    def outage(self) -> float:
        return round(self.rng.uniform(*self.outage_range_s), 2)

    def fault(self, kind: str, target: str, detail: str, blow: float, outage: float, *, injected: bool = True,
              recovered: bool = True) -> Fault:
        return Fault(self.number, kind, target, detail, round(blow - self.origin, 2), outage,
                     round(time.monotonic() - blow, 2), injected, recovered)


Injector = Callable[[Cycle], Awaitable[Fault]]


async def gateway_kill(c: Cycle) -> Fault:
    gateway = c.rng.choice(c.rig.gateways)
    outage = c.outage()
    blow = time.monotonic()
    await asyncio.to_thread(gateway.kill)
    await asyncio.sleep(outage)
    await asyncio.to_thread(gateway.start)
    return c.fault(GATEWAY_KILL, gateway.name, "kill -9", blow, outage)


async def gateway_kill_after_commit(c: Cycle) -> Fault:
    gateway = c.rng.choice(c.rig.gateways)
    commits = c.rng.randint(1, MAX_COMMITS_BEFORE_KILL)
    await asyncio.to_thread(gateway.terminate)  # a deploy's restart, into the armed build
    blow = time.monotonic()
    await asyncio.to_thread(gateway.launch, fault=f"kill-after-commit:{commits}")
    status = await asyncio.to_thread(gateway.wait_exit, SELF_KILL_TIMEOUT_SECONDS)
    injected = status == -signal.SIGKILL
    if status is None:
        log.warning("%s made fewer than %d commits in %.0f s; killing it", gateway.name, commits,
                    SELF_KILL_TIMEOUT_SECONDS)
        await asyncio.to_thread(gateway.kill)
    elif not injected:
        log.warning("%s armed with kill-after-commit exited with %s:\n%s", gateway.name, status, gateway.tail())
    down = time.monotonic()
    await asyncio.to_thread(gateway.start)
    return c.fault(GATEWAY_KILL_AFTER_COMMIT, gateway.name, f"SIGKILL after commit {commits}, before its acks",
                   blow, round(time.monotonic() - down, 2), injected=injected)


async def broker_kill(c: Cycle) -> Fault:
    subscribed = {g.name: g.subscriptions for g in c.rig.gateways}
    outage = c.outage()
    blow = time.monotonic()
    await asyncio.to_thread(c.rig.mosquitto.kill)
    await asyncio.sleep(outage)
    await asyncio.to_thread(c.rig.mosquitto.start)
    back = await asyncio.gather(*(asyncio.to_thread(g.wait_for_subscriptions, subscribed[g.name] + 1,
                                                    RECOVERY_TIMEOUT_SECONDS) for g in c.rig.gateways))
    return c.fault(BROKER_KILL, "mosquitto", "kill -9, restarted with its persistence file", blow, outage,
                   recovered=all(back))


async def database_kill(c: Cycle) -> Fault:
    outage = c.outage()
    blow = time.monotonic()
    await asyncio.to_thread(c.rig.postgres.kill)
    await asyncio.sleep(outage)
    await asyncio.to_thread(c.rig.postgres.start)
    return c.fault(DATABASE_KILL, "postgresql", "kill -9 of the postmaster and its backends, crash recovery",
                   blow, outage)


async def _partition(c: Cycle, kind: str, proxies: dict[str, TcpProxy], resubscribes: bool) -> Fault:
    gateway = c.rng.choice(c.rig.gateways)
    proxy = proxies[gateway.name]
    mode = c.rng.choice(CUT_MODES)
    outage = c.outage()
    subscribed = gateway.subscriptions
    blow = time.monotonic()
    await asyncio.to_thread(proxy.cut, mode)
    await asyncio.sleep(outage)
    await asyncio.to_thread(proxy.restore)
    recovered = True
    if resubscribes and mode == "reset":
        recovered = await asyncio.to_thread(gateway.wait_for_subscriptions, subscribed + 1, RECOVERY_TIMEOUT_SECONDS)
    return c.fault(kind, gateway.name, mode, blow, outage, recovered=recovered)


async def broker_partition(c: Cycle) -> Fault:
    return await _partition(c, BROKER_PARTITION, c.rig.broker_proxies, resubscribes=True)


async def database_partition(c: Cycle) -> Fault:
    return await _partition(c, DATABASE_PARTITION, c.rig.database_proxies, resubscribes=False)


async def ble_drop(c: Cycle) -> Fault:
    band_id = c.rng.choice(sorted(c.rig.ble_links))
    link = c.rig.ble_links[band_id]
    on_air, band = link.ble, link.band
    assert on_air is not None, "the fleet is entered, so every BLE band is on the air"
    outage = c.outage()
    await place(on_air.device, *FAR)  # a long patrol out of the station's range
    walk_long_patrol(band, c.rig.ble_clock.now(), LONG_PATROL_RECORDS)
    sent_before = on_air.gatt.segments_sent
    await place(on_air.device, *NEAR)

    def mid_sync() -> bool:
        return on_air.connected and on_air.gatt.segments_sent > sent_before and len(band.flash) > 0

    injected = await poll_until(mid_sync, MID_SYNC_TIMEOUT_SECONDS)
    blow = time.monotonic()
    sent, unacked = on_air.gatt.segments_sent - sent_before, len(band.flash)
    await place(on_air.device, *FAR)  # the steward walks off: the link drops at once
    await poll_until(lambda: not on_air.connected, RECOVERY_TIMEOUT_SECONDS)
    await asyncio.sleep(outage)
    await place(on_air.device, *NEAR)
    detail = f"{sent} segments sent, {unacked} records unacked when the link dropped" if injected else \
        f"no sync was caught in {MID_SYNC_TIMEOUT_SECONDS:.0f} s"
    return c.fault(BLE_DROP, f"band {band_id}", detail, blow, outage, injected=injected)


def walk_long_patrol(band: Band, ends_at: datetime, records: int) -> None:
    """Check-ins round the band's checkpoints, one every 20 s up to `ends_at`, with the tokens the
    beacons advertised then; released for upload at the end, as a patrol's are."""
    checkpoints = [cp for route in band.profile.routes for cp in route.checkpoints]
    for n in range(records):
        at = ends_at - timedelta(seconds=LONG_PATROL_STEP_SECONDS * (records - n))
        checkpoint = checkpoints[n % len(checkpoints)]
        band.make_record(PlannedEvent(
            at_ms=wire.epoch_ms(at), kind=wire.Kind.PATROL_CHECKIN, checkpoint_id=checkpoint.checkpoint_id,
            segment_id=0, beacon_token=wire.beacon_token(checkpoint.beacon_secret, wire.window_index(at)),
            rssi_dbm=-60, detail=0,
        ))
    band.end_patrol()


INJECTORS: Final[dict[str, Injector]] = {
    GATEWAY_KILL: gateway_kill,
    GATEWAY_KILL_AFTER_COMMIT: gateway_kill_after_commit,
    BROKER_KILL: broker_kill,
    DATABASE_KILL: database_kill,
    BROKER_PARTITION: broker_partition,
    DATABASE_PARTITION: database_partition,
    BLE_DROP: ble_drop,
}
