"""The shape of the registry data set: places, people, bands and claims as plain frozen records.

Every record is keyed by a stable ASCII string (the database assigns its own integer ids when the
records are loaded: `scoring.registry.load`); a band is keyed by its own u32 number. `Dataset` holds one tuple per
kind of record, checks on construction that every reference resolves, and offers read-only
lookups built once from the tuples.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Final, Literal, Protocol, TypeVar

from scoring.seed.errors import SeedIntegrityError, UnknownKeyError
from scoring.teams import TEAM_MIN_STEWARDS

LaneKind = Literal["main_street", "lane", "hutong"]
ChiefRole = Literal["street_chief", "lane_chief", "deputy"]

LANE_KINDS: Final[frozenset[str]] = frozenset({"main_street", "lane", "hutong"})
CHIEF_ROLES: Final[frozenset[str]] = frozenset({"street_chief", "lane_chief", "deputy"})

BEACON_SECRET_BYTES: Final = 16
BAND_SIGNING_SEED_BYTES: Final = 32  # an Ed25519 seed
BAND_ID_MIN: Final = 1
BAND_ID_MAX: Final = 2**32 - 1  # band_id is a u32 on the wire, and 0 is never a band


@dataclass(frozen=True, slots=True)
class DistrictSeed:
    """A district (区). `lanes_planned` is the number of lanes the district plans to give a chief."""

    key: str
    name: str
    lanes_planned: int | None


@dataclass(frozen=True, slots=True)
class SubdistrictSeed:
    """A subdistrict (街道) with the counts the source gives for it, when it gives them."""

    key: str
    district_key: str
    name: str
    main_streets: int | None
    lanes: int | None
    note: str


@dataclass(frozen=True, slots=True)
class CommunitySeed:
    """A community (社区) inside a subdistrict."""

    key: str
    subdistrict_key: str
    name: str


@dataclass(frozen=True, slots=True)
class LaneSeed:
    """A main street, lane or hutong; `improvement_year` is the year its upgrade is planned.

    `street_key` is the main street a lane opens onto: its street chief (街长) oversees the lane's chiefs.
    A main street, and a lane of a subdistrict without main streets in the registry, has none."""

    key: str
    subdistrict_key: str
    community_key: str | None
    name: str
    kind: LaneKind
    length_m: int | None
    shops: int | None
    residential_buildings: int | None
    improvement_year: int | None
    street_key: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in LANE_KINDS:
            raise SeedIntegrityError(
                f"lane {self.key!r}: kind {self.kind!r} is not one of {sorted(LANE_KINDS)}"
            )
        if self.length_m is not None and self.length_m <= 0:
            raise SeedIntegrityError(f"lane {self.key!r}: length_m must be positive")


@dataclass(frozen=True, slots=True)
class SegmentSeed:
    """A claimable stretch of a lane, as small as one side of a building."""

    key: str
    lane_key: str
    name: str
    length_m: int

    def __post_init__(self) -> None:
        if self.length_m <= 0:
            raise SeedIntegrityError(f"segment {self.key!r}: length_m must be positive")


@dataclass(frozen=True, slots=True)
class CheckpointSeed:
    """A checkpoint (巡查点) marked by a BLE beacon, `position_m` metres from its segment's start."""

    key: str
    segment_key: str
    name: str
    position_m: float
    beacon_secret: bytes
    # Where the beacon hangs (WGS-84 degrees), if surveyed: both or neither.
    latitude: float | None = None
    longitude: float | None = None

    def __post_init__(self) -> None:
        if len(self.beacon_secret) != BEACON_SECRET_BYTES:
            raise SeedIntegrityError(
                f"checkpoint {self.key!r}: beacon_secret must be {BEACON_SECRET_BYTES} bytes,"
                f" got {len(self.beacon_secret)}"
            )
        if (self.latitude is None) != (self.longitude is None):
            raise SeedIntegrityError(f"checkpoint {self.key!r}: give latitude and longitude together, or neither")
        if self.latitude is not None and self.longitude is not None and not (
                -90 <= self.latitude <= 90 and -180 <= self.longitude <= 180):
            raise SeedIntegrityError(f"checkpoint {self.key!r}: ({self.latitude}, {self.longitude}) is not a "
                                     "WGS-84 position")


@dataclass(frozen=True, slots=True)
class StewardSeed:
    """A lane steward (小巷管家): a resident volunteer assigned to the lane where they live."""

    key: str
    name: str
    community_key: str | None
    subdistrict_key: str
    home_lane_key: str
    joined_on: date
    party_member: bool
    phone: str | None = None  # for the steward's 名片; the demo leaves it empty, 报名 fills it


