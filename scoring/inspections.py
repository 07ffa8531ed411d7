"""周查: a chief's weekly inspection of a lane against the 十有十无 standard, its score and its points.

The checklist is data (`scoring/checklists/shiyou_shiwu.toml`, a default the street office edits): ten
things a lane must have (有) and ten it must be free of (无). An inspection records pass or fail and a
note for every item, keeps each item's wording and the checklist's version, and scores the lane as
the share of items passed ×100. One inspection per lane per week (Monday start, Asia/Shanghai).

The score feeds points: every steward holding a claim on the lane at the inspection's instant, and
every member of the lane's team (小巷管家团) at that instant, earn points by score band. This module
only drafts those entries, deterministically, from the stored inspections.

Errors::

    InspectionError (ScoringError)
    ├── ChecklistError                the checklist file cannot be read or is inconsistent
    ├── InvalidInspectionError        results that do not match the checklist; unknown lane or chief
    ├── UnknownLaneError              no lane with that id
    └── InspectionExistsError         the lane already has its inspection for that week

A chief who is not a chief of the lane gets scoring.errors.NotAuthorisedError; an inspection dated
into a closed month, scoring.errors.PeriodClosedError.
"""

from __future__ import annotations

import enum
import hashlib
import json
import logging
import tomllib
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache, cached_property
from importlib import resources
from pathlib import Path
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from scoring.errors import NotAuthorisedError, ScoringError
from scoring.ledger.closed import ensure_open
from scoring.ledger.entries import LaneEntryDraft
from scoring.periods import Period, PeriodKind, local_day, period_containing
from scoring.registry.chiefs import chief_acts_on
from scoring.storage import tables as t

log = logging.getLogger(__name__)

DEFAULT_CHECKLIST_FILE: Final = "shiyou_shiwu.toml"
ITEM_CODE_MAX_CHARS: Final = 16
ITEM_TEXT_MAX_CHARS: Final = 120

RULE_LANE_INSPECTION: Final = "lane_inspection"
RULE_LANE_INSPECTION_TEAM: Final = "lane_inspection_team"
_LANES_PER_QUERY: Final = 500  # ids per IN (...) list: well inside every driver's parameter limit


class InspectionError(ScoringError):
    """Base of the weekly inspection's errors."""


class ChecklistError(InspectionError):
    pass


class InvalidInspectionError(InspectionError, ValueError):
    pass


class UnknownLaneError(InspectionError, LookupError):
    pass


class InspectionExistsError(InspectionError):
    pass


# --- The checklist ---------------------------------------------------------------------------------


class ItemKind(enum.StrEnum):
    YOU = "you"  # 有: the lane must have it
    WU = "wu"  # 无: the lane must be free of it

    @property
    def label(self) -> str:
        return "有" if self is ItemKind.YOU else "无"


@dataclass(frozen=True, slots=True)
class ChecklistItem:
    code: str
    kind: ItemKind
    text: str
    hint: str = ""


