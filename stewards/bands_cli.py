"""`stewards bands`: enrol wristbands from the factory, and give a band its broker login.

    stewards bands enrol --band-id 5001 --public-key 3d40…(hex or base64)
    stewards bands enrol --csv factory.csv --out claim-codes.csv
    stewards bands credentials 5001 --passwd /etc/mosquitto/stewards/passwd --acl /etc/mosquitto/stewards/acl
    stewards bands simulate --days 1         # the registry's simulated bands (stewards.cli)

Claim codes and broker passwords are shown once, here: the store keeps a claim code's hash only, and
the broker a password's. The database comes from STEWARDS_DATABASE_URL.
"""

from __future__ import annotations

import os
import secrets
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Final

import typer

from stewards.cli_errors import OneLineErrors

app = typer.Typer(help="Wristbands: enrol them, give them broker logins, simulate them.", no_args_is_help=True,
                  cls=OneLineErrors)

MQTT_PASSWORD_BYTES: Final = 24  # 32 URL-safe characters: typed into a provisioning tool, never by hand


@app.command("enrol")
def enrol(
    band_id: Annotated[int | None, typer.Option(help="The band's id, as it reports it (1..4294967295).")] = None,
    public_key: Annotated[str | None, typer.Option(help="Its Ed25519 public key, hex or base64.")] = None,
    csv_file: Annotated[Path | None, typer.Option("--csv", help="A factory file: header band_id,public_key, "
                                                               "one band a line.")] = None,
    out: Annotated[Path | None, typer.Option(help="Write band_id,claim_code lines here (mode 0600) "
                                                  "instead of stdout.")] = None,
) -> None:
    """Enrol bands with the keys they report; prints each band's claim code, once, to be printed with it."""
    from scoring.registry.bands import enrol_bands, read_factory_csv
    from scoring.storage.engine import make_engine, session_factory
    from stewards.settings import Settings

    if csv_file is not None and (band_id is not None or public_key is not None):
        raise typer.BadParameter("give either --csv or --band-id with --public-key, not both")
    if csv_file is None and (band_id is None or public_key is None):
        raise typer.BadParameter("give --band-id and --public-key, or --csv FILE for a factory batch")
    if csv_file is not None:
        try:
            rows, where = read_factory_csv(csv_file.read_text(encoding="utf-8-sig"))
        except (OSError, UnicodeDecodeError) as exc:
            raise typer.BadParameter(f"--csv {csv_file}: cannot read it ({exc})") from None
    else:
        assert band_id is not None and public_key is not None
        rows, where = [(band_id, public_key)], [f"band {band_id}"]
    engine = make_engine(Settings(mqtt_anonymous=True).database_url)
    try:
        with session_factory(engine).begin() as session:
            enrolled = enrol_bands(session, rows, now=datetime.now(UTC), where=where)
    finally:
        engine.dispose()
    lines = "band_id,claim_code\n" + "".join(f"{b.band_id},{b.claim_code}\n" for b in enrolled)
    if out is not None:
        _write_private(out, lines)
        typer.echo(f"{len(enrolled)} bands enrolled; their claim codes are in {out}: print each with its band, "
                   "then delete the file (the codes are not stored, only their hashes)", err=True)
    else:
        typer.echo(lines, nl=False)
        typer.echo(f"{len(enrolled)} bands enrolled; print each claim code with its band: it is shown this once",
                   err=True)


@app.command("credentials")
def credentials(
    band_id: Annotated[int, typer.Argument(help="An enrolled band's id.")],
    passwd: Annotated[Path, typer.Option(help="The broker's password file, e.g. /etc/mosquitto/stewards/passwd.")],
    acl: Annotated[Path, typer.Option(help="The broker's ACL file, e.g. /etc/mosquitto/stewards/acl.")],
) -> None:
    """A new random broker password for the band (username = band id), written to the broker's files."""
    from sqlalchemy import select

    from scoring.storage import tables as t
    from scoring.storage.engine import make_engine, session_factory
    from stewards.services.errors import ServiceError
    from stewards.services.mosquitto import issue_band_credentials
    from stewards.settings import Settings

    settings = Settings(mqtt_anonymous=True)
    engine = make_engine(settings.database_url)
    try:
        with session_factory(engine)() as session:
            lost_at = session.execute(select(t.Band.lost_at).where(t.Band.id == band_id)).first()
    finally:
        engine.dispose()
    if lost_at is None:
        raise typer.BadParameter(f"band {band_id} is not enrolled: `stewards bands enrol` it first")
    if lost_at[0] is not None:
        raise typer.BadParameter(f"band {band_id} was reported lost: it gets no broker login")
    password = secrets.token_urlsafe(MQTT_PASSWORD_BYTES)
    try:
        issue_band_credentials(band_id, password, password_file=passwd, acl_file=acl,
                               gateway_username=settings.gateway_username)
    except (ServiceError, OSError) as exc:
        raise typer.BadParameter(f"could not write the broker's files: {exc}") from None
    typer.echo(f"band {band_id}: MQTT username {band_id}, password {password}")
    typer.echo(f"shown this once: program it into the band now. {passwd} and {acl} are written; reload the broker "
               "(`systemctl reload mosquitto`) so it takes the new login", err=True)


def _write_private(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
