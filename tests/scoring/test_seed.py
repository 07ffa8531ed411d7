"""The registry data set keeps to the source report, holds together, and is deterministic."""

from __future__ import annotations

import dataclasses
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TypeVar

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.seed import (
    BAND_SIGNING_SEED_BYTES,
    BEACON_SECRET_BYTES,
    ClaimSeed,
    Dataset,
    LaneSeed,
    SeedError,
    SeedIntegrityError,
    UnknownKeyError,
    longtan_dataset,
    synthetic_dataset,
)
from scoring.teams import TEAM_MIN_STEWARDS

REPO_ROOT = Path(__file__).resolve().parents[2]
T = TypeVar("T")

# Copied from the report by hand, so these tests check the data against the text, not against
# the module that holds the same names.
REPORT_2017_MAIN_STREETS = {
    "体育馆西路",
    "体育馆路",
    "左安门西街(体育馆路段)",
    "崇文门外大街(体育馆路段)",
    "天坛路(体育馆路段)",
    "天坛东路",
    "广渠门内大街(体育馆路段)",
    "龙潭路(体育馆路段)",
    "幸福大街(体育馆路段)",
}
REPORT_2017_LANES = {
    "东西四块玉路",
    "四块玉中街",
    "法华寺街辅路",
    "法华寺街",
    "磁器口大街",
    "东四块玉北街",
    "营房西街",
    "崇外大街西侧",
    "西四块玉胡同",
    "信用北里",
    "敬业西里",
    "磁器口东一巷",
    "双玉中街北段",
    "法华中街(法华寺营房东街)",
    "红桥后街",
    "文章胡同",
}
REPORT_LANE_NAMES = REPORT_2017_MAIN_STREETS | REPORT_2017_LANES | {"太仆寺街", "福光路", "幸福北里"}
SYSTEMATIC_LANE_NAME = re.compile(
    r"^(?:(?:西长安街街道|龙潭街道) (?:小巷|大街)\d{2}|体育馆路街道 20(?:18|19)年小巷\d{2})$"
)
REPORT_PEOPLE_IN_DATA = {"金仁海", "韩险峰", "赵云华", "梁金荣"}
REPORT_PEOPLE_NOT_IN_DATA = {"管致明", "朱仙惠", "边磊", "陈曦", "于佳"}
FIRST_STEWARDS_DAY = date(2017, 5, 1)


@pytest.fixture(scope="module")
def demo() -> Dataset:
    return longtan_dataset()


def _only(items: Sequence[T]) -> T:
    assert len(items) == 1, items
    return items[0]


def _lane_named(data: Dataset, name: str) -> LaneSeed:
    return _only(data.lanes_named(name))


def _xingfu_lanes(data: Dataset) -> list[LaneSeed]:
    xingfu = _only([c for c in data.communities if c.name == "幸福社区"])
    return [lane for lane in data.lanes if lane.community_key == xingfu.key]


def _first_fifteen_keys(data: Dataset) -> set[str]:
    return {s.key for s in data.stewards if s.joined_on == FIRST_STEWARDS_DAY}


# -- 西城区 / 西长安街 ---------------------------------------------------------------------------


def test_xicheng_plans_about_1400_lanes(demo: Dataset) -> None:
    xicheng = _only([d for d in demo.districts if d.name == "西城区"])
    assert xicheng.lanes_planned == 1400


def test_xichangan_has_94_lanes_each_with_one_lane_chief_and_one_contractor(demo: Dataset) -> None:
    sub = _only([s for s in demo.subdistricts if s.name == "西长安街街道"])
    assert sub.district_key == demo.district("xicheng").key
    assert sub.lanes == 94
    lanes = demo.lanes_in(sub.key)
    assert len(lanes) == 94
    for lane in lanes:
        chiefs = demo.chiefs_of(lane.key)
        assert [c.role for c in chiefs] == ["lane_chief"], lane.key
        assert len(demo.contractors_of(lane.key)) == 1, lane.key
    xichangan_lane_keys = {lane.key for lane in lanes}
    contractor_lanes = [c.lane_key for c in demo.contractors if c.lane_key in xichangan_lane_keys]
    assert len(contractor_lanes) == len(set(contractor_lanes)) == 94


