"""Where a report is, as civic tools say it, and where a case is, said back in the registry's words.

A report's place is given one of three ways, always within one subdistrict (the tool's jurisdiction):

- an address id: `lane:<id>`, `segment:<id>` or `checkpoint:<id>`;
- an address string: the name of a checkpoint, segment or lane, exactly as the registry writes it
  (the most specific kind that matches wins; two of one kind are ambiguous);
- coordinates: the nearest checkpoint whose position was surveyed, if it is close enough to be on
  the same lane. The registry keeps metres along lanes, not a map: most checkpoints have no
  coordinates, and where none do, a report by coordinates is refused rather than guessed.

A checkpoint is a point. A lane or a segment is a stretch, so the report also says how many metres
from its start the problem is (`offset_m`); the work ledger joins reports by that position, and
inventing one (the start, the middle) would join unrelated problems.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from scoring.cases.errors import InvalidCaseInputError
from scoring.cases.store import checkpoint_places, segment_offsets
from scoring.cases.views import CaseView
from scoring.storage import tables as t

NEAREST_CHECKPOINT_MAX_M: Final = 150.0  # beyond this a point may be on a parallel lane: ask for the address
EARTH_RADIUS_M: Final = 6_371_008.8  # the mean radius; metres across a city need nothing finer
ADDRESS_KINDS: Final = ("lane", "segment", "checkpoint")


@dataclass(frozen=True, slots=True)
class Location:
    """A report's place as the work ledger takes it: a checkpoint, or metres along a lane."""

    lane_id: int
    checkpoint_id: int | None = None
    position_m: float | None = None  # along the lane; None at a checkpoint (the checkpoint's own position)


@dataclass(frozen=True, slots=True)
class CasePlace:
    """Where a case is, in words: its lane, the lane's subdistrict, and its checkpoint if it has one."""

    lane_name: str
    lane_kind: str
    subdistrict_id: int
    subdistrict_name: str
    checkpoint_name: str | None
    latitude: float | None
    longitude: float | None


def address_id(kind: str, ident: int) -> str:
    return f"{kind}:{ident}"


def locate_by_address_id(session: Session, subdistrict_id: int, text: str, offset_m: float | None) -> Location:
    kind, sep, ident = text.strip().partition(":")
    if not sep or kind not in ADDRESS_KINDS or not ident.isdigit() or not 0 < int(ident) < 2**31:
        raise InvalidCaseInputError(
            f"address_id {text!r}: write it as lane:<id>, segment:<id> or checkpoint:<id> (ids from /registry)")
    found = int(ident)
    if kind == "checkpoint":
        return _at_checkpoint(session, subdistrict_id, found)
    if kind == "segment":
        return _along_segment(session, subdistrict_id, found, offset_m)
    return _along_lane(session, subdistrict_id, found, offset_m)


def locate_by_name(session: Session, subdistrict_id: int, name: str, offset_m: float | None) -> Location:
    wanted = name.strip()
    in_subdistrict = select(t.Lane.id).where(t.Lane.subdistrict_id == subdistrict_id)
    checkpoints = session.scalars(
        select(t.Checkpoint.id).join(t.Segment, t.Segment.id == t.Checkpoint.segment_id)
        .where(t.Checkpoint.name == wanted, t.Segment.lane_id.in_(in_subdistrict)).order_by(t.Checkpoint.id)).all()
    segments = session.scalars(select(t.Segment.id).where(
        t.Segment.name == wanted, t.Segment.lane_id.in_(in_subdistrict)).order_by(t.Segment.id)).all()
    lanes = session.scalars(in_subdistrict.where(t.Lane.name == wanted).order_by(t.Lane.id)).all()
    for kind, ids in (("checkpoint", checkpoints), ("segment", segments), ("lane", lanes)):
        if len(ids) > 1:
            raise InvalidCaseInputError(
                f"address_string {wanted!r} names {len(ids)} {kind}s here: send address_id "
                + " or ".join(address_id(kind, i) for i in ids[:5]))
        if ids:
            return locate_by_address_id(session, subdistrict_id, address_id(kind, ids[0]), offset_m)
    raise InvalidCaseInputError(
        f"address_string {wanted!r} is no checkpoint, segment or lane name of this jurisdiction: "
        "write the name as the registry has it, or send address_id")


