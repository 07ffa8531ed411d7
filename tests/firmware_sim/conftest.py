"""Shared builders for the wristband simulator's tests."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import pytest

from firmware_sim import BandProfile, CheckpointPlan, SegmentRoute

ProfileFactory = Callable[..., BandProfile]


def build_profile(
    band_id: int,
    *,
    routes: int = 2,
    checkpoints_per_route: int = 3,
    spacing_m: float = 40.0,
    diligence: float = 0.8,
    boot: int = 0,
) -> BandProfile:
    """A steward with `routes` claimed segments of evenly spaced checkpoints; keys derived from the id."""
    segments = []
    for route in range(routes):
        segment_id = band_id * 100 + route + 1
        checkpoints = tuple(
            CheckpointPlan(
                checkpoint_id=segment_id * 100 + number + 1,
                position_m=spacing_m * number + 5.0,
                beacon_secret=hashlib.sha256(f"beacon/{segment_id}/{number}".encode()).digest()[:16],
            )
            for number in range(checkpoints_per_route)
        )
        segments.append(SegmentRoute(segment_id, checkpoints))
    return BandProfile(
        band_id=band_id,
        signing_seed=hashlib.sha256(f"band-seed/{band_id}".encode()).digest(),
        mqtt_password=f"pw-{band_id}",
        routes=tuple(segments),
        boot=boot,
        diligence=diligence,
    )


@pytest.fixture
def make_profile() -> ProfileFactory:
    return build_profile
