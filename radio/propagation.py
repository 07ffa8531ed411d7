"""Log-distance path loss: the RSSI a receiver measures from a transmitter some metres away.

    RSSI(d) = tx_power_at_1m_dbm - 10 * n * log10(max(d, 0.1 m)), rounded to a whole dBm

This is the model BLE proximity work calibrates against (a beacon's "measured power" is its RSSI at
1 m). Pure functions and value objects only, so the radio's behaviour can be pinned as a table.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

from radio.errors import RadioParameterError

# Closer than 10 cm the far-field model is meaningless, and log10(0) is undefined.
MIN_DISTANCE_M: Final = 0.1
# A typical beacon calibration: RSSI measured 1 m from a 0 dBm transmitter.
DEFAULT_TX_POWER_AT_1M_DBM: Final = -59.0
# 2.0 is free space; streets and walls push the exponent towards 3-4.
DEFAULT_PATH_LOSS_EXPONENT: Final = 2.0
# Typical sensitivity of a BLE 1M PHY receiver; anything weaker is lost in the noise.
DEFAULT_SENSITIVITY_DBM: Final = -95.0
# An HCI report carries RSSI as a signed byte limited to -127..+20 dBm (Core Vol 4 Part E 7.7.65).
MIN_REPORTED_RSSI_DBM: Final = -127
MAX_REPORTED_RSSI_DBM: Final = 20


def _require_finite(name: str, value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise RadioParameterError(f"{name} must be a finite number, got {value!r}")
    return float(value)


@dataclass(frozen=True, slots=True)
class Position:
    """Where a controller sits on the emulated radio's plane, in metres."""

    x_m: float = 0.0
    y_m: float = 0.0

    def __post_init__(self) -> None:
        _require_finite("x_m", self.x_m)
        _require_finite("y_m", self.y_m)

    def distance_m(self, other: Position) -> float:
        return math.hypot(self.x_m - other.x_m, self.y_m - other.y_m)


@dataclass(frozen=True, slots=True)
class PathLoss:
    """The log-distance model with its three settings, and the receiver's sensitivity."""

    tx_power_at_1m_dbm: float = DEFAULT_TX_POWER_AT_1M_DBM
    n: float = DEFAULT_PATH_LOSS_EXPONENT
    sensitivity_dbm: float = DEFAULT_SENSITIVITY_DBM

    def __post_init__(self) -> None:
        _require_finite("tx_power_at_1m_dbm", self.tx_power_at_1m_dbm)
        _require_finite("sensitivity_dbm", self.sensitivity_dbm)
        if _require_finite("n", self.n) <= 0:
            raise RadioParameterError(
                f"path-loss exponent n must be positive (2.0 is free space), got {self.n!r}"
            )

    def rssi_dbm(self, distance_m: float) -> int:
        """The RSSI, in whole dBm, measured `distance_m` metres from the transmitter."""
        distance_m = max(_require_finite("distance_m", distance_m), MIN_DISTANCE_M)
        return round(self.tx_power_at_1m_dbm - 10.0 * self.n * math.log10(distance_m))

    def is_heard(self, rssi_dbm: int) -> bool:
        """A signal is heard unless it is weaker than the receiver's sensitivity."""
        return rssi_dbm >= self.sensitivity_dbm


def reported_rssi_dbm(rssi_dbm: int) -> int:
    """Clamp an RSSI into the range an HCI advertising report can carry."""
    return max(MIN_REPORTED_RSSI_DBM, min(MAX_REPORTED_RSSI_DBM, rssi_dbm))