def locate_by_coordinates(session: Session, subdistrict_id: int, latitude: float, longitude: float) -> Location:
    if not (math.isfinite(latitude) and math.isfinite(longitude) and -90 <= latitude <= 90
            and -180 <= longitude <= 180):
        raise InvalidCaseInputError(f"lat {latitude!r}, long {longitude!r} is not a WGS-84 position")
    surveyed = session.execute(
        select(t.Checkpoint.id, t.Checkpoint.name, t.Checkpoint.latitude, t.Checkpoint.longitude)
        .join(t.Segment, t.Segment.id == t.Checkpoint.segment_id).join(t.Lane, t.Lane.id == t.Segment.lane_id)
        .where(t.Lane.subdistrict_id == subdistrict_id, t.Checkpoint.latitude.is_not(None),
               t.Checkpoint.longitude.is_not(None))
    ).all()
    if not surveyed:
        raise InvalidCaseInputError(
            "no checkpoint of this jurisdiction has surveyed coordinates, so lat/long cannot be placed on a "
            "lane: send address_id (checkpoint:<id>, or lane:<id> / segment:<id> with the metres from its "
            "start) or address_string")
    distance, checkpoint_id, name = min(
        (distance_m(latitude, longitude, r.latitude, r.longitude), r.id, r.name) for r in surveyed)
    if distance > NEAREST_CHECKPOINT_MAX_M:
        raise InvalidCaseInputError(
            f"the nearest surveyed checkpoint ({name}) is {distance:.0f} m from lat/long; beyond "
            f"{NEAREST_CHECKPOINT_MAX_M:.0f} m the problem may be on another lane: send address_id or address_string")
    return _at_checkpoint(session, subdistrict_id, checkpoint_id)


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def case_places(session: Session, cases: Iterable[CaseView]) -> dict[int, CasePlace]:
    """Each case's place in words, by case id."""
    cases = list(cases)
    lanes = {r.id: r for r in session.execute(
        select(t.Lane.id, t.Lane.name, t.Lane.kind, t.Lane.subdistrict_id, t.Subdistrict.name.label("sub_name"))
        .join(t.Subdistrict, t.Subdistrict.id == t.Lane.subdistrict_id)
        .where(t.Lane.id.in_(sorted({c.lane_id for c in cases}))))}
    wanted = sorted({c.checkpoint_id for c in cases if c.checkpoint_id is not None})
    checkpoints = {r.id: r for r in session.execute(
        select(t.Checkpoint.id, t.Checkpoint.name, t.Checkpoint.latitude, t.Checkpoint.longitude)
        .where(t.Checkpoint.id.in_(wanted)))} if wanted else {}
    places = {}
    for c in cases:
        lane = lanes[c.lane_id]
        cp = checkpoints.get(c.checkpoint_id) if c.checkpoint_id is not None else None
        places[c.id] = CasePlace(
            lane_name=lane.name, lane_kind=lane.kind, subdistrict_id=lane.subdistrict_id,
            subdistrict_name=lane.sub_name, checkpoint_name=cp.name if cp is not None else None,
            latitude=cp.latitude if cp is not None else None, longitude=cp.longitude if cp is not None else None)
    return places


def _at_checkpoint(session: Session, subdistrict_id: int, checkpoint_id: int) -> Location:
    place = checkpoint_places(session, [checkpoint_id]).get(checkpoint_id)
    if place is None:
        raise InvalidCaseInputError(f"checkpoint {checkpoint_id} is not in the registry")
    _require_in(session, subdistrict_id, place.lane_id, f"checkpoint {checkpoint_id}")
    return Location(place.lane_id, checkpoint_id=checkpoint_id)


def _along_segment(session: Session, subdistrict_id: int, segment_id: int, offset_m: float | None) -> Location:
    segment = session.get(t.Segment, segment_id)
    if segment is None:
        raise InvalidCaseInputError(f"segment {segment_id} is not in the registry")
    _require_in(session, subdistrict_id, segment.lane_id, f"segment {segment_id}")
    offset = _offset(offset_m, f"segment {segment_id} ({segment.name})", segment.length_m)
    return Location(segment.lane_id, position_m=segment_offsets(session, [segment.lane_id])[segment.id] + offset)


def _along_lane(session: Session, subdistrict_id: int, lane_id: int, offset_m: float | None) -> Location:
    lane = session.get(t.Lane, lane_id)
    if lane is None:
        raise InvalidCaseInputError(f"lane {lane_id} is not in the registry")
    _require_in(session, subdistrict_id, lane.id, f"lane {lane_id}")
    return Location(lane.id, position_m=_offset(offset_m, f"lane {lane_id} ({lane.name})", lane.length_m))


def _offset(offset_m: float | None, what: str, length_m: float | None) -> float:
    if offset_m is None:
        raise InvalidCaseInputError(
            f"{what} is a stretch, not a point: say how many metres from its start the problem is "
            "(attribute[position_m]), or address a checkpoint")
    if not math.isfinite(offset_m) or offset_m < 0 or (length_m is not None and offset_m > length_m):
        raise InvalidCaseInputError(f"position_m {offset_m!r} is not on {what}: 0 to {length_m} m from its start")
    return offset_m


def _require_in(session: Session, subdistrict_id: int, lane_id: int, what: str) -> None:
    if session.scalar(select(t.Lane.subdistrict_id).where(t.Lane.id == lane_id)) != subdistrict_id:
        raise InvalidCaseInputError(f"{what} is not in this jurisdiction: send the jurisdiction_id of its subdistrict")
