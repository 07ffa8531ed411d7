"""The relational schema: registry, check-ins (a hypertable on TimescaleDB), quarantine, points ledger.

One metadata for both PostgreSQL/TimescaleDB and SQLite. Alembic migrations under
`scoring/storage/migrations` are the source of truth for the live schema; these classes are what the
code reads and writes, and a test checks that the two agree.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, ClassVar

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
    Table,
    Text,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from scoring.storage.types import BigId, UtcDateTime

PHONE_MAX = 20  # characters of a phone number as stored: "010-67012345-1234" fits

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)

    if TYPE_CHECKING:
        # Every model here is mapped to a plain Table, never a join or a select: inserts and deletes
        # on `Model.__table__` type-check.
        __table__: ClassVar[Table]


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
    """大街 / 小巷 / 胡同; `kind` is main_street, lane or hutong. `street_id`: the main street a lane opens onto,
    whose street chief (街长) oversees the lane's chiefs."""

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
    street_id: Mapped[int | None] = mapped_column(ForeignKey("lanes.id"), index=True)


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
    # Where the beacon hangs (WGS-84), when the survey recorded it; a report made by coordinates
    # (Open311's lat/long) is placed at the nearest checkpoint that has them.
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)


class Beacon(Base):
    """The BLE beacon at a checkpoint; replaced beacons keep their row with an end date."""

    __tablename__ = "beacons"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    checkpoint_id: Mapped[int] = mapped_column(ForeignKey("checkpoints.id"), index=True)
    # AES-GCM over the secret (scoring.registry.beacon_secrets): read it with `open_secret`, never raw.
    sealed_secret: Mapped[bytes] = mapped_column(LargeBinary)
    key_origin: Mapped[str] = mapped_column(String(12), server_default="demo")  # a KeyOrigin value
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
    phone: Mapped[str | None] = mapped_column(String(PHONE_MAX))  # on the steward's 名片; None: not given


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
    """手环: identified by its own u32 number; the server holds only its Ed25519 public key.

    `key_origin` says whether the key is the demo's (derived, public) or the one the band reported at
    enrolment. The claim code printed with the band is kept as its SHA-256 only, and spent by the
    band's first binding. A band reported lost is never bound again."""

    __tablename__ = "bands"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    public_key: Mapped[bytes] = mapped_column(LargeBinary)
    registered_at: Mapped[datetime] = mapped_column(UtcDateTime)
    key_origin: Mapped[str] = mapped_column(String(12), server_default="demo")  # a KeyOrigin value
    claim_code_sha256: Mapped[bytes | None] = mapped_column(LargeBinary(32), unique=True)
    claim_code_used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    lost_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class BandBinding(Base):
    """Which steward wore a band, and when: history, never overwritten. `ended_reason` is returned or lost.

    At most one open binding (valid_to NULL) per band and per steward: partial unique indexes."""

    __tablename__ = "band_bindings"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    band_id: Mapped[int] = mapped_column(ForeignKey("bands.id"), index=True)
    steward_id: Mapped[int] = mapped_column(ForeignKey("stewards.id"), index=True)
    valid_from: Mapped[datetime] = mapped_column(UtcDateTime)
    valid_to: Mapped[datetime | None] = mapped_column(UtcDateTime)
    ended_reason: Mapped[str | None] = mapped_column(String(12))

    __table_args__ = (
        Index("uq_band_bindings_open_band", "band_id", unique=True,
              postgresql_where=text("valid_to IS NULL"), sqlite_where=text("valid_to IS NULL")),
        Index("uq_band_bindings_open_steward", "steward_id", unique=True,
              postgresql_where=text("valid_to IS NULL"), sqlite_where=text("valid_to IS NULL")),
    )


class BandClaimLockout(Base):
    """Wrong claim codes typed by one account in a row; after too many it waits, as after failed sign-ins."""

    __tablename__ = "band_claim_lockouts"
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), primary_key=True, autoincrement=False)
    failures: Mapped[int] = mapped_column(Integer)
    locked_until: Mapped[datetime | None] = mapped_column(UtcDateTime)


