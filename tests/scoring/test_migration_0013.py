"""Migration 0013 on a store that holds data: nothing lost, one open claim per segment, the audit log
still append-only after SQLite rebuilt its table, every reference intact; on both stores."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import Engine, select, text, update
from sqlalchemy.exc import DatabaseError

from scoring.storage import tables as t
from scoring.storage.migrate import current_revision, upgrade

AT = datetime(2017, 6, 1, 1, 0, tzinfo=UTC)


def _rows_of_0012(engine: Engine) -> None:
    """A registry, two open claims on one segment (which 0012 let be), a team, an account with a refresh
    token, and an audit entry."""
    with engine.begin() as conn:
        def one(table: type[t.Base], **values: object) -> None:
            conn.execute(table.__table__.insert(), [values])

        one(t.District, id=1, key="d", name="东城区")
        one(t.Subdistrict, id=1, key="s", district_id=1, name="龙潭街道", note="")
        one(t.Lane, id=1, key="l", subdistrict_id=1, name="福光路", kind="lane")
        one(t.Segment, id=1, key="g", lane_id=1, name="福光路北段", length_m=170)
        for i in (1, 2, 3):
            one(t.Steward, id=i, key=f"st{i}", name=f"管家{i}", subdistrict_id=1, home_lane_id=1,
                joined_on=date(2017, 5, 1), party_member=False)
        one(t.Claim, id=1, steward_id=2, segment_id=1, valid_from=AT + timedelta(days=1))  # the later
        one(t.Claim, id=2, steward_id=1, segment_id=1, valid_from=AT)  # the earlier: it keeps the segment
        one(t.Claim, id=3, steward_id=3, segment_id=1, valid_from=AT, valid_to=AT)  # history, untouched
        one(t.Team, id=1, lane_id=1, name="福光路小巷管家团", formed_at=AT)
        one(t.TeamMembership, id=1, team_id=1, steward_id=1, valid_from=AT)
        one(t.Account, id=1, username="zhao", password_hash="$argon2id$stand-in", role="steward", steward_id=1,
            disabled=False, failed_sign_ins=0, created_at=AT)
        one(t.RefreshToken, id=1, token_sha256=bytes(32), account_id=1, issued_at=AT, expires_at=AT)
        one(t.AuditEntry, id=1, at=AT, account_id=1, role="steward", action="case.report", subject="case:1",
            lane_id=1, subdistrict_id=1)


def test_0013_keeps_the_data_and_the_earliest_of_two_open_claims(engine: Engine) -> None:
    upgrade(engine, "0012")
    _rows_of_0012(engine)
    before = datetime.now(UTC)
    upgrade(engine)
    assert current_revision(engine) == "0013"
    with engine.connect() as conn:
        claims = {c.id: (c.steward_id, c.valid_from, c.valid_to) for c in conn.execute(select(t.Claim))}
        assert claims[2] == (1, AT, None) and claims[3] == (3, AT, AT)
        steward, valid_from, ended = claims[1]
        assert (steward, valid_from) == (2, AT + timedelta(days=1)) and ended is not None and ended >= before
        team = conn.execute(select(t.Team)).one()
        assert (team.lane_id, team.formed_at, team.dissolved_at) == (1, AT, None)
        assert conn.scalar(select(t.TeamMembership.steward_id)) == 1
        account = conn.execute(select(t.Account)).one()
        assert account.password_hash == "$argon2id$stand-in"
        assert conn.scalar(select(t.RefreshToken.account_id)) == 1
        assert conn.execute(select(t.AuditEntry.account_id, t.AuditEntry.action)).one() == (1, "case.report")
        assert conn.scalar(select(t.Steward.phone).where(t.Steward.id == 1)) is None
        if engine.dialect.name == "sqlite":
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1  # on again after the migration
            assert conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall() == []
    with pytest.raises(DatabaseError, match="append-only"), engine.begin() as conn:
        conn.execute(update(t.AuditEntry).values(action="nothing happened"))
    with pytest.raises(DatabaseError), engine.begin() as conn:  # still one open claim per segment
        conn.execute(t.Claim.__table__.insert(), [dict(steward_id=3, segment_id=1, valid_from=AT)])
    with engine.begin() as conn:  # and an audit entry of no account may be written
        conn.execute(t.AuditEntry.__table__.insert(), [dict(id=2, at=AT, account_id=None, role="public",
                                                            action="signup.submit", subject="signup:1")])
        assert conn.execute(text("SELECT count(*) FROM audit_log")).scalar() == 2
