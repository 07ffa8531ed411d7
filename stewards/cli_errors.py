"""How a command-line mistake is reported: one line on stderr and exit code 2, never a traceback.

A mistake is what the operator can fix: settings that do not validate, a database URL that is not
one, a database or broker that cannot be reached, or an error of the project's own trees
(`ScoringError`, `GatewayError`) such as an unknown steward or period, and a service or harness the
command starts that cannot run (`ServiceError`, `ChaosError`). Anything else is a bug and
keeps its traceback.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Final

import typer
from typer.core import TyperGroup

USAGE_EXIT_CODE: Final = 2


def one_line(exc: BaseException) -> str | None:
    """What to tell the operator about `exc`, on one line; None when it is a bug, not a mistake."""
    from pydantic import ValidationError
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError

    from gateway.errors import GatewayError
    from scoring.errors import ScoringError
    from scoring.runner import as_storage_unavailable
    from stewards.chaos.errors import ChaosError
    from stewards.services.errors import ServiceError

    if isinstance(exc, typer.BadParameter):  # a command's own check of its options
        return exc.format_message()
    if isinstance(exc, ValidationError):
        return "; ".join(_setting_problem(error) for error in exc.errors())
    if isinstance(exc, ArgumentError | NoSuchModuleError):
        return (f"STEWARDS_DATABASE_URL is not a database URL ({exc}); e.g. "
                "postgresql+psycopg://user@host/stewards or sqlite:///var/stewards.db")
    unavailable = as_storage_unavailable(exc)
    if unavailable is not None:
        return (f"{unavailable}; check STEWARDS_DATABASE_URL, that the database server is running, "
                "and that `stewards db upgrade` has been run")
    if isinstance(exc, ScoringError | GatewayError | ChaosError | ServiceError):
        return str(exc)
    return None


def day_option(text: str, option: str) -> date:
    """A day given on the command line as YYYY-MM-DD, or a usage error naming the option."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"{option} {text!r} is not a day: give YYYY-MM-DD, e.g. 2018-01-01") from None


def _setting_problem(error: Any) -> str:
    location = "_".join(str(part) for part in error.get("loc", ()))
    message = str(error.get("msg", "")).removeprefix("Value error, ")
    return f"STEWARDS_{location.upper()}: {message}" if location else message


class OneLineErrors(TyperGroup):
    """A command group whose commands report operator mistakes as one line (see `one_line`)."""

    def invoke(self, ctx: Any) -> Any:  # typer's own click Context
        try:
            return super().invoke(ctx)
        except Exception as exc:
            line = one_line(exc)
            if line is None:
                raise
        typer.echo(f"stewards: {' '.join(line.split())}", err=True)
        raise typer.Exit(USAGE_EXIT_CODE)
