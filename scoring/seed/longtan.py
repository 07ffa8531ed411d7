"""The demo data set: the registry plus 龙潭街道's lane stewards, their bands and their claims.

The report names two stewards (韩险峰, 赵云华) and counts the rest: 15 first stewards of 幸福社区 who
claimed all five of its lanes, 60-odd in 龙潭 in all, assigned to the lanes where they live. The
other stewards get generated names; the report names none of their communities, so only 幸福社区's
stewards carry a community. Stewards join in spring 2017 and wear a band from the day they join.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

from scoring.seed import source
from scoring.seed.dataset import BandSeed, ClaimSeed, Dataset, StewardSeed
from scoring.seed.derive import band_signing_seed
from scoring.seed.names import NameGenerator
from scoring.seed.registry import (
    LONGTAN,
    RANDOM_SEED,
    XINGFU,
    RegistryBuilder,
    build_registry,
    keyed_rng,
)

logger = logging.getLogger(__name__)

FIRST_BAND_ID: Final = 1001
# "党员群众": party members and other residents; the share is not given, this is the demo's guess.
PARTY_MEMBER_SHARE: Final = 0.6


@dataclass(frozen=True, slots=True)
class _FirstSteward:
    """One of 幸福社区's first 15 stewards and the segments (1-based, in lane order) they claim."""

    name: str | None  # None: the report does not name this steward
    lane_slug: str
    segments: tuple[int, ...]


# Every segment of 幸福社区's five lanes, each claimed by exactly one of the first 15 ("包产到户").
# 韩险峰 lives in 17号楼 and took its north side; another steward took the south side. 赵云华
# looks after all of 福光路. The other three lanes get one steward per segment, which makes
# steward teams (three or more) on four of the five lanes.
XINGFU_FIRST_STEWARDS: Final[tuple[_FirstSteward, ...]] = (
    _FirstSteward(source.HAN_XIANFENG, "xingfu-beili", (1,)),
    _FirstSteward(source.ZHAO_YUNHUA, "fuguang-lu", (1, 2)),
    _FirstSteward(None, "xingfu-beili", (2,)),
    _FirstSteward(None, "xingfu-beili", (3,)),
    _FirstSteward(None, "xingfu-beili", (4,)),
    _FirstSteward(None, "lane-01", (1,)),
    _FirstSteward(None, "lane-01", (2,)),
    _FirstSteward(None, "lane-01", (3,)),
    _FirstSteward(None, "lane-01", (4,)),
    _FirstSteward(None, "lane-02", (1,)),
    _FirstSteward(None, "lane-02", (2,)),
    _FirstSteward(None, "lane-02", (3,)),
    _FirstSteward(None, "lane-03", (1,)),
    _FirstSteward(None, "lane-03", (2,)),
    _FirstSteward(None, "lane-03", (3,)),
)

# How the later stewards share their lanes: three teams, five pairs, the rest alone.
_LATER_SHARED_LANE_SIZES: Final = (4, 3, 3, 2, 2, 2, 2, 2)


def steward_key(n: int) -> str:
    return f"{LONGTAN}/steward-{n:03d}"


def join_dates(count: int, first: date, last: date, rng: random.Random) -> list[date]:
    """`count` dates drawn uniformly from [first, last], in ascending order."""
    span_days = (last - first).days
    return sorted(first + timedelta(days=rng.randint(0, span_days)) for _ in range(count))


def claim_some(
    steward: StewardSeed, segment_keys: Sequence[str], rng: random.Random
) -> list[ClaimSeed]:
    """One segment of the steward's home lane, or two side by side, claimed from the day they join.

    Two claimed segments are neighbours: a steward patrols one stretch, not two far apart.
    """
    first = rng.randrange(len(segment_keys))
    chosen = [first]
    if len(segment_keys) > 1 and rng.random() < 0.5:
        chosen.append(first + 1 if first + 1 < len(segment_keys) else first - 1)
    return [ClaimSeed(steward.key, segment_keys[i], steward.joined_on) for i in sorted(chosen)]