@dataclass(frozen=True, slots=True)
class ChiefSeed:
    """An official: street chief (街长), lane chief (巷长, 街巷长) or deputy (副街巷长)."""

    key: str
    name: str
    role: ChiefRole
    subdistrict_key: str
    lane_key: str | None
    lives_locally: bool

    def __post_init__(self) -> None:
        if self.role not in CHIEF_ROLES:
            raise SeedIntegrityError(
                f"chief {self.key!r}: role {self.role!r} is not one of {sorted(CHIEF_ROLES)}"
            )


@dataclass(frozen=True, slots=True)
class ContractorSeed:
    """A property company (物业) serving a lane under the supervision of its chief."""

    key: str
    name: str
    lane_key: str


@dataclass(frozen=True, slots=True)
class BandSeed:
    """A wristband (手环), keyed by its own u32 number, bound to a steward from a date on."""

    band_id: int
    steward_key: str
    bound_from: date
    signing_seed: bytes

    def __post_init__(self) -> None:
        if not BAND_ID_MIN <= self.band_id <= BAND_ID_MAX:
            raise SeedIntegrityError(
                f"band {self.band_id}: band_id must lie in {BAND_ID_MIN}..{BAND_ID_MAX}"
            )
        if len(self.signing_seed) != BAND_SIGNING_SEED_BYTES:
            raise SeedIntegrityError(
                f"band {self.band_id}: signing_seed must be {BAND_SIGNING_SEED_BYTES} bytes,"
                f" got {len(self.signing_seed)}"
            )


@dataclass(frozen=True, slots=True)
class ClaimSeed:
    """A steward's claim (认领) of a segment, from a date on."""

    steward_key: str
    segment_key: str
    valid_from: date


class _HasKey(Protocol):
    @property
    def key(self) -> str: ...


_Keyed = TypeVar("_Keyed", bound=_HasKey)
_Found = TypeVar("_Found")


def _unique_by_key(kind: str, records: Iterable[_Keyed]) -> dict[str, _Keyed]:
    by_key: dict[str, _Keyed] = {}
    for record in records:
        key = record.key
        if not key or not key.isascii():
            raise SeedIntegrityError(f"{kind} {key!r}: keys must be non-empty ASCII strings")
        if key in by_key:
            raise SeedIntegrityError(f"{kind} {key!r} appears twice: keys must be unique")
        by_key[key] = record
    return by_key


def _require(kind: str, owner: str, ref_kind: str, ref: str, table: Mapping[str, object]) -> None:
    if ref not in table:
        raise SeedIntegrityError(f"{kind} {owner!r} refers to unknown {ref_kind} {ref!r}")


