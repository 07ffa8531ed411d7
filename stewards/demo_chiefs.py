"""The lane chiefs' year in the demo, and the stewards' appeals they decide, all through the API.

Every simulated week, once the scorer has taken in the week's band reports, lane chiefs do what the
street office's forms ask of them, each signed in with their own account (stewards.demo_api), at the
hour of the weekday they keep for it. They are the chiefs of the lanes where 龙潭's programme is
furthest along: 幸福社区's five, whose stewards took office first, and the other lanes with a
小巷管家团 (three or more stewards); the other lanes' chiefs keep their 街巷长日志 on paper this year,
which also keeps the demo's year to seconds of API work, not minutes. 街巷长 are 机关干部 with other
duties: they look at their lane's desk every week but move a case at most one step a week, and not
every case every week (整治 takes weeks), and walk the lane for its 周查 most weeks, not every week.

- 工作台账: read the lane's open cases and move some on: confirm a reported problem (or find it not the
  lane's, a repeat of another case, or gone), send a confirmed one for enforcement (执法申请单), record
  the fix that the property company or the enforcers made, then confirm it (任务完成确认申请单) or
  send it back for enforcement.
- 周查: walk the lane with the 十有十无 checklist and record what they found.
- Appeals: a steward whose patrol the scorer flagged looks at the flag the evening after, and most
  appeal; from then on they look at their flags every week. The chief of the steward's lane decides
  at their next weekly visit, restoring or upholding.

The chiefs sign in on the first morning and keep their sessions by refreshing them at each weekly
visit (a refresh token lasts two weeks), so the year costs each one password check, not one a week.
A week's work (`work_until`) is a coroutine on the simulation's own loop: the demo runs it beside the
simulation of the next week and waits for it before the next scoring tick, which books what they did.

Every choice comes from a seeded stream (per chief and week, per case and week, per flag), so the same
days make the same year. Nothing is dated after the simulated present, and all of it happens before
the closing jobs run, so each month's 月评 holds its chiefs' work. The store is read directly only for
who is who (the cast) and for which stewards have a new flag, which the app would tell them; every
change goes through the routes.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import random
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any, Final

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from scoring.cases.points import RULE_CASE_CONFIRMED, RULE_CASE_FIX_CONFIRMED
from scoring.cases.workflow import CaseCategory, CaseState
from scoring.inspections import RULE_LANE_INSPECTION, RULE_LANE_INSPECTION_TEAM
from scoring.integrity.states import FLAG_OPEN
from scoring.periods import PeriodKind, day_starts_at, local_day, period_containing
from scoring.seed.registry import XINGFU
from scoring.storage import tables as t
from stewards.demo_accounts import DEMO_SUBDISTRICT
from stewards.demo_api import DemoApi

SEED: Final = "lane-stewards/demo/chiefs"
CHIEF_INSPECTS: Final = 0.6  # the share of weekly visits with a 周查 of the lane
STEWARD_APPEALS: Final = 0.8  # of the flags a steward looks at, the share appealed
CHIEF_RESTORES: Final = 0.6  # of the appeals decided, the share restored
WORK_RULES: Final = (RULE_CASE_CONFIRMED, RULE_CASE_FIX_CONFIRMED, RULE_LANE_INSPECTION, RULE_LANE_INSPECTION_TEAM)

_S = CaseState
_C = CaseCategory
Steps = tuple[tuple[float, CaseState], ...]  # (chance, next state); the rest of the chance: it waits a week
STEPS: Final[dict[CaseState, Steps]] = {
    _S.REPORTED: ((0.35, _S.CONFIRMED), (0.04, _S.NOT_RESPONSIBLE), (0.03, _S.DUPLICATE), (0.02, _S.CLOSED)),
    # Piled materials, a stall, a parking lock: the property company clears them within a week or two.
    _S.CONFIRMED: ((0.08, _S.ENFORCEMENT_REQUESTED), (0.3, _S.FIXED)),
    _S.ENFORCEMENT_REQUESTED: ((0.2, _S.FIXED),),
    _S.FIXED: ((0.6, _S.FIX_CONFIRMED), (0.05, _S.ENFORCEMENT_REQUESTED)),
}
# 开墙打洞, 违法建设, 群租: enforcement first, and 整治 on the street office's schedule, months rather than weeks.
SLOW_CATEGORIES: Final = frozenset({_C.WALL_OPENING, _C.ILLEGAL_CONSTRUCTION, _C.GROUP_RENTAL})
SLOW_STEPS: Final[dict[CaseState, Steps]] = {
    **STEPS,
    _S.CONFIRMED: ((0.15, _S.ENFORCEMENT_REQUESTED), (0.03, _S.FIXED)),
    _S.ENFORCEMENT_REQUESTED: ((0.06, _S.FIXED),),
}
NOTES: Final[dict[tuple[CaseState, CaseState], str]] = {
    (_S.REPORTED, _S.CONFIRMED): "现场核实,列入整治。",
    (_S.REPORTED, _S.NOT_RESPONSIBLE): "不属本巷职责,已转相关部门。",
    (_S.REPORTED, _S.DUPLICATE): "与已登记的问题为同一处。",
    (_S.REPORTED, _S.CLOSED): "现场复核,问题已不存在。",
    (_S.CONFIRMED, _S.ENFORCEMENT_REQUESTED): "已填写执法申请单。",
    (_S.CONFIRMED, _S.FIXED): "物业已整改。",
    (_S.ENFORCEMENT_REQUESTED, _S.FIXED): "执法部门已处置。",
    (_S.FIXED, _S.FIX_CONFIRMED): "已填写任务完成确认申请单。",
    (_S.FIXED, _S.ENFORCEMENT_REQUESTED): "整改未达标,重新申请执法。",
}
APPEAL_TEXT: Final = {
    "patrol_too_fast": "那天我骑自行车巡查的,每个巡查点都到了。",
}
APPEAL_TEXT_OTHER: Final = "那天我确实在巷子里巡查,请巷长复核。"
DECISION_NOTE: Final = {True: "到场属实,恢复计分。", False: "巡查须步行到点,维持。"}
DECISION_NOTE_OTHER: Final = {True: "经核实属实,恢复计分。", False: "经核实,维持。"}
INSPECTION_NOTE_FAILED: Final = "现场发现问题,已督促整改。"
APPEAL_HOUR: Final = 19  # stewards look at their flags in the evening
CHIEF_HOURS: Final = range(9, 17)  # and chiefs come in office hours, Monday to Friday
SIGN_IN_HOUR: Final = 8  # the chiefs sign in on the first morning, before their first visit
SIGN_INS_AT_ONCE: Final = 4


@dataclass(frozen=True, slots=True)
class ChiefHabit:
    """A lane chief acting in the demo: their lane and the weekday and time they keep for it."""

    chief_id: int
    lane_id: int
    weekday: int  # 0 Monday .. 4 Friday
    hour: int
    minute: int

    @property
    def username(self) -> str:
        return f"chief-{self.chief_id}"

    def visit_at(self, first: date, last: date) -> datetime:
        """This week's visit: their weekday in [first, last], or its last day when the week is cut short."""
        day = next((first + timedelta(days=n) for n in range((last - first).days + 1)
                    if (first + timedelta(days=n)).weekday() == self.weekday), last)
        return day_starts_at(day) + timedelta(hours=self.hour, minutes=self.minute)


