"""Casting under load, against the app under gunicorn (sync workers), on SQLite and PostgreSQL.

(a) voters casting at a steady rate: 10,000 within one minute (full) — quick run: 2,000 within
    12 s, the same rate; (b) N voters clicking "cast" at the same instant: 1,000 and 5,000
    (full) — quick: 1,000 and 2,000. Each cast is the real request: session cookie of a
    logged-in member, CSRF token, POST /polls/<id>/cast, tracker in the answer — as the live
    page casts (JSON answer; BENCH_CAST=page: the ballot pages' form post and receipt page,
    which the figures before issue #19 measured).
Reported: casts/s, p50, p99, errors (must be 0), the server workers' CPU ms per cast and the
database's (PostgreSQL's processes on this machine, "db ms"), and ballots == participations
afterwards.
The same bursts go to a bare WSGI endpoint doing only the two inserts (bench/bare_app.py),
giving the ratio app/bare (goal ≥ 0.4, issue #19; earlier ≥ 0.7), and, as encrypted motion ballots, to encrypted polls of
a second assembly with a ready key (bench/bench_encrypted.py): the ratio encrypted/plain (goal
≥ 2/3) and the server's proof check per motion ballot (goal < 5 ms). Finally seal + tally of 100,000 ballots (goal < 2 s).
Prints a table and writes JSON to bench/results/.

Run: .venv/bin/python -m bench ballots            (quick)
     BENCH_SCALE=full .venv/bin/python -m bench ballots
Knobs: BENCH_SCALE=tiny|quick|full (tiny: a smoke test of the benchmark), BENCH_CAST=json|page, BENCH_WORKERS (default CPUs + 1, as the README advises), BENCH_SEAL_BALLOTS
(default 100000), BENCH_BACKENDS=sqlite,postgresql, BENCH_PARTS=http,seal, GOVERNANCE_TEST_PG_URL (admin URL).
"""

from __future__ import annotations

import json
import os
import random
import secrets
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, func, insert, select, text

import governance.models  # noqa: F401  (complete metadata)
from bench.ballots_load import (
    cookies,
    database_cpu,
    load,
    request_bytes,
    server_cpu,
    start_server,
    stop_server,
)
from bench.bench_encrypted import encrypted_ratios, encrypted_raws, keyed_assembly, proof_check
from governance.accounts.models import User, UserRole
from governance.assemblies.models import Assembly, AssemblyState, Attendance, Channel, RollEntry
from governance.assemblies.roll import roll_hash
from governance.ballots.models import Ballot, Participation, Poll
from governance.ballots.services import PollData, close_poll, create_poll, open_poll
from governance.ballots.tally import compute_result
from governance.db import make_engine, new_session, utcnow
from governance.migrations.runner import upgrade
from governance.register.models import Member