class _Index:
    """Lookups built once from a `Dataset`'s tuples, checking every reference on the way."""

    __slots__ = (
        "districts",
        "subdistricts",
        "communities",
        "lanes",
        "segments",
        "checkpoints",
        "stewards",
        "chiefs",
        "contractors",
        "bands",
        "band_by_steward",
        "lanes_by_subdistrict",
        "segments_by_lane",
        "checkpoints_by_segment",
        "claims_by_steward",
        "claimants_by_segment",
        "chiefs_by_lane",
        "contractors_by_lane",
    )

    def __init__(self, data: Dataset) -> None:
        self.districts = _unique_by_key("district", data.districts)
        self.subdistricts = _unique_by_key("subdistrict", data.subdistricts)
        self.communities = _unique_by_key("community", data.communities)
        self.lanes = _unique_by_key("lane", data.lanes)
        self.segments = _unique_by_key("segment", data.segments)
        self.checkpoints = _unique_by_key("checkpoint", data.checkpoints)
        self.stewards = _unique_by_key("steward", data.stewards)
        self.chiefs = _unique_by_key("chief", data.chiefs)
        self.contractors = _unique_by_key("contractor", data.contractors)
        self._index_places(data)
        self._index_people(data)

    def _index_places(self, data: Dataset) -> None:
        for sub in data.subdistricts:
            _require("subdistrict", sub.key, "district", sub.district_key, self.districts)
        for com in data.communities:
            _require("community", com.key, "subdistrict", com.subdistrict_key, self.subdistricts)
        self.lanes_by_subdistrict: dict[str, list[LaneSeed]] = {}
        for lane in data.lanes:
            _require("lane", lane.key, "subdistrict", lane.subdistrict_key, self.subdistricts)
            if lane.community_key is not None:
                _require("lane", lane.key, "community", lane.community_key, self.communities)
                if self.communities[lane.community_key].subdistrict_key != lane.subdistrict_key:
                    raise SeedIntegrityError(
                        f"lane {lane.key!r}: its community lies in another subdistrict"
                    )
            if lane.street_key is not None:
                _require("lane", lane.key, "street", lane.street_key, self.lanes)
                street = self.lanes[lane.street_key]
                if street.kind != "main_street" or lane.kind == "main_street":
                    raise SeedIntegrityError(f"lane {lane.key!r}: only a lane opens onto a main street")
                if street.subdistrict_key != lane.subdistrict_key:
                    raise SeedIntegrityError(f"lane {lane.key!r}: its main street lies in another subdistrict")
            self.lanes_by_subdistrict.setdefault(lane.subdistrict_key, []).append(lane)
        self.segments_by_lane: dict[str, list[SegmentSeed]] = {}
        for seg in data.segments:
            _require("segment", seg.key, "lane", seg.lane_key, self.lanes)
            self.segments_by_lane.setdefault(seg.lane_key, []).append(seg)
        self.checkpoints_by_segment: dict[str, list[CheckpointSeed]] = {}
        for cp in data.checkpoints:
            _require("checkpoint", cp.key, "segment", cp.segment_key, self.segments)
            if not 0.0 <= cp.position_m <= self.segments[cp.segment_key].length_m:
                raise SeedIntegrityError(
                    f"checkpoint {cp.key!r}: position {cp.position_m} m lies off its segment"
                )
            self.checkpoints_by_segment.setdefault(cp.segment_key, []).append(cp)
        self.chiefs_by_lane: dict[str, list[ChiefSeed]] = {}
        for chief in data.chiefs:
            _require("chief", chief.key, "subdistrict", chief.subdistrict_key, self.subdistricts)
            if chief.lane_key is not None:
                _require("chief", chief.key, "lane", chief.lane_key, self.lanes)
                self.chiefs_by_lane.setdefault(chief.lane_key, []).append(chief)
        self.contractors_by_lane: dict[str, list[ContractorSeed]] = {}
        for con in data.contractors:
            _require("contractor", con.key, "lane", con.lane_key, self.lanes)
            self.contractors_by_lane.setdefault(con.lane_key, []).append(con)

    def _index_people(self, data: Dataset) -> None:
        lanes = self.lanes
        for st in data.stewards:
            _require("steward", st.key, "subdistrict", st.subdistrict_key, self.subdistricts)
            _require("steward", st.key, "home lane", st.home_lane_key, lanes)
            if lanes[st.home_lane_key].subdistrict_key != st.subdistrict_key:
                raise SeedIntegrityError(
                    f"steward {st.key!r}: home lane lies outside the steward's subdistrict"
                )
            if st.community_key is not None:
                _require("steward", st.key, "community", st.community_key, self.communities)
        self.bands: dict[int, BandSeed] = {}
        self.band_by_steward: dict[str, BandSeed] = {}
        for band in data.bands:
            if band.band_id in self.bands:
                raise SeedIntegrityError(f"band {band.band_id} appears twice: band ids are unique")
            _require("band", str(band.band_id), "steward", band.steward_key, self.stewards)
            if band.steward_key in self.band_by_steward:
                raise SeedIntegrityError(
                    f"steward {band.steward_key!r} has two bands: bind one band per steward"
                )
            self.bands[band.band_id] = band
            self.band_by_steward[band.steward_key] = band
        self.claims_by_steward: dict[str, list[ClaimSeed]] = {}
        self.claimants_by_segment: dict[str, list[str]] = {}
        seen: set[tuple[str, str]] = set()
        for claim in data.claims:
            owner = f"{claim.steward_key} -> {claim.segment_key}"
            _require("claim", owner, "steward", claim.steward_key, self.stewards)
            _require("claim", owner, "segment", claim.segment_key, self.segments)
            pair = (claim.steward_key, claim.segment_key)
            if pair in seen:
                raise SeedIntegrityError(f"claim {owner!r} appears twice")
            seen.add(pair)
            holder = self.claimants_by_segment.get(claim.segment_key)
            if holder:  # a seed's claims are all still open: two on one segment would hold it at once
                raise SeedIntegrityError(
                    f"segment {claim.segment_key!r} is claimed by {holder[0]!r} and {claim.steward_key!r}:"
                    " one steward per segment at a time"
                )
            self.claims_by_steward.setdefault(claim.steward_key, []).append(claim)
            self.claimants_by_segment.setdefault(claim.segment_key, []).append(claim.steward_key)


def _lookup(kind: str, table: dict[str, _Found], key: str) -> _Found:
    try:
        return table[key]
    except KeyError:
        raise UnknownKeyError(f"no {kind} with key {key!r} in this data set") from None


