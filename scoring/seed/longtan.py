"""The demo data set: the registry plus 龙潭街道's lane stewards, their bands and their claims.

The report names two stewards (韩险峰, 赵云华) and counts the rest: 15 first stewards of 幸福社区 who
claimed all five of its lanes, 60-odd in 龙潭 in all, assigned to the lanes where they live. The
other stewards get generated names; the report names none of their communities, so only 幸福社区's
stewards carry a community. Stewards join in spring 2017 and wear a band from the day they join.
"""

from __future__ import annotations

import logging
import random
from collections import Counter
from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

from scoring.seed import source
from scoring.seed.dataset import BandSeed, ClaimSeed, Dataset, StewardSeed
from scoring.seed.derive import band_signing_seed
from scoring.seed.errors import SeedIntegrityError
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
    steward: StewardSeed,
    segment_keys: Sequence[str],
    rng: random.Random,
    *,
    taken: AbstractSet[str] = frozenset(),
    room_for_two: bool = True,
) -> list[ClaimSeed]:
    """One free segment of the steward's home lane, or two side by side, claimed from the day they join.

    Two claimed segments are neighbours: a steward patrols one stretch, not two far apart. A segment
    in `taken` is another steward's (one steward per segment at a time); `room_for_two` is False when
    the lane's later stewards need the free segments that are left.
    """
    free = [i for i, key in enumerate(segment_keys) if key not in taken]
    if not free:
        raise SeedIntegrityError(f"steward {steward.key!r}: every segment of their home lane is claimed")
    first = free[rng.randrange(len(free))]
    chosen = [first]
    neighbours = [i for i in (first + 1, first - 1) if 0 <= i < len(segment_keys) and segment_keys[i] not in taken]
    if room_for_two and neighbours and rng.random() < 0.5:
        chosen.append(neighbours[0])
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
    chosen = _with_room(b, rng.sample(free_lanes, len(sizes)), sizes, free_lanes)
    home_lanes = [lane_key for lane_key, size in chosen for _ in range(size)]
    rng.shuffle(home_lanes)
    dates = join_dates(count, source.LATER_STEWARDS_FROM, source.LATER_STEWARDS_UNTIL, rng)
    stewards: list[StewardSeed] = []
    claims: list[ClaimSeed] = []
    taken: set[str] = set()
    to_come = Counter(home_lanes)  # stewards of each lane not yet given their claims
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
        segment_keys = [s.key for s in b.segments_by_lane[lane_key]]
        to_come[lane_key] -= 1
        free_after_one = sum(key not in taken for key in segment_keys) - 1
        mine = claim_some(steward, segment_keys, rng, taken=taken, room_for_two=free_after_one > to_come[lane_key])
        taken.update(c.segment_key for c in mine)
        claims.extend(mine)
    return stewards, claims


def _with_room(b: RegistryBuilder, drawn: Sequence[str], sizes: Sequence[int],
               others: Sequence[str]) -> list[tuple[str, int]]:
    """Each drawn lane with the number of stewards who live on it, so that every steward can claim a
    segment of their own (one steward per segment). A lane drawn for more stewards than it has segments
    trades its number with the first drawn lane that has the room, or failing that gives its place to
    the first lane of `others` (the lanes not drawn) that has it."""
    pairs = list(zip(drawn, sizes, strict=True))
    spare = [lane for lane in others if lane not in set(drawn)]

    def room(lane_key: str) -> int:
        return len(b.segments_by_lane[lane_key])

    for i, (lane_i, size_i) in enumerate(pairs):
        if room(lane_i) >= size_i:
            continue
        j = next((j for j, (lane_j, size_j) in enumerate(pairs)
                  if size_j < size_i and room(lane_j) >= size_i and room(lane_i) >= size_j), None)
        if j is not None:
            lane_j, size_j = pairs[j]
            pairs[i], pairs[j] = (lane_i, size_j), (lane_j, size_i)
            continue
        k = next((k for k, lane in enumerate(spare) if room(lane) >= size_i), None)
        if k is None:
            raise SeedIntegrityError(f"no lane of 龙潭 has room for {size_i} stewards of their own")
        pairs[i] = (spare.pop(k), size_i)
        spare.append(lane_i)
    return pairs


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