class Claim(Base):
    """认领: a steward's claim on a segment, from/to. History: a claim that ended keeps its row, and
    only the open one (valid_to NULL) is ever changed, when it ends.

    One steward per segment at a time: the store itself refuses a second open claim on a segment,
    so two claims racing for one segment cannot both be stored."""

    __tablename__ = "claims"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    steward_id: Mapped[int] = mapped_column(ForeignKey("stewards.id"), index=True)
    segment_id: Mapped[int] = mapped_column(ForeignKey("segments.id"), index=True)
    valid_from: Mapped[datetime] = mapped_column(UtcDateTime)
    valid_to: Mapped[datetime | None] = mapped_column(UtcDateTime)

    __table_args__ = (
        Index("uq_claims_open_segment", "segment_id", unique=True,
              sqlite_where=text("valid_to IS NULL"), postgresql_where=text("valid_to IS NULL")),
    )


class Team(Base):
    """小巷管家团: formed when three or more stewards claim segments of one lane, dissolved (never
    deleted) when fewer than three are left; a lane that reaches three again forms a new team. At most
    one team stands on a lane at a time."""

    __tablename__ = "teams"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    lane_id: Mapped[int] = mapped_column(ForeignKey("lanes.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    formed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    dissolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    __table_args__ = (
        Index("uq_teams_standing_lane", "lane_id", unique=True,
              sqlite_where=text("dissolved_at IS NULL"), postgresql_where=text("dissolved_at IS NULL")),
    )


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
    column, so event_at completes this table's. That alone would store a record twice that reuses a
    key with another event time; `checkin_keys` is what makes the band's key unique.
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


class CheckInKey(Base):
    """Every (band_id, boot, seq) stored in `checkins`, once: written in the same transaction as the
    check-in, so a second record under a key already taken is a replay whatever its event time."""

    __tablename__ = "checkin_keys"
    band_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    boot: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True)


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
    # What a day or week cap took from the rule's points, and which cap ("day", "week"); see scoring.rulebook.
    trimmed_points: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    cap: Mapped[str] = mapped_column(String(8), default="", server_default="")
    # Set on a reversal: the entry it cancels, with the negated points (scoring.scorer explains when).
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("points_entries.id"), unique=True)

    __table_args__ = (
        Index("ix_points_entries_day_steward", "day", "steward_id"),
        Index("ix_points_entries_steward_day", "steward_id", "day"),
    )


# --- 工作台账 (cases, dissuasions) and 周查 (inspections) ------------------------------------------