def test_jin_renhai_is_the_lane_chief_of_taipusi_jie(demo: Dataset) -> None:
    chief = _only(demo.chiefs_named("金仁海"))
    lane = _lane_named(demo, "太仆寺街")
    assert chief.role == "lane_chief"
    assert chief.lane_key == lane.key
    assert demo.subdistrict(lane.subdistrict_key).name == "西长安街街道"


def test_contractors_serve_only_xichangan_and_carry_systematic_names(demo: Dataset) -> None:
    assert len(demo.contractors) == 94
    for con in demo.contractors:
        assert demo.lane(con.lane_key).subdistrict_key == "xichangan"
        assert re.fullmatch(r"西长安街街道 物业公司\d{2}", con.name), con.name


# -- 东城区 / 龙潭 / 幸福社区 -----------------------------------------------------------------------


def test_longtan_has_10_main_streets_and_86_lanes(demo: Dataset) -> None:
    sub = demo.subdistrict("longtan")
    assert sub.name == "龙潭街道"
    assert demo.district(sub.district_key).name == "东城区"
    assert (sub.main_streets, sub.lanes) == (10, 86)
    kinds = Counter(lane.kind == "main_street" for lane in demo.lanes_in("longtan"))
    assert kinds == {True: 10, False: 86}


def test_every_longtan_lane_has_one_chief_of_the_right_role(demo: Dataset) -> None:
    for lane in demo.lanes_in("longtan"):
        expected = "street_chief" if lane.kind == "main_street" else "lane_chief"
        assert [c.role for c in demo.chiefs_of(lane.key)] == [expected], lane.key


def test_xingfu_has_five_lanes_including_fuguang_lu_and_xingfu_beili(demo: Dataset) -> None:
    lanes = _xingfu_lanes(demo)
    assert len(lanes) == 5
    assert {"福光路", "幸福北里"} <= {lane.name for lane in lanes}
    assert all(lane.subdistrict_key == "longtan" for lane in lanes)


def test_first_fifteen_stewards_of_xingfu_claim_every_segment_of_its_five_lanes(
    demo: Dataset,
) -> None:
    first = _first_fifteen_keys(demo)
    assert len(first) == 15
    assert {demo.steward(k).name for k in first} >= {"韩险峰", "赵云华"}
    assert all(demo.steward(k).community_key == "longtan/xingfu" for k in first)
    xingfu_segments = {
        seg.key for lane in _xingfu_lanes(demo) for seg in demo.segments_of(lane.key)
    }
    claimants: set[str] = set()
    for seg_key in xingfu_segments:
        on_segment = demo.claimants_of_segment(seg_key)
        assert on_segment, f"{seg_key} is unclaimed"
        claimants.update(on_segment)
    assert claimants == first
    for key in first:
        claims = demo.claims_of(key)
        assert claims
        assert {c.segment_key for c in claims} <= xingfu_segments
        assert all(c.valid_from == FIRST_STEWARDS_DAY for c in claims)


def test_building_17_north_and_south_sides_are_claimed_by_two_different_stewards(
    demo: Dataset,
) -> None:
    lane = _lane_named(demo, "幸福北里")
    by_name = {seg.name: seg for seg in demo.segments_of(lane.key)}
    north, south = by_name["17号楼北侧路"], by_name["17号楼南侧路"]
    north_claimant = _only(demo.claimants_of_segment(north.key))
    south_claimant = _only(demo.claimants_of_segment(south.key))
    assert north_claimant != south_claimant
    han = _only(demo.stewards_named("韩险峰"))
    assert north_claimant == han.key
    assert han.home_lane_key == lane.key
    # One side of one building is a short stretch.
    assert north.length_m <= 100 and south.length_m <= 100