@dataclass(frozen=True, slots=True)
class Dataset:
    """The whole registry: one tuple per kind of record, with read-only lookups.

    Construction raises `SeedIntegrityError` if a key repeats or a reference resolves to nothing.
    Two data sets are equal when their tuples are equal; the lookups take no part in that.
    """

    districts: tuple[DistrictSeed, ...]
    subdistricts: tuple[SubdistrictSeed, ...]
    communities: tuple[CommunitySeed, ...]
    lanes: tuple[LaneSeed, ...]
    segments: tuple[SegmentSeed, ...]
    checkpoints: tuple[CheckpointSeed, ...]
    stewards: tuple[StewardSeed, ...]
    chiefs: tuple[ChiefSeed, ...]
    contractors: tuple[ContractorSeed, ...]
    bands: tuple[BandSeed, ...]
    claims: tuple[ClaimSeed, ...]
    _index: _Index = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", _Index(self))

    def __repr__(self) -> str:
        # The default repr would print every record; 100,000 stewards make that useless.
        return (
            f"Dataset(lanes={len(self.lanes)}, segments={len(self.segments)},"
            f" checkpoints={len(self.checkpoints)}, stewards={len(self.stewards)},"
            f" chiefs={len(self.chiefs)}, bands={len(self.bands)}, claims={len(self.claims)})"
        )

    # -- one record by key -------------------------------------------------------------------

    def district(self, key: str) -> DistrictSeed:
        return _lookup("district", self._index.districts, key)

    def subdistrict(self, key: str) -> SubdistrictSeed:
        return _lookup("subdistrict", self._index.subdistricts, key)

    def community(self, key: str) -> CommunitySeed:
        return _lookup("community", self._index.communities, key)

    def lane(self, key: str) -> LaneSeed:
        return _lookup("lane", self._index.lanes, key)

    def segment(self, key: str) -> SegmentSeed:
        return _lookup("segment", self._index.segments, key)

    def checkpoint(self, key: str) -> CheckpointSeed:
        return _lookup("checkpoint", self._index.checkpoints, key)

    def steward(self, key: str) -> StewardSeed:
        return _lookup("steward", self._index.stewards, key)

    def chief(self, key: str) -> ChiefSeed:
        return _lookup("chief", self._index.chiefs, key)

    def contractor(self, key: str) -> ContractorSeed:
        return _lookup("contractor", self._index.contractors, key)

    def band(self, band_id: int) -> BandSeed:
        try:
            return self._index.bands[band_id]
        except KeyError:
            raise UnknownKeyError(f"no band {band_id} in this data set") from None

    def band_of(self, steward_key: str) -> BandSeed:
        return _lookup("band for steward", self._index.band_by_steward, steward_key)

    # -- records that belong to another ------------------------------------------------------

    def lanes_in(self, subdistrict_key: str) -> tuple[LaneSeed, ...]:
        self.subdistrict(subdistrict_key)
        return tuple(self._index.lanes_by_subdistrict.get(subdistrict_key, ()))

    def segments_of(self, lane_key: str) -> tuple[SegmentSeed, ...]:
        self.lane(lane_key)
        return tuple(self._index.segments_by_lane.get(lane_key, ()))

    def checkpoints_of(self, segment_key: str) -> tuple[CheckpointSeed, ...]:
        self.segment(segment_key)
        return tuple(self._index.checkpoints_by_segment.get(segment_key, ()))

    def chiefs_of(self, lane_key: str) -> tuple[ChiefSeed, ...]:
        self.lane(lane_key)
        return tuple(self._index.chiefs_by_lane.get(lane_key, ()))

    def contractors_of(self, lane_key: str) -> tuple[ContractorSeed, ...]:
        self.lane(lane_key)
        return tuple(self._index.contractors_by_lane.get(lane_key, ()))

    def claims_of(self, steward_key: str) -> tuple[ClaimSeed, ...]:
        self.steward(steward_key)
        return tuple(self._index.claims_by_steward.get(steward_key, ()))

    def claimants_of_segment(self, segment_key: str) -> tuple[str, ...]:
        """Keys of the stewards who claim the segment, in claim order."""
        self.segment(segment_key)
        return tuple(self._index.claimants_by_segment.get(segment_key, ()))

    def claimants_of_lane(self, lane_key: str) -> tuple[str, ...]:
        """Keys of the stewards who claim any segment of the lane, each once, in claim order."""
        found: dict[str, None] = {}
        for seg in self.segments_of(lane_key):
            for steward_key in self._index.claimants_by_segment.get(seg.key, ()):
                found[steward_key] = None
        return tuple(found)

    def team_lane_keys(self) -> tuple[str, ...]:
        """Lanes with a steward team (小巷管家团): `TEAM_MIN_STEWARDS` or more claimants."""
        return tuple(
            lane.key
            for lane in self.lanes
            if len(self.claimants_of_lane(lane.key)) >= TEAM_MIN_STEWARDS
        )

    # -- by name, for people reading the demo ------------------------------------------------

    def stewards_named(self, name: str) -> tuple[StewardSeed, ...]:
        return tuple(st for st in self.stewards if st.name == name)

    def chiefs_named(self, name: str) -> tuple[ChiefSeed, ...]:
        return tuple(ch for ch in self.chiefs if ch.name == name)

    def lanes_named(self, name: str) -> tuple[LaneSeed, ...]:
        return tuple(lane for lane in self.lanes if lane.name == name)
