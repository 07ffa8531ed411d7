"""Which lanes a chief acts on: his own, and for a street's chiefs (街长 and the street's deputies) the lanes
that open onto the street — "街长统筹": the street chief may do for those lanes what their lane chiefs do.
The work ledger, the 周查 and the alert inbox ask this; the jurisdiction's reach
(scoring.accounts.jurisdiction.lanes_in_reach) states the same rule for a chief's whole area."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from scoring.storage import tables as t


def chief_acts_on(session: Session, chief_id: int, lane_id: int) -> bool:
    """True if the chief is a chief of the lane, or of the main street the lane opens onto."""
    chief_lane = session.scalar(select(t.Chief.lane_id).where(t.Chief.id == chief_id))
    if chief_lane is None:
        return False
    if chief_lane == lane_id:
        return True
    return session.scalar(select(t.Lane.street_id).where(t.Lane.id == lane_id)) == chief_lane
