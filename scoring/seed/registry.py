"""The places and officials of the demo: districts, subdistricts, lanes, segments, checkpoints,
chiefs and contractors of 西长安街, 龙潭 and 体育馆路, as the source report gives them.

Where the report gives a count but no names (most of 龙潭's lanes, 93 of 西长安街's 94, 体育馆路's
2018 and 2019 lanes) the lanes get systematic names such as "龙潭街道 小巷07" and keys such as
"longtan/lane-07": no real-sounding street name is invented. Lengths, segment splits and checkpoint
positions the report does not give are drawn from a `random.Random` seeded by the record's key, so
each stays put when other records are added. People the report does not name get generated names
(see `names.py`).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from typing import Final

from scoring.seed import source
from scoring.seed.dataset import (
    CheckpointSeed,
    ChiefRole,
    ChiefSeed,
    CommunitySeed,
    ContractorSeed,
    DistrictSeed,
    LaneKind,
    LaneSeed,
    SegmentSeed,
    SubdistrictSeed,
)
from scoring.seed.derive import beacon_secret
from scoring.seed.names import NameGenerator

RANDOM_SEED: Final = "lane-stewards/seed/v1"

LANE_LENGTH_MIN_M: Final = 80
LANE_LENGTH_MAX_M: Final = 600
MAIN_STREET_LENGTH_MIN_M: Final = 400
MAIN_STREET_LENGTH_MAX_M: Final = 1500
# About one claimable stretch per 150 m: short enough that one resident can patrol it daily.
SEGMENT_TARGET_LENGTH_M: Final = 150
SEGMENTS_PER_LANE_MAX: Final = 4
# About one checkpoint per 80 m, so a patrol that skips half a segment is visible in its taps.
CHECKPOINT_SPACING_M: Final = 80
CHECKPOINTS_PER_SEGMENT_MIN: Final = 2
CHECKPOINTS_PER_SEGMENT_MAX: Final = 5

# Officials in the report are cadres of the street office; "一些机关干部本身并不居住在自己所负责的
# 辖区范围内". The share who do live locally is not given; this is the demo's guess.
CHIEF_LIVES_LOCALLY_SHARE: Final = 0.3

XICHENG: Final = "xicheng"
DONGCHENG: Final = "dongcheng"
XICHANGAN: Final = "xichangan"
LONGTAN: Final = "longtan"
TIYUGUANLU: Final = "tiyuguanlu"
XINGFU: Final = "longtan/xingfu"
TAIPUSI_JIE: Final = "xichangan/taipusi-jie"
FUGUANG_LU: Final = "longtan/xingfu/fuguang-lu"
XINGFU_BEILI: Final = "longtan/xingfu/xingfu-beili"
TIYUGUANLU_EXTRA_STREET_CHIEF: Final = "tiyuguanlu/street-chief-10"


def _numbered(lane_name: str, lengths_m: tuple[int, ...]) -> tuple[tuple[str, int], ...]:
    return tuple((f"{lane_name} 第{i}段", n) for i, n in enumerate(lengths_m, start=1))


@dataclass(frozen=True, slots=True)
class _XingfuLane:
    """One of 幸福社区's five lanes, laid out by hand because its claims are in the report."""

    slug: str
    name: str
    length_m: int
    segments: tuple[tuple[str, int], ...]  # (name, length_m), in order along the lane
    shops: int | None = None
    residential_buildings: int | None = None


# 幸福社区's lanes and how they split. 福光路 and 幸福北里 (17号楼's two sides) are from the report;
# the other three are unnamed there. The splits are chosen so the fifteen first stewards cover
# every segment with one steward each, 赵云华 keeping both halves of 福光路: see `longtan.py`.
XINGFU_LAYOUT: Final[tuple[_XingfuLane, ...]] = (
    _XingfuLane(
        slug="fuguang-lu",
        name=source.FUGUANG_LU,
        length_m=source.FUGUANG_LU_LENGTH_M,
        segments=_numbered(source.FUGUANG_LU, (180, 160)),
        shops=source.FUGUANG_LU_SHOPS,
        residential_buildings=source.FUGUANG_LU_RESIDENTIAL_BUILDINGS,
    ),
    _XingfuLane(
        slug="xingfu-beili",
        name=source.XINGFU_BEILI,
        length_m=280,
        segments=(
            (source.BUILDING_17_NORTH, 60),
            (source.BUILDING_17_SOUTH, 60),
            (f"{source.XINGFU_BEILI} 第3段", 80),
            (f"{source.XINGFU_BEILI} 第4段", 80),
        ),
    ),
    _XingfuLane(
        slug="lane-01",
        name=f"{source.LONGTAN_NAME} 小巷01",
        length_m=460,
        segments=_numbered(f"{source.LONGTAN_NAME} 小巷01", (120, 110, 120, 110)),
    ),
    _XingfuLane(
        slug="lane-02",
        name=f"{source.LONGTAN_NAME} 小巷02",
        length_m=390,
        segments=_numbered(f"{source.LONGTAN_NAME} 小巷02", (130, 140, 120)),
    ),
    _XingfuLane(
        slug="lane-03",
        name=f"{source.LONGTAN_NAME} 小巷03",
        length_m=330,
        segments=_numbered(f"{source.LONGTAN_NAME} 小巷03", (110, 100, 120)),
    ),
)


