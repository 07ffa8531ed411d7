"""Data sets at scale for tests and benchmarks: the demo registry plus any number of stewards.

Synthetic stewards are systematic ("合成管家000001", key "synthetic/steward-000001") so they can
never be taken for real people. Each lives on one of 龙潭's lanes, wears one band (ids continue
after the demo's) and claims a stretch of that lane of their own ("合成路段000001", with its
checkpoints): one steward per segment at a time holds however many stewards a lane has. The build
is a single pass over one seeded `random.Random`, with the per-lane lookups prepared once, so
100,000 stewards take a few seconds at most.
"""

from __future__ import annotations

import logging
import random
from datetime import date, timedelta
from typing import Final

from scoring.seed import source
from scoring.seed.dataset import (
    BAND_ID_MAX,
    BandSeed,
    CheckpointSeed,
    ClaimSeed,
    Dataset,
    SegmentSeed,
    StewardSeed,
)
from scoring.seed.derive import band_signing_seed, beacon_secret
from scoring.seed.errors import SeedError
from scoring.seed.longtan import PARTY_MEMBER_SHARE, longtan_dataset
from scoring.seed.registry import LONGTAN, RANDOM_SEED

logger = logging.getLogger(__name__)

SYNTHETIC_KEY_PREFIX: Final = "synthetic/steward-"
SYNTHETIC_NAME_PREFIX: Final = "合成管家"
SYNTHETIC_SEGMENT_KEY_PREFIX: Final = "synthetic/segment-"
SYNTHETIC_SEGMENT_NAME_PREFIX: Final = "合成路段"
SYNTHETIC_SEGMENT_LENGTH_M: Final = 120
# Two checkpoints, 80 m apart as the demo's are: a patrol is both taps in order.
SYNTHETIC_CHECKPOINTS_M: Final = (20.0, 100.0)


def synthetic_dataset(stewards: int, *, seed: int = 0) -> Dataset:
    """`longtan_dataset()` plus `stewards` synthetic stewards with bands and claims.

    The same (stewards, seed) always gives an equal data set; `seed` changes where the synthetic
    stewards live, what they claim and when they join, never the demo's own records.
    """
    if isinstance(stewards, bool) or not isinstance(stewards, int) or stewards < 0:
        raise SeedError(f"stewards must be a whole number of 0 or more, got {stewards!r}")
    base = longtan_dataset()
    first_band_id = max(band.band_id for band in base.bands) + 1
    if first_band_id + stewards - 1 > BAND_ID_MAX:
        raise SeedError(
            f"{stewards} stewards would run band ids past {BAND_ID_MAX}: ask for fewer"
        )

    rng = random.Random(f"{RANDOM_SEED}/synthetic/{seed}")
    lanes = [lane for lane in base.lanes_in(LONGTAN) if lane.kind != "main_street"]
    # Prepared once: (lane key, community key) for every lane a steward may live on.
    homes = [(lane.key, lane.community_key) for lane in lanes]
    span_days = (source.LATER_STEWARDS_UNTIL - source.LATER_STEWARDS_FROM).days
    days = [source.LATER_STEWARDS_FROM + timedelta(days=d) for d in range(span_days + 1)]

    new_stewards: list[StewardSeed] = []
    new_bands: list[BandSeed] = []
    new_claims: list[ClaimSeed] = []
    new_segments: list[SegmentSeed] = []
    new_checkpoints: list[CheckpointSeed] = []
    pick = rng.randrange
    draw = rng.random
    home_count = len(homes)
    day_count = len(days)
    for n in range(1, stewards + 1):
        lane_key, community_key = homes[pick(home_count)]
        joined_on: date = days[pick(day_count)]
        key = f"{SYNTHETIC_KEY_PREFIX}{n:06d}"
        steward = StewardSeed(
            key,
            f"{SYNTHETIC_NAME_PREFIX}{n:06d}",
            community_key,
            LONGTAN,
            lane_key,
            joined_on,
            draw() < PARTY_MEMBER_SHARE,
        )
        new_stewards.append(steward)
        band_id = first_band_id + n - 1
        new_bands.append(BandSeed(band_id, key, joined_on, band_signing_seed(band_id)))
        segment_key = f"{SYNTHETIC_SEGMENT_KEY_PREFIX}{n:06d}"
        segment_name = f"{SYNTHETIC_SEGMENT_NAME_PREFIX}{n:06d}"
        new_segments.append(SegmentSeed(segment_key, lane_key, segment_name, SYNTHETIC_SEGMENT_LENGTH_M))
        for i, position_m in enumerate(SYNTHETIC_CHECKPOINTS_M, start=1):
            cp_key = f"{segment_key}/cp{i}"
            new_checkpoints.append(CheckpointSeed(cp_key, segment_key, f"{segment_name} 巡查点{i}", position_m,
                                                  beacon_secret(cp_key)))
        new_claims.append(ClaimSeed(key, segment_key, joined_on))

    data = Dataset(
        districts=base.districts,
        subdistricts=base.subdistricts,
        communities=base.communities,
        lanes=base.lanes,
        segments=base.segments + tuple(new_segments),
        checkpoints=base.checkpoints + tuple(new_checkpoints),
        stewards=base.stewards + tuple(new_stewards),
        chiefs=base.chiefs,
        contractors=base.contractors,
        bands=base.bands + tuple(new_bands),
        claims=base.claims + tuple(new_claims),
    )
    logger.debug("built a synthetic data set (seed %d): %r", seed, data)
    return data
