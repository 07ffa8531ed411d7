"""The relational schema: registry, check-ins (a hypertable on TimescaleDB), quarantine, points ledger.

One metadata for both PostgreSQL/TimescaleDB and SQLite. Alembic migrations under
`scoring/storage/migrations` are the source of truth for the live schema; these classes are what the
code reads and writes, and a test checks that the two agree.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from scoring.storage.types import BigId, UtcDateTime

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


# --- Registry ------------------------------------------------------------------------------------


class District(Base):
    __tablename__ = "districts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(120), unique=True)
    name: Mapped[str] = mapped_column(String(60))
    lanes_planned: Mapped[int | None]


class Subdistrict(Base):
    """街道 (street office)."""

    __tablename__ = "subdistricts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(120), unique=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id"))
    name: Mapped[str] = mapped_column(String(60))
    main_streets: Mapped[int | None]
    lanes: Mapped[int | None]
    note: Mapped[str] = mapped_column(Text, default="")


class Community(Base):
    """社区."""

    __tablename__ = "communities"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(120), unique=True)
    subdistrict_id: Mapped[int] = mapped_column(ForeignKey("subdistricts.id"))
    name: Mapped[str] = mapped_column(String(60))


class Lane(Base):
    """大街 / 小巷 / 胡同; `kind` is main_street, lane or hutong."""

    __tablename__ = "lanes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(160), unique=True)
    subdistrict_id: Mapped[int] = mapped_column(ForeignKey("subdistricts.id"), index=True)
    community_id: Mapped[int | None] = mapped_column(ForeignKey("communities.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(16))
    length_m: Mapped[int | None]
    shops: Mapped[int | None]
    residential_buildings: Mapped[int | None]
    improvement_year: Mapped[int | None]


class Segment(Base):
    """A claimable stretch of a lane, as small as one side of a building (17号楼北侧路)."""

    __tablename__ = "segments"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    lane_id: Mapped[int] = mapped_column(ForeignKey("lanes.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    length_m: Mapped[int]


class Checkpoint(Base):
    """巡查点: a position along a segment, marked by a beacon."""

    __tablename__ = "checkpoints"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(220), unique=True)
    segment_id: Mapped[int] = mapped_column(ForeignKey("segments.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    position_m: Mapped[float] = mapped_column(Float)


class Beacon(Base):
    """The BLE beacon at a checkpoint; replaced beacons keep their row with an end date."""

    __tablename__ = "beacons"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    checkpoint_id: Mapped[int] = mapped_column(ForeignKey("checkpoints.id"), index=True)
    secret: Mapped[bytes] = mapped_column(LargeBinary)
    active_from: Mapped[datetime] = mapped_column(UtcDateTime)
    active_to: Mapped[datetime | None] = mapped_column(UtcDateTime)


class Steward(Base):
    """小巷管家: a resident volunteer."""

    __tablename__ = "stewards"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(120), unique=True)
    name: Mapped[str] = mapped_column(String(40))
    subdistrict_id: Mapped[int] = mapped_column(ForeignKey("subdistricts.id"), index=True)
    community_id: Mapped[int | None] = mapped_column(ForeignKey("communities.id"))
    home_lane_id: Mapped[int | None] = mapped_column(ForeignKey("lanes.id"))
    joined_on: Mapped[date] = mapped_column(Date)
    party_member: Mapped[bool] = mapped_column(Boolean, default=False)


class Chief(Base):
    """街长 / 巷长 / 副街巷长: an official; `lives_locally` is often false."""

    __tablename__ = "chiefs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(120), unique=True)
    name: Mapped[str] = mapped_column(String(40))
    role: Mapped[str] = mapped_column(String(16))
    subdistrict_id: Mapped[int] = mapped_column(ForeignKey("subdistricts.id"), index=True)
    lane_id: Mapped[int | None] = mapped_column(ForeignKey("lanes.id"), index=True)
    lives_locally: Mapped[bool] = mapped_column(Boolean, default=False)


class Contractor(Base):
    """物业: a property company serving a lane under its chief's supervision."""

    __tablename__ = "contractors"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(120), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    lane_id: Mapped[int] = mapped_column(ForeignKey("lanes.id"), index=True)


class Band(Base):
    """手环: identified by its own u32 number; the server holds only its Ed25519 public key."""

    __tablename__ = "bands"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    public_key: Mapped[bytes] = mapped_column(LargeBinary)
    registered_at: Mapped[datetime] = mapped_column(UtcDateTime)