def test_fuguang_lu_numbers_steward_and_chief(demo: Dataset) -> None:
    lane = _lane_named(demo, "福光路")
    assert (lane.length_m, lane.shops, lane.residential_buildings) == (340, 20, 3)
    segments = demo.segments_of(lane.key)
    assert 2 <= len(segments) <= 3
    zhao = _only(demo.stewards_named("赵云华"))
    assert zhao.home_lane_key == lane.key
    assert {c.segment_key for c in demo.claims_of(zhao.key)} == {s.key for s in segments}
    chief = _only(demo.chiefs_of(lane.key))
    assert (chief.name, chief.role) == ("梁金荣", "lane_chief")


def test_longtan_has_sixty_odd_stewards_all_living_on_longtan_lanes(demo: Dataset) -> None:
    assert 60 < len(demo.stewards) < 70
    assert len(demo.stewards) == 63
    for steward in demo.stewards:
        assert steward.subdistrict_key == "longtan"
        home = demo.lane(steward.home_lane_key)
        assert home.subdistrict_key == "longtan"
        assert home.kind != "main_street"


def test_later_stewards_join_in_spring_and_claim_one_or_two_segments_of_their_home_lane(
    demo: Dataset,
) -> None:
    first = _first_fifteen_keys(demo)
    later = [s for s in demo.stewards if s.key not in first]
    assert len(later) == 48
    for steward in later:
        assert date(2017, 5, 2) <= steward.joined_on <= date(2017, 6, 30)
        claims = demo.claims_of(steward.key)
        assert 1 <= len(claims) <= 2
        home_segments = {s.key for s in demo.segments_of(steward.home_lane_key)}
        assert {c.segment_key for c in claims} <= home_segments
        assert all(c.valid_from == steward.joined_on for c in claims)


def test_several_lanes_have_steward_teams_including_xingfu_lanes(demo: Dataset) -> None:
    teams = demo.team_lane_keys()
    assert len(teams) >= 3
    xingfu = {lane.key for lane in _xingfu_lanes(demo)}
    assert len(xingfu & set(teams)) >= 2
    assert set(teams) - xingfu, "a team outside 幸福社区 as well"
    for key in teams:
        assert len(demo.claimants_of_lane(key)) >= TEAM_MIN_STEWARDS


def test_every_steward_has_one_band_numbered_from_1001_bound_when_they_joined(
    demo: Dataset,
) -> None:
    assert sorted(b.band_id for b in demo.bands) == list(range(1001, 1001 + 63))
    assert Counter(b.steward_key for b in demo.bands) == Counter({s.key: 1 for s in demo.stewards})
    for band in demo.bands:
        assert band.bound_from == demo.steward(band.steward_key).joined_on
        assert len(band.signing_seed) == BAND_SIGNING_SEED_BYTES
    assert len({b.signing_seed for b in demo.bands}) == len(demo.bands)


# -- 体育馆路 --------------------------------------------------------------------------------------


def test_tiyuguanlu_has_10_street_chiefs_73_lane_chiefs_and_deputies(demo: Dataset) -> None:
    roles = Counter(c.role for c in demo.chiefs if c.subdistrict_key == "tiyuguanlu")
    assert roles["street_chief"] == 10
    assert roles["lane_chief"] == 73
    assert roles["street_chief"] + roles["lane_chief"] == 83
    assert roles["deputy"] >= 1


def test_tiyuguanlu_plan_uses_the_reports_names_and_years(demo: Dataset) -> None:
    lanes = demo.lanes_in("tiyuguanlu")
    by_year: dict[int | None, list[LaneSeed]] = {}
    for lane in lanes:
        by_year.setdefault(lane.improvement_year, []).append(lane)
    assert set(by_year) == {2017, 2018, 2019}
    main_2017 = {lane.name for lane in by_year[2017] if lane.kind == "main_street"}
    lanes_2017 = {lane.name for lane in by_year[2017] if lane.kind != "main_street"}
    assert main_2017 == REPORT_2017_MAIN_STREETS
    assert lanes_2017 == REPORT_2017_LANES
    assert len(by_year[2017]) == 9 + 16
    assert len(by_year[2018]) == 16
    assert len(by_year[2019]) == 41
    assert all(lane.kind != "main_street" for lane in by_year[2018] + by_year[2019])
    hutongs = {lane.name for lane in lanes if lane.kind == "hutong"}
    assert hutongs == {"西四块玉胡同", "文章胡同"}


