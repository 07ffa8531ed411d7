"""What the programme's API tests share (报名, 认领, 名片): a clock that moves, sign-up forms, free segments."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from scoring.storage import tables as t

PASSWORD = "幸福北里17号楼的北侧路"  # a resident's chosen password, long enough


@dataclass
class Tick:
    """The app's clock: a second later at every reading, so that every change has its own instant."""

    now: datetime
    step: timedelta = field(default=timedelta(seconds=1))

    def __call__(self) -> datetime:
        self.now += self.step
        return self.now


def form(lane_id: int, username: str, **changes: Any) -> dict[str, Any]:
    """A sign-up form as the online page or the station sends it (no password: add it for online)."""
    return {"name": "王秀兰", "phone": "138 1234 5678", "lane_id": lane_id, "address": "幸福北里17号楼3门201",
            "username": username, "party_member": True, **changes}


def free_segment(engine: Engine, subdistrict_id: int, *, lane_id: int | None = None) -> int:
    """The first segment of the subdistrict (or of the lane) that nobody holds now."""
    held = select(t.Claim.segment_id).where(t.Claim.valid_to.is_(None))
    query = (select(t.Segment.id).join(t.Lane, t.Lane.id == t.Segment.lane_id)
             .where(t.Lane.subdistrict_id == subdistrict_id, t.Segment.id.not_in(held)).order_by(t.Segment.id))
    if lane_id is not None:
        query = query.where(t.Segment.lane_id == lane_id)
    with Session(engine) as s:
        found = s.scalars(query).first()
    assert found is not None
    return found


def open_claim(engine: Engine, segment_id: int) -> tuple[int, int] | None:
    """(claim id, steward) of the segment's open claim."""
    with Session(engine) as s:
        row = s.execute(select(t.Claim.id, t.Claim.steward_id)
                        .where(t.Claim.segment_id == segment_id, t.Claim.valid_to.is_(None))).first()
    return None if row is None else (row[0], row[1])
