"""CPU per request of each kind the load scenario sends, in-process on SQLite (issue #19).

Builds the load scenario's world (bench_load.populate: a virtual assembly in session, N members
on the roll with a login), then sends each member's requests through the app's WSGI stack in
this process, as the live page sends them: the live page (GET), live.json (200, then 304 with
the ETag), the heartbeat (with the watch pass; its answer carries the live state, the first
beat's in full, the next with the page's ETag) and, once a poll is open, the cast (JSON); and, in a
second poll, what a member without JavaScript sends: the ballot page, the confirmation and the
cast with its receipt page.
Prints the CPU ms per request of each kind (process time of this process), the database
server's own CPU ms per request (PostgreSQL on this machine, its processes' time from /proc; 0
on SQLite, whose work is the app's) and the round trips to the database per request
(statements, transactions begun, pool pre-pings): where a loaded server's time goes, and what a change saves,
compared in the same hour.

Run: .venv/bin/python -m bench.profile_requests      Knobs: BENCH_MEMBERS (default 300),
BENCH_BACKEND=sqlite|postgresql, BENCH_RATELIMIT=<storage URI> (the rate limits on, as in
production, kept in memory:// or redis://…; off by default), BENCH_PROFILE=kind (write bench/results/profile_<kind>.prof of
that kind under cProfile), BENCH_STATEMENTS=kind (print the statements of one request of that kind),
BENCH_CALLS=1 (count the Python function calls per request of every kind under cProfile: a figure
that varies far less than CPU time from one run to the next, for comparing a change on a noisy
machine; the CPU figures of such a run include cProfile's overhead)
"""

from __future__ import annotations

import cProfile
import os
import pstats
import re
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import event, update
from werkzeug.test import EnvironBuilder

from bench.ballots_load import database_cpu
from bench.bench_ballots import open_db
from bench.bench_load import SECRET, mint, populate
from bench.load_client import TRACKER, UA
from governance import create_app
from governance.assemblies.models import Assembly, Attendance
from governance.ballots.services import PollData, create_poll, open_poll
from governance.db import make_engine, new_session, utcnow

RESULTS = Path(__file__).resolve().parent / "results"
WATCH_PASS = re.compile(rb'data-watch-pass="([^"]+)"')


@dataclass
class Answer:
    status_code: int
    headers: dict[str, str]
    data: bytes


def send(
    app: Any, method: str, path: str, cookie: str, data: Any, headers: dict[str, str]
) -> Answer:
    """One request through the app's WSGI stack (as gunicorn calls it, without the network)."""
    builder = EnvironBuilder(
        path=path, method=method, base_url="http://127.0.0.1:5000", data=data,
        headers={"User-Agent": UA, "Cookie": f"session={cookie}", **headers},
        environ_base={"REMOTE_ADDR": "127.0.0.1"},
    )  # fmt: skip
    environ = builder.get_environ()
    builder.close()
    seen: list[Any] = []

    def start_response(status: str, head: Any, _exc: Any = None) -> None:
        seen.append((int(status.split()[0]), dict(head)))

    body = b"".join(app.wsgi_app(environ, start_response))
    return Answer(seen[0][0], seen[0][1], body)