class BandBinding(Base):
    """Which steward wore a band, and when: history, never overwritten."""

    __tablename__ = "band_bindings"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    band_id: Mapped[int] = mapped_column(ForeignKey("bands.id"), index=True)
    steward_id: Mapped[int] = mapped_column(ForeignKey("stewards.id"), index=True)
    valid_from: Mapped[datetime] = mapped_column(UtcDateTime)
    valid_to: Mapped[datetime | None] = mapped_column(UtcDateTime)


class Claim(Base):
    """认领: a steward's claim on a segment, from/to."""

    __tablename__ = "claims"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    steward_id: Mapped[int] = mapped_column(ForeignKey("stewards.id"), index=True)
    segment_id: Mapped[int] = mapped_column(ForeignKey("segments.id"), index=True)
    valid_from: Mapped[datetime] = mapped_column(UtcDateTime)
    valid_to: Mapped[datetime | None] = mapped_column(UtcDateTime)


class Team(Base):
    """小巷管家团: formed when three or more stewards claim segments of one lane."""

    __tablename__ = "teams"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    lane_id: Mapped[int] = mapped_column(ForeignKey("lanes.id"), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    formed_at: Mapped[datetime] = mapped_column(UtcDateTime)


class TeamMembership(Base):
    __tablename__ = "team_memberships"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), index=True)
    steward_id: Mapped[int] = mapped_column(ForeignKey("stewards.id"), index=True)
    valid_from: Mapped[datetime] = mapped_column(UtcDateTime)
    valid_to: Mapped[datetime | None] = mapped_column(UtcDateTime)


# --- Time series ---------------------------------------------------------------------------------


class CheckIn(Base):
    """A verified record from a band. On TimescaleDB a hypertable partitioned by `event_at`.

    The key is the band's own (band_id, boot, seq); a hypertable's unique key must include its time
    column, so event_at (signed by the band, hence stable across resends) completes it.
    """

    __tablename__ = "checkins"
    band_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    boot: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    event_at: Mapped[datetime] = mapped_column(UtcDateTime, primary_key=True)
    kind: Mapped[int] = mapped_column(SmallInteger)
    checkpoint_id: Mapped[int] = mapped_column(Integer)  # 0 for heartbeats; no FK: a hypertable stays lean
    beacon_token: Mapped[bytes] = mapped_column(LargeBinary)
    rssi_dbm: Mapped[int] = mapped_column(SmallInteger)
    battery_pct: Mapped[int] = mapped_column(SmallInteger)
    detail: Mapped[int] = mapped_column(Integer)
    steward_id: Mapped[int] = mapped_column(Integer)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (
        Index("ix_checkins_steward_event", "steward_id", "event_at"),
        # Time-range scans (dashboards, chunk exclusion); declared here rather than left to TimescaleDB.
        Index("ix_checkins_event_at", "event_at"),
    )


class Quarantine(Base):
    """Everything refused, with its reason and the bytes as received: nothing is dropped silently."""

    __tablename__ = "quarantine"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    reason: Mapped[str] = mapped_column(String(32), index=True)
    detail: Mapped[str] = mapped_column(Text, default="")
    topic: Mapped[str] = mapped_column(String(200), default="")
    band_id: Mapped[int | None] = mapped_column(BigInteger)
    boot: Mapped[int | None] = mapped_column(BigInteger)
    seq: Mapped[int | None] = mapped_column(BigInteger)
    event_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    payload: Mapped[bytes] = mapped_column(LargeBinary)


class ScoringBacklog(Base):
    """(steward, local day) pairs with new check-ins, written in the ingest transaction, drained by the scorer."""

    __tablename__ = "scoring_backlog"
    steward_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)


