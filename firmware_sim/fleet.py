"""The fleet driver: many bands on one event loop, simulated day by day in warped time.

For each day the driver plans every band's patrols, replays all bands' events in time order while
moving the shared `SimClock` to each event's instant (so a gateway reading the same clock sees
records that are never from its future), then waits until the gateway has acked what the bands
uploaded, or until a per-day timeout, before starting the next day. Simulated time therefore runs
as fast as the gateway acks, not in real time.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import logging
import random
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import UTC, date, datetime, time, timedelta
from types import MappingProxyType
from typing import Final, Protocol

from firmware_sim.band import (
    DEFAULT_ACK_TIMEOUT_SECONDS,
    DEFAULT_FLASH_CAPACITY_RECORDS,
    DEFAULT_SEGMENT_RECORDS,
    Band,
    UplinkMode,
)
from firmware_sim.clock import AdvanceableClock, utc_from_ms
from firmware_sim.errors import BrokerUnreachableError, ConfigError, DrainTimeoutError, SimulatorError
from firmware_sim.link import BandLink, LinkSettings
from firmware_sim.planner import DayPlan, PlannedEvent, PlannedPatrol, plan_day
from firmware_sim.profile import BandProfile, BrokerAddress
from firmware_sim.stats import FleetStats
from firmware_sim.windows import DEFAULT_PATROL_WINDOWS, parse_windows, patrol_zone
from wire import Record

__all__ = ["DayCallback", "Fleet", "FleetLink", "LinkFactory"]

logger = logging.getLogger(__name__)

DayCallback = Callable[[date, FleetStats], None]


class FleetLink(Protocol):
    """What carries one band's uploads: MQTT (`BandLink`) by default, or Bluetooth LE."""

    band: Band
    first_connected: asyncio.Event

    async def run(self) -> None: ...

    def stop(self) -> None: ...


# Builds the link of one band; `None` from a factory means "the default MQTT link".
LinkFactory = Callable[[Band], FleetLink | None]

DEFAULT_MAX_CONCURRENT_CONNECTS: Final = 64  # keeps 2,000 bands from SYN-flooding the broker
DEFAULT_CONNECT_TIMEOUT_SECONDS: Final = 120.0
DEFAULT_DAY_TIMEOUT_SECONDS: Final = 60.0
STOP_TIMEOUT_SECONDS: Final = 10.0
# Hand the loop to the links now and then, so uploads flow while the rest of the day is replayed.
_EVENTS_PER_YIELD: Final = 512


def _keyed_timeline(index: int, plan: DayPlan) -> Iterator[tuple[int, int, int, PlannedEvent | PlannedPatrol]]:
    # (time, band index, position) orders the merge fully, so items themselves are never compared.
    for order, (at_ms, item) in enumerate(plan.timeline()):
        yield at_ms, index, order, item


def _report_crashed_link(task: asyncio.Task[None]) -> BaseException | None:
    # A link only ends on stop; anything else is a bug that must not pass unnoticed until shutdown.
    if task.cancelled() or task.exception() is None:
        return None
    error = task.exception()
    logger.error(
        "%s: link stopped by an unexpected error; this band no longer uploads", task.get_name(), exc_info=error
    )
    return error


class _PendingTracker:
    """Knows which bands still hold unacked records, and wakes whoever waits for none."""

    def __init__(self) -> None:
        self._holding: set[int] = set()
        self._all_acked = asyncio.Event()
        self._all_acked.set()

    def update(self, band: Band) -> None:
        if len(band.flash):
            self._holding.add(band.band_id)
            self._all_acked.clear()
        else:
            self._holding.discard(band.band_id)
            if not self._holding:
                self._all_acked.set()

    async def wait_all_acked(self, timeout_seconds: float) -> bool:
        try:
            async with asyncio.timeout(timeout_seconds):
                await self._all_acked.wait()
        except TimeoutError:
            return False
        return True


