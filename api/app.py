"""The API's composition root: `create_app(engine)` wires sessions, clock, the error table and routers; no I/O at
import."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from fastapi import FastAPI
from sqlalchemy import Engine

from api.auth import TokenService
from api.errors import install_error_handlers
from api.metrics import install_metrics
from api.routers import (
    activity,
    audit,
    auth,
    cards,
    cases,
    claims,
    health,
    inspections,
    leaderboard,
    pages,
    registry,
    signups,
)
from api.routers import alerts as alert_routes
from api.routers import explain as explain_routes
from api.routers import integrity as integrity_routes
from scoring.status import JobBoard
from scoring.storage.engine import is_timescale, session_factory


def _utc_now() -> datetime:
    return datetime.now(UTC)


def create_app(engine: Engine, *, tokens: TokenService, clock: Callable[[], datetime] = _utc_now,
               jobs: JobBoard | None = None) -> FastAPI:
    """`tokens` signs and checks access tokens (`STEWARDS_AUTH_SECRET`)."""
    app = FastAPI(
        title="Lane Stewards (街巷管家)",
        version="0.1.0",
        description="Registry, live leaderboards and points of Beijing's lane stewards (小巷管家).",
    )
    app.state.sessions = session_factory(engine)
    app.state.clock = clock
    app.state.tokens = tokens
    app.state.timescaledb = is_timescale(engine)
    app.state.jobs = jobs if jobs is not None else JobBoard()  # the background jobs /ready reports on
    install_error_handlers(app)
    install_metrics(app)
    for module in (health, auth, audit, leaderboard, activity, registry, signups, claims, cards, cases, inspections,
                   pages):
        app.include_router(module.router)
    app.include_router(integrity_routes.router)
    app.include_router(explain_routes.router)
    app.include_router(alert_routes.router)
    return app
