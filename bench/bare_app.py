"""The benchmark's baseline: a bare WSGI endpoint doing only the two inserts of a cast.

Same database, same engine settings (governance.db.make_engine), same WSGI server and workers
as the app; one transaction (BEGIN IMMEDIATE on SQLite) with the participation and the ballot
insert, nothing else: no session, login, CSRF, checks or template.
Run by bench_ballots.py as `gunicorn bench.bare_app:app` with BENCH_DATABASE_URL set.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs

from sqlalchemy import text

from governance.db import immediate, make_engine

engine = make_engine(os.environ.get("BENCH_DATABASE_URL", "sqlite://"))
PARTICIPATION = text(
    "INSERT INTO participation (poll_id, member_id, cast_by_member_id, channel) "
    "VALUES (:p, :m, :m, 'ONLINE')"
)
BALLOT = text("INSERT INTO ballot (tracker, poll_id, choice) VALUES (:t, :p, :c)")


def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    """POST poll=…&voter=…&choice=…: insert both rows, answer the tracker."""
    if environ["REQUEST_METHOD"] != "POST":
        start_response("404 Not Found", [("Content-Length", "0")])
        return [b""]
    size = int(environ.get("CONTENT_LENGTH") or 0)
    form = parse_qs(environ["wsgi.input"].read(size).decode())
    poll, member, choice = int(form["poll"][0]), int(form["voter"][0]), form["choice"][0]
    tracker = secrets.token_bytes(16)
    with immediate(), engine.begin() as conn:
        conn.execute(PARTICIPATION, {"p": poll, "m": member})
        conn.execute(BALLOT, {"t": tracker, "p": poll, "c": choice})
    body = f'<code class="tracker">{tracker.hex()}</code>'.encode()
    start_response("200 OK", [("Content-Type", "text/html"), ("Content-Length", str(len(body)))])
    return [body]