def keyed_rng(key: str) -> random.Random:
    """A generator seeded by the project seed and one record's key (str seeds hash with SHA-512)."""
    return random.Random(f"{RANDOM_SEED}/{key}")


def split_length(total_m: int, parts: int, rng: random.Random) -> tuple[int, ...]:
    """Split a length into `parts` whole-metre pieces of roughly equal size that sum to it."""
    weights = [rng.uniform(0.8, 1.2) for _ in range(parts)]
    scale = total_m / sum(weights)
    pieces = [max(1, round(w * scale)) for w in weights[:-1]]
    pieces.append(total_m - sum(pieces))
    return tuple(pieces)


def segment_count(length_m: int) -> int:
    return min(SEGMENTS_PER_LANE_MAX, max(1, round(length_m / SEGMENT_TARGET_LENGTH_M)))


def checkpoint_positions(length_m: int, rng: random.Random) -> tuple[float, ...]:
    """Positions along a segment, spread evenly with a little jitter, strictly increasing."""
    count = min(
        CHECKPOINTS_PER_SEGMENT_MAX,
        max(CHECKPOINTS_PER_SEGMENT_MIN, round(length_m / CHECKPOINT_SPACING_M)),
    )
    spacing = length_m / count
    # Jitter of at most a fifth of the spacing keeps neighbours apart and every point inside.
    return tuple(
        round((i + 0.5) * spacing + rng.uniform(-0.2, 0.2) * spacing, 1) for i in range(count)
    )


@dataclass(slots=True)
class RegistryBuilder:
    """Accumulates the registry's records in a fixed order; `longtan.py` adds the stewards."""

    names: NameGenerator
    districts: list[DistrictSeed] = field(default_factory=list)
    subdistricts: list[SubdistrictSeed] = field(default_factory=list)
    communities: list[CommunitySeed] = field(default_factory=list)
    lanes: list[LaneSeed] = field(default_factory=list)
    segments: list[SegmentSeed] = field(default_factory=list)
    checkpoints: list[CheckpointSeed] = field(default_factory=list)
    chiefs: list[ChiefSeed] = field(default_factory=list)
    contractors: list[ContractorSeed] = field(default_factory=list)
    segments_by_lane: dict[str, list[SegmentSeed]] = field(default_factory=dict)

    # -- places ------------------------------------------------------------------------------

    def add_lane(
        self,
        key: str,
        subdistrict_key: str,
        name: str,
        kind: LaneKind,
        *,
        community_key: str | None = None,
        length_m: int | None = None,
        shops: int | None = None,
        residential_buildings: int | None = None,
        improvement_year: int | None = None,
        segments: tuple[tuple[str, int], ...] | None = None,
    ) -> LaneSeed:
        rng = keyed_rng(key)
        if length_m is None:
            if kind == "main_street":
                length_m = rng.randint(MAIN_STREET_LENGTH_MIN_M, MAIN_STREET_LENGTH_MAX_M)
            else:
                length_m = rng.randint(LANE_LENGTH_MIN_M, LANE_LENGTH_MAX_M)
        lane = LaneSeed(
            key=key,
            subdistrict_key=subdistrict_key,
            community_key=community_key,
            name=name,
            kind=kind,
            length_m=length_m,
            shops=shops,
            residential_buildings=residential_buildings,
            improvement_year=improvement_year,
        )
        self.lanes.append(lane)
        if segments is None:
            pieces = split_length(length_m, segment_count(length_m), rng)
            segments = _numbered(name, pieces)
        for i, (seg_name, seg_length_m) in enumerate(segments, start=1):
            self._add_segment(f"{key}/s{i}", key, seg_name, seg_length_m)
        return lane

    def _add_segment(self, key: str, lane_key: str, name: str, length_m: int) -> None:
        segment = SegmentSeed(key=key, lane_key=lane_key, name=name, length_m=length_m)
        self.segments.append(segment)
        self.segments_by_lane.setdefault(lane_key, []).append(segment)
        rng = keyed_rng(key)
        for i, position_m in enumerate(checkpoint_positions(length_m, rng), start=1):
            cp_key = f"{key}/cp{i}"
            self.checkpoints.append(
                CheckpointSeed(
                    key=cp_key,
                    segment_key=key,
                    name=f"{name} 巡查点{i}",
                    position_m=position_m,
                    beacon_secret=beacon_secret(cp_key),
                )
            )

    # -- officials ---------------------------------------------------------------------------

    def add_chief(
        self,
        key: str,
        role: ChiefRole,
        subdistrict_key: str,
        lane_key: str | None,
        *,
        name: str | None = None,
    ) -> ChiefSeed:
        chief = ChiefSeed(
            key=key,
            name=name if name is not None else self.names.next(),
            role=role,
            subdistrict_key=subdistrict_key,
            lane_key=lane_key,
            lives_locally=keyed_rng(key).random() < CHIEF_LIVES_LOCALLY_SHARE,
        )
        self.chiefs.append(chief)
        return chief


