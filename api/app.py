"""The API's composition root: `create_app(engine)` wires sessions, clock, the error table and routers; no I/O at
import."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from fastapi import FastAPI
from sqlalchemy import Engine

from api.auth import TokenService
from api.body_limit import DEFAULT_MAX_BODY_BYTES, BodyLimit
from api.errors import install_error_handlers
from api.metrics import install_metrics
from api.open311 import router as open311
from api.openapi import document_implied_errors
from api.ratelimit import Limiter, RateLimits
from api.request_log import RequestLog
from api.routers import (
    activity,
    api_keys,
    audit,
    auth,
    awards,
    bulletins,
    cards,
    cases,
    claims,
    credentials,
    exports,
    health,
    inspections,
    leaderboard,
    pages,
    registry,
    reviews,
    signups,
)
from api.routers import alerts as alert_routes
from api.routers import bands as band_routes
from api.routers import explain as explain_routes
from api.routers import integrity as integrity_routes
from scoring.exports.table import DEFAULT_MAX_ROWS
from scoring.status import JobBoard
from scoring.storage.engine import is_timescale, session_factory


def _utc_now() -> datetime:
    return datetime.now(UTC)


def create_app(engine: Engine, *, tokens: TokenService, clock: Callable[[], datetime] = _utc_now,
               jobs: JobBoard | None = None, export_max_rows: int = DEFAULT_MAX_ROWS,
               cycle_dir: Path | None = None, rate_limits: RateLimits | None = None,
               max_body_bytes: int = DEFAULT_MAX_BODY_BYTES) -> FastAPI:
    """`tokens` signs and checks access tokens (`STEWARDS_AUTH_SECRET`); `export_max_rows` bounds every export
    (`STEWARDS_EXPORT_MAX_ROWS`); `cycle_dir` is the closing jobs' folder (`STEWARDS_CYCLE_DIR`), whose
    bulletins, certificates and credentials the API serves (None: none); `rate_limits` default to
    `RateLimits()`, on (tests that are not about them pass `NO_RATE_LIMITS`)."""
    if export_max_rows < 1:
        raise ValueError(f"export_max_rows must be at least 1, not {export_max_rows}")
    app = FastAPI(
        title="Lane Stewards (街巷管家)",
        version="0.1.0",
        description="Registry, live leaderboards and points of Beijing's lane stewards (小巷管家); the cycle's "
                "月评, 季通报 and 金牌管家 awards, and a public check of award credentials.",
    )
    app.state.sessions = session_factory(engine)
    app.state.clock = clock
    app.state.tokens = tokens
    app.state.timescaledb = is_timescale(engine)
    app.state.jobs = jobs if jobs is not None else JobBoard()  # the background jobs /ready reports on
    app.state.export_max_rows = export_max_rows
    app.state.cycle_dir = Path(cycle_dir) if cycle_dir is not None else None
    app.state.limiter = Limiter(rate_limits if rate_limits is not None else RateLimits())
    install_error_handlers(app)
    install_metrics(app)
    # The last added runs first: every request gets its id and its log line, then the body limit.
    app.add_middleware(BodyLimit, max_body_bytes=max_body_bytes)
    app.add_middleware(RequestLog)
    for module in (health, auth, audit, leaderboard, activity, registry, signups, claims, cards, cases, inspections,
                   exports, pages):
        app.include_router(module.router)
    app.include_router(integrity_routes.router)
    app.include_router(explain_routes.router)
    app.include_router(alert_routes.router)
    app.include_router(band_routes.router)
    for module in (reviews, bulletins, awards, credentials):  # what the closing jobs published
        app.include_router(module.router)
    app.include_router(api_keys.router)
    app.include_router(open311.router)  # last: its catch-all answers any other /open311 path
    document_implied_errors(app)  # after every router: each route's 401/413/422/429/503 from its parts
    return app
