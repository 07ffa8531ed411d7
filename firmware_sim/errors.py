"""The wristband simulator's exception tree.

    SimulatorError                      anything this package refuses or gives up on
    ├── ConfigError (ValueError)        a profile, window, mode or parameter the simulator cannot use
    ├── ClockError (ValueError)         a naive instant, or moving a simulated clock backwards
    ├── BrokerUnreachableError          bands could not connect to the broker in time
    └── DrainTimeoutError (TimeoutError) records still unacked when a drain gave up

Wire-format problems are the `wire` package's errors and are not wrapped here.
"""

from __future__ import annotations

__all__ = [
    "BrokerUnreachableError",
    "ClockError",
    "ConfigError",
    "DrainTimeoutError",
    "SimulatorError",
]


class SimulatorError(Exception):
    """Base class of every error raised by the `firmware_sim` package."""


class ConfigError(SimulatorError, ValueError):
    """A band profile, patrol window or fleet parameter that the simulator cannot use."""


class ClockError(SimulatorError, ValueError):
    """A naive datetime, or an attempt to move a simulated clock backwards."""


class BrokerUnreachableError(SimulatorError):
    """Some bands could not connect to the MQTT broker within the allowed time."""


class DrainTimeoutError(SimulatorError, TimeoutError):
    """Records were still waiting for the gateway's ack when a drain timed out."""
