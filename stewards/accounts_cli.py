"""`stewards accounts`: the first administrator, and accounts for the programme's people and machines.

    stewards accounts create-admin root              # the password is asked for, twice
    stewards accounts add zhang --role chief --chief-id 3
    stewards accounts add gw-scorer --role service --password-stdin < secret.txt
    stewards accounts api-key zhao --label 随手拍       # prints the key, once
    stewards accounts revoke-key zhao 3

The database comes from STEWARDS_DATABASE_URL. Passwords are never taken as an argument: they would
stay in the shell's history and in the process list.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated

import typer

from stewards.cli_errors import OneLineErrors

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from scoring.accounts.principal import Principal

app = typer.Typer(help="Accounts: who signs in to the API, as what.", no_args_is_help=True, cls=OneLineErrors)

PasswordStdin = Annotated[
    bool, typer.Option("--password-stdin", help="Read the password from the first line of stdin (for scripts).")
]


@app.command("create-admin")
def create_admin(username: str, password_stdin: PasswordStdin = False) -> None:
    """The installation's administrator (role admin), who creates the others."""
    _add(username, "admin", _password(password_stdin), {})


@app.command("add")
def add(
    username: str,
    role: Annotated[str, typer.Option(help="steward, chief, station_staff, coordinator, district_admin, "
                                           "contractor or service.")],
    steward_id: Annotated[int | None, typer.Option(help="The steward a steward account is.")] = None,
    chief_id: Annotated[int | None, typer.Option(help="The chief a chief account is.")] = None,
    contractor_id: Annotated[int | None, typer.Option(help="The property company a contractor account is.")] = None,
    subdistrict_id: Annotated[int | None, typer.Option(help="A coordinator's or station's subdistrict.")] = None,
    district_id: Annotated[int | None, typer.Option(help="A district administrator's district.")] = None,
    password_stdin: PasswordStdin = False,
) -> None:
    """An account for one of the programme's people, or a machine (role service, which acts as `system`)."""
    links = {"steward_id": steward_id, "chief_id": chief_id, "contractor_id": contractor_id,
             "subdistrict_id": subdistrict_id, "district_id": district_id}
    _add(username, role, _password(password_stdin), {k: v for k, v in links.items() if v is not None})


@app.command("api-key")
def api_key(
    username: str,
    label: Annotated[str, typer.Option(help="What will use the key, e.g. the civic tool's name.")],
) -> None:
    """A new API key for the account (Open311's api_key). It is printed once and stored only as a digest."""
    from scoring.accounts.api_keys import issue_api_key

    def issue(session: Session, holder: Principal, now: datetime) -> str:
        issued = issue_api_key(session, holder.account_id, label, issued_by=holder.account_id, now=now)
        _record(session, holder, now, "api_key.issue",
                {"api_key_id": issued.key.id, "label": issued.key.label, "prefix": issued.key.prefix})
        return f"api key {issued.key.id} for {holder.username}: {issued.secret}"

    typer.echo(_as_holder(username, issue))


@app.command("revoke-key")
def revoke_key(username: str, key_id: int) -> None:
    """Revoke one of the account's API keys (ids as issued); it stops signing in at once."""
    from scoring.accounts.api_keys import revoke_api_key

    def revoke(session: Session, holder: Principal, now: datetime) -> str:
        revoked = revoke_api_key(session, holder.account_id, key_id, now=now)
        _record(session, holder, now, "api_key.revoke", {"api_key_id": revoked.id})
        return f"api key {revoked.id} of {holder.username} revoked"

    typer.echo(_as_holder(username, revoke))


def _as_holder(username: str, act: Callable[[Session, Principal, datetime], str]) -> str:
    """Run `act` on the account's behalf in one transaction: the operator at the server's console acts
    for the holder, as an administrator does through the API."""
    from sqlalchemy import select

    from scoring.accounts.store import principal_of
    from scoring.errors import UnknownScopeError
    from scoring.storage import tables as t
    from scoring.storage.engine import make_engine, session_factory
    from stewards.settings import Settings

    engine = make_engine(Settings(mqtt_anonymous=True).database_url)
    try:
        with session_factory(engine).begin() as session:
            row = session.scalar(select(t.Account).where(t.Account.username == username))
            if row is None:
                raise UnknownScopeError(f"no account {username!r}")
            return act(session, principal_of(row), datetime.now(UTC))
    finally:
        engine.dispose()


def _record(session: Session, holder: Principal, now: datetime, action: str, after: dict[str, object]) -> None:
    from scoring.accounts import audit

    # Written as the holder's, marked as the console's: the log says the key changed, and where from.
    audit.record(session, holder, now, action, f"account:{holder.account_id}", after={**after, "via": "cli"})


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    password: str = typer.prompt("password", hide_input=True, confirmation_prompt=True)
    return password


def _add(username: str, role: str, password: str, links: dict[str, int]) -> None:
    from scoring.accounts.roles import Role
    from scoring.accounts.store import NewAccount, create_account
    from scoring.storage.engine import make_engine, session_factory
    from stewards.settings import Settings

    try:
        account_role = Role(role)
    except ValueError:
        raise typer.BadParameter(f"--role {role!r}: one of {', '.join(r.value for r in Role)}") from None
    engine = make_engine(Settings(mqtt_anonymous=True).database_url)
    try:
        with session_factory(engine).begin() as session:
            made = create_account(session, NewAccount(username, password, account_role, **links),
                                  now=datetime.now(UTC))
    finally:
        engine.dispose()
    typer.echo(f"account {made.username} ({made.role.value}) created, id {made.account_id}")
