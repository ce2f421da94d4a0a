"""Encrypted casts in the ballots bench (issue #20), in the same run as the plaintext ones.

(a) The server's proof check per motion ballot (coopvote.check_ballot with PyNaCl, as the cast
    runs it before the lock): goal < 5 ms. (b) After the plaintext scenarios, a second assembly of
    the same voters gets a ready key (a Python-made ceremony, tests/factories_tellers.py) and
    the same bursts cast
    encrypted motion ballots (made beforehand in Python, as browsers would send them) through
    the same server: casts/s against the plaintext burst of the same size, goal ≥ 2/3.
"""

from __future__ import annotations

import random
import time
from datetime import date
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import insert

from governance import coopvote as cv
from governance.assemblies.models import Assembly, AssemblyState, Attendance, Channel, RollEntry
from governance.assemblies.roll import roll_hash
from governance.ballots.encryption import poll_key
from governance.ballots.models import Poll
from governance.db import new_session, utcnow
from tests.factories_tellers import ready_ceremony

MOTION = ([[1, 0, 0]], [[0, 1, 0]], [[0, 0, 1]])
UA = "governance-bench"


def keyed_assembly(engine: Any, voters: list[tuple[int, int]]) -> int:
    """A second assembly in session of the same voters (on its frozen roll, checked in) with a
    READY key ceremony: its secret polls are encrypted, the first assembly's stay plaintext."""
    now = utcnow()
    members = [m for _u, m in voters]
    with new_session(engine) as s:
        assembly = Assembly(
            title="Bench (encrypted)",
            starts_at=now,
            record_date=date(2024, 1, 1),
            state=AssemblyState.IN_SESSION,
            opened_at=now,
        )
        s.add(assembly)
        s.flush()
        s.execute(
            insert(RollEntry.__table__),
            [
                {"assembly_id": assembly.id, "member_id": m, "shares": 1, "weight": 1}
                for m in members
            ],
        )
        s.execute(
            insert(Attendance.__table__),
            [
                Attendance(assembly_id=assembly.id, member_id=m, channel=Channel.ROOM).model_dump(
                    exclude={"id"}
                )
                for m in members
            ],
        )
        assembly.roll_hash = roll_hash(s, assembly_id=assembly.id)
        assembly.roll_frozen_at = now
        ready_ceremony(s, int(assembly.id or 0))
        s.commit()
        return int(assembly.id or 0)


def key_of(engine: Any, poll_id: int) -> cv.PollKey:
    with new_session(engine) as s:
        poll = s.get(Poll, poll_id)
        assert poll is not None and poll.is_encrypted, "the poll did not take the key"
        return poll_key(s, poll)


def _raw(path: str, port: int, body: list[tuple[str, Any]], cookie: str) -> bytes:
    data = urlencode(body).encode()
    head = [
        f"POST {path} HTTP/1.1",
        f"Host: 127.0.0.1:{port}",
        f"User-Agent: {UA}",
        "Accept: application/json",
        "Content-Type: application/x-www-form-urlencoded",
        f"Content-Length: {len(data)}",
        "Connection: close",
        f"Cookie: session={cookie}",
    ]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + data


def encrypted_raws(
    engine: Any, port: int, poll_id: int, voters: list[Any], creds: list[Any]
) -> list[bytes]:
    """One request per voter with a fresh encrypted motion ballot of a random choice."""
    key = key_of(engine, poll_id)
    return [
        _raw(
            f"/polls/{poll_id}/cast",
            port,
            [
                ("voter", m),
                ("ballot", cv.encrypt(key, random.choice(MOTION)).wire),
                ("csrf_token", tok),
            ],
            cookie,
        )
        for (_u, m), (cookie, tok) in zip(voters, creds, strict=True)
    ]


def proof_check(engine: Any, poll_id: int, count: int = 200) -> dict[str, Any]:
    """Milliseconds per motion ballot for the server's full check (parse, points, proofs)."""
    key = key_of(engine, poll_id)
    wires = [cv.encrypt(key, random.choice(MOTION)).wire for _ in range(count)]
    started = time.perf_counter()
    for wire in wires:
        cv.check_ballot(key, wire, arith="nacl")
    ms = (time.perf_counter() - started) * 1000 / count
    return {
        "scenario": f"proof check per motion ballot ({count})",
        "ms_per_ballot": round(ms, 2),
        "goal_met": ms < 5.0,
    }


def encrypted_ratios(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Encrypted casts/s against the plaintext burst of the same size and backend."""
    out = []
    by = {(r["backend"], r["scenario"]): r for r in rows}
    for (backend, scenario), row in by.items():
        if scenario.startswith("encrypted: ") and "casts_per_s" in row:
            plain = by.get((backend, scenario.replace("encrypted: ", "app: ")))
            if plain and plain["casts_per_s"]:
                ratio = row["casts_per_s"] / plain["casts_per_s"]
                out.append(
                    {
                        "backend": backend,
                        "scenario": f"ratio encrypted/plain, {row['n']} at once",
                        "ratio": round(ratio, 2),
                        "goal": "≥ 0.67",
                        "goal_met": ratio >= 2 / 3,
                    }
                )
    return out
