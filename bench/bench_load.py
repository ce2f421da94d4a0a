"""Load scenario (issue #8): N members logged in watch the live page of a virtual assembly, a
poll opens, and all of them vote within 60 seconds.

Every member is a browser, doing what the pages do. The member arrives within the warm-up
(BENCH_WARMUP, 60 s) and opens the live page (GET, the full check; it carries the watch pass,
governance/assemblies/watch.py). live.js then sends one request per tick, with the pass:
live.json (with the ETag: 304 while nothing changes) every 5 s, or as much less often as the
server asks with a large audience (LIVE_REQUESTS_PER_SECOND, assemblies/live.py), and in place
of the first of them once 45 s have passed since the last beat, the heartbeat (present online),
whose answer carries the live state too. As live.js, each waits the interval the last answer told
(poll_seconds, beat_seconds): longer while a server process is busy (load shedding,
governance/pressure.py; on unless BENCH_SHEDDING=0).
When live.json shows the open poll, the member decides at a random moment within the first
45 s after the opening and votes on the live page, as live.js offers it: choice and
confirmation on the page, one POST casts (JSON, the tracker in the answer), and the page goes
on. A share of the members (BENCH_PAGES, default 0.1) votes on the ballot pages instead, as
without JavaScript: they leave the live page (its requests stop) for the ballot page (GET),
the confirmation (POST) and the cast (POST, "cast (pages)", the receipt page), read the
receipt for 5-20 s and go back to the live page. Meanwhile /healthz is probed 5 times a
second: the baseline under the same load. Sessions are minted with the server's secret, as a
login from 127.0.0.1 leaves them.
Reported: p50/p99 of casts, live-page requests, heartbeats, ballot pages, confirmations and
/healthz; the ratios cast/healthz and live/healthz; errors (must be 0); when the last cast
landed; and after closing (and sealing) the audit, with ballots == participations == casts.
Load shedding (issue #19: the cheap requests give way first, a cast is never refused): the
intervals the server told the pages (live.json's poll_seconds → answers, with the share longer
than the base for the audience each answer counted; the heartbeat's beat_seconds → answers,
with the share longer than 45 s); casts refused (no 200 with the tracker; must be 0); and the
cheap requests (live.json and heartbeats) and casts sent per 5 s from the opening, with the
cheap requests per second in the busiest and the quietest complete slice of the voting window;
the p99 latency of the requests sent per 5 s (a queue building up, or a stall of everything).
Prints a table and writes JSON to bench/results/load-<backend>-<N>-<time>.json.

Run:   .venv/bin/python -m bench load                  (5,000 members on SQLite)
       .venv/bin/python bench/bench_load.py 1000       (or BENCH_MEMBERS=1000)
Knobs: BENCH_MEMBERS (default 5000; or the first argument), BENCH_BACKENDS=sqlite,postgresql,
BENCH_WINDOW (60 s), BENCH_WORKERS (gunicorn sync workers, default CPUs + 1, as the README advises),
BENCH_WARMUP (s over which the members arrive, default 60), BENCH_PAGES (share voting on the
ballot pages, default 0.1), BENCH_SERVER_CPUS (pin the server to these cores with taskset, e.g.
"0" for one core), BENCH_THREADS (gthread workers with this many threads instead of sync
workers), BENCH_SERVERS (separate gunicorn servers sharing the database and, through Redis at
BENCH_CACHE_URL, the live state; default 1), BENCH_GUNICORN_CONFIG (a gunicorn config file for
the servers, e.g. bench/gunicorn_close_probe.py: the time workers spend closing connections),
BENCH_SHEDDING (0: the servers run with load
shedding off, GOVERNANCE_LOAD_SHEDDING=0, to compare; default on), BENCH_RATELIMIT (a storage
URI such as redis://127.0.0.1:6379/0: the servers run with the rate limits on, as deployed;
default off: every member's requests come from 127.0.0.1), BENCH_VOTE_LANE (each server
listens on a second port for the votes, and the ballot pages, confirmations and casts go there,
as deploy/nginx-governance.conf sends them, README "The votes' lane"; default on, as deployed;
0: one address for everything, to compare),
GOVERNANCE_TEST_PG_URL (admin URL).
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import os
import random
import secrets
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: python bench/bench_load.py
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, insert, select

import governance.models  # noqa: F401  (complete metadata)
from bench.ballots_load import free_port
from bench.bench_ballots import open_db
from bench.load_client import (
    SLICE_SECONDS,
    UA,
    Cpu,
    GcPauses,
    Member,
    Scenario,
    Stats,
    journey,
    loop_lag,
    probe,
    request,
    run,
)
from governance.accounts.models import User, UserRole
from governance.assemblies.live import POLL_SECONDS, REQUESTS_PER_SECOND
from governance.assemblies.models import Assembly, AssemblyForm, AssemblyState, RollEntry
from governance.assemblies.roll import roll_hash
from governance.assemblies.views_live import HEARTBEAT_SECONDS
from governance.audit.verify import verify
from governance.auditlog import record_event
from governance.ballots.models import Ballot, Participation, Poll
from governance.ballots.services import PollData, close_poll, create_poll, open_poll
from governance.db import immediate, make_engine, new_session, utcnow
from governance.register.models import Member as RegisterMember

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
SECRET = "bench-load-" + secrets.token_hex(8)
PG_ADMIN = os.environ.get(
    "GOVERNANCE_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
OFF = ("0", "false", "no", "off")  # BENCH_SHEDDING's words for off (as config.py's)
KINDS = ("cast", "live", "heartbeat", "live page", "ballot page", "confirm", "cast (pages)", "healthz", "healthz idle")  # fmt: skip


def knobs() -> dict[str, Any]:
    args = [a for a in sys.argv[1:] if a.isdigit()]
    window = float(os.environ.get("BENCH_WINDOW", 60))
    return {
        "members": int(args[0] if args else os.environ.get("BENCH_MEMBERS", 5000)),
        "window_s": window,
        "vote_spread_s": window * 0.75,
        "warmup_s": float(os.environ.get("BENCH_WARMUP", 60)),
        "pages_share": float(os.environ.get("BENCH_PAGES", 0.1)),
        "threads": int(os.environ.get("BENCH_THREADS") or 0),
        "server_cpus": os.environ.get("BENCH_SERVER_CPUS", ""),
        "workers": int(os.environ.get("BENCH_WORKERS") or (os.cpu_count() or 1) + 1),
        "backends": os.environ.get("BENCH_BACKENDS", "sqlite").split(","),
        # Separate gunicorn servers (each with workers / servers workers) sharing the database
        # and, through Redis (BENCH_CACHE_URL), the live state; members spread over them.
        "servers": int(os.environ.get("BENCH_SERVERS") or 1),
        "cache_url": os.environ.get("BENCH_CACHE_URL", "redis://127.0.0.1:6379/0"),
        # Load shedding in the servers (governance/pressure.py); BENCH_SHEDDING=0 turns it off.
        "shedding": os.environ.get("BENCH_SHEDDING", "1").strip().lower() not in OFF,
        # The rate limits' storage (e.g. redis://127.0.0.1:6379/0): the limits on, as deployed.
        "ratelimit": os.environ.get("BENCH_RATELIMIT", ""),
        # The votes' own listener (README, "The votes' lane"): each server binds a second port,
        # and the ballot pages and casts go there, as nginx would send them.
        "vote_lane": os.environ.get("BENCH_VOTE_LANE", "1").strip().lower() not in OFF,
    }


# --- database and server --------------------------------------------------------------------


def populate(engine: Any, n: int) -> tuple[int, list[tuple[int, int]]]:
    """A virtual assembly in session, its roll frozen (and recorded in the audit chain) with n
    members who each have a login. Returns (assembly id, [(user id, member id)])."""
    now = utcnow()
    with new_session(engine) as s:
        members = [
            RegisterMember(number=f"M-{i:07d}", last_name=f"Last{i}", first_names="Eva",
                           sort_name=f"last{i} eva", entry_date=date(2020, 1, 1))
            for i in range(1, n + 1)
        ]  # fmt: skip
        s.execute(insert(RegisterMember.__table__), [_row(m) for m in members])
        ids = s.scalars(select(RegisterMember.id).order_by(RegisterMember.id)).all()
        assembly = Assembly(
            title="Generalversammlung (Last)",
            form=AssemblyForm.VIRTUAL,
            starts_at=now,
            record_date=date(2025, 1, 1),
            state=AssemblyState.IN_SESSION,
            opened_at=now,
        )
        s.add(assembly)
        s.flush()
        rows = [{"assembly_id": assembly.id, "member_id": m, "shares": 1, "weight": 1} for m in ids]
        s.execute(insert(RollEntry.__table__), rows)
        users = [User(email=f"m{m}@load.example", display_name=f"M{m}", member_id=m) for m in ids]
        s.execute(insert(User.__table__), [_row(u) for u in users])
        pairs = s.execute(select(User.id, User.member_id).where(User.member_id.is_not(None))).all()
        s.execute(insert(UserRole.__table__), [{"user_id": u, "role": "MEMBER"} for u, _m in pairs])
        _freeze(s, assembly, n)
        s.commit()
        return int(assembly.id), [(int(u), int(m)) for u, m in pairs]


def _row(obj: Any) -> dict[str, Any]:
    """A model's column values with their Python defaults, for a bulk insert."""
    return dict(obj.model_dump(exclude={"id"}))