@dataclass(frozen=True, slots=True)
class _Appeal:
    at: datetime
    flag_id: int
    steward_id: int
    kind: str


@dataclass
class ChiefsWork:
    """What the chiefs (and the appealing stewards) did, for the demo's summary."""

    chiefs: int = 0  # the chiefs who work their lanes through the API (see the module's note)
    visits: int = 0
    flagged_stewards: list[int] = field(default_factory=list)  # stewards who had a flag to look at
    cases_confirmed: int = 0
    not_responsible: int = 0
    duplicates: int = 0
    closed: int = 0
    enforcement_requests: int = 0  # 执法申请单, first requests and fixes sent back alike
    fixes_recorded: int = 0
    fixes_confirmed: int = 0  # 任务完成确认申请单
    fixes_sent_back: int = 0
    inspections: int = 0
    inspection_mean_score: float = 0.0
    appeals_filed: int = 0
    appeals_decided: int = 0
    restored: int = 0
    upheld: int = 0
    sign_ins: int = 0
    refreshes: int = 0
    requests: int = 0
    points: dict[str, dict[str, int]] = field(default_factory=dict)  # by rule: entries and points they led to

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def count(self, came_from: CaseState, to: CaseState) -> None:
        name = {_S.CONFIRMED: "cases_confirmed", _S.NOT_RESPONSIBLE: "not_responsible", _S.DUPLICATE: "duplicates",
                _S.CLOSED: "closed", _S.ENFORCEMENT_REQUESTED: "enforcement_requests", _S.FIXED: "fixes_recorded",
                _S.FIX_CONFIRMED: "fixes_confirmed"}[to]
        setattr(self, name, getattr(self, name) + 1)
        if came_from is _S.FIXED and to is _S.ENFORCEMENT_REQUESTED:
            self.fixes_sent_back += 1


