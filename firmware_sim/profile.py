"""The plain data a simulated band is built from: its checkpoints, routes, keys and broker.

The CLI builds these from the registry; the simulator never reads the registry itself.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Final, Literal

from firmware_sim.errors import ConfigError

__all__ = [
    "BAND_ID_MAX",
    "SIGNING_SEED_BYTES",
    "BandProfile",
    "BrokerAddress",
    "CheckpointPlan",
    "SegmentRoute",
]

BAND_ID_MAX: Final = 2**32 - 1
SIGNING_SEED_BYTES: Final = 32
_BOOT_MAX: Final = 2**32 - 1
_CHECKPOINT_ID_MAX: Final = 2**32 - 1


@dataclass(frozen=True, slots=True)
class CheckpointPlan:
    """One checkpoint (巡查点) on a segment: where it is along the segment and its beacon's secret."""

    checkpoint_id: int
    position_m: float
    beacon_secret: bytes

    def __post_init__(self) -> None:
        if not 1 <= self.checkpoint_id <= _CHECKPOINT_ID_MAX:
            raise ConfigError(f"checkpoint_id must be 1..{_CHECKPOINT_ID_MAX}, got {self.checkpoint_id}")
        if not math.isfinite(self.position_m) or self.position_m < 0:
            raise ConfigError(
                f"checkpoint {self.checkpoint_id}: position_m must be a finite distance >= 0 from the "
                f"segment's start, got {self.position_m}"
            )
        if not self.beacon_secret:
            raise ConfigError(f"checkpoint {self.checkpoint_id}: beacon_secret is empty; provision the beacon")


@dataclass(frozen=True, slots=True)
class SegmentRoute:
    """A claimed segment (认领的路段) and its checkpoints in walking order.

    A segment whose beacons are not installed yet has no checkpoints: the steward walks it but the
    band has nothing to log there.
    """

    segment_id: int
    checkpoints: tuple[CheckpointPlan, ...]

    def __post_init__(self) -> None:
        if self.segment_id < 1:
            raise ConfigError(f"segment_id must be >= 1, got {self.segment_id}")


@dataclass(frozen=True, slots=True)
class BandProfile:
    """One wristband (手环): its steward's routes, its key seed and its MQTT password."""

    band_id: int
    signing_seed: bytes
    mqtt_password: str
    routes: tuple[SegmentRoute, ...]
    boot: int = 0
    diligence: float = 0.8
    active_from: date | None = None  # the day the band is handed to its steward; silent before
    # The chance that a patrol is ridden on a bicycle, not walked: faster than the scorer takes for
    # walking, so such a patrol is flagged and its steward may appeal. Most stewards walk (0).
    cycling: float = 0.0

    def active_on(self, day: date) -> bool:
        return self.active_from is None or day >= self.active_from

    def __post_init__(self) -> None:
        if not 1 <= self.band_id <= BAND_ID_MAX:
            raise ConfigError(f"band_id must be 1..{BAND_ID_MAX}, got {self.band_id}")
        if len(self.signing_seed) != SIGNING_SEED_BYTES:
            raise ConfigError(
                f"band {self.band_id}: signing_seed must be {SIGNING_SEED_BYTES} bytes, got {len(self.signing_seed)}"
            )
        if not 0 <= self.boot <= _BOOT_MAX:
            raise ConfigError(f"band {self.band_id}: boot must be 0..{_BOOT_MAX}, got {self.boot}")
        if not 0.0 <= self.diligence <= 1.0:
            raise ConfigError(f"band {self.band_id}: diligence is a probability in [0, 1], got {self.diligence}")
        if not 0.0 <= self.cycling <= 1.0:
            raise ConfigError(f"band {self.band_id}: cycling is a probability in [0, 1], got {self.cycling}")


@dataclass(frozen=True, slots=True)
class BrokerAddress:
    """Where the bands' MQTT broker listens, and which protocol version they speak to it."""

    host: str
    port: int
    mqtt_version: Literal[3, 5] = 5

    def __post_init__(self) -> None:
        if not self.host:
            raise ConfigError("broker host is empty")
        if not 1 <= self.port <= 65535:
            raise ConfigError(f"broker port must be 1..65535, got {self.port}")
        if self.mqtt_version not in (3, 5):
            raise ConfigError(f"mqtt_version must be 3 (MQTT 3.1.1) or 5, got {self.mqtt_version}")
