"""The log-distance model as a table, and the settings it refuses."""

from __future__ import annotations

import math

import pytest

from radio import PathLoss, Position, RadioParameterError
from radio.propagation import reported_rssi_dbm

DEFAULT = PathLoss()


@pytest.mark.parametrize(
    ("distance_m", "rssi_dbm"),
    [
        (0.0, -39),  # clamped to 0.1 m: -59 + 20
        (0.05, -39),
        (0.1, -39),
        (1.0, -59),
        (2.0, -65),  # -59 - 6.02
        (10.0, -79),
        (63.0, -95),  # -94.99: still heard
        (64.0, -95),  # -95.12 rounds to -95
        (100.0, -99),
    ],
)
def test_default_model_table(distance_m: float, rssi_dbm: int) -> None:
    assert DEFAULT.rssi_dbm(distance_m) == rssi_dbm


def test_exponent_and_calibration_are_parameters() -> None:
    street = PathLoss(tx_power_at_1m_dbm=-65.0, n=3.0, sensitivity_dbm=-90.0)
    assert street.rssi_dbm(1.0) == -65
    assert street.rssi_dbm(10.0) == -95
    assert not street.is_heard(street.rssi_dbm(10.0))


@pytest.mark.parametrize(("rssi_dbm", "heard"), [(-94, True), (-95, True), (-96, False)])
def test_weaker_than_sensitivity_is_not_heard(rssi_dbm: int, heard: bool) -> None:
    assert DEFAULT.is_heard(rssi_dbm) is heard


@pytest.mark.parametrize(
    ("rssi_dbm", "reported"), [(-200, -127), (-127, -127), (-59, -59), (20, 20), (40, 20)]
)
def test_reported_rssi_fits_an_hci_report(rssi_dbm: int, reported: int) -> None:
    assert reported_rssi_dbm(rssi_dbm) == reported


def test_distance_is_euclidean() -> None:
    assert Position(3.0, 4.0).distance_m(Position()) == 5.0


@pytest.mark.parametrize(
    "settings",
    [
        {"n": 0.0},
        {"n": -2.0},
        {"n": math.nan},
        {"tx_power_at_1m_dbm": math.inf},
        {"sensitivity_dbm": math.nan},
    ],
)
def test_unusable_settings_are_refused(settings: dict[str, float]) -> None:
    with pytest.raises(RadioParameterError):
        PathLoss(**settings)


@pytest.mark.parametrize("coordinate", [math.nan, math.inf, -math.inf])
def test_positions_must_be_finite(coordinate: float) -> None:
    with pytest.raises(RadioParameterError):
        Position(coordinate, 0.0)
    with pytest.raises(RadioParameterError):
        DEFAULT.rssi_dbm(coordinate)