def band_for(steward: StewardSeed, band_id: int) -> BandSeed:
    return BandSeed(
        band_id=band_id,
        steward_key=steward.key,
        bound_from=steward.joined_on,
        signing_seed=band_signing_seed(band_id),
    )


def _first_stewards(
    b: RegistryBuilder, names: NameGenerator
) -> tuple[list[StewardSeed], list[ClaimSeed]]:
    stewards: list[StewardSeed] = []
    claims: list[ClaimSeed] = []
    for n, spec in enumerate(XINGFU_FIRST_STEWARDS, start=1):
        lane_key = f"{XINGFU}/{spec.lane_slug}"
        key = steward_key(n)
        steward = StewardSeed(
            key=key,
            name=spec.name if spec.name is not None else names.next(),
            community_key=XINGFU,
            subdistrict_key=LONGTAN,
            home_lane_key=lane_key,
            joined_on=source.FIRST_STEWARDS_JOINED_ON,
            party_member=keyed_rng(key).random() < PARTY_MEMBER_SHARE,
        )
        stewards.append(steward)
        segments = b.segments_by_lane[lane_key]
        claims.extend(
            ClaimSeed(key, segments[i - 1].key, steward.joined_on) for i in spec.segments
        )
    return stewards, claims


def _later_stewards(
    b: RegistryBuilder, names: NameGenerator, first_number: int
) -> tuple[list[StewardSeed], list[ClaimSeed]]:
    rng = random.Random(f"{RANDOM_SEED}/longtan-later-stewards")
    count = source.LONGTAN_STEWARDS - len(XINGFU_FIRST_STEWARDS)
    free_lanes = [
        lane.key
        for lane in b.lanes
        if lane.subdistrict_key == LONGTAN and lane.kind != "main_street"
        and lane.community_key != XINGFU
    ]
    sizes = list(_LATER_SHARED_LANE_SIZES)
    sizes += [1] * (count - sum(sizes))
    home_lanes = [
        lane_key
        for lane_key, size in zip(rng.sample(free_lanes, len(sizes)), sizes, strict=True)
        for _ in range(size)
    ]
    rng.shuffle(home_lanes)
    dates = join_dates(count, source.LATER_STEWARDS_FROM, source.LATER_STEWARDS_UNTIL, rng)
    stewards: list[StewardSeed] = []
    claims: list[ClaimSeed] = []
    numbered = enumerate(zip(home_lanes, dates, strict=True), start=first_number)
    for n, (lane_key, joined_on) in numbered:
        key = steward_key(n)
        steward = StewardSeed(
            key=key,
            name=names.next(),
            community_key=None,
            subdistrict_key=LONGTAN,
            home_lane_key=lane_key,
            joined_on=joined_on,
            party_member=rng.random() < PARTY_MEMBER_SHARE,
        )
        stewards.append(steward)
        claims.extend(claim_some(steward, [s.key for s in b.segments_by_lane[lane_key]], rng))
    return stewards, claims


def longtan_dataset() -> Dataset:
    """The demo data set: 西城区 and 东城区 as the source report gives them, 63 龙潭 stewards."""
    names = NameGenerator(random.Random(f"{RANDOM_SEED}/names"), avoid=source.REPORT_PERSON_NAMES)
    b = build_registry(names)
    stewards, claims = _first_stewards(b, names)
    later, later_claims = _later_stewards(b, names, first_number=len(stewards) + 1)
    stewards += later
    claims += later_claims
    bands = [band_for(st, FIRST_BAND_ID + i) for i, st in enumerate(stewards)]
    data = Dataset(
        districts=tuple(b.districts),
        subdistricts=tuple(b.subdistricts),
        communities=tuple(b.communities),
        lanes=tuple(b.lanes),
        segments=tuple(b.segments),
        checkpoints=tuple(b.checkpoints),
        stewards=tuple(stewards),
        chiefs=tuple(b.chiefs),
        contractors=tuple(b.contractors),
        bands=tuple(bands),
        claims=tuple(claims),
    )
    logger.debug("built the demo data set: %r", data)
    return data