def _freeze(s: Any, assembly: Assembly, n: int) -> None:
    """The roll hash, recorded as governance.assemblies.roll.freeze_roll records it."""
    assembly.roll_hash = roll_hash(s, assembly_id=assembly.id)
    assembly.roll_frozen_at = utcnow()
    s.add(assembly)
    record_event(
        s, event_type="assembly.roll_frozen", actor=None, object_type="assembly",
        object_id=assembly.id, assembly_id=assembly.id,
        payload={"record_date": assembly.record_date, "entries": n,
                 "roll_hash": assembly.roll_hash, "multiple_votes": False},
    )  # fmt: skip


def mint(url: str, users: list[tuple[int, int]], pages_share: float) -> list[Member]:
    """Session cookie and CSRF token per member, as after a login from 127.0.0.1."""
    from flask import session
    from flask_login import login_user
    from flask_wtf.csrf import generate_csrf

    from governance import create_app

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": SECRET, "SCHEMA_CHECK": False})
    serializer = app.session_interface.get_signing_serializer(app)
    out = []
    for user_id, member_id in users:
        with app.test_request_context(
            environ_base={"REMOTE_ADDR": "127.0.0.1"}, headers={"User-Agent": UA}
        ):
            login_user(User(id=user_id, email=f"m{member_id}@load.example", security_stamp=0))
            token = generate_csrf()
            choice = random.choice(("YES", "YES", "NO", "ABSTAIN"))
            out.append(Member(member_id, serializer.dumps(dict(session)), token, choice))
            out[-1].pages = random.random() < pages_share
    app.extensions["governance.engine"].dispose()
    return out


