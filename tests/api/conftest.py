"""Fixtures of the API tests."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from scoring.seed.dataset import Dataset
from tests.api.jurisdiction_world import World, build_world


@pytest.fixture
def world(seeded: Engine, longtan: Dataset) -> World:
    """One steward of 龙潭 and the people near her and far from her, for the jurisdiction matrices."""
    return build_world(seeded, longtan)
