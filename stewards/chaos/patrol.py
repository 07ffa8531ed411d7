"""The bands patrol while the faults strike: each fleet replays simulated day after day until told to stop.

A day's records are made in warped time, uploaded, and waited for (up to the fleet's day timeout, so a
long outage lets records pile up in flash rather than stopping the patrols). `pace_seconds` is the
least real time a simulated day takes, so that the load stays that of a fleet at work rather than of
a replay at full speed, and the gateways have room to recover between blows.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from datetime import date, timedelta
from typing import Final

from firmware_sim import DrainTimeoutError, Fleet

log = logging.getLogger(__name__)

POLL_SECONDS: Final = 0.01


async def poll_until(condition: Callable[[], bool], timeout_seconds: float) -> bool:
    """Wait until `condition()` holds, looking every 10 ms; False if it still does not after the timeout.
    For state the harness only observes (a band's link, its flash), with no event to wait on."""
    deadline = time.monotonic() + timeout_seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(POLL_SECONDS)
    return True


class Patrols:
    def __init__(self, fleets: list[Fleet], start: date, pace_seconds: float) -> None:
        self._fleets = fleets
        self._start = start
        self._pace_seconds = pace_seconds
        self._tasks: list[asyncio.Task[None]] = []
        self.days: dict[int, int] = {}  # simulated days begun, by fleet

    def start(self) -> None:
        self._tasks = [asyncio.create_task(self._patrol(i, fleet), name=f"patrol-{i}")
                       for i, fleet in enumerate(self._fleets)]

    async def stop(self) -> None:
        """Stop making records (mid-day is fine: what was made is in flash and will be sent)."""
        for task in self._tasks:
            task.cancel()
        results = await asyncio.gather(*self._tasks, return_exceptions=True)
        for result in results:
            if isinstance(result, BaseException) and not isinstance(result, asyncio.CancelledError):
                raise result

    async def _patrol(self, index: int, fleet: Fleet) -> None:
        day = self._start
        while True:
            began = time.monotonic()
            self.days[index] = self.days.get(index, 0) + 1
            await fleet.run_days(day, 1)
            day += timedelta(days=1)
            rest = self._pace_seconds - (time.monotonic() - began)
            if rest > 0:
                await asyncio.sleep(rest)

    def acked(self) -> int:
        """Records the bands have seen acked so far, every status: the end-to-end sign of life."""
        return sum(fleet.stats().acked for fleet in self._fleets)

    def made(self) -> int:
        return sum(fleet.stats().made for fleet in self._fleets)

    async def wait_for_progress(self, timeout_seconds: float) -> bool:
        """Wait until a band sees an ack it had not seen when called; False on timeout."""
        before = self.acked()
        return await poll_until(lambda: self.acked() > before, timeout_seconds)

    async def drain(self, timeout_seconds: float) -> bool:
        """Wait until every band's flash is empty; False if some still hold records after the timeout."""
        deadline = time.monotonic() + timeout_seconds
        drained = True
        for fleet in self._fleets:
            try:
                await fleet.drain(max(0.0, deadline - time.monotonic()))
            except DrainTimeoutError as exc:
                log.warning("%s", exc)
                drained = False
        return drained