def test_tiyuguanlu_chiefs_cover_the_plan(demo: Dataset) -> None:
    for lane in demo.lanes_in("tiyuguanlu"):
        roles = Counter(c.role for c in demo.chiefs_of(lane.key))
        if lane.kind == "main_street":
            assert roles["street_chief"] == 1 and roles["lane_chief"] == 0, lane.name
        else:
            assert roles == {"lane_chief": 1}, lane.name
    without_lane = [
        c for c in demo.chiefs if c.subdistrict_key == "tiyuguanlu" and c.lane_key is None
    ]
    assert [c.role for c in without_lane] == ["street_chief"]


def test_guan_zhiming_is_a_note_not_a_role(demo: Dataset) -> None:
    assert "管致明" in demo.subdistrict("tiyuguanlu").note
    assert "副主任" in demo.subdistrict("tiyuguanlu").note
    assert not demo.chiefs_named("管致明")
    assert not demo.stewards_named("管致明")


# -- names: from the report or clearly systematic -------------------------------------------------


def test_every_lane_name_is_from_the_report_or_systematic(demo: Dataset) -> None:
    for lane in demo.lanes:
        from_report = lane.name in REPORT_LANE_NAMES
        assert from_report or SYSTEMATIC_LANE_NAME.fullmatch(lane.name), lane.name
    assert REPORT_LANE_NAMES <= {lane.name for lane in demo.lanes}
    assert len({lane.name for lane in demo.lanes}) == len(demo.lanes)


def test_report_people_appear_once_each_and_generated_names_never_copy_them(demo: Dataset) -> None:
    people = [s.name for s in demo.stewards] + [c.name for c in demo.chiefs]
    counts = Counter(people)
    for name in REPORT_PEOPLE_IN_DATA:
        assert counts[name] == 1, name
    for name in REPORT_PEOPLE_NOT_IN_DATA:
        assert counts[name] == 0, name
    assert len(counts) == len(people), "generated names repeat"
    for name in people:
        assert re.fullmatch(r"[\u4e00-\u9fff]{2,3}", name), name


# -- geometry: segments and checkpoints ----------------------------------------------------------


def test_lane_lengths_are_plausible(demo: Dataset) -> None:
    for lane in demo.lanes:
        assert lane.length_m is not None
        if lane.kind == "main_street":
            assert 400 <= lane.length_m <= 1500, lane.key
        else:
            assert 80 <= lane.length_m <= 600, lane.key


def test_each_lane_splits_into_one_to_four_segments_that_add_up(demo: Dataset) -> None:
    for lane in demo.lanes:
        segments = demo.segments_of(lane.key)
        assert 1 <= len(segments) <= 4, lane.key
        assert sum(s.length_m for s in segments) == lane.length_m, lane.key
        assert all(s.key.startswith(lane.key + "/s") for s in segments)
    assert sum(len(demo.segments_of(lane.key)) for lane in demo.lanes) == len(demo.segments)


def test_each_segment_has_two_to_five_checkpoints_in_order_along_it(demo: Dataset) -> None:
    for seg in demo.segments:
        checkpoints = demo.checkpoints_of(seg.key)
        assert 2 <= len(checkpoints) <= 5, seg.key
        positions = [cp.position_m for cp in checkpoints]
        assert positions == sorted(set(positions)), seg.key
        assert 0 < positions[0] and positions[-1] < seg.length_m, seg.key
        assert all(cp.key.startswith(seg.key + "/cp") for cp in checkpoints)