ROOT = Path(__file__).resolve().parent.parent
SECRET = "bench-secret-key-" + secrets.token_hex(8)
UA = "governance-bench"
SCALES = {
    "tiny": {"rate": (200, 2.0), "bursts": (100, 200)},  # smoke test of the benchmark itself
    "quick": {"rate": (2000, 12.0), "bursts": (1000, 2000)},
    "full": {"rate": (10000, 60.0), "bursts": (1000, 5000)},
}
PG_ADMIN = os.environ.get(
    "GOVERNANCE_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


# --- database ------------------------------------------------------------------------------


def _nothing() -> None:
    """Nothing to clean up: the SQLite file goes with its temporary folder."""


def open_db(backend: str, tmp: Path, *, prefix: str = "bench") -> tuple[str, Any]:
    """A fresh migrated database; returns (url, cleanup)."""
    if backend == "sqlite":
        url, cleanup = f"sqlite:///{tmp / f'{prefix}.sqlite3'}", _nothing
    else:
        name = f"governance_{prefix}_{os.getpid()}"
        admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = f"{PG_ADMIN.rsplit('/', 1)[0]}/{name}"

        def cleanup() -> None:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()

    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    return url, cleanup


def populate(engine: Any, *, members: int, voters: int) -> tuple[int, list[tuple[int, int]]]:
    """An assembly in session with a frozen roll of `members`, the first `voters` of them with
    a login and checked in. Returns (assembly id, [(user id, member id)])."""
    now = utcnow()
    with new_session(engine) as s:
        rows = [
            Member(
                number=f"M-{i:07d}",
                last_name=f"Bench{i}",
                first_names="B",
                entry_date=date(2020, 1, 1),
            ).model_dump(exclude={"id"})
            for i in range(1, members + 1)
        ]
        s.execute(insert(Member.__table__), rows)
        ids = s.scalars(select(Member.id).order_by(Member.id)).all()
        assembly = Assembly(
            title="Bench",
            starts_at=now,
            record_date=date(2024, 1, 1),
            state=AssemblyState.IN_SESSION,
            opened_at=now,
        )
        s.add(assembly)
        s.flush()
        _bulk(
            s, RollEntry, [RollEntry(assembly_id=assembly.id, member_id=m, shares=1) for m in ids]
        )
        _bulk(
            s,
            Attendance,
            [
                Attendance(assembly_id=assembly.id, member_id=m, channel=Channel.ROOM)
                for m in ids[:voters]
            ],
        )
        _bulk(
            s,
            User,
            [
                User(email=f"v{m}@bench.example", display_name=f"V{m}", member_id=m)
                for m in ids[:voters]
            ],
        )
        users = s.execute(select(User.id, User.member_id).where(User.member_id.is_not(None))).all()
        s.execute(insert(UserRole.__table__), [{"user_id": u, "role": "MEMBER"} for u, _m in users])
        assembly.roll_hash = roll_hash(s, assembly_id=assembly.id)
        assembly.roll_frozen_at = now
        s.commit()
        return assembly.id, [(int(u), int(m)) for u, m in users]


def _bulk(s: Any, model: Any, objects: list[Any]) -> None:
    s.execute(insert(model.__table__), [o.model_dump(exclude={"id"}) for o in objects])


def new_poll(engine: Any, assembly_id: int, title: str) -> int:
    with new_session(engine) as s:
        poll = create_poll(
            s, assembly=s.get(Assembly, assembly_id), data=PollData(title=title), actor=None
        )
        open_poll(s, poll=poll, actor=None, now=utcnow())
        s.commit()
        return int(poll.id)


def box_counts(engine: Any, poll_id: int) -> tuple[int, int]:
    with engine.connect() as conn:
        b = conn.scalar(select(func.count()).select_from(Ballot).where(Ballot.poll_id == poll_id))
        p = conn.scalar(
            select(func.count()).select_from(Participation).where(Participation.poll_id == poll_id)
        )
    return int(b or 0), int(p or 0)


# --- scenarios -----------------------------------------------------------------------------


def app_raws(port: int, poll: int, voters: list[tuple[int, int]], creds: list[Any]) -> list[bytes]:
    """Each voter's cast: as the live page sends it (JSON answer), or with BENCH_CAST=page as
    the ballot pages' form post (the receipt page)."""
    accept = None if os.environ.get("BENCH_CAST") == "page" else "application/json"
    return [
        request_bytes(
            f"/polls/{poll}/cast",
            port,
            {"voter": m, "choice": random.choice(("YES", "NO", "ABSTAIN")), "csrf_token": tok},
            cookie,
            accept,
        )
        for (_u, m), (cookie, tok) in zip(voters, creds, strict=True)
    ]


def http_scenarios(url: str, engine: Any, assembly: int, users: list[Any], scale: dict) -> list:
    workers = int(os.environ.get("BENCH_WORKERS") or (os.cpu_count() or 1) + 1)
    creds = cookies(url, SECRET, users)
    rows: list[dict[str, Any]] = []
    proc, port = start_server("governance:create_app()", url, workers, SECRET)
    try:
        n, window = scale["rate"]
        poll = new_poll(engine, assembly, "rate")
        figures = load(port, app_raws(port, poll, users[:n], creds[:n]), window)
        rows.append(
            {
                "scenario": f"app: {n} within {window:g} s",
                **figures,
                "box_ok": box_counts(engine, poll) == (n, n),
            }
        )
        for n in scale["bursts"]:
            poll = new_poll(engine, assembly, f"burst {n}")
            figures = measured(proc, port, app_raws(port, poll, users[:n], creds[:n]))
            rows.append(
                {
                    "scenario": f"app: {n} at once",
                    **figures,
                    "box_ok": box_counts(engine, poll) == (n, n),
                }
            )
        rows += encrypted_scenarios(engine, port, users, creds, scale)
    finally:
        stop_server(proc)
    rows += bare_scenarios(url, engine, assembly, users, scale, workers)
    return rows


def measured(proc: Any, port: int, raws: list[bytes]) -> dict[str, Any]:
    """The load's figures, with the server workers' CPU per cast (ms) and the database's
    (PostgreSQL's processes on this machine; 0 on SQLite, whose work is the workers')."""
    before, db_before = server_cpu(proc), database_cpu()
    figures = dict(load(port, raws))
    figures["server_cpu_ms"] = round((server_cpu(proc) - before) / len(raws) * 1000, 2)
    figures["db_cpu_ms"] = round((database_cpu() - db_before) / len(raws) * 1000, 2)
    return figures


def encrypted_scenarios(engine: Any, port: int, users: list, creds: list, scale: dict) -> list:
    """The same bursts in encrypted polls (bench_encrypted.py), by the same server and voters."""
    keyed = keyed_assembly(engine, users[: max(scale["bursts"])])
    rows: list[dict[str, Any]] = []
    poll = 0
    for n in scale["bursts"]:
        poll = new_poll(engine, keyed, f"encrypted {n}")
        figures = load(port, encrypted_raws(engine, port, poll, users[:n], creds[:n]))
        rows.append(
            {
                "scenario": f"encrypted: {n} at once",
                **figures,
                "box_ok": box_counts(engine, poll) == (n, n),
            }
        )
    rows.append(proof_check(engine, poll))
    return rows


def bare_scenarios(url: str, engine: Any, assembly: int, users: list, scale: dict, workers: int):
    rows = []
    proc, port = start_server("bench.bare_app:app", url, workers, SECRET)
    try:
        for n in scale["bursts"]:
            poll = new_poll(engine, assembly, f"bare {n}")
            raws = [
                request_bytes("/", port, {"poll": poll, "voter": m, "choice": "YES"}, None)
                for _u, m in users[:n]
            ]
            figures = measured(proc, port, raws)
            rows.append(
                {
                    "scenario": f"bare: {n} at once",
                    **figures,
                    "box_ok": box_counts(engine, poll) == (n, n),
                }
            )
    finally:
        stop_server(proc)
    return rows


def seal_and_tally(engine: Any, assembly: int, ballots: int) -> dict[str, Any]:
    """Fill a poll with `ballots` ballots directly, then time close+seal, commit, tally."""
    poll_id = new_poll(engine, assembly, "seal")
    with engine.begin() as conn:
        members = conn.scalars(
            select(RollEntry.member_id).where(RollEntry.assembly_id == assembly).limit(ballots)
        ).all()
        conn.execute(
            insert(Participation.__table__),
            [
                {"poll_id": poll_id, "member_id": m, "cast_by_member_id": m, "channel": "ONLINE"}
                for m in members
            ],
        )
        conn.execute(
            insert(Ballot.__table__),
            [
                {
                    "tracker": secrets.token_bytes(16),
                    "poll_id": poll_id,
                    "choice": random.choice(("YES", "NO", "ABSTAIN")),
                }
                for _m in members
            ],
        )
    with new_session(engine) as s:
        t0 = time.perf_counter()
        close_poll(s, poll=s.get(Poll, poll_id), actor=None, now=utcnow())
        t1 = time.perf_counter()
        s.commit()  # includes the scrub (WAL checkpoint / VACUUM)
        t2 = time.perf_counter()
        result = compute_result(s, poll=s.get(Poll, poll_id))
        t3 = time.perf_counter()
    return {
        "scenario": f"seal + tally of {len(members)} ballots",
        "n": len(members),
        "seal_s": round(t1 - t0, 3),
        "commit_scrub_s": round(t2 - t1, 3),
        "tally_s": round(t3 - t2, 3),
        "seconds": round(t3 - t0, 3),
        "goal_met": (t1 - t0) + (t3 - t2) < 2.0,
        "valid": result.valid,
    }


def run_backend(backend: str, scale: dict, seal_ballots: int) -> list[dict[str, Any]]:
    voters = max(scale["rate"][0], *scale["bursts"])
    with tempfile.TemporaryDirectory() as tmp:
        url, cleanup = open_db(backend, Path(tmp))
        engine = make_engine(url)
        try:
            assembly, users = populate(engine, members=max(voters, seal_ballots), voters=voters)
            parts = os.environ.get("BENCH_PARTS", "http,seal")
            rows = http_scenarios(url, engine, assembly, users, scale) if "http" in parts else []
            if "seal" in parts:
                rows.append(seal_and_tally(engine, assembly, seal_ballots))
        finally:
            engine.dispose()
            cleanup()
    for row in rows:
        row["backend"] = backend
    return rows


def ratios(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    by = {(r["backend"], r["scenario"]): r for r in rows}
    for (backend, scenario), row in by.items():
        if scenario.startswith("app: ") and scenario.endswith("at once"):
            bare = by.get((backend, scenario.replace("app: ", "bare: ")))
            if bare:
                ratio = row["casts_per_s"] / bare["casts_per_s"]
                out.append(
                    {
                        "backend": backend,
                        "scenario": f"ratio app/bare, {row['n']} at once",
                        "ratio": round(ratio, 2),
                        "goal_met": ratio >= 0.4,
                    }
                )
    return out


def report(rows: list[dict[str, Any]]) -> None:
    print(
        f"{'backend':<11}{'scenario':<34}{'casts/s':>9}{'p50 ms':>9}{'p99 ms':>9}"
        f"{'errors':>8}{'CPU ms':>8}{'db ms':>7}  box ok / result"
    )
    for r in rows:
        if "ratio" in r:
            goal = r.get("goal", "≥ 0.4")
            extra = f"ratio {r['ratio']} (goal {goal}: {'met' if r['goal_met'] else 'NOT met'})"
            print(f"{r['backend']:<11}{r['scenario']:<34}{'':>35}  {extra}")
        elif "ms_per_ballot" in r:
            extra = (
                f"{r['ms_per_ballot']} ms per ballot (goal < 5 ms: "
                f"{'met' if r['goal_met'] else 'NOT met'})"
            )
            print(f"{r['backend']:<11}{r['scenario']:<34}{'':>35}  {extra}")
        elif "seal_s" in r:
            extra = (
                f"seal {r['seal_s']} s + tally {r['tally_s']} s (goal < 2 s: "
                f"{'met' if r['goal_met'] else 'NOT met'}); commit+scrub {r['commit_scrub_s']} s"
            )
            print(f"{r['backend']:<11}{r['scenario']:<34}{'':>35}  {extra}")
        else:
            print(
                f"{r['backend']:<11}{r['scenario']:<34}{r['casts_per_s']:>9}{r['p50_ms']:>9}"
                f"{r['p99_ms']:>9}{r['errors']:>8}{r.get('server_cpu_ms', ''):>8}"
                f"{r.get('db_cpu_ms', ''):>7}  {r['box_ok']}"
            )


def main() -> None:
    scale_name = os.environ.get("BENCH_SCALE", "quick")
    if "--full" in sys.argv:
        scale_name = "full"
    scale = SCALES[scale_name]
    seal_ballots = int(os.environ.get("BENCH_SEAL_BALLOTS", "100000"))
    backends = os.environ.get("BENCH_BACKENDS", "sqlite,postgresql").split(",")
    rows: list[dict[str, Any]] = []
    for backend in backends:
        print(f"-- {backend} ({scale_name})", flush=True)
        rows += run_backend(backend.strip(), scale, seal_ballots)
    rows += ratios(rows) + encrypted_ratios(rows)
    report(rows)
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = out / f"ballots-{scale_name}-{stamp}.json"
    path.write_text(
        json.dumps({"scale": scale_name, "cpus": os.cpu_count(), "rows": rows}, indent=2)
    )
    print(f"wrote {path}")
    failed = [r for r in rows if r.get("errors") or r.get("box_ok") is False]
    if failed:
        raise SystemExit(f"errors or box mismatch in {len(failed)} scenario(s)")


if __name__ == "__main__":
    main()
