"""Names the documents print, read once per job: subdistricts, districts, communities, lanes, stewards, teams."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from scoring.storage import tables as t


@dataclass(frozen=True, slots=True)
class SubdistrictInfo:
    id: int
    key: str
    name: str  # 龙潭街道
    district: str  # 东城区

    @property
    def issuer(self) -> str:
        return f"{self.name}办事处"


@dataclass(frozen=True, slots=True)
class StewardInfo:
    id: int
    key: str
    name: str
    community: str | None
    lane: str  # the home lane's name, or "" without one


@dataclass(frozen=True)
class Names:
    subdistricts: dict[int, SubdistrictInfo]
    communities: dict[int, str]
    lanes: dict[int, str]
    lane_communities: dict[int, int | None]
    stewards: dict[int, StewardInfo]

    @classmethod
    def load(cls, session: Session) -> Names:
        districts = dict(session.execute(select(t.District.id, t.District.name)).all())
        subdistricts = {
            s.id: SubdistrictInfo(s.id, s.key, s.name, districts[s.district_id])
            for s in session.scalars(select(t.Subdistrict))
        }
        communities = dict(session.execute(select(t.Community.id, t.Community.name)).all())
        lanes: dict[int, str] = {}
        lane_communities: dict[int, int | None] = {}
        for lane_id, name, community_id in session.execute(select(t.Lane.id, t.Lane.name, t.Lane.community_id)):
            lanes[lane_id] = name
            lane_communities[lane_id] = community_id
        st = t.Steward
        stewards = {  # columns, not ORM objects: a district has 100,000 stewards
            steward_id: StewardInfo(
                steward_id, key, name, communities.get(community_id) if community_id is not None else None,
                lanes.get(home_lane_id, "") if home_lane_id is not None else "",
            )
            for steward_id, key, name, community_id, home_lane_id in session.execute(
                select(st.id, st.key, st.name, st.community_id, st.home_lane_id))
        }
        return cls(subdistricts, communities, lanes, lane_communities, stewards)
