"""One chaos run: patrols start, N faults strike one after another, everything drains, the tally is taken.

Between two faults the harness waits until the bands see acks again, so every blow lands on a working
system and none on the wreck of the one before; the outage lengths are the faults' own, drawn from
the seed. After the last fault the patrols stop, and the time until every band's flash is empty is
the drain time.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final

from firmware_sim import UplinkMode
from stewards.chaos.faults import BLE_DROP, INJECTORS, KINDS, Cycle, Fault, schedule
from stewards.chaos.patrol import Patrols
from stewards.chaos.report import ChaosReport
from stewards.chaos.rig import SHARE_GROUP, START, Rig, RigSize, open_rig
from stewards.chaos.tally import tally

log = logging.getLogger(__name__)

PROGRESS_TIMEOUT_SECONDS: Final = 120.0


@dataclass(frozen=True)
class ChaosConfig:
    cycles: int = 50
    bands: int = 200
    ble_bands: int = 20
    seed: int = 0
    gateways: int = 2
    mode: UplinkMode = "segment"
    kinds: tuple[str, ...] = KINDS
    outage_range_s: tuple[float, float] = (0.5, 4.0)
    pace_seconds: float = 1.0  # least real time per simulated day
    drain_timeout_s: float = 300.0

    def __post_init__(self) -> None:
        unknown = set(self.kinds) - set(KINDS)
        if unknown:
            raise ValueError(f"unknown fault kinds {sorted(unknown)}; the harness knows {', '.join(KINDS)}")
        if self.cycles < 1 or self.bands < 1 or not 0 <= self.ble_bands <= self.bands:
            raise ValueError("give at least one cycle and one band, and no more BLE bands than bands")


def run_chaos(config: ChaosConfig, on_fault: Callable[[Fault], None] | None = None) -> ChaosReport:
    return asyncio.run(_run(config, on_fault or (lambda _f: None)))


async def _run(config: ChaosConfig, on_fault: Callable[[Fault], None]) -> ChaosReport:
    rng = random.Random(config.seed)
    size = RigSize(config.bands, config.ble_bands, config.gateways, config.mode)
    kinds = [k for k in config.kinds if k != BLE_DROP or config.ble_bands > 0]
    order = schedule(kinds, config.cycles, rng)
    async with open_rig(size, config.seed) as rig:
        origin = time.monotonic()
        patrols = Patrols(rig.fleets, START, config.pace_seconds)
        patrols.start()
        faults, stalls = await _cycles(rig, patrols, order, rng, config, origin, on_fault)
        last_fault_ended = time.monotonic()
        await patrols.stop()
        drained = await patrols.drain(config.drain_timeout_s)
        drain_s = time.monotonic() - last_fault_ended
        records = [r for fleet in rig.fleets for r in fleet.records_made()]
        counted = await asyncio.to_thread(tally, rig.engine, records)
        # Stopped before the report, so each gateway's final counters are in it.
        await asyncio.gather(*(asyncio.to_thread(g.terminate) for g in rig.gateways))
        stats = [fleet.stats() for fleet in rig.fleets]
        return ChaosReport(
            seed=config.seed, cycles=config.cycles, bands=config.bands,
            mqtt_bands=len(rig.mqtt_fleet.bands) if rig.mqtt_fleet else 0,
            ble_bands=len(rig.ble_links), mode=config.mode, gateways=[g.name for g in rig.gateways],
            share_group=SHARE_GROUP, faults=faults, tally=counted,
            band_acks={name: sum(getattr(s, name) for s in stats) for name in (
                "acked_stored", "acked_duplicate", "acked_refused", "resent_records", "unmatched_acks",
                "overflowed", "pending", "reconnects")},
            drained=drained, drain_s=round(drain_s, 2), run_s=round(time.monotonic() - origin, 2),
            days=sum(patrols.days.values()), stalls=stalls, progress_timeout_s=PROGRESS_TIMEOUT_SECONDS,
            gateway_starts={g.name: g.starts for g in rig.gateways},
            gateway_committed={g.name: g.committed for g in rig.gateways},
        )


async def _cycles(rig: Rig, patrols: Patrols, order: Sequence[str], rng: random.Random, config: ChaosConfig,
                  origin: float, on_fault: Callable[[Fault], None]) -> tuple[list[Fault], int]:
    faults: list[Fault] = []
    stalls = 0
    for number, kind in enumerate(order, start=1):
        if not await patrols.wait_for_progress(PROGRESS_TIMEOUT_SECONDS):
            stalls += 1
            log.warning("cycle %d: no band saw an ack for %.0f s; injecting anyway", number,
                        PROGRESS_TIMEOUT_SECONDS)
        cycle = Cycle(number, rig, rng, config.outage_range_s, origin)
        fault = await INJECTORS[kind](cycle)
        faults.append(fault)
        on_fault(fault)
    return faults, stalls