def _add_xichangan(b: RegistryBuilder) -> None:
    b.subdistricts.append(
        SubdistrictSeed(
            key=XICHANGAN,
            district_key=XICHENG,
            name=source.XICHANGAN_NAME,
            main_streets=None,
            lanes=source.XICHANGAN_LANES,
            note=source.XICHANGAN_NOTE,
        )
    )
    lanes = [b.add_lane(TAIPUSI_JIE, XICHANGAN, source.TAIPUSI_JIE, "lane")]
    for n in range(1, source.XICHANGAN_LANES):
        name = f"{source.XICHANGAN_NAME} 小巷{n:02d}"
        lanes.append(b.add_lane(f"{XICHANGAN}/lane-{n:02d}", XICHANGAN, name, "lane"))
    # Every lane has its 街巷长 and the 物业 that chief chose: "准物业管理达到了全覆盖".
    for n, lane in enumerate(lanes, start=1):
        chief_name = source.JIN_RENHAI if lane.key == TAIPUSI_JIE else None
        b.add_chief(f"{lane.key}/chief", "lane_chief", XICHANGAN, lane.key, name=chief_name)
        b.contractors.append(
            ContractorSeed(
                key=f"{lane.key}/contractor",
                name=f"{source.XICHANGAN_NAME} 物业公司{n:02d}",
                lane_key=lane.key,
            )
        )


def _add_longtan(b: RegistryBuilder) -> None:
    b.subdistricts.append(
        SubdistrictSeed(
            key=LONGTAN,
            district_key=DONGCHENG,
            name=source.LONGTAN_NAME,
            main_streets=source.LONGTAN_MAIN_STREETS,
            lanes=source.LONGTAN_LANES,
            note=source.LONGTAN_NOTE,
        )
    )
    b.communities.append(
        CommunitySeed(key=XINGFU, subdistrict_key=LONGTAN, name=source.XINGFU_COMMUNITY_NAME)
    )
    # "东城每一条街巷都将设置一名街巷长": a street chief per main street, a lane chief per lane.
    streets: list[LaneSeed] = []
    for n in range(1, source.LONGTAN_MAIN_STREETS + 1):
        lane = b.add_lane(
            f"{LONGTAN}/main-{n:02d}", LONGTAN, f"{source.LONGTAN_NAME} 大街{n:02d}", "main_street"
        )
        streets.append(lane)
        b.add_chief(f"{lane.key}/chief", "street_chief", LONGTAN, lane.key)
    for spec in XINGFU_LAYOUT:
        lane = b.add_lane(
            f"{XINGFU}/{spec.slug}",
            LONGTAN,
            spec.name,
            "lane",
            community_key=XINGFU,
            length_m=spec.length_m,
            shops=spec.shops,
            residential_buildings=spec.residential_buildings,
            segments=spec.segments,
        )
        chief_name = source.LIANG_JINRONG if lane.key == FUGUANG_LU else None
        b.add_chief(f"{lane.key}/chief", "lane_chief", LONGTAN, lane.key, name=chief_name)
    # Unnamed lanes are numbered across 龙潭, 幸福社区's three first, so no number repeats.
    unnamed_in_xingfu = sum(1 for spec in XINGFU_LAYOUT if spec.slug.startswith("lane-"))
    named_in_xingfu = len(XINGFU_LAYOUT) - unnamed_in_xingfu
    for n in range(unnamed_in_xingfu + 1, source.LONGTAN_LANES - named_in_xingfu + 1):
        lane = b.add_lane(
            f"{LONGTAN}/lane-{n:02d}", LONGTAN, f"{source.LONGTAN_NAME} 小巷{n:02d}", "lane"
        )
        b.add_chief(f"{lane.key}/chief", "lane_chief", LONGTAN, lane.key)
    _put_on_streets(b, streets, [ln for ln in b.lanes if ln.subdistrict_key == LONGTAN and ln.kind != "main_street"])


