"""`/metrics` for Prometheus (prometheus-client): HTTP latencies, the background jobs, the store.

Each app has its own registry, so two apps in one process (tests, a demo and a server) never share a
series. The store's figures are read when Prometheus scrapes, from a session of their own; a database
that does not answer is `stewards_database_up 0`, not a failed scrape.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Iterator
from typing import Final

from fastapi import FastAPI, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from scoring.status import JobBoard, scoring_backlog, store_status

LATENCY_BUCKETS: Final = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


class _StateCollector(Collector):
    def __init__(self, jobs: JobBoard, sessions: Callable[[], sessionmaker[Session]]) -> None:
        self._jobs, self._sessions = jobs, sessions

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily("stewards_job_up", "1 while the background job's last run succeeded", labels=["job"])
        failures = GaugeMetricFamily("stewards_job_consecutive_failures", "failed runs in a row", labels=["job"])
        runs = CounterMetricFamily("stewards_job_runs", "runs of the background job", labels=["job"])
        success = GaugeMetricFamily("stewards_job_last_success_timestamp_seconds", "when it last succeeded",
                                    labels=["job"])
        for state in self._jobs.states():
            up.add_metric([state.name], 1.0 if state.ok else 0.0)
            failures.add_metric([state.name], state.failures)
            runs.add_metric([state.name], state.runs)
            if state.last_success_at is not None:
                success.add_metric([state.name], state.last_success_at.timestamp())
        yield from (up, failures, runs, success)
        database = GaugeMetricFamily("stewards_database_up", "1 while the database answers")
        try:
            with self._sessions()() as session:
                status, backlog = store_status(session), scoring_backlog(session)
        except SQLAlchemyError:
            database.add_metric([], 0.0)
            yield database
            return
        database.add_metric([], 1.0)
        yield database
        yield GaugeMetricFamily("stewards_checkins", "check-ins stored", value=status.checkins)
        yield GaugeMetricFamily("stewards_points_entries", "points entries in the ledger", value=status.points_entries)
        yield GaugeMetricFamily("stewards_scoring_backlog", "(steward, day) pairs waiting for the scorer",
                                value=backlog)
        quarantined = GaugeMetricFamily("stewards_quarantined", "refused records kept, by reason", labels=["reason"])
        for reason, count in status.quarantined_by_reason.items():
            quarantined.add_metric([reason], count)
        yield quarantined


def install_metrics(app: FastAPI) -> None:
    registry = CollectorRegistry()
    latency = Histogram("stewards_http_request_duration_seconds", "API answers by route, method and status",
                        ["method", "route", "status"], buckets=LATENCY_BUCKETS, registry=registry)
    registry.register(_StateCollector(app.state.jobs, lambda: app.state.sessions))

    @app.middleware("http")
    async def time_requests(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        started = time.perf_counter()
        response = await call_next(request)
        route = request.scope.get("route")
        # The route's template, not the path: one series per route, not one per id asked for.
        template = getattr(route, "path", "unmatched")
        latency.labels(request.method, template, str(response.status_code)).observe(time.perf_counter() - started)
        return response

    @app.get("/metrics", include_in_schema=False)
    def metrics() -> Response:
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