class Case(Base):
    """工作台账: one problem on a lane, found by a steward, followed through the chief's workflow.

    `steward_id` is the finder (the first report); later reports nearby join the case as case_reports.
    `position_m` is metres along the lane. `state` is a `scoring.cases.workflow.CaseState` value.
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


# --- The scorer's state and integrity flags (scoring.scorer, scoring.integrity.store) ------------------


class ScoringState(Base):
    """The rulebook engine's `History` after a scored (steward, day): where a rescore from a later day starts.

    Derived data, rewritten whenever the day is scored again; `paced_out` and `withheld` keep the day's
    check-ins that did not count, so an explanation can say why.
    """

    __tablename__ = "scoring_state"
    steward_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    ruleset_version: Mapped[str] = mapped_column(String(16))
    streak_days: Mapped[int] = mapped_column(Integer)
    last_patrol_day: Mapped[date | None] = mapped_column(Date)
    week_of: Mapped[date] = mapped_column(Date)
    week_points: Mapped[int] = mapped_column(Integer)
    cumulative_points: Mapped[int] = mapped_column(Integer)
    paced_out: Mapped[list[str]] = mapped_column(JSON)
    withheld: Mapped[list[str]] = mapped_column(JSON)


class IntegrityFlag(Base):
    """An implausible run of check-ins, withheld from points until a chief restores it.

    `flag_key` is the engine's flag key and a digest of the check-ins it covers, so the same evidence is
    one flag however often it is scored. `state` is open, upheld or restored; `lapsed_at` is set while
    the check-ins, as now stored, no longer raise the flag (late records can explain a gap).
    """

    __tablename__ = "integrity_flags"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    steward_id: Mapped[int] = mapped_column(ForeignKey("stewards.id"), index=True)
    day: Mapped[date] = mapped_column(Date)
    flag_key: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(24))
    visit_keys: Mapped[list[str]] = mapped_column(JSON)
    reason_zh: Mapped[str] = mapped_column(Text)
    reason_en: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(12))
    ruleset_version: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    lapsed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("chiefs.id"))

    __table_args__ = (Index("uq_integrity_flags_steward_key", "steward_id", "flag_key", unique=True),)


class IntegrityAction(Base):
    """The audit trail of a flag: raised, lapsed, raised again, appealed, upheld, restored. Never updated."""

    __tablename__ = "integrity_actions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    flag_id: Mapped[int] = mapped_column(ForeignKey("integrity_flags.id"), index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    action: Mapped[str] = mapped_column(String(12))
    actor_kind: Mapped[str] = mapped_column(String(12))  # system, steward or chief
    actor_id: Mapped[int | None]
    note: Mapped[str] = mapped_column(Text, default="")


# --- Closing jobs: 月评 snapshots, 季通报 bulletins, 年度金牌管家 awards (scoring.closing) --------------


class PeriodClosing(Base):
    """A quarter or year whose closing job finished: written in the same transaction as its outputs."""

    __tablename__ = "period_closings"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))  # "quarter" or "year"
    label: Mapped[str] = mapped_column(String(16))  # "2017-Q3", "2017"
    closed_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (Index("uq_period_closings_kind_label", "kind", "label", unique=True),)


class MonthReview(Base):
    """月评: the frozen snapshot of one closed month; `content_sha256` covers every row below it."""

    __tablename__ = "month_reviews"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    month: Mapped[date] = mapped_column(Date, unique=True)  # the month's first day
    content_sha256: Mapped[str] = mapped_column(String(64))
    ruleset_versions: Mapped[list[str]] = mapped_column(JSON)
    policy: Mapped[dict[str, object]] = mapped_column(JSON)
    closed_at: Mapped[datetime] = mapped_column(UtcDateTime)


class MonthReviewSteward(Base):
    """One steward's line in a month's review: totals, ranks and whether they were a star."""

    __tablename__ = "month_review_stewards"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("month_reviews.id"))
    steward_id: Mapped[int] = mapped_column(ForeignKey("stewards.id"))
    subdistrict_id: Mapped[int] = mapped_column(ForeignKey("subdistricts.id"))
    community_id: Mapped[int | None] = mapped_column(ForeignKey("communities.id"))
    points: Mapped[int] = mapped_column(Integer)
    active_days: Mapped[int] = mapped_column(SmallInteger)
    patrols_completed: Mapped[int] = mapped_column(Integer)
    cases_confirmed: Mapped[int] = mapped_column(Integer)
    rank_community: Mapped[int | None] = mapped_column(Integer)
    rank_subdistrict: Mapped[int] = mapped_column(Integer)
    star: Mapped[bool] = mapped_column(Boolean)

    __table_args__ = (Index("uq_month_review_stewards_review_steward", "review_id", "steward_id", unique=True),)


class MonthReviewLane(Base):
    """One lane's rating in a month's review: 日巡 completion and 周查 scores."""

    __tablename__ = "month_review_lanes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("month_reviews.id"))
    lane_id: Mapped[int] = mapped_column(ForeignKey("lanes.id"))
    subdistrict_id: Mapped[int] = mapped_column(ForeignKey("subdistricts.id"))
    community_id: Mapped[int | None] = mapped_column(ForeignKey("communities.id"))
    points: Mapped[int] = mapped_column(Integer)
    patrols_due: Mapped[int] = mapped_column(Integer)
    patrols_completed: Mapped[int] = mapped_column(Integer)
    inspections: Mapped[int] = mapped_column(SmallInteger)
    inspection_score: Mapped[float | None] = mapped_column(Float)  # mean of the month's 周查 scores

    __table_args__ = (Index("uq_month_review_lanes_review_lane", "review_id", "lane_id", unique=True),)


class Bulletin(Base):
    """季通报: one subdistrict's bulletin for a quarter; paths are relative to the job's output folder."""

    __tablename__ = "bulletins"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    period: Mapped[str] = mapped_column(String(16))  # "2017-Q3"
    subdistrict_id: Mapped[int] = mapped_column(ForeignKey("subdistricts.id"))
    html_path: Mapped[str] = mapped_column(Text)
    pdf_path: Mapped[str] = mapped_column(Text)
    html_sha256: Mapped[str] = mapped_column(String(64))
    pdf_sha256: Mapped[str] = mapped_column(String(64))
    closed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # What the bulletin says, as data (`scoring.reports.document_data`); None for one closed before it was kept.
    content: Mapped[dict[str, object] | None] = mapped_column(JSON)

    __table_args__ = (Index("uq_bulletins_period_subdistrict", "period", "subdistrict_id", unique=True),)


class AwardReportRecord(Base):
    """年度金牌管家: one subdistrict's award report for a year, and the issuer key that signed its awards."""

    __tablename__ = "award_reports"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    subdistrict_id: Mapped[int] = mapped_column(ForeignKey("subdistricts.id"))
    ruleset_version: Mapped[str] = mapped_column(String(64))
    html_path: Mapped[str] = mapped_column(Text)
    pdf_path: Mapped[str] = mapped_column(Text)
    public_key_path: Mapped[str] = mapped_column(Text)
    html_sha256: Mapped[str] = mapped_column(String(64))
    pdf_sha256: Mapped[str] = mapped_column(String(64))
    closed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    content: Mapped[dict[str, object] | None] = mapped_column(JSON)  # as `Bulletin.content`

    __table_args__ = (Index("uq_award_reports_year_subdistrict", "year", "subdistrict_id", unique=True),)


