"""积分榜 as a file: a board's standings, each steward with their community, of the caller's area only.

The board itself is public; a file of it, with every steward's community beside their name, is the
stewards' data: its rows are those of the stewards the caller reaches, keeping the ranks of the whole board.
"""

from __future__ import annotations

from typing import Final

from sqlalchemy.orm import Session

from scoring.accounts.jurisdiction import EVERYWHERE, check_stewards_data, stewards_in_reach
from scoring.accounts.principal import Principal
from scoring.exports.names import Home, steward_homes
from scoring.exports.table import Column, Export, Kind, Row, Table, bounded
from scoring.ledger.leaderboard import Scope, Standing, leaderboard
from scoring.periods import Period

TABLE: Final = Table("leaderboard", "积分榜", (
    Column("rank", "名次", Kind.INTEGER, 6),
    Column("name", "姓名", Kind.TEXT, 10),
    Column("steward_id", "管家编号", Kind.INTEGER, 10),
    Column("community", "社区", Kind.TEXT, 16),
    Column("subdistrict", "街道", Kind.TEXT, 16),
    Column("points", "积分", Kind.INTEGER, 8),
))


def scope_name(scope: Scope) -> str:
    """A scope in a file name: `all`, `lane12`."""
    return scope.kind.value if scope.id is None else f"{scope.kind.value}{scope.id}"


def standing_row(standing: Standing, home: Home | None) -> Row:
    return (standing.rank, standing.name, standing.steward_id, home.community if home else None,
            home.subdistrict if home else None, standing.points)


def leaderboard_export(session: Session, principal: Principal, period: Period, scope: Scope, *,
                       max_rows: int) -> Export:
    check_stewards_data(principal)
    reach = stewards_in_reach(session, principal)
    whole = leaderboard(session, period, scope, limit=0)  # 0: the whole board, the file is bounded below
    standings = bounded([s for s in whole if reach is EVERYWHERE or s.steward_id in reach], max_rows, "a board")
    homes = steward_homes(session, {s.steward_id for s in standings})
    return Export(
        TABLE, tuple(standing_row(s, homes.get(s.steward_id)) for s in standings),
        name=f"{period.label}-{scope_name(scope)}",
        filters={"period": period.kind.value, "label": period.label, "scope": scope.kind.value, "scope_id": scope.id},
    )