def start_server(
    url: str, workers: int, extra_env: dict[str, str] | None = None, vote_port: int = 0
) -> tuple[subprocess.Popen[bytes], int]:
    """gunicorn (sync workers, as deployed) on a free port, and on `vote_port` too (the votes'
    lane) unless 0; waits for /healthz."""
    port = free_port()
    env = {**os.environ, "GOVERNANCE_DATABASE_URL": url, "GOVERNANCE_SECRET_KEY": SECRET,
           "GOVERNANCE_RATELIMIT_DISABLED": "1", **(extra_env or {})}  # fmt: skip
    gunicorn = Path(sys.executable).parent / "gunicorn"
    threads = int(os.environ.get("BENCH_THREADS") or 0)  # > 0: gthread workers
    kind = ["-k", "gthread", "--threads", str(threads)] if threads else ["-k", "sync"]
    cmd = [str(gunicorn), *kind, "-w", str(workers), "-b", f"127.0.0.1:{port}",
           "--backlog", "4096", "--log-level", "warning", "--timeout", "120", "wsgi:app"]  # fmt: skip
    if vote_port:
        cmd[-1:-1] = ["-b", f"127.0.0.1:{vote_port}"]
    if os.environ.get("BENCH_GUNICORN_CONFIG"):  # a gunicorn config file (hooks, probes)
        cmd[1:1] = ["-c", os.environ["BENCH_GUNICORN_CONFIG"]]
    if os.environ.get("BENCH_SERVER_CPUS"):  # e.g. "0": the server on one core only
        cmd = ["taskset", "-c", os.environ["BENCH_SERVER_CPUS"], *cmd]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                return proc, port
        except OSError:
            time.sleep(0.3)
    proc.terminate()
    raise RuntimeError("gunicorn did not start")


