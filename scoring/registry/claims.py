"""Claims as the rule engines read them: which segments a steward claimed, when, and where along each
segment its checkpoints stand. The scorer and the patrol alerts share this query."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import Connection, select

from scoring.rulebook import ClaimedSegment
from scoring.storage import tables as t


def claimed_segments(conn: Connection, stewards: Sequence[int]) -> dict[int, list[ClaimedSegment]]:
    """Every claim of these stewards, past and present, as the engine reads it: each segment with its
    checkpoints' positions along it, its lane and community; in claim order."""
    rows = conn.execute(
        select(t.Claim.steward_id, t.Claim.segment_id, t.Segment.key.label("segment_key"), t.Segment.lane_id,
               t.Community.key.label("community_key"), t.Claim.valid_from, t.Claim.valid_to)
        .join(t.Segment, t.Segment.id == t.Claim.segment_id)
        .join(t.Lane, t.Lane.id == t.Segment.lane_id)
        .outerjoin(t.Community, t.Community.id == t.Lane.community_id)
        .where(t.Claim.steward_id.in_(stewards))
        .order_by(t.Claim.steward_id, t.Claim.segment_id, t.Claim.valid_from, t.Claim.id)
    ).all()
    positions: dict[int, dict[int, float]] = defaultdict(dict)
    for cp_id, seg_id, position_m in conn.execute(
        select(t.Checkpoint.id, t.Checkpoint.segment_id, t.Checkpoint.position_m)
        .where(t.Checkpoint.segment_id.in_(sorted({r.segment_id for r in rows})))
    ):
        positions[seg_id][cp_id] = position_m
    claims: dict[int, list[ClaimedSegment]] = defaultdict(list)
    for r in rows:
        claims[r.steward_id].append(
            ClaimedSegment.along(r.segment_id, r.lane_id, positions[r.segment_id], r.valid_from, r.valid_to,
                                 segment_key=r.segment_key, community_key=r.community_key or "")
        )
    return claims