class PointsEntry(Base):
    """积分: the append-only points ledger. `entry_key` makes every entry idempotent."""

    __tablename__ = "points_entries"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    entry_key: Mapped[str] = mapped_column(String(160), unique=True)
    steward_id: Mapped[int] = mapped_column(ForeignKey("stewards.id"))
    day: Mapped[date] = mapped_column(Date)
    rule: Mapped[str] = mapped_column(String(40))
    ruleset_version: Mapped[str] = mapped_column(String(16))
    points: Mapped[int] = mapped_column(Integer)
    # None for points that belong to a lane rather than a stretch of it: cases, dissuasions, 周查.
    segment_id: Mapped[int | None] = mapped_column(ForeignKey("segments.id"))
    lane_id: Mapped[int] = mapped_column(ForeignKey("lanes.id"))
    evidence: Mapped[list[str]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (
        Index("ix_points_entries_day_steward", "day", "steward_id"),
        Index("ix_points_entries_steward_day", "steward_id", "day"),
    )


# --- 工作台账 (cases, dissuasions) and 周查 (inspections) ------------------------------------------


class Case(Base):
    """工作台账: one problem on a lane, found by a steward, followed through the chief's workflow.

    `steward_id` is the finder (the first report); later reports nearby join the case as case_reports.
    `position_m` is metres along the lane. `state` is a `scoring.cases.CaseState` value.
    """

    __tablename__ = "cases"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    lane_id: Mapped[int] = mapped_column(ForeignKey("lanes.id"))
    category: Mapped[str] = mapped_column(String(24))
    state: Mapped[str] = mapped_column(String(24), index=True)
    position_m: Mapped[float] = mapped_column(Float)
    checkpoint_id: Mapped[int | None] = mapped_column(ForeignKey("checkpoints.id"))
    photo_ref: Mapped[str] = mapped_column(String(300), default="")
    steward_id: Mapped[int] = mapped_column(ForeignKey("stewards.id"), index=True)
    source: Mapped[str] = mapped_column(String(8))
    reported_at: Mapped[datetime] = mapped_column(UtcDateTime)
    state_changed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))

    __table_args__ = (Index("ix_cases_lane_state", "lane_id", "state"),)


class CaseReport(Base):
    """Every report of a case: the one that opened it and those that joined it.

    `source_key` is the band's record key "band/boot/seq" for a band report (unique: a record becomes a
    report once), None for a report through the API.
    """

    __tablename__ = "case_reports"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    steward_id: Mapped[int] = mapped_column(ForeignKey("stewards.id"), index=True)
    reported_at: Mapped[datetime] = mapped_column(UtcDateTime)
    source: Mapped[str] = mapped_column(String(8))
    source_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    position_m: Mapped[float] = mapped_column(Float)
    checkpoint_id: Mapped[int | None] = mapped_column(ForeignKey("checkpoints.id"))
    photo_ref: Mapped[str] = mapped_column(String(300), default="")
    note: Mapped[str] = mapped_column(Text, default="")


class CaseEvent(Base):
    """The audit trail of a case: every change of state, who made it, when and why. Never updated."""

    __tablename__ = "case_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    from_state: Mapped[str | None] = mapped_column(String(24))
    to_state: Mapped[str] = mapped_column(String(24))
    actor_kind: Mapped[str] = mapped_column(String(12))
    actor_id: Mapped[int | None]
    note: Mapped[str] = mapped_column(Text, default="")


class Dissuasion(Base):
    """劝阻: a steward dissuaded uncivil or illegal behaviour at a checkpoint of a lane."""

    __tablename__ = "dissuasions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    steward_id: Mapped[int] = mapped_column(ForeignKey("stewards.id"))
    lane_id: Mapped[int] = mapped_column(ForeignKey("lanes.id"), index=True)
    checkpoint_id: Mapped[int | None] = mapped_column(ForeignKey("checkpoints.id"))
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    source: Mapped[str] = mapped_column(String(8))
    source_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    note: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (Index("ix_dissuasions_steward_at", "steward_id", "at"),)


class Inspection(Base):
    """周查: a chief's inspection of a lane against the 十有十无 checklist; one per lane and week."""

    __tablename__ = "inspections"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    lane_id: Mapped[int] = mapped_column(ForeignKey("lanes.id"))
    chief_id: Mapped[int] = mapped_column(ForeignKey("chiefs.id"))
    inspected_at: Mapped[datetime] = mapped_column(UtcDateTime)
    week_of: Mapped[date] = mapped_column(Date)  # the Monday (Asia/Shanghai) of the inspection's week
    checklist_version: Mapped[str] = mapped_column(String(16))
    items_total: Mapped[int] = mapped_column(SmallInteger)
    items_passed: Mapped[int] = mapped_column(SmallInteger)
    score: Mapped[float] = mapped_column(Float)  # share of items passed, x100
    note: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (Index("uq_inspections_lane_week", "lane_id", "week_of", unique=True),)


class InspectionItem(Base):
    """One checklist item of an inspection, with the item's wording as it stood on the day."""

    __tablename__ = "inspection_items"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspections.id"))
    code: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(4))  # "you" (有, must be present) or "wu" (无, must be absent)
    text: Mapped[str] = mapped_column(String(120))
    passed: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (Index("uq_inspection_items_inspection_code", "inspection_id", "code", unique=True),)