def test_beacon_secrets_are_16_bytes_and_distinct(demo: Dataset) -> None:
    secrets = [cp.beacon_secret for cp in demo.checkpoints]
    assert all(len(s) == BEACON_SECRET_BYTES == 16 for s in secrets)
    assert len(set(secrets)) == len(secrets)


# -- integrity -----------------------------------------------------------------------------------


def test_keys_are_unique_ascii_and_band_ids_unique(demo: Dataset) -> None:
    for records in (
        demo.districts,
        demo.subdistricts,
        demo.communities,
        demo.lanes,
        demo.segments,
        demo.checkpoints,
        demo.stewards,
        demo.chiefs,
        demo.contractors,
    ):
        keys = [r.key for r in records]
        assert len(keys) == len(set(keys))
        assert all(k.isascii() and k for k in keys)
    band_ids = [b.band_id for b in demo.bands]
    assert len(band_ids) == len(set(band_ids))


def test_every_claim_points_at_an_existing_segment_and_steward(demo: Dataset) -> None:
    segment_keys = {s.key for s in demo.segments}
    steward_keys = {s.key for s in demo.stewards}
    assert demo.claims
    for claim in demo.claims:
        assert claim.segment_key in segment_keys
        assert claim.steward_key in steward_keys
    pairs = [(c.steward_key, c.segment_key) for c in demo.claims]
    assert len(pairs) == len(set(pairs))


def test_every_segment_is_held_by_one_steward_at_most(demo: Dataset) -> None:
    assert all(len(demo.claimants_of_segment(s.key)) <= 1 for s in demo.segments)


def test_dataset_refuses_two_stewards_on_one_segment(demo: Dataset) -> None:
    held = demo.claims[0]
    other = next(s for s in demo.stewards if s.key != held.steward_key)
    with pytest.raises(SeedIntegrityError, match="one steward per segment"):
        dataclasses.replace(demo, claims=demo.claims + (ClaimSeed(other.key, held.segment_key, held.valid_from),))


def test_dataset_refuses_a_claim_on_a_missing_segment(demo: Dataset) -> None:
    bad = ClaimSeed(demo.stewards[0].key, "longtan/nowhere/s1", date(2017, 5, 1))
    with pytest.raises(SeedIntegrityError, match="unknown segment 'longtan/nowhere/s1'"):
        dataclasses.replace(demo, claims=demo.claims + (bad,))


def test_dataset_refuses_a_repeated_key_and_a_repeated_band_id(demo: Dataset) -> None:
    with pytest.raises(SeedIntegrityError, match="appears twice"):
        dataclasses.replace(demo, lanes=demo.lanes + (demo.lanes[0],))
    twin = dataclasses.replace(demo.bands[1], band_id=demo.bands[0].band_id)
    with pytest.raises(SeedIntegrityError, match="appears twice"):
        dataclasses.replace(demo, bands=(demo.bands[0], twin) + demo.bands[2:])


def test_dataset_refuses_a_checkpoint_off_its_segment(demo: Dataset) -> None:
    cp = demo.checkpoints[0]
    far = dataclasses.replace(cp, position_m=demo.segment(cp.segment_key).length_m + 1.0)
    with pytest.raises(SeedIntegrityError, match="off its segment"):
        dataclasses.replace(demo, checkpoints=(far,) + demo.checkpoints[1:])


def test_records_refuse_wrong_secret_sizes_and_band_ids(demo: Dataset) -> None:
    with pytest.raises(SeedIntegrityError, match="16 bytes"):
        dataclasses.replace(demo.checkpoints[0], beacon_secret=b"short")
    with pytest.raises(SeedIntegrityError, match="32 bytes"):
        dataclasses.replace(demo.bands[0], signing_seed=bytes(31))
    with pytest.raises(SeedIntegrityError, match="band_id"):
        dataclasses.replace(demo.bands[0], band_id=0)
    with pytest.raises(SeedIntegrityError, match="band_id"):
        dataclasses.replace(demo.bands[0], band_id=2**32)