class ChiefsAtWork:
    """`work_until(day)` after each scoring tick: everything the people do up to the end of `day`."""

    def __init__(self, engine: Engine, api: DemoApi, start: date) -> None:
        self._engine, self._api = engine, api
        self._chiefs, self._chief_of_steward = cast_of(engine)
        self.stewards = frozenset(self._chief_of_steward)  # whose lane chief acts: their flags get decided
        self.work = ChiefsWork(chiefs=len(self._chiefs))
        self._done_until = start - timedelta(days=1)
        self._agenda: list[tuple[datetime, int, Callable[[], Awaitable[None]]]] = []
        self._order = itertools.count()  # ties in time keep the order they were planned in
        self._flags_seen = 0  # the highest flag id told to its steward
        self._looked_at: set[int] = set()  # flags their steward has considered
        self._watching: set[int] = set()  # stewards who look at their flags every week
        self._inbox: dict[int, list[_Appeal]] = defaultdict(list)  # by chief
        self._inspected_week: dict[int, date] = {}  # by lane: the week of its last 周查
        self._checklist: list[str] = []
        self._scores: list[float] = []

    async def sign_in(self, day: date) -> None:
        """Every chief signs in on the morning of `day`; their weekly visits keep the session.

        A few at a time: the password hash is made to be slow, and it leaves the interpreter free.
        """
        self._api.at(day_starts_at(day) + timedelta(hours=SIGN_IN_HOUR))
        at_once = asyncio.Semaphore(SIGN_INS_AT_ONCE)

        async def one(chief: ChiefHabit) -> None:
            async with at_once:
                await self._api.sign_in(chief.username)

        await asyncio.gather(*(one(chief) for chief in self._chiefs))
        self._sync_counters()

    async def work_until(self, last_day: date) -> None:
        first = self._done_until + timedelta(days=1)
        if last_day < first:
            return
        self._tell_stewards_of_new_flags(first)
        for chief in self._chiefs:
            self._plan(chief.visit_at(first, last_day), partial(self._visit, chief))
        horizon = day_starts_at(last_day + timedelta(days=1))
        while self._agenda and self._agenda[0][0] < horizon:
            at, _, act = heapq.heappop(self._agenda)
            self._api.at(at)
            await act()
        self._done_until = last_day
        self._sync_counters()
        if self._scores:
            self.work.inspection_mean_score = round(sum(self._scores) / len(self._scores), 2)

    def _sync_counters(self) -> None:
        counters = self._api.counters
        self.work.sign_ins, self.work.refreshes, self.work.requests = (
            counters.sign_ins, counters.refreshes, counters.requests)

    def count_points(self) -> None:
        """The points the chiefs' work led to, as booked (call after the last scoring tick)."""
        pe = t.PointsEntry
        with Session(self._engine) as session:
            rows = session.execute(
                select(pe.rule, func.count(pe.id).filter(pe.reverses_id.is_(None)), func.sum(pe.points))
                .where(pe.rule.in_(WORK_RULES)).group_by(pe.rule)
            ).all()
        booked = {rule: {"entries": int(entries), "points": int(points or 0)} for rule, entries, points in rows}
        self.work.points = {rule: booked.get(rule, {"entries": 0, "points": 0}) for rule in WORK_RULES}

    def _plan(self, at: datetime, act: Callable[[], Awaitable[None]]) -> None:
        heapq.heappush(self._agenda, (at, next(self._order), act))

    # --- Stewards ----------------------------------------------------------------------------------

    def _tell_stewards_of_new_flags(self, first: date) -> None:
        """A steward's first flag: they look at their flags the evening after its day (not before this week),
        and every week from then on."""
        f = t.IntegrityFlag
        with Session(self._engine) as session:
            rows = session.execute(
                select(f.id, f.steward_id, f.day, f.state, f.lapsed_at).where(f.id > self._flags_seen).order_by(f.id)
            ).all()
        evenings: set[tuple[int, date]] = set()  # (steward, the evening they first look)
        for flag_id, steward_id, day, state, lapsed_at in rows:
            self._flags_seen = max(self._flags_seen, flag_id)
            if (state == FLAG_OPEN and lapsed_at is None and steward_id in self._chief_of_steward
                    and steward_id not in self._watching):
                evenings.add((steward_id, max(day + timedelta(days=1), first)))
        for steward_id, day in sorted(evenings):
            if steward_id in self._watching:
                continue  # two new flags on different days: the first evening is the one
            self._watching.add(steward_id)
            self.work.flagged_stewards.append(steward_id)
            minute = random.Random(f"{SEED}/evening/{steward_id}").randrange(120)
            self._plan(day_starts_at(day) + timedelta(hours=APPEAL_HOUR, minutes=minute),
                       partial(self._steward_looks, steward_id))

    async def _steward_looks(self, steward_id: int) -> None:
        user, today = f"steward-{steward_id}", local_day(self._api.now)
        self._plan(self._api.now + timedelta(days=7), partial(self._steward_looks, steward_id))
        for flag in await self._api.get(user, f"/stewards/{steward_id}/flags"):
            if (flag["id"] in self._looked_at or flag["state"] != FLAG_OPEN
                    or date.fromisoformat(flag["day"]) >= today):
                continue
            self._looked_at.add(flag["id"])
            if any(a["action"] == "appealed" for a in flag["actions"]):
                continue
            if random.Random(f"{SEED}/appeal/{flag['id']}").random() >= STEWARD_APPEALS:
                continue  # the steward lets it stand
            text = APPEAL_TEXT.get(flag["kind"], APPEAL_TEXT_OTHER)
            await self._api.post(user, f"/flags/{flag['id']}/appeal", {"text": text})
            self.work.appeals_filed += 1
            self._inbox[self._chief_of_steward[steward_id]].append(
                _Appeal(self._api.now, flag["id"], steward_id, flag["kind"]))

    # --- Chiefs ------------------------------------------------------------------------------------

    async def _visit(self, chief: ChiefHabit) -> None:
        now = self._api.now
        today = local_day(now)
        self.work.visits += 1
        await self._move_cases(chief, today)
        if random.Random(f"{SEED}/visit/{chief.chief_id}/{today}").random() < CHIEF_INSPECTS:
            await self._inspect(chief, today)
        due = [a for a in self._inbox[chief.chief_id] if a.at < now]
        if due:
            await self._decide(chief, due)
            self._inbox[chief.chief_id] = [a for a in self._inbox[chief.chief_id] if a not in due]

    async def _move_cases(self, chief: ChiefHabit, today: date) -> None:
        now = self._api.now
        cases = await self._api.get(chief.username, "/cases", open_only="true", limit=500)
        earlier: dict[str, list[int]] = defaultdict(list)  # open cases by category, oldest first
        for case in cases:
            if datetime.fromisoformat(case["state_changed_at"]) >= now:
                continue  # came in, or last moved, after this visit: next week's
            came_from, same_kind = CaseState(case["state"]), earlier[case["category"]]
            to = _step(came_from, CaseCategory(case["category"]), random.Random(f"{SEED}/case/{case['id']}/{today}"))
            if to is _S.DUPLICATE and not same_kind:
                to = _S.CONFIRMED  # nothing it could repeat: a problem of its own
            if to is not None:
                body: dict[str, Any] = {"to": to.value, "note": NOTES[(came_from, to)]}
                if to is _S.DUPLICATE:
                    body["duplicate_of"] = same_kind[0]
                await self._api.post(chief.username, f"/cases/{case['id']}/transitions", body)
                self.work.count(came_from, to)
            if to is None or to.is_open:
                same_kind.append(case["id"])

    async def _inspect(self, chief: ChiefHabit, today: date) -> None:
        week_of = period_containing(PeriodKind.WEEK, today).first_day
        if self._inspected_week.get(chief.lane_id) == week_of:
            return  # a week cut in two by the demo's blocks: its 周查 is done
        if not self._checklist:
            checklist = await self._api.get(chief.username, "/inspections/checklist")
            self._checklist = [i["code"] for i in checklist["items"]]
        # Some lanes are kept better than others; the same lane, the same standard.
        upkeep = random.Random(f"{SEED}/upkeep/{chief.lane_id}").uniform(0.86, 0.99)
        draw = random.Random(f"{SEED}/inspection/{chief.lane_id}/{week_of}")
        items = []
        for code in self._checklist:
            passed = draw.random() < upkeep
            items.append({"code": code, "passed": passed, "note": "" if passed else INSPECTION_NOTE_FAILED})
        recorded = await self._api.post(chief.username, "/inspections", {"lane_id": chief.lane_id, "items": items},
                                        expect=201)
        self._inspected_week[chief.lane_id] = date.fromisoformat(recorded["week_of"])
        self._scores.append(float(recorded["score"]))
        self.work.inspections += 1

    async def _decide(self, chief: ChiefHabit, due: list[_Appeal]) -> None:
        for steward_id in sorted({a.steward_id for a in due}):
            flags = {f["id"]: f for f in await self._api.get(chief.username, f"/stewards/{steward_id}/flags")}
            for appeal in (a for a in due if a.steward_id == steward_id):
                flag = flags.get(appeal.flag_id)
                if flag is None or flag["state"] != FLAG_OPEN:
                    continue  # lapsed since (the check-ins as stored no longer raise it), or decided
                restore = random.Random(f"{SEED}/decision/{appeal.flag_id}").random() < CHIEF_RESTORES
                note = DECISION_NOTE[restore] if appeal.kind == "patrol_too_fast" else DECISION_NOTE_OTHER[restore]
                await self._api.post(chief.username, f"/flags/{appeal.flag_id}/decision",
                                     {"restore": restore, "note": note})
                self.work.appeals_decided += 1
                if restore:
                    self.work.restored += 1
                else:
                    self.work.upheld += 1


