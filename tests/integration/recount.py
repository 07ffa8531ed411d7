"""An independent recount of the first two rules, straight from raw records, for the end-to-end tests.

Deliberately written apart from scoring.rulebook: if both agree, neither is fooling the other.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import time, timedelta, timezone

from sqlalchemy import Engine, select

import wire
from scoring.seed.dataset import Dataset
from scoring.storage import tables as t

BEIJING = timezone(timedelta(hours=8))
WINDOWS = ((time(6), time(11)), (time(17), time(21)))


def recount(records: Iterable[wire.Record], data: Dataset, engine: Engine) -> dict[str, int]:
    """Points per steward key."""
    with engine.connect() as conn:
        cp_ids = dict(conn.execute(select(t.Checkpoint.key, t.Checkpoint.id)).all())
    steward_of_band = {b.band_id: b.steward_key for b in data.bands}
    segments_of: dict[str, list[set[int]]] = defaultdict(list)
    for claim in data.claims:
        segments_of[claim.steward_key].append({cp_ids[c.key] for c in data.checkpoints_of(claim.segment_key)})

    visits: dict[tuple[str, object], list[tuple[time, int]]] = defaultdict(list)
    for r in records:
        if r.kind == wire.Kind.PATROL_CHECKIN:
            local = r.event_at.astimezone(BEIJING)
            visits[(steward_of_band[r.band_id], local.date())].append((local.time(), r.checkpoint_id))

    points: dict[str, int] = defaultdict(int)
    for (steward, _day), seen in visits.items():
        claimed = segments_of[steward]
        all_claimed = set().union(*claimed) if claimed else set()
        points[steward] += len({cp for _, cp in seen} & all_claimed)
        for segment in claimed:
            for start, end in WINDOWS:
                if segment and segment <= {cp for at, cp in seen if start <= at < end}:
                    points[steward] += 5
    return {k: v for k, v in points.items() if v}