@dataclass
class Trips:
    """Round trips to the database, counted by the engine's events."""

    statements: int = 0
    begins: int = 0
    pings: int = 0
    shown: list[str] | None = None  # the statements of one request, while it is shown

    def watch(self, engine: Any) -> None:
        event.listen(engine, "before_cursor_execute", self._statement)
        event.listen(engine, "begin", self._begin)
        dialect = engine.dialect
        ping = dialect.do_ping

        def counted(dbapi_connection: Any) -> Any:
            self.pings += 1
            return ping(dbapi_connection)

        dialect.do_ping = counted

    def _statement(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        self.statements += 1
        if self.shown is not None:
            self.shown.append(" ".join(statement.split())[:160])

    def _begin(self, *_args: Any) -> None:
        self.begins += 1

    def total(self) -> tuple[int, int, int]:
        return self.statements, self.begins, self.pings


TRIPS = Trips()


def timed(label: str, calls: list[Callable[[], Any]], out: dict[str, Any]) -> list[Any]:
    """Run the calls (one request each); CPU ms and round trips per call into out[label]."""
    profile = os.environ.get("BENCH_PROFILE") == label or os.environ.get("BENCH_CALLS") == "1"
    before = TRIPS.total()
    prof = cProfile.Profile(time.process_time) if profile else None  # CPU, not waits
    d0 = database_cpu()  # read before the clocks start: the scan of /proc is not the app's
    t0, w0 = time.process_time(), time.perf_counter()
    if prof:
        prof.enable()
    answers = [call() for call in calls[:-1]]
    if os.environ.get("BENCH_STATEMENTS") == label:  # the last request's statements
        TRIPS.shown = []
    answers.append(calls[-1]())
    if TRIPS.shown is not None:
        print(f"statements of one {label}:", *TRIPS.shown, sep="\n  ")
        TRIPS.shown = None
    calls_each = 0.0
    if prof:
        prof.disable()
        calls_each = pstats.Stats(prof).total_calls / len(calls)  # type: ignore[attr-defined]
        if os.environ.get("BENCH_PROFILE") == label:
            RESULTS.mkdir(exist_ok=True)
            prof.dump_stats(RESULTS / f"profile_{label.replace(' ', '_')}.prof")
    cpu = (time.process_time() - t0) / len(calls) * 1000
    wall = (time.perf_counter() - w0) / len(calls) * 1000
    db_cpu = (database_cpu() - d0) / len(calls) * 1000
    trips = [(b - a) / len(calls) for a, b in zip(before, TRIPS.total(), strict=True)]
    out[label] = (cpu, wall, db_cpu, *trips, calls_each)
    return answers


def main() -> None:
    n = int(os.environ.get("BENCH_MEMBERS", 300))
    with tempfile.TemporaryDirectory() as tmp:
        backend = os.environ.get("BENCH_BACKEND", "sqlite")
        url, cleanup = open_db(backend, Path(tmp), prefix="requests")
        engine = make_engine(url)
        assembly, users = populate(engine, n)
        members = mint(url, users, 0.0)
        limits = os.environ.get("BENCH_RATELIMIT", "")  # a storage URI: the limits on
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": SECRET, "SCHEMA_CHECK": False,
                          "RATELIMIT_ENABLED": bool(limits),
                          "RATELIMIT_STORAGE_URI": limits or "memory://"})  # fmt: skip
        TRIPS.watch(app.extensions["governance.engine"])
        base = f"/assemblies/{assembly}"

        def get(path: str, cookie: str, **headers: str) -> Answer:
            return send(app, "GET", path, cookie, None, headers)

        def post(path: str, cookie: str, data: dict[str, Any], **headers: str) -> Answer:
            return send(app, "POST", path, cookie, data, headers)

        cpu: dict[str, Any] = {}
        timed("healthz", [lambda: send(app, "GET", "/healthz", "", None, {})] * n, cpu)
        pages = timed("live page", [lambda m=m: get(f"{base}/live", m.cookie) for m in members],
                      cpu)  # fmt: skip
        for m, page in zip(members, pages, strict=True):
            assert page.status_code == 200, page.status_code
            found = WATCH_PASS.search(page.data)
            assert found is not None, "the live page carries no watch pass"
            m.watch_pass = found.group(1).decode()
        first = timed("live.json 200", [
            lambda m=m: get(f"{base}/live.json", m.cookie, **{"X-Watch-Pass": m.watch_pass})
            for m in members], cpu)  # fmt: skip
        etag = first[0].headers["ETag"]
        answers = timed("live.json 304", [
            lambda m=m: get(f"{base}/live.json", m.cookie,
                            **{"X-Watch-Pass": m.watch_pass, "If-None-Match": etag})
            for m in members], cpu)  # fmt: skip
        assert {a.status_code for a in answers} <= {200, 304}  # 200: the state moved on
        beats = timed("heartbeat (join)", [
            lambda m=m: post(f"{base}/heartbeat", m.cookie, {},
                             **{"X-Watch-Pass": m.watch_pass, "X-CSRFToken": m.csrf})
            for m in members], cpu)  # fmt: skip
        assert all(b.status_code == 200 for b in beats), {b.status_code for b in beats}
        with new_session(engine) as s:  # the last beat 30 s ago: the next one writes
            s.execute(update(Attendance).values(last_seen_at=utcnow() - timedelta(seconds=30)))
            s.commit()
        held = members[0]  # the live state as the pages hold it after the joins
        etag = get(f"{base}/live.json", held.cookie, **{"X-Watch-Pass": held.watch_pass}).headers[
            "ETag"
        ]
        beats = timed("heartbeat", [  # the page holds the live state: not sent again
            lambda m=m: post(f"{base}/heartbeat", m.cookie, {},
                             **{"X-Watch-Pass": m.watch_pass, "X-CSRFToken": m.csrf,
                                "X-Live-ETag": etag})
            for m in members], cpu)  # fmt: skip
        assert all(b.status_code == 200 for b in beats), {b.status_code for b in beats}
        with new_session(engine) as s:
            poll = create_poll(s, assembly=s.get(Assembly, assembly), data=PollData(title="P"),
                               actor=None)  # fmt: skip
            open_poll(s, poll=poll, actor=None, now=utcnow())
            s.commit()
            poll_id = int(poll.id)
        casts = timed("cast", [
            lambda m=m: post(f"/polls/{poll_id}/cast", m.cookie,
                             {"voter": m.member_id, "choice": m.choice, "csrf_token": m.csrf},
                             Accept="application/json")
            for m in members], cpu)  # fmt: skip
        assert all(c.status_code == 200 for c in casts), {c.status_code for c in casts}
        with new_session(engine) as s:  # a second poll for the members without JavaScript
            poll = create_poll(s, assembly=s.get(Assembly, assembly), data=PollData(title="Q"),
                               actor=None)  # fmt: skip
            open_poll(s, poll=poll, actor=None, now=utcnow())
            s.commit()
            paged = f"/polls/{int(poll.id)}"
        forms = [{"voter": m.member_id, "choice": m.choice, "csrf_token": m.csrf} for m in members]
        pages = timed("ballot page", [lambda m=m: get(f"{paged}/vote", m.cookie) for m in members],
                      cpu)  # fmt: skip
        assert all(b'name="choice"' in p.data for p in pages), {p.status_code for p in pages}
        confirms = timed("confirm", [lambda m=m, f=f: post(f"{paged}/vote", m.cookie, f)
                                     for m, f in zip(members, forms, strict=True)], cpu)  # fmt: skip
        assert all(b"/cast" in c.data for c in confirms), {c.status_code for c in confirms}
        receipts = timed("cast (pages)", [lambda m=m, f=f: post(f"{paged}/cast", m.cookie, f)
                                          for m, f in zip(members, forms, strict=True)], cpu)  # fmt: skip
        assert all(TRACKER.search(r.data) for r in receipts), {r.status_code for r in receipts}
        print(f"{n} members, in-process on {backend}, per request:")
        print(
            f"  {'':<16} {'CPU ms':>7} {'wall ms':>7} {'db CPU':>7} {'statements':>10}"
            f" {'begins':>7} {'pings':>6} {'calls':>7}"
        )
        for label, (ms, wall, db_ms, statements, begins, pings, calls) in cpu.items():
            print(
                f"  {label:<16} {ms:7.2f} {wall:7.2f} {db_ms:7.2f} {statements:10.1f}"
                f" {begins:7.1f} {pings:6.1f} {calls:7.0f}"
            )
        app.extensions["governance.engine"].dispose()
        engine.dispose()
        cleanup()


if __name__ == "__main__":
    main()
