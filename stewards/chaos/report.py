"""What a chaos run reports: the faults, the tally, the drain; as data (`as_dict`, for `--json` and the
bench) and as the lines a person reads. The CLI prints them."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

from stewards.chaos.faults import KINDS, Fault
from stewards.chaos.tally import Tally


@dataclass(frozen=True)
class ChaosReport:
    seed: int
    cycles: int
    bands: int
    mqtt_bands: int
    ble_bands: int
    mode: str
    gateways: list[str]
    share_group: str
    faults: list[Fault]
    tally: Tally
    band_acks: dict[str, int]  # what the bands saw: stored, duplicate, refused acks; resent; overflowed
    drained: bool
    drain_s: float  # from the end of the last fault until every band's flash was empty
    run_s: float
    days: int  # simulated patrol days begun, over both fleets
    stalls: int  # cycles before which the bands saw no ack for progress_timeout_s
    progress_timeout_s: float
    gateway_starts: dict[str, int] = field(default_factory=dict)  # processes started, restarts included
    gateway_committed: dict[str, int] = field(default_factory=dict)  # a floor: see GatewayProcess.committed

    @property
    def faults_by_kind(self) -> dict[str, int]:
        counts = Counter(f.kind for f in self.faults if f.injected)
        return {kind: counts[kind] for kind in KINDS if counts[kind]}

    @property
    def ok(self) -> bool:
        """Nothing lost and nothing stored twice (nor altered, nor made up)."""
        t = self.tally
        return t.lost == 0 and t.duplicated == 0 and t.altered == 0 and t.unexpected == 0

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["faults_by_kind"] = self.faults_by_kind
        data["ok"] = self.ok
        return data

    def summary(self) -> list[str]:
        """The run in a few lines, for a person."""
        t, acks = self.tally, self.band_acks
        quarantined = ", ".join(f"{reason} {n}" for reason, n in t.quarantined.items()) or "none"
        missed = [f for f in self.faults if not f.injected]
        lines = [
            f"seed {self.seed} · {self.cycles} cycles · {self.bands} bands ({self.mqtt_bands} MQTT {self.mode}, "
            f"{self.ble_bands} BLE) · {len(self.gateways)} gateways sharing $share/{self.share_group}",
            "faults injected: " + (" · ".join(f"{k} {n}" for k, n in self.faults_by_kind.items()) or "none")
            + (f" (and {len(missed)} that never found their moment)" if missed else ""),
            f"records made {t.made} · stored once {t.stored_once} · lost {t.lost} · duplicated {t.duplicated}"
            + (f" · altered {t.altered}" if t.altered else "")
            + (f" · unexpected {t.unexpected}" if t.unexpected else ""),
            f"quarantined: {quarantined} · refused records {t.refused}",
            f"bands saw acks: stored {acks['acked_stored']} · duplicate {acks['acked_duplicate']} · refused "
            f"{acks['acked_refused']}; resent {acks['resent_records']} records; reconnected {acks['reconnects']} "
            f"times; {acks['pending']} still pending; {acks['overflowed']} dropped from full flash",
            "gateways: " + " · ".join(f"{name} committed ≥ {self.gateway_committed.get(name, 0)} in "
                                      f"{self.gateway_starts.get(name, 0)} processes" for name in self.gateways),
            f"drained {self.drain_s:.1f} s after the last fault" if self.drained else
            f"NOT drained {self.drain_s:.1f} s after the last fault",
            f"{self.days} patrol days in {self.run_s:.0f} s"
            + (f"; {self.stalls} cycles began with no ack for {self.progress_timeout_s:.0f} s" if self.stalls else ""),
        ]
        if t.lost_keys:
            lines.append("lost, first keys (band, boot, seq): " + ", ".join(map(str, t.lost_keys)))
        if t.duplicated_keys:
            lines.append("duplicated, first keys: " + ", ".join(map(str, t.duplicated_keys)))
        lines.append("OK: nothing lost, nothing stored twice" if self.ok else "FAILED: records lost or stored twice")
        return lines


def fault_line(fault: Fault) -> str:
    """One fault as it happened, for a progress log."""
    status = "" if fault.injected else " (not injected)"
    back = "" if fault.recovered else "; NOT back in time"
    return (f"cycle {fault.cycle} at {fault.started_s:.1f} s: {fault.kind} {fault.target} — {fault.detail}; "
            f"outage {fault.outage_s:.1f} s, back after {fault.recovered_s:.1f} s{back}{status}")
