"""`stewards cycle`: close months, quarters and years by hand, and verify award credentials offline.

    stewards cycle close month 2017-05          stewards cycle close quarter 2017-Q3
    stewards cycle close year 2017              stewards cycle close due [--today 2018-01-01]
    stewards cycle awards verify <credential.json> --key <issuer.pub.json>

The database comes from STEWARDS_DATABASE_URL; issuer seeds for awards are derived from
STEWARDS_ISSUER_SECRET (or --issuer-secret), one per subdistrict. Output goes to --out.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from stewards.cli_errors import OneLineErrors, day_option

if TYPE_CHECKING:
    from sqlalchemy import Engine

app = typer.Typer(help="The steward cycle: 月评 · 季通报 · 年度金牌管家, and award verification.", no_args_is_help=True,
                  cls=OneLineErrors)
close_app = typer.Typer(help="Close a period (idempotent: a closed period is returned as stored).",
                        no_args_is_help=True)
awards_app = typer.Typer(help="Award credentials (Open Badges 3.0).", no_args_is_help=True)
app.add_typer(close_app, name="close")
app.add_typer(awards_app, name="awards")

OutOption = Annotated[Path, typer.Option("--out", help="Where bulletins, award reports and credentials go.")]
SecretOption = Annotated[
    str, typer.Option("--issuer-secret", envvar="STEWARDS_ISSUER_SECRET",
                      help="The offices' secret from which each subdistrict's signing key is derived.")
]
DEFAULT_OUT = Path("var/closing")


@contextlib.contextmanager
def _engine() -> Iterator[Engine]:
    from scoring.storage.engine import make_engine
    from stewards.settings import Settings

    engine = make_engine(Settings(mqtt_anonymous=True).database_url)
    try:
        yield engine
    finally:
        engine.dispose()


def _print_json(data: object) -> None:
    Console().print_json(json.dumps(data, ensure_ascii=False, default=str))


def _seeds(engine: Engine, secret: str) -> dict[str, bytes]:
    from scoring.closing import issuer_seeds

    if not secret:
        raise typer.BadParameter("set STEWARDS_ISSUER_SECRET or pass --issuer-secret: awards must be signed")
    return issuer_seeds(engine, secret.encode())


@close_app.command("month")
def close_month_command(month: Annotated[str, typer.Argument(help="e.g. 2017-05")]) -> None:
    """月评: freeze a month's rankings, stars and lane ratings."""
    from scoring.closing import CyclePolicy, close_month

    with _engine() as engine:
        review = close_month(engine, month, CyclePolicy.from_default_rulebook())
    _print_json({"month": review.month.label, "sha256": review.content_sha256, "stewards": len(review.stewards),
                 "stars": [s.steward_id for s in review.stars], "lanes": len(review.lanes),
                 "ruleset_versions": list(review.ruleset_versions)})


@close_app.command("quarter")
def close_quarter_command(quarter: Annotated[str, typer.Argument(help="e.g. 2017-Q3")],
                          out: OutOption = DEFAULT_OUT) -> None:
    """季通报: write each subdistrict's bulletin (HTML and PDF)."""
    from scoring.closing import CyclePolicy, close_quarter

    with _engine() as engine:
        summary = close_quarter(engine, quarter, out, CyclePolicy.from_default_rulebook())
    _print_json({"quarter": summary.quarter, "bulletins": [
        {"subdistrict": b.subdistrict, "html": str(b.html), "pdf": str(b.pdf)} for b in summary.bulletins]})


@close_app.command("year")
def close_year_command(year: Annotated[int, typer.Argument(help="e.g. 2017")], out: OutOption = DEFAULT_OUT,
                       issuer_secret: SecretOption = "") -> None:
    """年度金牌管家: choose the gold stewards and teams; write the report, certificates and credentials."""
    from scoring.closing import CyclePolicy, close_year
    from scoring.integrity.store import upheld_flags_of

    with _engine() as engine:
        summary = close_year(engine, year, out, CyclePolicy.from_default_rulebook(), _seeds(engine, issuer_secret),
                             upheld_flags=upheld_flags_of(engine))
    _print_json(summary.as_json())


@close_app.command("due")
def close_due_command(out: OutOption = DEFAULT_OUT, issuer_secret: SecretOption = "",
                      today: Annotated[str, typer.Option(help="Local day (default: today in Beijing).")] = "") -> None:
    """Close every ended month, quarter and year not closed yet, in order."""
    from scoring.closing import CyclePolicy, close_due
    from scoring.closing.month import utc_now
    from scoring.integrity.store import upheld_flags_of
    from scoring.periods import local_day

    day = day_option(today, "--today") if today else local_day(utc_now())
    with _engine() as engine:
        report = close_due(engine, day, out, CyclePolicy.from_default_rulebook(), _seeds(engine, issuer_secret),
                           upheld_flags=upheld_flags_of(engine))
    _print_json({"months": report.months, "quarters": report.quarters, "years": report.years})


@awards_app.command("verify")
def verify_command(
    credential: Annotated[Path, typer.Argument(help="The credential file (JSON).")],
    key: Annotated[list[Path], typer.Option("--key", help="A trusted issuer's public key file; repeat for more.")],
) -> None:
    """Check a credential offline against trusted issuer public keys: OK, or the reason and exit code 1."""
    from scoring.awards import CredentialError, verify_file

    console = Console()
    try:
        verified = verify_file(credential, key)
    except CredentialError as exc:
        Console(stderr=True).print(f"[bold red]NOT VALID[/]: {exc}", highlight=False)
        raise typer.Exit(1) from None
    facts = verified.facts
    console.print(
        f"[bold green]OK[/] {facts.subject_name} ({facts.subject_key}) · {facts.year} · "
        f"{'年度金牌管家' if facts.kind.value == 'steward' else '金牌小巷管家团'} · {facts.subdistrict_name} · "
        f"rule set {facts.ruleset_version} · signed by {verified.issuer.name} · {verified.credential_id}",
        highlight=False,
    )
