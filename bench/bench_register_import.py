"""CSV import of 100,000 generated members on SQLite (goal: under 30 s).

Prints the time of the full import (decode, validate every row, insert members and their
initial share subscriptions through the ledger triggers, audit event) and, as a baseline
measured in the same run on the same machine, a bare executemany of the same member rows
into a table without indexes, constraints or triggers.
Run: .venv/bin/python -m bench register_import   (BENCH_MEMBERS=... to change the size)
"""

from __future__ import annotations

import os
import random
import sqlite3
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import governance.models  # noqa: F401  (complete metadata)
from governance.db import make_engine, new_session
from governance.migrations.runner import upgrade
from governance.register.csv_import import import_csv

GOAL_SECONDS = 30.0
COLUMNS = [
    "last_name",
    "first_names",
    "street",
    "postal_code",
    "city",
    "email",
    "entry_date",
    "shares",
]
LAST = [
    "Müller",
    "Schmidt",
    "Schneider",
    "Fischer",
    "Weber",
    "Meyer",
    "Wagner",
    "Becker",
    "Schulz",
    "Hoffmann",
    "Schäfer",
    "Koch",
    "Bauer",
    "Richter",
    "Klein",
    "Wolf",
]
FIRST = ["Anna", "Jörg", "Lena", "Paul", "Sophie", "Lukas", "Marie", "Jürgen", "Ayşe", "Finn"]


def generate(n: int) -> list[list[str]]:
    """n member rows: German names, an address, an email, an entry date, 1-20 shares."""
    rng = random.Random(42)
    start = date(1990, 1, 1)
    return [
        [
            rng.choice(LAST),
            rng.choice(FIRST),
            f"Hauptstraße {rng.randint(1, 200)}",
            f"{rng.randint(1000, 99999):05d}",
            "Berlin",
            f"m{i}@example.org",
            (start + timedelta(days=rng.randint(0, 12000))).isoformat(),
            str(rng.randint(1, 20)),
        ]
        for i in range(n)
    ]


def as_csv(rows: list[list[str]]) -> bytes:
    lines = [";".join(COLUMNS), *(";".join(r) for r in rows)]
    return ("\n".join(lines) + "\n").encode("utf-8")


def run_import(db_path: Path, data: bytes) -> tuple[float, float, int, int]:
    """Wall and CPU seconds of the import, members and transactions imported."""
    engine = make_engine(f"sqlite:///{db_path}")
    upgrade(engine)
    started, cpu = time.perf_counter(), time.process_time()
    with new_session(engine) as session:
        result = import_csv(session, data=data, actor=None, filename="bench.csv")
        session.commit()
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    engine.dispose()
    return elapsed, cpu, result.members, result.transactions


def run_baseline(db_path: Path, rows: list[list[str]]) -> float:
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute(f"CREATE TABLE plain ({', '.join(COLUMNS)})")
    started = time.perf_counter()
    with conn:
        conn.executemany(f"INSERT INTO plain VALUES ({', '.join('?' * len(COLUMNS))})", rows)
    elapsed = time.perf_counter() - started
    conn.close()
    return elapsed


def main() -> None:
    n = int(os.environ.get("BENCH_MEMBERS", "100000"))
    rows = generate(n)
    data = as_csv(rows)
    with tempfile.TemporaryDirectory() as tmp:
        baseline = run_baseline(Path(tmp) / "baseline.sqlite3", rows)
        elapsed, cpu, members, txs = run_import(Path(tmp) / "register.sqlite3", data)
    verdict = "ok" if elapsed < GOAL_SECONDS else "TOO SLOW"
    print(
        f"register import: {members} members + {txs} share transactions "
        f"({len(data) / 1e6:.1f} MB CSV) on SQLite in {elapsed:.1f} s "
        f"(goal < {GOAL_SECONDS:.0f} s: {verdict}); CPU {cpu:.1f} s, load {os.getloadavg()[0]:.1f}"
    )
    print(
        f"baseline (bare executemany of the same rows): {baseline:.2f} s; "
        f"ratio {elapsed / baseline:.1f}x"
    )


if __name__ == "__main__":
    main()