def test_unknown_keys_raise_a_key_error_that_names_the_key(demo: Dataset) -> None:
    with pytest.raises(UnknownKeyError, match="longtan/nowhere") as caught:
        demo.lane("longtan/nowhere")
    assert isinstance(caught.value, KeyError)
    with pytest.raises(UnknownKeyError, match="999"):
        demo.band(999)


# -- determinism and scale -----------------------------------------------------------------------


def test_longtan_dataset_is_deterministic(demo: Dataset) -> None:
    again = longtan_dataset()
    assert again is not demo
    assert again == demo
    assert [cp.beacon_secret for cp in again.checkpoints] == [
        cp.beacon_secret for cp in demo.checkpoints
    ]
    assert [s.name for s in again.stewards] == [s.name for s in demo.stewards]


def test_synthetic_dataset_is_deterministic_and_seed_moves_only_the_synthetic_part(
    demo: Dataset,
) -> None:
    one = synthetic_dataset(500, seed=7)
    assert synthetic_dataset(500, seed=7) == one
    other = synthetic_dataset(500, seed=8)
    assert other.claims != one.claims
    assert other.lanes == one.lanes == demo.lanes
    assert other.stewards[:63] == one.stewards[:63] == demo.stewards
    assert other.claims[: len(demo.claims)] == demo.claims


@pytest.mark.parametrize("extra", [0, 500, 2000])
def test_synthetic_dataset_sizes(demo: Dataset, extra: int) -> None:
    data = synthetic_dataset(extra)
    assert len(data.stewards) == 63 + extra
    assert sorted(b.band_id for b in data.bands) == list(range(1001, 1001 + 63 + extra))
    added = data.stewards[63:]
    assert all(re.fullmatch(r"合成管家\d{6}", s.name) for s in added)
    for steward in added:
        band = data.band_of(steward.key)
        assert band.band_id >= 1064 and band.bound_from == steward.joined_on
        claims = data.claims_of(steward.key)
        assert 1 <= len(claims) <= 2
        home = data.lane(steward.home_lane_key)
        assert home.subdistrict_key == "longtan" and home.kind != "main_street"
        assert {c.segment_key for c in claims} <= {s.key for s in data.segments_of(home.key)}
        assert steward.community_key == home.community_key
    assert data.chiefs == demo.chiefs and data.segments[: len(demo.segments)] == demo.segments
    # Each synthetic steward patrols a stretch of their own: one steward per segment at a time.
    assert len(data.segments) == len(demo.segments) + extra
    assert len({c.segment_key for c in data.claims}) == len(data.claims)


def test_synthetic_dataset_scales_to_100_000_stewards() -> None:
    # Its speed is measured by `make bench`, not asserted here.
    data = synthetic_dataset(100_000, seed=3)
    assert len(data.stewards) == 100_063
    assert len({b.band_id for b in data.bands}) == 100_063
    assert data.bands[-1].band_id == 1001 + 100_063 - 1


@settings(max_examples=15, deadline=None)
@given(extra=st.integers(min_value=0, max_value=40), seed=st.integers(min_value=0, max_value=2**31))
def test_synthetic_dataset_is_whole_for_any_size_and_seed(extra: int, seed: int) -> None:
    data = synthetic_dataset(extra, seed=seed)
    assert len(data.stewards) == len(data.bands) == 63 + extra
    assert {c.steward_key for c in data.claims} == {s.key for s in data.stewards}


@pytest.mark.parametrize("bad", [-1, True, 2.0])
def test_synthetic_dataset_refuses_a_bad_size(bad: object) -> None:
    with pytest.raises(SeedError, match="whole number"):
        synthetic_dataset(bad)  # type: ignore[arg-type]


def test_seed_imports_no_other_project_package_and_no_database_code() -> None:
    forbidden = ("wire", "firmware_sim", "gateway", "api", "stewards", "sqlalchemy", "psycopg")
    script = (
        "import sys, scoring.seed; "
        f"bad = [m for m in sys.modules if m.split('.')[0] in {forbidden!r}]; "
        "print(','.join(bad))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert result.stdout.strip() == ""