class Fleet:
    """Simulated wristbands of many stewards, uploading to one MQTT broker (or over `links` of their own).

    Use as `async with Fleet(...) as fleet:` then `await fleet.run_days(...)`.
    """

    def __init__(
        self,
        profiles: Iterable[BandProfile],
        broker: BrokerAddress | None,
        clock: AdvanceableClock,
        *,
        mode: UplinkMode = "segment",
        segment_records: int = DEFAULT_SEGMENT_RECORDS,
        flash_capacity: int = DEFAULT_FLASH_CAPACITY_RECORDS,
        seed: int = 0,
        windows: Iterable[tuple[str, str]] = DEFAULT_PATROL_WINDOWS,
        ack_timeout_seconds: float = DEFAULT_ACK_TIMEOUT_SECONDS,
        day_timeout_seconds: float = DEFAULT_DAY_TIMEOUT_SECONDS,
        connect_timeout_seconds: float = DEFAULT_CONNECT_TIMEOUT_SECONDS,
        max_concurrent_connects: int = DEFAULT_MAX_CONCURRENT_CONNECTS,
        link_settings: LinkSettings | None = None,
        links: LinkFactory | None = None,
    ) -> None:
        self._bands: dict[int, Band] = {}
        self._pending = _PendingTracker()
        for profile in profiles:
            if profile.band_id in self._bands:
                raise ConfigError(f"band {profile.band_id} appears twice in the fleet's profiles")
            band = Band(
                profile,
                mode=mode,
                segment_records=segment_records,
                flash_capacity_records=flash_capacity,
                ack_timeout_seconds=ack_timeout_seconds,
            )
            band.on_pending_changed = self._pending.update
            self._bands[profile.band_id] = band
        if max_concurrent_connects < 1:
            raise ConfigError(f"max_concurrent_connects must be >= 1, got {max_concurrent_connects}")
        self._band_list = tuple(self._bands.values())
        self._broker = broker
        self._clock = clock
        self._seed = seed
        self._windows = parse_windows(windows)
        self._day_timeout_seconds = day_timeout_seconds
        self._connect_timeout_seconds = connect_timeout_seconds
        self._max_concurrent_connects = max_concurrent_connects
        self._link_settings = link_settings or LinkSettings()
        self._link_factory = links
        self._links: list[FleetLink] = []
        self._tasks: list[asyncio.Task[None]] = []

    # -- lifecycle ---------------------------------------------------------------------------------

    async def __aenter__(self) -> Fleet:
        if self._tasks:
            raise SimulatorError("this fleet is already running; a Fleet is entered once at a time")
        crashed = self._start_links()
        try:
            await self._await_first_connections(crashed)
        except BaseException:
            await self._stop_links()
            raise
        finally:
            crashed.cancel()
        logger.info("fleet of %d bands connected", len(self._links))
        return self

    def _start_links(self) -> asyncio.Future[BaseException]:
        """Start one link task per band; the returned future gets the first link's crash, if any."""
        gate = asyncio.Semaphore(self._max_concurrent_connects)

        def link_of(band: Band) -> FleetLink:
            link = self._link_factory(band) if self._link_factory is not None else None
            if link is not None:
                return link
            if self._broker is None:
                raise ConfigError(f"band {band.band_id} has no link: give the fleet a broker or a link for it")
            return BandLink(
                band,
                self._broker,
                connect_gate=gate,
                settings=self._link_settings,
                rng=random.Random(f"lane-stewards/backoff/{self._seed}/{band.band_id}"),
            )

        self._links = [link_of(band) for band in self._band_list]
        crashed: asyncio.Future[BaseException] = asyncio.get_running_loop().create_future()

        def watch(task: asyncio.Task[None]) -> None:
            error = _report_crashed_link(task)
            if error is not None and not crashed.done():
                crashed.set_result(error)

        self._tasks = [asyncio.create_task(link.run(), name=f"band-{link.band.band_id}") for link in self._links]
        for task in self._tasks:
            task.add_done_callback(watch)
        return crashed

    async def _await_first_connections(self, crashed: asyncio.Future[BaseException]) -> None:
        all_connected = asyncio.gather(*(link.first_connected.wait() for link in self._links))
        try:
            done, _ = await asyncio.wait(
                (all_connected, crashed), timeout=self._connect_timeout_seconds, return_when=asyncio.FIRST_COMPLETED
            )
        finally:
            if not all_connected.done():
                all_connected.cancel()
                await asyncio.gather(all_connected, return_exceptions=True)
        if crashed in done:
            raise SimulatorError(f"a band's link failed while connecting: {crashed.result()!r}")
        if all_connected not in done:
            not_connected = sum(not link.first_connected.is_set() for link in self._links)
            where = f"{self._broker.host}:{self._broker.port}" if self._broker is not None else "their links"
            raise BrokerUnreachableError(
                f"{not_connected} of {len(self._links)} bands could not connect to {where} within "
                f"{self._connect_timeout_seconds:g} s: check that the broker (or radio) is running and that "
                "the bands' credentials are provisioned"
            )

    async def __aexit__(self, *_exc_info: object) -> None:
        await self._stop_links()

    async def _stop_links(self) -> None:
        for link in self._links:
            link.stop()
        if self._tasks:
            _, stuck = await asyncio.wait(self._tasks, timeout=STOP_TIMEOUT_SECONDS)
            for task in stuck:
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []

    # -- simulation ---------------------------------------------------------------------------------

    async def run_days(self, start: date, days: int, on_day: DayCallback | None = None) -> FleetStats:
        """Simulate `days` local days from `start`, waiting after each for the gateway's acks."""
        if days < 0:
            raise ConfigError(f"days must be >= 0, got {days}")
        first_activity_at = self._first_activity_at(start)
        if self._clock.now() > first_activity_at:
            raise ConfigError(
                f"the simulated clock ({self._clock.now().isoformat()}) is already past the first patrol "
                f"window of {start.isoformat()} ({first_activity_at.isoformat()}): start the clock earlier "
                "or simulate from a later day"
            )
        if not self._tasks:
            raise SimulatorError("the fleet is not connected: use `async with fleet:` around run_days()")
        for offset in range(days):
            day = start + timedelta(days=offset)
            made = await self._replay_day(day)
            if not await self._pending.wait_all_acked(self._day_timeout_seconds):
                stats = self.stats()
                logger.warning(
                    "%s: %d records from %d bands still unacked after %.1f s; going on, they stay in flash "
                    "and are resent: check that the gateway is running and acking",
                    day.isoformat(),
                    stats.pending,
                    sum(1 for band_stats in stats.bands.values() if band_stats.pending),
                    self._day_timeout_seconds,
                )
            logger.info("%s simulated: %d records made", day.isoformat(), made)
            if on_day is not None:
                on_day(day, self.stats())
        return self.stats()

    def _first_activity_at(self, day: date) -> datetime:
        if self._windows:
            start_ms, _ = self._windows[0].bounds_ms(day)
            return utc_from_ms(start_ms)
        return datetime.combine(day, time(0, 0), tzinfo=patrol_zone()).astimezone(UTC)

    async def _replay_day(self, day: date) -> int:
        bands = self._band_list
        timelines = [
            _keyed_timeline(index, plan_day(band.profile, day, windows=self._windows, seed=self._seed))
            for index, band in enumerate(bands)
            if band.profile.active_on(day)  # a band still in the drawer neither patrols nor beats
        ]
        clock_ms = -1
        made = 0
        for count, (at_ms, index, _, item) in enumerate(heapq.merge(*timelines), start=1):
            if at_ms > clock_ms:
                self._clock.advance_to(utc_from_ms(at_ms))
                clock_ms = at_ms
            if isinstance(item, PlannedPatrol):
                bands[index].end_patrol()
            else:
                bands[index].make_record(item)
                made += 1
            if count % _EVENTS_PER_YIELD == 0:
                await asyncio.sleep(0)
        return made

    async def drain(self, timeout_seconds: float) -> None:
        """Wait until every band's flash is empty; raise DrainTimeoutError if that takes too long."""
        if not await self._pending.wait_all_acked(timeout_seconds):
            stats = self.stats()
            raise DrainTimeoutError(
                f"{stats.pending} records are still unacked after {timeout_seconds:g} s "
                f"({stats.connected} of {len(self._bands)} bands connected): check that the gateway is "
                "subscribed to the uplink topics and publishing acks"
            )

    # -- inspection ---------------------------------------------------------------------------------

    @property
    def bands(self) -> Mapping[int, Band]:
        """Every band by id, e.g. to reboot one in a test."""
        return MappingProxyType(self._bands)

    def stats(self) -> FleetStats:
        return FleetStats.collect([band.stats() for band in self._band_list])

    def records_made(self) -> Iterator[Record]:
        """Every record any band has made so far, band by band in creation order."""
        return itertools.chain.from_iterable(band.records_made() for band in self._band_list)
