"""月评: one subdistrict's part of a closed month."""

from __future__ import annotations

from datetime import datetime

from api.schemas.base import OutModel


class ReviewLineOut(OutModel):
    steward_id: int
    name: str
    community: str | None
    rank: int  # within the subdistrict
    rank_community: int | None
    points: int
    active_days: int
    patrols_completed: int
    cases_confirmed: int
    star: bool  # 月度之星


class LaneRatingOut(OutModel):
    lane_id: int
    lane: str
    community: str | None
    points: int
    patrols_due: int
    patrols_completed: int
    inspections: int
    inspection_score: float | None  # the mean 周查 score, 0-100; None without an inspection


class MonthReviewOut(OutModel):
    month: str
    subdistrict_id: int
    subdistrict: str
    closed_at: datetime
    content_sha256: str  # of the whole month's snapshot, every subdistrict's lines
    ruleset_versions: list[str]
    stewards: int  # lines in the subdistrict's ranking; `rankings` is the page asked for (limit, offset)
    stars: list[ReviewLineOut]
    rankings: list[ReviewLineOut]
    lanes: list[LaneRatingOut]