class Award(Base):
    """One award: to a steward (kind "steward") or a team (kind "team"), with its certificate and credential."""

    __tablename__ = "awards"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("award_reports.id"), index=True)
    kind: Mapped[str] = mapped_column(String(8))
    steward_id: Mapped[int | None] = mapped_column(ForeignKey("stewards.id"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))
    scope: Mapped[str] = mapped_column(String(100))  # the group it was chosen in: 幸福社区, 龙潭街道
    rank: Mapped[int] = mapped_column(Integer)
    points: Mapped[int] = mapped_column(Integer)
    credential_id: Mapped[str] = mapped_column(String(80))
    credential_path: Mapped[str] = mapped_column(Text)
    certificate_path: Mapped[str] = mapped_column(Text)
    credential_sha256: Mapped[str] = mapped_column(String(64))


# --- 日巡 alerts: missed and late patrols raised to the lane chief (scoring.patrol_alerts) -----------


class PatrolAlert(Base):
    """A missed or late patrol, stored once per engine event key and shown to the lane's chiefs.

    `chief_ids` are the chiefs of the lane when the alert was raised: who was told, kept as it was.
    """

    __tablename__ = "patrol_alerts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    alert_key: Mapped[str] = mapped_column(String(200), unique=True)
    steward_id: Mapped[int] = mapped_column(ForeignKey("stewards.id"))
    lane_id: Mapped[int] = mapped_column(ForeignKey("lanes.id"))
    segment_id: Mapped[int] = mapped_column(ForeignKey("segments.id"))
    day: Mapped[date] = mapped_column(Date)
    window: Mapped[str] = mapped_column(String(40))
    window_label: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(8))  # "missed" or "late"
    due_at: Mapped[datetime] = mapped_column(UtcDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    ruleset_version: Mapped[str] = mapped_column(String(64))
    chief_ids: Mapped[list[int]] = mapped_column(JSON)
    message_zh: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    acknowledged_by: Mapped[int | None] = mapped_column(ForeignKey("chiefs.id"))

    __table_args__ = (Index("ix_patrol_alerts_lane_day", "lane_id", "day"),)


# --- accounts: who signs in, as what, over which area (scoring.accounts) ---------------------------


class Account(Base):
    """A sign-in. The role's registry person or area is a foreign key, so an account cannot point at
    nobody; `failed_sign_ins` and `locked_until` are the lock-out after repeated failures."""

    __tablename__ = "accounts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    # None until its holder sets a password (a steward signed up on paper, with an activation code).
    password_hash: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(24))
    steward_id: Mapped[int | None] = mapped_column(ForeignKey("stewards.id"), unique=True)
    chief_id: Mapped[int | None] = mapped_column(ForeignKey("chiefs.id"), unique=True)
    contractor_id: Mapped[int | None] = mapped_column(ForeignKey("contractors.id"))
    subdistrict_id: Mapped[int | None] = mapped_column(ForeignKey("subdistricts.id"))
    district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id"))
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    failed_sign_ins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class RefreshToken(Base):
    """A refresh token, by its SHA-256: the token itself is never stored. Each use replaces it."""

    __tablename__ = "refresh_tokens"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_sha256: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    issued_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class ApiKey(Base):
    """An API key (Open311's api_key): a long-lived credential of one account, by its SHA-256 only.

    `prefix` is the key's first characters, shown so a holder can tell their keys apart; a revoked key
    keeps its row (who issued it, when, when revoked) and never signs in again."""

    __tablename__ = "api_keys"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key_sha256: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    label: Mapped[str] = mapped_column(String(80))
    issued_at: Mapped[datetime] = mapped_column(UtcDateTime)
    issued_by: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class AuditEntry(Base):
    """工作留痕: one change made through the API, by whom, when, and the state before and after.

    Append-only: the store refuses UPDATE and DELETE on it (triggers, migration 0008). `lane_id` and
    `subdistrict_id` place it in an area, so a coordinator reads the log of theirs."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    # None for a change by someone with no account: a resident signing up online (role "public").
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    role: Mapped[str] = mapped_column(String(24))
    action: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(120))
    lane_id: Mapped[int | None] = mapped_column(ForeignKey("lanes.id"), index=True)
    subdistrict_id: Mapped[int | None] = mapped_column(ForeignKey("subdistricts.id"), index=True)
    before: Mapped[dict[str, object] | None] = mapped_column(JSON)
    after: Mapped[dict[str, object] | None] = mapped_column(JSON)


# --- 报名: sign-ups, and the activation codes of stewards signed up on paper (scoring.registry.signup) ---


class Signup(Base):
    """报名: a resident's sign-up as a steward, online or from a paper form entered by station staff.

    `lane_id` is the lane they live on (按照居住原则分配: it becomes their home lane). An online sign-up
    carries the username and the argon2 hash of the password chosen with it; a paper one a username
    only, its password set later with an activation code. `state` is pending, approved or rejected;
    `steward_id` is the steward an approval made."""

    __tablename__ = "signups"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(8))  # "online" or "paper"
    state: Mapped[str] = mapped_column(String(12))
    name: Mapped[str] = mapped_column(String(40))
    phone: Mapped[str] = mapped_column(String(PHONE_MAX))
    lane_id: Mapped[int] = mapped_column(ForeignKey("lanes.id"))
    subdistrict_id: Mapped[int] = mapped_column(ForeignKey("subdistricts.id"))
    address: Mapped[str] = mapped_column(String(200))
    party_member: Mapped[bool] = mapped_column(Boolean, default=False)
    username: Mapped[str] = mapped_column(String(64))
    password_hash: Mapped[str | None] = mapped_column(String(200))
    submitted_at: Mapped[datetime] = mapped_column(UtcDateTime)
    entered_by: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))  # the station staff, on paper
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    reason: Mapped[str] = mapped_column(Text, default="")  # why it was rejected
    steward_id: Mapped[int | None] = mapped_column(ForeignKey("stewards.id"), unique=True)

    __table_args__ = (Index("ix_signups_subdistrict_state", "subdistrict_id", "state"),)


class ActivationCode(Base):
    """A one-time code with which a steward signed up on paper sets their password, by its SHA-256:
    the code itself is shown once, in the approval's answer, and never stored."""

    __tablename__ = "activation_codes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code_sha256: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    issued_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)  # used, or replaced by a newer code
