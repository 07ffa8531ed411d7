"""The wristband (手环) simulator: thousands of stewards' bands patrolling and uploading over MQTT.

Bands plan patrols along their stewards' claimed segments, log check-ins to a flash ring, upload them
as live records or log segments in the `wire` protocol, and free them only when the gateway acks.
A `Fleet` runs them all on one asyncio loop against a real broker, in simulated time (`SimClock`).
"""

from __future__ import annotations

from firmware_sim.backoff import backoff_seconds
from firmware_sim.band import (
    DEFAULT_ACK_TIMEOUT_SECONDS,
    DEFAULT_FLASH_CAPACITY_RECORDS,
    DEFAULT_SEGMENT_RECORDS,
    Band,
    UplinkMode,
    Upload,
)
from firmware_sim.clock import AdvanceableClock, Clock, SimClock, SystemClock
from firmware_sim.errors import (
    BrokerUnreachableError,
    ClockError,
    ConfigError,
    DrainTimeoutError,
    SimulatorError,
)
from firmware_sim.flash import FlashRing
from firmware_sim.fleet import DayCallback, Fleet, FleetLink, LinkFactory
from firmware_sim.link import LinkSettings
from firmware_sim.planner import DayPlan, PlannedEvent, PlannedPatrol, plan_day
from firmware_sim.pregenerate import pregenerate
from firmware_sim.profile import BandProfile, BrokerAddress, CheckpointPlan, SegmentRoute
from firmware_sim.stats import BandStats, FleetStats
from firmware_sim.windows import DEFAULT_PATROL_WINDOWS, PatrolWindow, parse_windows

__all__ = [
    "DEFAULT_ACK_TIMEOUT_SECONDS",
    "DEFAULT_FLASH_CAPACITY_RECORDS",
    "DEFAULT_PATROL_WINDOWS",
    "DEFAULT_SEGMENT_RECORDS",
    "AdvanceableClock",
    "Band",
    "BandProfile",
    "BandStats",
    "BrokerAddress",
    "BrokerUnreachableError",
    "CheckpointPlan",
    "Clock",
    "ClockError",
    "ConfigError",
    "DayCallback",
    "DayPlan",
    "DrainTimeoutError",
    "FlashRing",
    "Fleet",
    "FleetLink",
    "FleetStats",
    "LinkFactory",
    "LinkSettings",
    "PatrolWindow",
    "PlannedEvent",
    "PlannedPatrol",
    "SegmentRoute",
    "SimClock",
    "SimulatorError",
    "SystemClock",
    "UplinkMode",
    "Upload",
    "backoff_seconds",
    "parse_windows",
    "plan_day",
    "pregenerate",
]
