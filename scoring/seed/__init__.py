"""The registry data set: the demo's places, officials, stewards, bands and claims as plain data.

`longtan_dataset()` is the demo, built from the source report; `synthetic_dataset(n, seed=...)`
adds n systematic stewards for tests and benchmarks. Both are deterministic. No database here:
the tables are mapped from these records elsewhere.
"""

from __future__ import annotations

from scoring.seed.dataset import (
    BAND_SIGNING_SEED_BYTES,
    BEACON_SECRET_BYTES,
    BandSeed,
    CheckpointSeed,
    ChiefRole,
    ChiefSeed,
    ClaimSeed,
    CommunitySeed,
    ContractorSeed,
    Dataset,
    DistrictSeed,
    LaneKind,
    LaneSeed,
    SegmentSeed,
    StewardSeed,
    SubdistrictSeed,
)
from scoring.seed.errors import SeedError, SeedIntegrityError, UnknownKeyError
from scoring.seed.longtan import FIRST_BAND_ID, longtan_dataset
from scoring.seed.synthetic import synthetic_dataset

__all__ = [
    "BAND_SIGNING_SEED_BYTES",
    "BEACON_SECRET_BYTES",
    "FIRST_BAND_ID",
    "BandSeed",
    "CheckpointSeed",
    "ChiefRole",
    "ChiefSeed",
    "ClaimSeed",
    "CommunitySeed",
    "ContractorSeed",
    "Dataset",
    "DistrictSeed",
    "LaneKind",
    "LaneSeed",
    "SegmentSeed",
    "SeedError",
    "SeedIntegrityError",
    "StewardSeed",
    "SubdistrictSeed",
    "UnknownKeyError",
    "longtan_dataset",
    "synthetic_dataset",
]
