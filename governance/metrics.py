"""Prometheus metrics at /metrics (off unless GOVERNANCE_METRICS_ENABLED; with
GOVERNANCE_METRICS_TOKEN only for `Authorization: Bearer <token>`).

Every figure is read from the database when Prometheus scrapes, not counted in a process: with
several gunicorn workers (or several app servers) any of them answers the same, and nothing is
lost when a worker restarts. Each domain registers what it can tell (`register`), so this module
imports none: the ballots domain the votes cast, assemblies the members watching live pages,
minutes the rendering times, the job runner its queues and workers.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from typing import Any

from flask import Flask, Response, abort, current_app, request
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlmodel import Session

from governance import jobs
from governance.db import new_session, utcnow

# A source: (session, now) -> metric families.
Source = Callable[[Session, datetime], Iterable[Metric]]
SOURCES: dict[str, Source] = {}


def register(name: str, source: Source) -> Source:
    """Add a source of metrics (each domain registers its own when imported)."""
    SOURCES[name] = source
    return source


def _jobs(session: Session, now: datetime) -> Iterator[Metric]:
    report = jobs.health(session, now=now)
    waiting = GaugeMetricFamily(
        "governance_jobs_waiting", "Jobs waiting for the worker, by kind", labels=["kind"]
    )
    oldest = GaugeMetricFamily(
        "governance_jobs_oldest_waiting_seconds", "Age of the oldest waiting job", labels=["kind"]
    )
    seen = GaugeMetricFamily(
        "governance_worker_last_pass_seconds",
        "Seconds since the worker's last pass",
        labels=["kind"],
    )
    for kind, facts in report.items():
        count = sum(int(facts.get(k) or 0) for k in ("queued", "unverified", "stuck"))
        waiting.add_metric([kind], count)
        age = facts.get("oldest_queued_s", facts.get("oldest_unverified_s"))
        oldest.add_metric([kind], float(age or 0))
        if facts.get("worker_seen_s") is not None:
            seen.add_metric([kind], float(facts["worker_seen_s"]))
    yield from (waiting, oldest, seen)


register("jobs", _jobs)


class DatabaseCollector(Collector):
    """Collects every registered source in one session per scrape."""

    def __init__(self, engine: Any) -> None:
        self.engine = engine

    def collect(self) -> Iterator[Metric]:
        now = utcnow()
        with new_session(self.engine) as session:
            for _name, source in sorted(SOURCES.items()):
                yield from source(session, now)


def init_app(app: Flask) -> None:
    """The /metrics endpoint, when enabled."""
    if not app.config.get("METRICS_ENABLED"):
        return
    registry = CollectorRegistry(auto_describe=False)
    registry.register(DatabaseCollector(app.extensions["governance.engine"]))
    app.extensions["governance.metrics"] = registry

    def metrics() -> Response:
        token = current_app.config.get("METRICS_TOKEN") or ""
        offered = request.headers.get("Authorization", "").removeprefix("Bearer ")
        if token and not hmac.compare_digest(offered.encode(), token.encode()):
            abort(401)
        body = generate_latest(registry)
        return Response(body, mimetype="text/plain; version=0.0.4; charset=utf-8")

    app.add_url_rule("/metrics", "metrics", metrics)
    from governance.security import limiter

    limiter.exempt(metrics)
