"""The registry's names an export shows beside ids: lanes, chiefs, stewards' communities."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from scoring.cases.store import chunked
from scoring.storage import tables as t


@dataclass(frozen=True, slots=True)
class Home:
    community: str | None  # a steward of no community (signed up through the subdistrict) has none
    subdistrict: str


def lane_names(session: Session, lane_ids: Collection[int]) -> dict[int, str]:
    out: dict[int, str] = {}
    for chunk in chunked(sorted(lane_ids)):
        out.update((i, n) for i, n in session.execute(select(t.Lane.id, t.Lane.name).where(t.Lane.id.in_(chunk))))
    return out


def chief_names(session: Session, chief_ids: Collection[int]) -> dict[int, str]:
    out: dict[int, str] = {}
    for chunk in chunked(sorted(chief_ids)):
        out.update((i, n) for i, n in session.execute(select(t.Chief.id, t.Chief.name).where(t.Chief.id.in_(chunk))))
    return out


def steward_homes(session: Session, steward_ids: Collection[int]) -> dict[int, Home]:
    out: dict[int, Home] = {}
    for chunk in chunked(sorted(steward_ids)):
        for steward_id, community, subdistrict in session.execute(
            select(t.Steward.id, t.Community.name, t.Subdistrict.name)
            .join(t.Subdistrict, t.Subdistrict.id == t.Steward.subdistrict_id)
            .outerjoin(t.Community, t.Community.id == t.Steward.community_id)
            .where(t.Steward.id.in_(chunk))
        ):
            out[steward_id] = Home(community, subdistrict)
    return out
