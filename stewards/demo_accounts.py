"""The demo's sign-ins: one account for each of 龙潭街道's people and offices, all with one password.

Usernames say who: `steward-<id>`, `chief-<id>` (the registry ids, as the API shows them), and
`coordinator-longtan`, `station-longtan`, `district-dongcheng`, `admin`. The password is printed in the
README; it is a demo's, and `make demo`'s database is a throwaway file.
"""

from __future__ import annotations

from datetime import datetime
from typing import Final

from sqlalchemy import Engine, select

from scoring.accounts.passwords import hash_password
from scoring.accounts.roles import Role
from scoring.accounts.store import NewAccount, create_account
from scoring.storage import tables as t
from scoring.storage.engine import session_factory

DEMO_PASSWORD: Final = "longtan-2018"
DEMO_SUBDISTRICT: Final = "龙潭街道"


def create_demo_accounts(engine: Engine, now: datetime) -> int:
    """Make the accounts; returns how many."""
    shared = hash_password(DEMO_PASSWORD)
    with session_factory(engine).begin() as session:
        subdistrict = session.scalars(select(t.Subdistrict).where(t.Subdistrict.name == DEMO_SUBDISTRICT)).one()
        accounts = [
            NewAccount("admin", DEMO_PASSWORD, Role.ADMIN),
            NewAccount("coordinator-longtan", DEMO_PASSWORD, Role.COORDINATOR, subdistrict_id=subdistrict.id),
            NewAccount("station-longtan", DEMO_PASSWORD, Role.STATION_STAFF, subdistrict_id=subdistrict.id),
            NewAccount("district-dongcheng", DEMO_PASSWORD, Role.DISTRICT_ADMIN, district_id=subdistrict.district_id),
        ]
        accounts += [NewAccount(f"chief-{chief_id}", DEMO_PASSWORD, Role.CHIEF, chief_id=chief_id)
                     for chief_id in session.scalars(select(t.Chief.id).where(
                         t.Chief.subdistrict_id == subdistrict.id).order_by(t.Chief.id))]
        accounts += [NewAccount(f"steward-{steward_id}", DEMO_PASSWORD, Role.STEWARD, steward_id=steward_id)
                     for steward_id in session.scalars(select(t.Steward.id).where(
                         t.Steward.subdistrict_id == subdistrict.id).order_by(t.Steward.id))]
        for account in accounts:
            create_account(session, account, now=now, password_hash=shared)
    return len(accounts)
