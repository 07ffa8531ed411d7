"""`stewards accounts`: the first administrator, and accounts for the programme's people and machines.

    stewards accounts create-admin root              # the password is asked for, twice
    stewards accounts add zhang --role chief --chief-id 3
    stewards accounts add gw-scorer --role service --password-stdin < secret.txt

The database comes from STEWARDS_DATABASE_URL. Passwords are never taken as an argument: they would
stay in the shell's history and in the process list.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from typing import Annotated

import typer

from stewards.cli_errors import OneLineErrors

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