def _step(state: CaseState, category: CaseCategory, draw: random.Random) -> CaseState | None:
    """This week's move of a case of `category` in `state`, or None: it waits."""
    roll = draw.random()
    for chance, to in (SLOW_STEPS if category in SLOW_CATEGORIES else STEPS).get(state, ()):
        if roll < chance:
            return to
        roll -= chance
    return None


def cast_of(engine: Engine) -> tuple[list[ChiefHabit], dict[int, int]]:
    """The acting chiefs with their habits (幸福社区's lanes and the lanes with a team), and the lane chief
    of each steward whose home lane is one of theirs."""
    with Session(engine) as session:
        subdistrict_id = session.scalar(select(t.Subdistrict.id).where(t.Subdistrict.name == DEMO_SUBDISTRICT))
        lanes = set(session.scalars(
            select(t.Lane.id).join(t.Community, t.Community.id == t.Lane.community_id)
            .where(t.Community.key == XINGFU)
        )) | set(session.scalars(select(t.Team.lane_id)))
        lane_of_steward: dict[int, int] = {}
        for steward_id, lane_id in session.execute(
            select(t.Claim.steward_id, t.Segment.lane_id).join(t.Segment, t.Segment.id == t.Claim.segment_id)
            .join(t.Steward, t.Steward.id == t.Claim.steward_id).where(t.Steward.subdistrict_id == subdistrict_id)
            .order_by(t.Claim.steward_id, t.Segment.lane_id)
        ):
            lane_of_steward.setdefault(steward_id, lane_id)  # a steward's home lane: they claim one
        chief_of_lane: dict[int, int] = {}
        for chief_id, chief_lane in session.execute(
            select(t.Chief.id, t.Chief.lane_id).where(t.Chief.subdistrict_id == subdistrict_id,
                                                       t.Chief.lane_id.in_(sorted(lanes)))
            .order_by(t.Chief.id)
        ):
            if chief_lane is not None:
                chief_of_lane.setdefault(chief_lane, chief_id)  # one chief a lane in 龙潭: the first
    habits = []
    for lane_id, chief_id in sorted(chief_of_lane.items(), key=lambda item: item[1]):
        draw = random.Random(f"{SEED}/habit/{chief_id}")
        habits.append(ChiefHabit(chief_id, lane_id, weekday=draw.randrange(5), hour=draw.choice(CHIEF_HOURS),
                                 minute=draw.randrange(60)))
    chief_of_steward = {s: chief_of_lane[lane] for s, lane in lane_of_steward.items() if lane in chief_of_lane}
    return habits, chief_of_steward
