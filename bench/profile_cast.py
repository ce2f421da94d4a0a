"""Where a cast's CPU goes: N JSON casts in-process on SQLite under cProfile (issue #19).

Figures in ms vary several-fold with the machine's load: compare against the commit before a
change in the same hour (run this module from a checkout of it), or by function calls per cast.

Builds the benchmark's world (an assembly in session, N members on the roll with a login,
an open motion), then sends each member's real cast — session cookie, CSRF token,
POST /polls/<id>/cast asking for JSON — through the app's WSGI stack in this process, once
without and once with the profiler. Prints the CPU per cast and the parts that matter
(the user loader, the form, the translations, the ORM, cast_vote, the rest), and writes
the whole profile to bench/results/profile_cast.prof for `python -m pstats`.

Run: .venv/bin/python -m bench.profile_cast        Knob: BENCH_CASTS (default 1000)
"""

from __future__ import annotations

import cProfile
import os
import pstats
import random
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.ballots_load import cookies
from bench.bench_ballots import SECRET, UA, new_poll, open_db, populate
from governance import create_app
from governance.db import make_engine

RESULTS = Path(__file__).resolve().parent / "results"
# (label, substring of "file:function" in the profile) for the parts the issue names.
PARTS = [
    ("user loader", "accounts/views.py:load_user"),
    ("cast form built", "wtforms/form.py:__call__"),
    ("wtforms translations loaded", "flask_wtf/i18n.py:_get_translations"),
    ("SQL executed", "sqlalchemy/engine/base.py:_execute_context"),
    ("gate and entitlement", "ballots/access.py:gate_cast"),
    ("cast_vote", "ballots/casting.py:cast_vote"),
    ("lock and facts", "ballots/casting.py:lock_with_facts"),
    ("lock_for_cast (before #19)", "lock_for_cast"),
    ("templates rendered", "flask/templating.py:render_template"),
]


def casts(app: Any, poll: int, voters: list[tuple[int, int]], creds: list[Any]) -> list[Any]:
    """The environ of each voter's cast (cookie, CSRF token, a random choice)."""
    from werkzeug.test import EnvironBuilder

    out = []
    for (_u, member), (cookie, token) in zip(voters, creds, strict=True):
        builder = EnvironBuilder(
            path=f"/polls/{poll}/cast",
            method="POST",
            base_url="http://127.0.0.1:5000",
            headers={"User-Agent": UA, "Accept": "application/json", "Cookie": f"session={cookie}"},
            data={"voter": member, "choice": random.choice(("YES", "NO")), "csrf_token": token},
            environ_base={"REMOTE_ADDR": "127.0.0.1"},
        )
        out.append(builder.get_environ())
        builder.close()
    return out


def run(app: Any, environs: list[Any]) -> float:
    """Send every cast through the WSGI app; the CPU seconds spent; fail on a refused cast."""
    status: list[str] = []

    def start_response(code: str, _headers: Any, _exc: Any = None) -> None:
        status.append(code)

    start = time.process_time()
    for environ in environs:
        body = b"".join(app.wsgi_app(environ, start_response))
        if not status[-1].startswith("200"):
            raise SystemExit(f"cast refused: {status[-1]} {body[:200]!r}")
    return time.process_time() - start


def part_times(stats: pstats.Stats) -> dict[str, float]:
    """Cumulative seconds of each named part (the outermost call of each function)."""
    found = dict.fromkeys((label for label, _key in PARTS), 0.0)
    for (file, _line, func), (_cc, _nc, _tt, ct, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        where = f"{file}:{func}"
        for label, key in PARTS:
            if key in where:
                found[label] = max(found[label], ct)
    return found


def main() -> None:
    n = int(os.environ.get("BENCH_CASTS", "1000"))
    with tempfile.TemporaryDirectory() as tmp:
        url, _cleanup = open_db("sqlite", Path(tmp))
        engine = make_engine(url)
        assembly, voters = populate(engine, members=2 * n, voters=2 * n)
        warm, profiled = (
            new_poll(engine, assembly, "warm-up"),
            new_poll(engine, assembly, "profiled"),
        )
        engine.dispose()
        creds = cookies(url, SECRET, voters)
        app = create_app(
            {
                "DATABASE_URL": url,
                "SECRET_KEY": SECRET,
                "SCHEMA_CHECK": False,
                "RATELIMIT_ENABLED": False,
            }
        )
        plain = run(app, casts(app, warm, voters[:n], creds[:n]))
        profiler = cProfile.Profile()
        environs = casts(app, profiled, voters[n:], creds[n:])
        profiler.enable()
        run(app, environs)
        profiler.disable()
    RESULTS.mkdir(exist_ok=True)
    profiler.dump_stats(str(RESULTS / "profile_cast.prof"))
    stats = pstats.Stats(profiler)
    total = stats.total_tt  # type: ignore[attr-defined]
    print(f"{n} JSON casts in-process on SQLite")
    print(f"CPU per cast without the profiler: {plain / n * 1000:.2f} ms")
    calls = stats.total_calls  # type: ignore[attr-defined]
    # Function calls do not depend on the machine's speed: compare them across runs and hours.
    print(f"Python function calls per cast: {calls / n:,.0f}")
    print(f"under the profiler: {total / n * 1000:.2f} ms per cast, of which")
    for label, seconds in part_times(stats).items():
        print(f"  {label:<28} {seconds / n * 1000:6.2f} ms  ({seconds / total:5.1%})")
    stats.sort_stats("cumulative").print_stats(25)


if __name__ == "__main__":
    main()
