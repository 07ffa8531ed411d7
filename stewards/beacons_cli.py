"""`stewards beacons`: put a beacon at a checkpoint, or replace the one there.

    stewards beacons install 412     # a checkpoint with no active beacon
    stewards beacons replace 412     # the old beacon stops counting now, the new one starts now

Each prints the new beacon's secret once, in hex, for the installer to program into the beacon; the
store keeps it sealed with STEWARDS_BEACON_KEY and the API never shows it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer

from stewards.cli_errors import OneLineErrors

app = typer.Typer(help="Checkpoint beacons: install and replace them.", no_args_is_help=True, cls=OneLineErrors)

Checkpoint = Annotated[int, typer.Argument(help="The checkpoint's id (see /registry/lanes/{id}).")]


@app.command("install")
def install(checkpoint_id: Checkpoint) -> None:
    """A beacon at a checkpoint that has none active; prints its secret once."""
    _install(checkpoint_id, replace=False)


@app.command("replace")
def replace(checkpoint_id: Checkpoint) -> None:
    """A new beacon in place of the checkpoint's active one, from now; prints its secret once."""
    _install(checkpoint_id, replace=True)


def _install(checkpoint_id: int, *, replace: bool) -> None:
    from scoring.registry.beacons import install_beacon
    from scoring.storage.engine import make_engine, session_factory
    from stewards.settings import Settings

    settings = Settings(mqtt_anonymous=True)
    key = settings.beacon_key_bytes()
    if key is None:
        raise typer.BadParameter("set STEWARDS_BEACON_KEY (`openssl rand -base64 32`, kept like a password): "
                                 "beacon secrets are stored sealed with it")
    engine = make_engine(settings.database_url)
    try:
        with session_factory(engine).begin() as session:
            beacon = install_beacon(session, checkpoint_id, now=datetime.now(UTC), deployment_key=key, replace=replace)
    finally:
        engine.dispose()
    ended = f"; beacon {beacon.replaced_beacon_id} stopped counting" if beacon.replaced_beacon_id else ""
    typer.echo(f"checkpoint {checkpoint_id}: beacon {beacon.beacon_id} from {beacon.active_from.isoformat()}{ended}")
    typer.echo(f"secret {beacon.secret.hex()}")
    typer.echo("shown this once: program it into the beacon now; the gateway picks the beacon up within a minute",
               err=True)
