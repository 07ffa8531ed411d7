"""A small closed cycle for the output routes: a first quarter of 2018 patrolled by 幸福社区's stewards, its
months, its 季通报 and the year's 金牌管家 closed, and an API clock in 2019 that sees what is closed and what not.

Small on purpose (`simulate_first_quarter`: a few hundred points entries), so a test on both stores closes a
cycle in a second. The policy is lenient (one active month suffices for gold) because the data holds three
months, not twelve. 赵云华 (the matrices' steward) earns the most, so she is a 金牌管家; 幸福北里's team
earns the most per member.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Final

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from scoring.closing import CyclePolicy, close_quarter, close_year, derive_issuer_seed
from scoring.storage import tables as t
from tests.api.signin import Accounts, api
from tests.scoring.closing.simulated import simulate_first_quarter, xingfu_stewards

YEAR: Final = 2018
QUARTER: Final = "2018-Q1"
CLOSED_AT: Final = datetime(2019, 1, 2, 2, tzinfo=UTC)  # when the closing jobs ran
NOW: Final = datetime(2019, 2, 15, 4, tzinfo=UTC)  # the API's clock: 2019-01 has ended, unclosed; 2019-02 runs
SECRET: Final = b"test office secret"
SEEDS: Final = {"longtan": derive_issuer_seed(SECRET, "longtan")}
POLICY: Final = CyclePolicy(gold_min_active_months=1, star_min_active_days=1)


@dataclass(frozen=True)
class Closed:
    engine: Engine
    out_dir: Path
    subdistrict: int  # 龙潭街道
    zhao: int  # 赵云华, a gold steward
    gold: tuple[int, ...]  # every gold steward, in the award report's order
    loser: int  # a steward of 幸福社区 with points and no award
    team: int  # 幸福北里小巷管家团, the gold team
    members: frozenset[int]  # its members in 2018

    def client(self, *, cycle_dir: bool = True) -> TestClient:
        return api(self.engine, clock=lambda: NOW, cycle_dir=self.out_dir if cycle_dir else None)

    def accounts(self) -> Accounts:
        return Accounts(self.engine, clock=lambda: NOW)


def close_small_cycle(engine: Engine, out_dir: Path) -> Closed:
    """Points for January to March 2018, then the quarter and the year closed as the jobs close them."""
    simulate_first_quarter(engine, YEAR)
    clock = lambda: CLOSED_AT  # noqa: E731 - the instant the jobs record
    close_quarter(engine, QUARTER, out_dir, POLICY, clock=clock)
    summary = close_year(engine, YEAR, out_dir, POLICY, SEEDS, clock=clock)
    with Session(engine) as session:
        keys = dict(session.execute(select(t.Steward.key, t.Steward.id)).all())
        (longtan,) = summary.subdistricts
        gold = tuple(keys[w.key] for w in longtan.stewards)
        zhao = session.scalars(select(t.Steward.id).where(t.Steward.name == "赵云华")).one()
        loser = next(s.id for s in xingfu_stewards(session) if s.id not in gold)
        team = session.scalars(select(t.Team.id).join(t.Award, t.Award.team_id == t.Team.id)).one()
        members = frozenset(session.scalars(select(t.TeamMembership.steward_id)
                                            .where(t.TeamMembership.team_id == team)))
        subdistrict = session.scalars(select(t.Subdistrict.id).where(t.Subdistrict.key == "longtan")).one()
    assert zhao in gold
    return Closed(engine, out_dir, subdistrict, zhao, gold, loser, team, members)


