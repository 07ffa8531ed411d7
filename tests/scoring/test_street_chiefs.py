"""A street chief (街长) oversees the lane chiefs of the lanes that open onto his main street."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from scoring.accounts.jurisdiction import lanes_in_reach
from scoring.accounts.principal import Principal
from scoring.accounts.roles import Role
from scoring.seed.dataset import Dataset
from scoring.seed.registry import LONGTAN
from scoring.seed.source import LONGTAN_LANES, LONGTAN_MAIN_STREETS
from scoring.storage import tables as t


def test_every_lane_of_longtan_opens_onto_one_of_its_main_streets(longtan: Dataset) -> None:
    streets = {ln.key for ln in longtan.lanes if ln.kind == "main_street" and ln.subdistrict_key == LONGTAN}
    lanes = [ln for ln in longtan.lanes if ln.kind != "main_street" and ln.subdistrict_key == LONGTAN]
    assert len(streets) == LONGTAN_MAIN_STREETS and len(lanes) == LONGTAN_LANES
    per_street = Counter(ln.street_key for ln in lanes)
    assert set(per_street) == streets  # every street has lanes, and no lane is off the map
    assert max(per_street.values()) - min(per_street.values()) <= 1


def test_a_street_chief_reaches_his_street_and_its_lanes_and_a_lane_chief_only_his_lane(seeded: Engine) -> None:
    with Session(seeded) as s:
        street_chief = s.execute(select(t.Chief.id, t.Chief.lane_id).where(t.Chief.role == "street_chief",
                                                                          t.Chief.lane_id.is_not(None))
                                 .order_by(t.Chief.id)).first()
        assert street_chief is not None
        on_street = set(s.scalars(select(t.Lane.id).where(t.Lane.street_id == street_chief.lane_id)))
        reach = lanes_in_reach(s, Principal(1, "jiezhang", Role.CHIEF, chief_id=street_chief.id))
        assert on_street and reach == {street_chief.lane_id, *on_street}

        lane_chief = s.execute(select(t.Chief.id, t.Chief.lane_id).where(t.Chief.lane_id.in_(on_street))
                               .order_by(t.Chief.id)).first()
        assert lane_chief is not None
        assert lanes_in_reach(s, Principal(2, "xiangzhang", Role.CHIEF, chief_id=lane_chief.id)) == {lane_chief.lane_id}
        # lanes of other streets stay out of his reach
        elsewhere = s.scalars(select(t.Lane.id).where(t.Lane.street_id.is_not(None),
                                                      t.Lane.street_id != street_chief.lane_id)).first()
        assert elsewhere is not None and elsewhere not in reach
