"""Servers and load for bench_ballots.py: gunicorn subprocesses, session cookies of logged-in
members, and an asyncio HTTP client that sends casts at a steady rate or all at one instant."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from statistics import quantiles
from typing import Any
from urllib.parse import urlencode

from governance.accounts.models import User

ROOT = Path(__file__).resolve().parent.parent
UA = "governance-bench"


# --- sessions and servers ------------------------------------------------------------------


def cookies(url: str, secret: str, users: list[tuple[int, int]]) -> list[tuple[str, str]]:
    """(session cookie, CSRF token) per voter, as a login from 127.0.0.1 would leave them."""
    from flask import session
    from flask_login import login_user
    from flask_wtf.csrf import generate_csrf

    from governance import create_app

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": secret, "SCHEMA_CHECK": False})
    serializer = app.session_interface.get_signing_serializer(app)
    out = []
    for user_id, member_id in users:
        env = {"REMOTE_ADDR": "127.0.0.1"}
        with app.test_request_context(environ_base=env, headers={"User-Agent": UA}):
            login_user(User(id=user_id, email=f"v{member_id}@bench.example", member_id=member_id))
            token = generate_csrf()
            out.append((serializer.dumps(dict(session)), token))
    app.extensions["governance.engine"].dispose()
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(target: str, url: str, workers: int, secret: str) -> tuple[subprocess.Popen, int]:
    """gunicorn with sync workers on a free port; waits until it answers."""
    port = free_port()
    env = {
        **os.environ,
        "GOVERNANCE_DATABASE_URL": url,
        "BENCH_DATABASE_URL": url,
        "GOVERNANCE_SECRET_KEY": secret,
        "GOVERNANCE_RATELIMIT_DISABLED": "1",
    }
    gunicorn = Path(sys.executable).parent / "gunicorn"
    cmd = [
        str(gunicorn),
        "-k",
        "sync",
        "-w",
        str(workers),
        "-b",
        f"127.0.0.1:{port}",
        "--backlog",
        "8192",
        "--log-level",
        "warning",
        target,
    ]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return proc, port
        except OSError as exc:
            if getattr(exc, "code", None):  # an HTTP answer (the bare app has no /healthz)
                return proc, port
            time.sleep(0.3)
    proc.terminate()
    raise RuntimeError(f"{target} did not start")


def stop_server(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()


# --- load ----------------------------------------------------------------------------------


def server_cpu(proc: subprocess.Popen) -> float:
    """CPU seconds (user + system) used so far by the server's workers (Linux /proc): the
    server's cost per request, which a loaded machine bends far less than the wall time."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended meanwhile
            continue
        if int(fields[1]) == proc.pid:  # the parent: the gunicorn master
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def database_cpu() -> float:
    """CPU seconds (user + system) used so far by this machine's PostgreSQL processes (Linux
    /proc, command name "postgres"; 0 where there are none): the database's own cost per request
    where it shares the cores with the app. Ended processes (closed connections) no longer
    count: compare while the pool's connections stay open."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            name, rest = stat.read_text().split(" (", 1)[1].rsplit(")", 1)
        except (OSError, IndexError, ValueError):  # ended meanwhile
            continue
        if name == "postgres":
            fields = rest.split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def request_bytes(
    path: str, port: int, body: dict[str, Any], cookie: str | None, accept: str | None = None
) -> bytes:
    data = urlencode(body).encode()
    head = [
        f"POST {path} HTTP/1.1",
        f"Host: 127.0.0.1:{port}",
        f"User-Agent: {UA}",
        "Content-Type: application/x-www-form-urlencoded",
        f"Content-Length: {len(data)}",
        "Connection: close",
    ]
    if cookie:
        head.append(f"Cookie: session={cookie}")
    if accept:
        head.append(f"Accept: {accept}")
    return ("\r\n".join(head) + "\r\n\r\n").encode() + data


async def _one(port: int, raw: bytes, start: Any) -> tuple[bool, float]:
    """Wait for the start signal (a gate or a moment), connect, send, read to the end."""
    loop = asyncio.get_running_loop()
    if isinstance(start, asyncio.Event):
        await start.wait()
    else:
        await asyncio.sleep(max(0.0, start - loop.time()))
    t0 = loop.time()
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), 120)
        writer.write(raw)
        await writer.drain()
        data = await asyncio.wait_for(reader.read(), 120)
        writer.close()
    except (OSError, TimeoutError):
        return False, loop.time() - t0
    # The receipt page, or the JSON answer of an encrypted cast (bench_encrypted.py).
    tracker = b'class="tracker"' in data or b'"trackers":' in data
    ok = data.startswith(b"HTTP/1.1 200") and tracker
    return ok, loop.time() - t0


async def _run(port: int, raws: list[bytes], window: float | None) -> tuple[list[Any], float]:
    loop = asyncio.get_running_loop()
    gate = asyncio.Event()
    t0 = loop.time() + 0.5
    starts: list[Any] = (
        [t0 + window * i / len(raws) for i in range(len(raws))] if window else ([gate] * len(raws))
    )
    tasks = [asyncio.create_task(_one(port, raw, st)) for raw, st in zip(raws, starts, strict=True)]
    if not window:
        await asyncio.sleep(0.5)
        t0 = loop.time()
        gate.set()
    results = await asyncio.gather(*tasks)
    return results, loop.time() - t0


def load(port: int, raws: list[bytes], window: float | None = None) -> dict[str, Any]:
    """Send the requests (spread over `window` seconds, or all at once); the figures."""
    results, wall = asyncio.run(_run(port, raws, window))
    latencies = sorted(lat for _ok, lat in results)
    cuts = quantiles(latencies, n=100) if len(latencies) > 1 else latencies * 99
    return {
        "n": len(raws),
        "seconds": round(wall, 2),
        "casts_per_s": round(len(raws) / wall, 1),
        "p50_ms": round(cuts[49] * 1000, 1),
        "p99_ms": round(cuts[98] * 1000, 1),
        "errors": sum(not ok for ok, _lat in results),
    }