def _put_on_streets(b: RegistryBuilder, streets: list[LaneSeed], lanes: list[LaneSeed]) -> None:
    """Each lane opens onto one main street, in contiguous runs (a street's lanes lie side by side), so each
    street chief oversees a share of the lanes' chiefs: "街长统筹、巷长负责". The report names no such map."""
    on_street = {lane.key: streets[i * len(streets) // len(lanes)].key for i, lane in enumerate(lanes)}
    b.lanes[:] = [replace(ln, street_key=on_street[ln.key]) if ln.key in on_street else ln for ln in b.lanes]


def _kind_of(name: str) -> LaneKind:
    return "hutong" if name.endswith("胡同") else "lane"


def _add_tiyuguanlu(b: RegistryBuilder) -> None:
    # The report gives the plan and the chiefs, not the subdistrict's totals: counts stay None.
    b.subdistricts.append(
        SubdistrictSeed(
            key=TIYUGUANLU,
            district_key=DONGCHENG,
            name=source.TIYUGUANLU_NAME,
            main_streets=None,
            lanes=None,
            note=source.TIYUGUANLU_NOTE,
        )
    )
    main_streets = [
        b.add_lane(f"{TIYUGUANLU}/{slug}", TIYUGUANLU, name, "main_street", improvement_year=2017)
        for name, slug in source.TIYUGUANLU_2017_MAIN_STREETS
    ]
    lanes = [
        b.add_lane(f"{TIYUGUANLU}/{slug}", TIYUGUANLU, name, _kind_of(name), improvement_year=2017)
        for name, slug in source.TIYUGUANLU_2017_LANES
    ]
    for year, count in ((2018, source.TIYUGUANLU_2018_LANES), (2019, source.TIYUGUANLU_2019_LANES)):
        for n in range(1, count + 1):
            name = f"{source.TIYUGUANLU_NAME} {year}年小巷{n:02d}"
            lanes.append(
                b.add_lane(
                    f"{TIYUGUANLU}/lane-{year}-{n:02d}",
                    TIYUGUANLU,
                    name,
                    "lane",
                    improvement_year=year,
                )
            )
    # 10 street chiefs for the plan's 9 main streets: the report does not say what the tenth
    # covers, so that chief has no lane. 73 lane chiefs match the plan's 16 + 16 + 41 lanes.
    for lane in main_streets:
        b.add_chief(f"{lane.key}/chief", "street_chief", TIYUGUANLU, lane.key)
    b.add_chief(TIYUGUANLU_EXTRA_STREET_CHIEF, "street_chief", TIYUGUANLU, None)
    for lane in lanes:
        b.add_chief(f"{lane.key}/chief", "lane_chief", TIYUGUANLU, lane.key)
    _put_on_streets(b, main_streets, lanes)
    # "全体副街巷长" attended; the report gives no number. One deputy per main street is the
    # demo's choice.
    for lane in main_streets:
        b.add_chief(f"{lane.key}/deputy", "deputy", TIYUGUANLU, lane.key)


def build_registry(names: NameGenerator) -> RegistryBuilder:
    """All places and officials of the demo, in a fixed order."""
    b = RegistryBuilder(names=names)
    b.districts.append(
        DistrictSeed(
            key=XICHENG, name=source.XICHENG_NAME, lanes_planned=source.XICHENG_LANES_PLANNED
        )
    )
    b.districts.append(DistrictSeed(key=DONGCHENG, name=source.DONGCHENG_NAME, lanes_planned=None))
    _add_xichangan(b)
    _add_longtan(b)
    _add_tiyuguanlu(b)
    return b