def start_servers(
    url: str, k: dict[str, Any], members: list[Member]
) -> tuple[list[subprocess.Popen[bytes]], int]:
    """BENCH_SERVERS gunicorn servers; the members spread over them in turn. Returns the
    servers and the first one's port (/healthz probes)."""
    n = k["servers"]
    env = {"GOVERNANCE_LOAD_SHEDDING": "1" if k["shedding"] else "0"}
    if k["ratelimit"]:  # the rate limits on, as in production (per login: live, beats, casts)
        env["GOVERNANCE_RATELIMIT_DISABLED"] = "0"
        env["GOVERNANCE_RATELIMIT_STORAGE_URI"] = k["ratelimit"]
    if n > 1:
        env["GOVERNANCE_CACHE_URL"] = k["cache_url"]
        env["GOVERNANCE_CACHE_PREFIX"] = f"bench-{SECRET[:8]}"
    lanes = [free_port() if k["vote_lane"] else 0 for _ in range(n)]
    started = [start_server(url, max(1, k["workers"] // n), env, lane) for lane in lanes]
    for i, member in enumerate(members):
        member.port, member.vote_port = started[i % n][1], lanes[i % n]
    return [proc for proc, _port in started], started[0][1]


# --- the scenario ---------------------------------------------------------------------------


def open_new_poll(engine: Any, assembly_id: int) -> int:
    """The chair opens a secret motion (through the services, as the view does)."""
    with new_session(engine) as s:
        with immediate():  # the write lock first, as the app's POSTs take it
            s.connection()
        assembly = s.get(Assembly, assembly_id)
        poll = create_poll(s, assembly=assembly, data=PollData(title="Jahresabschluss"), actor=None)
        open_poll(s, poll=poll, actor=None, now=utcnow())
        s.commit()
        return int(poll.id)


def open_poll_elsewhere(url: str, assembly_id: int) -> int:
    """open_new_poll in a process of its own (the chair's request is served by the server):
    in a thread of this busy client it would hold SQLite's write lock while it waits for the
    client's GIL, and stall every writer of the server meanwhile."""
    engine = make_engine(url)
    try:
        return open_new_poll(engine, assembly_id)
    finally:
        engine.dispose()


def _ready() -> bool:
    return True


async def idle_baseline(port: int, stats: Stats) -> None:
    """/healthz with nothing else going on (for reference)."""
    for _ in range(50):
        answer = request(port, "GET", "/healthz", {})
        await stats.timed("healthz idle", answer, lambda a: a.status == 200)


async def scenario(engine: Any, port: int, assembly_id: int, members: list[Member], k: dict):
    """Watchers arrive over the warm-up; the poll opens; all vote; then everyone stops."""
    loop = asyncio.get_running_loop()
    stats = Stats()
    await idle_baseline(port, stats)
    sc = Scenario(port, stats, POLL_SECONDS, HEARTBEAT_SECONDS, k["vote_spread_s"])
    sc.live_requests_per_second = int(
        os.environ.get("GOVERNANCE_LIVE_REQUESTS_PER_SECOND") or REQUESTS_PER_SECOND
    )  # the servers' setting (they inherit the environment)
    tasks = [
        asyncio.create_task(journey(sc, m, assembly_id, random.uniform(0, k["warmup_s"])))
        for m in members
    ]
    tasks.append(asyncio.create_task(probe(sc, "/healthz", "healthz", 0.2)))
    tasks.append(asyncio.create_task(loop_lag(sc)))
    url = engine.url.render_as_string(hide_password=False)
    # The chair's process ends only after the load: ending it (joined by the executor's exit)
    # blocked this loop for up to a second right at the opening.
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as chair:
        await loop.run_in_executor(chair, _ready)  # started (and imported) before it counts
        await asyncio.sleep(k["warmup_s"] + POLL_SECONDS)
        poll_id = await loop.run_in_executor(chair, open_poll_elsewhere, url, assembly_id)
        sc.opened_at = stats.origin = loop.time()
        deadline = sc.opened_at + k["window_s"] + 30
        while loop.time() < deadline and any(m.voted_at is None for m in members):
            await asyncio.sleep(0.5)
        sc.stop.set()
        sc.stopped_at = loop.time()
        await asyncio.gather(*tasks)
    return stats, sc, poll_id


def after(engine: Any, assembly_id: int, poll_id: int) -> dict[str, Any]:
    """Close (and seal) the poll, count the box, run the secretary's audit."""
    with new_session(engine) as s:
        t0 = time.perf_counter()
        with immediate():
            s.connection()
        close_poll(s, poll=s.get(Poll, poll_id), actor=None, now=utcnow())
        s.commit()
        seal_s = time.perf_counter() - t0
    with new_session(engine) as s:
        ballots = s.scalar(select(func.count()).where(Ballot.poll_id == poll_id))
        parts = s.scalar(select(func.count()).where(Participation.poll_id == poll_id))
        report = verify(s, assembly_id=assembly_id)
        failed = sorted(report.codes())
    return {
        "ballots": int(ballots or 0),
        "participations": int(parts or 0),
        "close_and_seal_s": round(seal_s, 2),
        "audit_ok": report.ok,
        "audit_failures": failed,
    }


def figures(stats: Stats, sc: Scenario, members: list[Member], k: dict) -> dict[str, Any]:
    out: dict[str, Any] = {kind: stats.figures(kind) for kind in KINDS}
    base = out["healthz"].get("p50_ms") or 0
    landed = [m.voted_at for m in members if m.voted_at is not None]
    out["ratios"] = {
        f"{kind} p50 / healthz p50 (same load)": round(out[kind]["p50_ms"] / base, 2)
        for kind in ("cast", "live")
        if base and out[kind].get("p50_ms")
    }
    out["votes"] = {
        "members": len(members),
        "casts_sent": sc.casts_sent,
        "casts_ok": len(landed),
        "last_cast_s": round(max(landed), 1) if landed else None,
        "all_within_window": len(landed) == len(members) and max(landed) <= k["window_s"],
    }
    out["errors"] = dict(stats.errors)
    out["statuses"] = dict(stats.statuses)
    out["shedding"] = shedding(stats, sc, k)
    return out


def shedding(stats: Stats, sc: Scenario, k: dict) -> dict[str, Any]:
    """What the server told the pages (interval → answers), the casts refused, and the cheap
    requests and casts sent per slice from the opening (issue #19)."""
    assert sc.opened_at is not None
    live_n, beats_n = sum(stats.live_told.values()), sum(stats.beat_told.values())
    beats_longer = sum(n for told, n in stats.beat_told.items() if told > sc.heartbeat_seconds)
    refused = sum(n for key, n in stats.errors.items() if key.partition(":")[0] in ("cast", "cast (pages)"))  # fmt: skip
    slices = stats.slices(sc.opened_at)
    end = min(sc.opened_at + k["window_s"], sc.stopped_at or sc.opened_at + k["window_s"])
    # The complete slices of the voting window (from the opening to its end or the stop).
    voting = [s for s in slices if s[0] >= 0 and sc.opened_at + s[0] + SLICE_SECONDS <= end]
    busiest = max(voting, key=lambda s: s[1], default=None)
    quietest = min(voting, key=lambda s: s[1], default=None)

    def rate(s: list[float] | None) -> dict[str, float] | None:
        if s is None:
            return None
        return {"from_s": s[0], "cheap_per_s": round(s[1] / SLICE_SECONDS, 1),
                "casts_per_s": round(s[2] / SLICE_SECONDS, 1)}  # fmt: skip

    return {
        "load_shedding": k["shedding"],
        "live_poll_seconds_told": dict(sorted(stats.live_told.items())),
        "live_200": live_n,
        "live_longer_than_base": stats.live_longer,
        "live_longer_share": round(stats.live_longer / live_n, 3) if live_n else None,
        "heartbeat_beat_seconds_told": dict(sorted(stats.beat_told.items())),
        "heartbeat_base_s": sc.heartbeat_seconds,
        "heartbeat_longer_share": round(beats_longer / beats_n, 3) if beats_n else None,
        "casts_refused": refused,
        "slice_s": SLICE_SECONDS,
        "slices_from_opening": [[s[0], int(s[1]), int(s[2])] for s in slices],  # [s, cheap, casts]
        "p99_ms_by_slice_sent": stats.slice_p99(sc.opened_at),  # [s, p99 ms of all kinds]
        "voting_busiest_slice": rate(busiest),
        "voting_quietest_slice": rate(quietest),
    }


def machine_speed() -> float:
    """Seconds for 10 million turns of an empty Python loop: this machine's speed varies
    several-fold over a day (shared host), so every run records it beside its figures."""
    t0 = time.perf_counter()
    for _ in range(10_000_000):
        pass
    return round(time.perf_counter() - t0, 2)


def run_backend(backend: str, k: dict[str, Any]) -> dict[str, Any]:
    n = k["members"]
    with tempfile.TemporaryDirectory() as tmp:
        url, cleanup = open_db(backend, Path(tmp), prefix="load")
        engine = make_engine(url)
        procs: list[subprocess.Popen[bytes]] = []
        try:
            t0 = time.perf_counter()
            assembly_id, users = populate(engine, n)
            members = mint(url, users, k["pages_share"])
            print(f"[{backend}] {n} members ready in {time.perf_counter() - t0:.1f} s", flush=True)
            procs, port = start_servers(url, k, members)
            speed = machine_speed()
            cpu = Cpu(*(p.pid for p in procs))
            with GcPauses() as pauses:
                stats, sc, poll_id = run(scenario(engine, port, assembly_id, members, k))
            machine = cpu.done(sum(len(v) for v in stats.latencies.values()))
        finally:
            for proc in procs:
                proc.terminate()
                proc.wait(timeout=60)
        try:
            result = {**figures(stats, sc, members, k), **after(engine, assembly_id, poll_id)}
            result["machine"] = {
                **machine, **pauses.figures(), **stats.lag_figures(), "python_loop_10M_s": speed,
                "load_shedding": k["shedding"], "rate_limits": k["ratelimit"] or "off",
            }  # fmt: skip
        finally:
            engine.dispose()
            cleanup()
    v = result["votes"]
    result["box_ok"] = (
        result["ballots"] == result["participations"] == v["casts_ok"] == v["casts_sent"]
    )
    return {"backend": backend, **result}


def report(rows: list[dict[str, Any]], k: dict[str, Any]) -> None:
    kind = f"gthread workers × {k['threads']} threads" if k["threads"] else "sync workers"
    servers = f" in {k['servers']} servers" if k["servers"] > 1 else ""
    servers += ", the votes on their own listener" if k["vote_lane"] else ""
    print(f"\n{k['members']} members, window {k['window_s']:g} s, {k['workers']} {kind}{servers}, "
          f"{os.cpu_count()} CPUs")  # fmt: skip
    for r in rows:
        print(f"{r['backend']:<11}machine {r['machine']}")
    print(f"{'backend':<11}{'requests':<14}{'n':>8}{'p50 ms':>10}{'p99 ms':>10}{'max ms':>10}"
          f"{'max sent at':>13}")  # fmt: skip
    for r in rows:
        for kind in KINDS:
            f = r[kind]
            if f["n"]:
                at = f.get("max_sent_at_s")
                print(f"{r['backend']:<11}{kind:<14}{f['n']:>8}{f['p50_ms']:>10}{f['p99_ms']:>10}"
                      f"{f['max_ms']:>10}{'' if at is None else f'{at:+.1f} s':>13}")  # fmt: skip
        v = r["votes"]
        print(f"{r['backend']:<11}ratios {r['ratios']}")
        print(f"{r['backend']:<11}votes: {v['casts_ok']} of {v['members']} cast, last after "
              f"{v['last_cast_s']} s (all within the window: {v['all_within_window']}); "
              f"errors: {sum(r['errors'].values())} {r['errors'] or ''}")  # fmt: skip
        _report_shedding(r)
        print(f"{r['backend']:<11}after closing: ballots {r['ballots']} = participations "
              f"{r['participations']} = casts {v['casts_ok']}: {r['box_ok']}; "
              f"audit {'passed' if r['audit_ok'] else 'FAILED ' + str(r['audit_failures'])}")  # fmt: skip


def _report_shedding(r: dict[str, Any]) -> None:
    """The shedding line: intervals told, casts refused; cheap requests vs casts per slice."""
    sh, b = r["shedding"], f"{r['backend']:<11}"

    def share(x: float | None) -> str:
        return "-" if x is None else f"{x:.0%}"

    print(f"{b}shedding ({'on' if sh['load_shedding'] else 'OFF'}): live poll_seconds told: "
          f"{sh['live_poll_seconds_told']} ({share(sh['live_longer_share'])} longer than the "
          f"base for the audience); heartbeat beat_seconds told: "
          f"{sh['heartbeat_beat_seconds_told']} ({share(sh['heartbeat_longer_share'])} longer "
          f"than {sh['heartbeat_base_s']:g} s); casts refused: {sh['casts_refused']}")  # fmt: skip
    hi, lo = sh["voting_busiest_slice"], sh["voting_quietest_slice"]
    if hi and lo:
        print(f"{b}cheap requests/s in the voting window: busiest slice {hi['cheap_per_s']} "
              f"(+{hi['from_s']:g} s, casts/s {hi['casts_per_s']}), quietest {lo['cheap_per_s']} "
              f"(+{lo['from_s']:g} s, casts/s {lo['casts_per_s']})")  # fmt: skip
    after = [s for s in sh["slices_from_opening"] if s[0] >= -sh["slice_s"]]
    cells = " ".join(f"{s[0]:+g}:{s[1]}/{s[2]}" for s in after)
    print(f"{b}sent per {sh['slice_s']:g} s from the opening (cheap/casts): {cells}")
    p99 = " ".join(f"{s[0]:+g}:{s[1]}" for s in sh["p99_ms_by_slice_sent"] if s[0] >= -20)
    print(f"{b}p99 ms of the requests sent per {sh['slice_s']:g} s (all kinds): {p99}")


def main() -> None:
    k = knobs()
    rows = [run_backend(b, k) for b in k["backends"]]
    report(rows, k)
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    for row in rows:
        name = RESULTS / f"load-{row['backend']}-{k['members']}-{stamp}.json"
        knobs_out = {key: v for key, v in k.items() if key != "backends"}
        name.write_text(json.dumps({**knobs_out, "cpus": os.cpu_count(), **row}, indent=2))
        print(f"wrote {name.relative_to(ROOT)}")
    ok = all(r["box_ok"] and r["audit_ok"] and not r["errors"] for r in rows)
    if not ok:
        raise RuntimeError("the load scenario found errors (see above)")


if __name__ == "__main__":
    main()