@dataclass(frozen=True)
class Checklist:
    key: str
    name: str
    items: tuple[ChecklistItem, ...]

    @cached_property
    def version(self) -> str:
        """A hash of the content (not the file's bytes: editing a comment keeps the version)."""
        content = {"key": self.key, "name": self.name,
                   "items": [[i.code, i.kind.value, i.text, i.hint] for i in self.items]}
        canonical = json.dumps(content, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()[:12]

    def item(self, code: str) -> ChecklistItem | None:
        return next((i for i in self.items if i.code == code), None)


def parse_checklist(text: str, *, origin: str = "<checklist>") -> Checklist:
    """A checklist from TOML text: `key`, `name`, then `[[you]]` and `[[wu]]` tables of code, text, hint."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ChecklistError(f"{origin} is not valid TOML ({exc}): fix the file") from None
    key, name = data.get("key"), data.get("name")
    if not isinstance(key, str) or not key or not isinstance(name, str) or not name:
        raise ChecklistError(f"{origin}: give the checklist a `key` and a `name` at the top of the file")
    items: list[ChecklistItem] = []
    for kind in ItemKind:
        tables = data.get(kind.value, [])
        if not isinstance(tables, list) or not tables:
            raise ChecklistError(f"{origin}: add at least one [[{kind.value}]] item ({kind.label} items)")
        items.extend(_item(origin, kind, table) for table in tables)
    codes = [i.code for i in items]
    repeated = sorted({c for c in codes if codes.count(c) > 1})
    if repeated:
        raise ChecklistError(f"{origin}: item codes {', '.join(repeated)} appear more than once; codes must be unique")
    return Checklist(key, name, tuple(items))


def _item(origin: str, kind: ItemKind, table: Any) -> ChecklistItem:
    if not isinstance(table, dict):
        raise ChecklistError(f"{origin}: every [[{kind.value}]] entry is a table with code and text")
    code, text, hint = table.get("code"), table.get("text"), table.get("hint", "")
    if not isinstance(code, str) or not 0 < len(code) <= ITEM_CODE_MAX_CHARS:
        raise ChecklistError(f"{origin}: a [[{kind.value}]] item needs a code of 1..{ITEM_CODE_MAX_CHARS} characters")
    if not isinstance(text, str) or not 0 < len(text) <= ITEM_TEXT_MAX_CHARS:
        raise ChecklistError(f"{origin}: item {code} needs a text of 1..{ITEM_TEXT_MAX_CHARS} characters")
    if not text.startswith(kind.label):
        raise ChecklistError(
            f"{origin}: item {code} is a {kind.label} item, so its text starts with {kind.label}: {text!r}"
        )
    if not isinstance(hint, str):
        raise ChecklistError(f"{origin}: item {code}'s hint must be text")
    return ChecklistItem(code, kind, text, hint)


def load_checklist(path: Path) -> Checklist:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ChecklistError(f"cannot read the checklist {path}: {exc.strerror}") from None
    return parse_checklist(text, origin=str(path))


@cache
def default_checklist() -> Checklist:
    """The 十有十无 checklist shipped with the package."""
    resource = resources.files("scoring").joinpath("checklists", DEFAULT_CHECKLIST_FILE)
    return parse_checklist(resource.read_text(encoding="utf-8"), origin=f"scoring/checklists/{DEFAULT_CHECKLIST_FILE}")


# --- Inspections -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ItemResult:
    code: str
    passed: bool
    note: str = ""


@dataclass(frozen=True, slots=True)
class ItemView:
    code: str
    kind: ItemKind
    text: str
    passed: bool
    note: str


@dataclass(frozen=True, slots=True)
class InspectionView:
    id: int
    lane_id: int
    chief_id: int
    inspected_at: datetime
    week_of: date
    checklist_version: str
    items_total: int
    items_passed: int
    score: float
    note: str
    items: tuple[ItemView, ...]

    @property
    def day(self) -> date:
        return local_day(self.inspected_at)

    @property
    def week_label(self) -> str:
        return period_containing(PeriodKind.WEEK, self.week_of).label


def lane_score(results: Sequence[ItemResult]) -> float:
    """The share of items passed ×100, to two decimals (20 items: a multiple of 5)."""
    if not results:
        raise InvalidInspectionError("an inspection has at least one item")
    return round(100 * sum(r.passed for r in results) / len(results), 2)


def check_results(checklist: Checklist, results: Sequence[ItemResult]) -> None:
    """Every item of the checklist exactly once, and nothing else."""
    codes = [r.code for r in results]
    expected = [i.code for i in checklist.items]
    unknown = sorted(set(codes) - set(expected))
    missing = [c for c in expected if c not in codes]
    repeated = sorted({c for c in codes if codes.count(c) > 1})
    problems = []
    if unknown:
        problems.append(f"unknown items {', '.join(unknown)}")
    if missing:
        problems.append(f"missing items {', '.join(missing)}")
    if repeated:
        problems.append(f"items given twice {', '.join(repeated)}")
    if problems:
        raise InvalidInspectionError(
            f"the inspection does not match checklist {checklist.name} (version {checklist.version}): "
            f"{'; '.join(problems)}; give a result for each of its {len(expected)} items"
        )


def record_inspection(
    session: Session,
    *,
    lane_id: int,
    chief_id: int,
    inspected_at: datetime,
    results: Sequence[ItemResult],
    checklist: Checklist,
    note: str = "",
) -> InspectionView:
    """Record a chief's inspection of a lane. The caller commits.

    An inspection dated into a closed month is refused (PeriodClosedError): its points and its score
    would change the month's frozen 月评."""
    if inspected_at.tzinfo is None:
        raise InvalidInspectionError("inspected_at must be an aware instant")
    check_results(checklist, results)
    lane = session.get(t.Lane, lane_id)
    if lane is None:
        raise InvalidInspectionError(f"lane {lane_id} is not in the registry: pick a lane from /registry/lanes")
    chief = session.get(t.Chief, chief_id)
    if chief is None:
        raise InvalidInspectionError(f"chief {chief_id} is not in the registry")
    if not chief_acts_on(session, chief_id, lane_id):
        raise NotAuthorisedError(
            f"chief {chief_id} ({chief.name}) is not a chief of lane {lane_id} ({lane.name}): "
            "that lane's 街巷长 inspects it"
        )
    # Its points would be dated into the month too, and a closed month's 月评 must keep matching its ledger.
    ensure_open(session.connection(), local_day(inspected_at), f"an inspection of lane {lane_id} ({lane.name})")
    week_of = period_containing(PeriodKind.WEEK, local_day(inspected_at)).first_day
    existing = session.scalar(
        select(t.Inspection.id).where(t.Inspection.lane_id == lane_id, t.Inspection.week_of == week_of)
    )
    if existing is not None:
        raise InspectionExistsError(
            f"lane {lane_id} ({lane.name}) was already inspected in the week of {week_of.isoformat()} "
            f"(inspection {existing}): one 周查 per lane per week"
        )
    by_code = {r.code: r for r in results}
    ordered = [by_code[i.code] for i in checklist.items]
    row = t.Inspection(
        lane_id=lane_id, chief_id=chief_id, inspected_at=inspected_at, week_of=week_of,
        checklist_version=checklist.version, items_total=len(ordered), items_passed=sum(r.passed for r in ordered),
        score=lane_score(ordered), note=note,
    )
    session.add(row)
    session.flush()
    session.add_all(
        t.InspectionItem(inspection_id=row.id, code=i.code, kind=i.kind.value, text=i.text,
                         passed=by_code[i.code].passed, note=by_code[i.code].note)
        for i in checklist.items
    )
    session.flush()
    log.info("周查 of lane %d by chief %d: %.2f (%d/%d)",
             lane_id, chief_id, row.score, row.items_passed, row.items_total)
    return _views(session, [row])[0]


def list_inspections(session: Session, lane_id: int, *, limit: int | None = None,
                     offset: int = 0) -> list[InspectionView]:
    """A lane's inspections, oldest week first."""
    if session.get(t.Lane, lane_id) is None:
        raise UnknownLaneError(f"lane {lane_id} does not exist")
    rows = session.scalars(
        select(t.Inspection).where(t.Inspection.lane_id == lane_id).order_by(t.Inspection.week_of, t.Inspection.id)
        .limit(limit).offset(offset)
    ).all()
    return _views(session, rows)


def inspections_in(session: Session, period: Period | None = None, *, lane_ids: Collection[int] | None = None,
                   limit: int | None = None) -> list[InspectionView]:
    """Every inspection whose local day lies in `period` (all if None), by time; of `lane_ids` only, if given.
    `limit` stops after that many (an export asks for one more than it may hold, to know it would overflow)."""
    query = select(t.Inspection).order_by(t.Inspection.inspected_at, t.Inspection.id)
    if period is not None:
        query = query.where(t.Inspection.inspected_at >= period.starts_at(),
                            t.Inspection.inspected_at < period.ends_at())
    if lane_ids is not None:
        query = query.where(t.Inspection.lane_id.in_(sorted(lane_ids)))
    if limit is not None:
        query = query.limit(limit)
    return _views(session, session.scalars(query).all())


def _views(session: Session, rows: Sequence[t.Inspection], *, with_items: bool = True) -> list[InspectionView]:
    items: dict[int, list[ItemView]] = {r.id: [] for r in rows}
    if rows and with_items:
        for i in session.scalars(
            select(t.InspectionItem).where(t.InspectionItem.inspection_id.in_(list(items))).order_by(t.InspectionItem.id)
        ):
            items[i.inspection_id].append(ItemView(i.code, ItemKind(i.kind), i.text, i.passed, i.note))
    return [
        InspectionView(
            id=r.id, lane_id=r.lane_id, chief_id=r.chief_id, inspected_at=r.inspected_at, week_of=r.week_of,
            checklist_version=r.checklist_version, items_total=r.items_total, items_passed=r.items_passed,
            score=r.score, note=r.note, items=tuple(items[r.id]),
        )
        for r in rows
    ]


# --- Points ----------------------------------------------------------------------------------------

ScoreBands = tuple[tuple[float, int], ...]  # (minimum score, points), highest minimum first


@dataclass(frozen=True, slots=True)
class InspectionPoints:
    """Points by the lane's score; the rulebook sets these. A score below every band earns nothing."""

    steward: ScoreBands = ((90.0, 6), (75.0, 4), (60.0, 2))  # each claimant of the lane
    team: ScoreBands = ((90.0, 3), (75.0, 1))  # each member of the lane's team, on top

    def __post_init__(self) -> None:
        for name in ("steward", "team"):
            bands = getattr(self, name)
            minima = [m for m, _ in bands]
            if minima != sorted(minima, reverse=True) or any(not 0 <= m <= 100 for m in minima):
                raise InvalidInspectionError(f"InspectionPoints.{name}: minimum scores in 0..100, highest first")
            if any(p < 0 for _, p in bands):
                raise InvalidInspectionError(f"InspectionPoints.{name}: points must be >= 0")


def points_for_score(score: float, bands: ScoreBands) -> int:
    return next((points for minimum, points in bands if score >= minimum), 0)


@dataclass(frozen=True, slots=True)
class LaneTeam:
    team_id: int
    member_ids: tuple[int, ...]


def inspection_drafts(
    inspection: InspectionView, claimant_ids: Iterable[int], team: LaneTeam | None, points: InspectionPoints
) -> list[LaneEntryDraft]:
    """The entries one inspection earns: each claimant, and each team member, once.

    Keys name the lane and week, as there is one inspection per lane and week. Evidence is
    "inspection/<id>", and "team/<id>" for a team entry.
    """
    day, week = inspection.day, inspection.week_label
    evidence = (f"inspection/{inspection.id}",)
    drafts: list[LaneEntryDraft] = []
    value = points_for_score(inspection.score, points.steward)
    if value:
        drafts.extend(
            LaneEntryDraft(
                entry_key=f"{RULE_LANE_INSPECTION}/{steward_id}/{inspection.lane_id}/{week}",
                steward_id=steward_id, day=day, rule=RULE_LANE_INSPECTION, points=value,
                lane_id=inspection.lane_id, evidence=evidence,
            )
            for steward_id in sorted(set(claimant_ids))
        )
    team_value = points_for_score(inspection.score, points.team)
    if team is not None and team_value:
        drafts.extend(
            LaneEntryDraft(
                entry_key=f"{RULE_LANE_INSPECTION_TEAM}/{steward_id}/{inspection.lane_id}/{week}",
                steward_id=steward_id, day=day, rule=RULE_LANE_INSPECTION_TEAM, points=team_value,
                lane_id=inspection.lane_id, evidence=(*evidence, f"team/{team.team_id}"),
            )
            for steward_id in sorted(set(team.member_ids))
        )
    return drafts


def inspection_entry_drafts(
    session: Session, points: InspectionPoints, period: Period | None = None
) -> list[LaneEntryDraft]:
    """Every entry the inspections in `period` (all if None) earn, in a deterministic order.

    An inspection earns for the stewards holding a claim on any segment of the lane at its instant, and
    for the members of the lane's team at that instant if the team had formed. The lanes' claims and
    teams are read once for all the inspections, not per inspection: the scoring tick drafts a year's
    inspections every few seconds.
    """
    query = select(t.Inspection).order_by(t.Inspection.inspected_at, t.Inspection.id)
    if period is not None:
        query = query.where(t.Inspection.inspected_at >= period.starts_at(),
                            t.Inspection.inspected_at < period.ends_at())
    rows = session.scalars(query).all()
    lanes = sorted({r.lane_id for r in rows})
    claims: dict[int, list[tuple[int, datetime, datetime | None]]] = defaultdict(list)
    teams: dict[int, list[tuple[int, datetime, datetime | None]]] = defaultdict(list)
    members: dict[int, list[tuple[int, datetime, datetime | None]]] = defaultdict(list)
    for i in range(0, len(lanes), _LANES_PER_QUERY):
        some = lanes[i:i + _LANES_PER_QUERY]
        for steward_id, valid_from, valid_to, lane_id in session.execute(
            select(t.Claim.steward_id, t.Claim.valid_from, t.Claim.valid_to, t.Segment.lane_id)
            .join(t.Segment, t.Segment.id == t.Claim.segment_id).where(t.Segment.lane_id.in_(some))
        ):
            claims[lane_id].append((steward_id, valid_from, valid_to))
        for team_id, lane_id, formed_at, dissolved_at in session.execute(
            select(t.Team.id, t.Team.lane_id, t.Team.formed_at, t.Team.dissolved_at).where(t.Team.lane_id.in_(some))
        ):
            teams[lane_id].append((team_id, formed_at, dissolved_at))  # one standing at a time; dissolved ones kept
    team_ids = sorted(team_id for standing in teams.values() for team_id, _, _ in standing)
    for i in range(0, len(team_ids), _LANES_PER_QUERY):
        for team_id, steward_id, valid_from, valid_to in session.execute(
            select(t.TeamMembership.team_id, t.TeamMembership.steward_id, t.TeamMembership.valid_from,
                   t.TeamMembership.valid_to).where(t.TeamMembership.team_id.in_(team_ids[i:i + _LANES_PER_QUERY]))
        ):
            members[team_id].append((steward_id, valid_from, valid_to))
    drafts = []
    for inspection in _views(session, rows, with_items=False):
        at, lane_id = inspection.inspected_at, inspection.lane_id
        team = None
        standing = [team_id for team_id, formed, dissolved in teams[lane_id] if _holds(formed, dissolved, at)]
        if standing:
            team_id = standing[0]
            team = LaneTeam(team_id, tuple(sorted({s for s, f, to in members[team_id] if _holds(f, to, at)})))
        claimants = sorted({s for s, f, to in claims[lane_id] if _holds(f, to, at)})
        drafts.extend(inspection_drafts(inspection, claimants, team, points))
    return sorted(drafts, key=lambda d: (d.day, d.steward_id, d.entry_key))


def _holds(valid_from: datetime, valid_to: datetime | None, at: datetime) -> bool:
    """A claim or team membership held at the instant `at`: begun by then, not yet ended."""
    return valid_from <= at and (valid_to is None or valid_to > at)
