"""The load scenario's client (bench_load.py): a minimal asyncio HTTP/1.1 client, latency
records, and the members who watch the live page, send its heartbeat and vote.

The members follow what the server tells their pages, as live.js does: live.json's
`poll_seconds` and the heartbeat answer's `beat_seconds` (both longer while a server process is
busy: load shedding, governance/pressure.py). Stats counts the intervals told and when the
cheap requests (live state, heartbeats) and the casts were sent, so that the report can show the
cheap requests thinning while the casts go on (issue #19).

Plain asyncio streams on loopback, one connection per request (gunicorn's sync workers close
after each answer); the server closes first, so the client leaves no TIME_WAIT behind. The loop
is uvloop's where it is installed (the dev extras): its transports take about half the CPU of
asyncio's own (0.22 against 0.40 ms per request on the 2-core machine), CPU the client would
otherwise take from the server it measures on the same cores.
"""

from __future__ import annotations

import asyncio
import gc
import json
import math
import os
import random
import re
import resource
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from statistics import quantiles
from typing import Any
from urllib.parse import urlencode

from governance.assemblies.live import REQUESTS_PER_SECOND, poll_interval
from governance.assemblies.views_live import LIVE_ETAG_HEADER

try:  # the dev extras install it (Linux, macOS)
    import uvloop
except ImportError:  # pragma: no cover - the stdlib's loop then
    uvloop = None

UA = "governance-bench-load"
TRACKER = re.compile(rb'<code class="tracker">[0-9A-Z-]+</code>')
WATCH_PASS = re.compile(rb'data-watch-pass="([^"]+)"')
POLL_SECONDS = re.compile(rb'data-poll-seconds="([0-9]+)"')
TIMEOUT = 120.0
SLICE_SECONDS = 5.0
# The requests the server may thin out (it tells the pages to ask less often) and the casts,
# which it never refuses or slows: counted as sent, per slice of the run.
GROUPS = {"live": "cheap", "heartbeat": "cheap", "cast": "casts", "cast (pages)": "casts"}


def run(main: Any) -> Any:
    """Run the coroutine `main` to its end on uvloop's loop where installed, else asyncio's."""
    return uvloop.run(main) if uvloop is not None else asyncio.run(main)


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes


async def request(
    port: int, method: str, path: str, headers: dict[str, str], form: dict[str, str] | None = None
) -> Answer:
    """One request on its own connection; the whole answer (read to the server's close)."""
    data = urlencode(form).encode() if form is not None else b""
    head = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", f"User-Agent: {UA}"]
    head += [f"{k}: {v}" for k, v in headers.items()]
    if form is not None:
        head += ["Content-Type: application/x-www-form-urlencoded", f"Content-Length: {len(data)}"]
    head.append("Connection: close")
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + data)
        await writer.drain()
        raw = await reader.read()
    finally:
        writer.close()
    top, _sep, body = raw.partition(b"\r\n\r\n")
    lines = top.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    parsed = dict(line.split(": ", 1) for line in lines[1:] if ": " in line)
    return Answer(status, {k.lower(): v for k, v in parsed.items()}, body)


@dataclass
class Stats:
    """Latencies per kind of request, errors per kind and reason; the intervals the server told
    the pages (value → answers) and when the cheap requests and the casts were sent."""

    latencies: dict[str, list[float]] = field(default_factory=dict)
    statuses: Counter[str] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    live_told: Counter[int] = field(default_factory=Counter)  # poll_seconds of live.json's 200s
    live_longer: int = 0  # of those, told a longer interval than the base for their audience
    beat_told: Counter[int] = field(default_factory=Counter)  # beat_seconds of the heartbeats
    sent: dict[str, list[float]] = field(default_factory=dict)  # GROUPS' group → loop times
    started: dict[str, list[float]] = field(default_factory=dict)  # kind → loop times, as latencies
    lags: list[tuple[float, float]] = field(default_factory=list)  # (loop time, the loop's lag)
    origin: float | None = None  # the poll's opening: times in the figures count from it

    async def timed(self, kind: str, coro: Any, ok: Any) -> Answer | None:
        """Await the request; record its latency; None (and an error) unless ok(answer)."""
        loop = asyncio.get_running_loop()
        t0 = loop.time()
        if kind in GROUPS:
            self.sent.setdefault(GROUPS[kind], []).append(t0)
        try:
            answer = await asyncio.wait_for(coro, TIMEOUT)
        except (OSError, TimeoutError, ValueError, IndexError) as exc:
            self.errors[f"{kind}: {type(exc).__name__}"] += 1
            return None
        self.latencies.setdefault(kind, []).append(loop.time() - t0)
        self.started.setdefault(kind, []).append(t0)
        self.statuses[f"{kind} {answer.status}"] += 1
        if not ok(answer):
            self.errors[f"{kind}: HTTP {answer.status}"] += 1
            return None
        return answer

    def told_live(self, state: dict[str, Any], requests_per_second: int) -> float | None:
        """A live.json answer's poll_seconds (None without one), counted; and whether it is
        longer than the base, the interval for the audience it counted and whether a poll is
        open (assemblies/live.py)."""
        told = state.get("poll_seconds")
        if not told:
            return None
        present = state.get("present") or {}
        watchers = int(present.get("ROOM", 0)) + int(present.get("ONLINE", 0))
        self.live_told[int(told)] += 1
        voting = bool(state.get("poll"))
        self.live_longer += float(told) > poll_interval(
            watchers, requests_per_second, voting=voting
        )
        return float(told)

    def told_beat(self, answer: dict[str, Any]) -> float | None:
        """A heartbeat answer's beat_seconds (None without one), counted."""
        told = answer.get("beat_seconds")
        if not told:
            return None
        self.beat_told[int(told)] += 1
        return float(told)

    def slices(self, origin: float, width: float = SLICE_SECONDS) -> list[list[float]]:
        """[start (s after `origin`), cheap requests, casts] sent per slice of `width` s."""
        counts: dict[int, Counter[str]] = {}
        for group, times in self.sent.items():
            for t in times:
                counts.setdefault(math.floor((t - origin) / width), Counter())[group] += 1
        return [[i * width, c["cheap"], c["casts"]] for i, c in sorted(counts.items())]

    def slice_p99(self, origin: float, width: float = SLICE_SECONDS) -> list[list[float]]:
        """[start (s after `origin`), p99 ms of the requests sent in the slice] of every kind
        together, per slice of `width` s: where a queue built up, or all stalled at once."""
        by_slice: dict[int, list[float]] = {}
        for kind, latencies in self.latencies.items():
            for t0, latency in zip(self.started[kind], latencies, strict=True):
                by_slice.setdefault(math.floor((t0 - origin) / width), []).append(latency)
        return [[i * width, round(_p99(values) * 1000)] for i, values in sorted(by_slice.items())]

    def figures(self, kind: str) -> dict[str, Any]:
        latencies = self.latencies.get(kind, [])
        values = sorted(latencies)
        if not values:
            return {"n": 0}
        cuts = quantiles(values, n=100) if len(values) > 1 else values * 99
        worst = max(range(len(latencies)), key=latencies.__getitem__)
        return {
            "n": len(values),
            "p50_ms": round(cuts[49] * 1000, 1),
            "p99_ms": round(cuts[98] * 1000, 1),
            "max_ms": round(values[-1] * 1000, 1),
            "max_sent_at_s": self._at(self.started[kind][worst]),
        }

    def lag_figures(self) -> dict[str, Any]:
        """The client's own event-loop lag: a stall here delays every request in flight and
        would be counted as the server's latency."""
        if not self.lags:
            return {}
        values = sorted(lag for _t, lag in self.lags)
        when, worst = max(self.lags, key=lambda tl: tl[1])
        cuts = quantiles(values, n=100) if len(values) > 1 else values * 99
        return {
            "client_loop_lag_p99_ms": round(cuts[98] * 1000, 1),
            "client_loop_lag_max_ms": round(worst * 1000, 1),
            "client_loop_lag_max_at_s": self._at(when),
        }

    def _at(self, loop_time: float) -> float | None:
        return round(loop_time - self.origin, 1) if self.origin is not None else None


@dataclass
class Member:
    """A logged-in member: session cookie and CSRF token, and what happened to their vote."""

    member_id: int
    cookie: str
    csrf: str
    choice: str
    watch_pass: str = ""  # X-Watch-Pass, as the live page keeps it (assemblies/watch.py)
    poll_seconds: float = 5.0  # when live.js asks next, as the server says
    poll_id: int | None = None
    voted_at: float | None = None  # seconds after the poll opened, when the tracker came
    pages: bool = False  # votes on the ballot pages (no JavaScript), not on the live page
    port: int = 0  # the app server this member's browser reaches (BENCH_SERVERS); 0: the scenario's
    vote_port: int = 0  # where the ballot pages and casts go (the votes' lane); 0: as the rest

    def voting_port(self, sc: Scenario) -> int:
        return self.vote_port or self.port or sc.port

    def headers(self, **extra: str) -> dict[str, str]:
        return {"Cookie": f"session={self.cookie}", **extra}

    def watching(self, **extra: str) -> dict[str, str]:
        """Headers of the live page's requests: with the watch pass once it has one."""
        if self.watch_pass:
            extra["X-Watch-Pass"] = self.watch_pass
        return self.headers(**extra)

    def renew(self, answer: Answer | None) -> None:
        """Keep a new watch pass from an answer, as live.js does."""
        if answer is not None and answer.headers.get("x-watch-pass"):
            self.watch_pass = answer.headers["x-watch-pass"]


@dataclass
class Scenario:
    """Shared state of one run: the server's port, the clock, the poll's opening."""

    port: int
    stats: Stats
    poll_seconds: float  # until the server says otherwise
    heartbeat_seconds: float
    vote_spread: float  # seconds after the opening within which members decide
    reading: tuple[float, float] = (5.0, 20.0)  # seconds on the receipt before going back
    stop: asyncio.Event = field(default_factory=asyncio.Event)
    opened_at: float | None = None
    stopped_at: float | None = None
    casts_sent: int = 0
    live_requests_per_second: int = REQUESTS_PER_SECOND  # the server's, for the base interval


async def journey(sc: Scenario, m: Member, assembly_id: int, start: float) -> None:
    """What a member's browser does: open the live page and follow it. With JavaScript the
    member votes on the live page itself (one request) and stays there; without (m.pages)
    they leave it for the ballot pages (page, confirmation, cast), read the receipt, come
    back."""
    await asyncio.sleep(start)
    while not sc.stop.is_set():
        if not await open_live_page(sc, m, assembly_id):
            await asyncio.sleep(10.0)  # the page failed to load: the member tries again
            continue
        poll = await follow(sc, m, assembly_id)
        if poll is None:
            return
        await vote_on_pages(sc, m, int(poll["id"]))
        await asyncio.sleep(random.uniform(*sc.reading))  # the tracker is written down


async def open_live_page(sc: Scenario, m: Member, assembly_id: int) -> bool:
    """GET the live page (the full check); keep the watch pass from its data attribute."""
    answer = await sc.stats.timed(
        "live page",
        request(m.port or sc.port, "GET", f"/assemblies/{assembly_id}/live", m.headers()),
        lambda a: a.status == 200 and WATCH_PASS.search(a.body) is not None,
    )
    if answer is None:
        return False
    found = WATCH_PASS.search(answer.body)
    m.watch_pass = found.group(1).decode() if found else ""
    interval = POLL_SECONDS.search(answer.body)
    m.poll_seconds = float(interval.group(1)) if interval else sc.poll_seconds
    return True


async def follow(sc: Scenario, m: Member, assembly_id: int) -> dict[str, Any] | None:
    """live.js: one request per tick, as often as the server says: live.json (with ETag and
    pass), or, once a beat is due (beat_seconds after the last, never later than LATEST_BEAT),
    the heartbeat, whose answer carries the live state too (unless the page holds it). The first
    tick, as the page opens, is a beat; a failed beat is followed by live.json in the same tick
    and retried after RETRY. When the member decides, they vote on the page (and go on
    following), or (m.pages) the open poll is returned for the ballot pages. None when the
    scenario ends."""
    loop = asyncio.get_running_loop()
    etag, poll, decide_at = None, None, None
    beat_seconds, last_beat, beat_due = sc.heartbeat_seconds, None, 0.0
    wake = loop.time()

    def take(state: dict[str, Any], tag: str | None) -> None:
        nonlocal etag, poll, decide_at
        etag = tag or etag
        m.poll_seconds = sc.stats.told_live(state, sc.live_requests_per_second) or m.poll_seconds
        shown = state.get("poll")
        if shown and m.voted_at is None and decide_at is None and sc.opened_at:
            poll = shown
            decide_at = sc.opened_at + random.uniform(0, sc.vote_spread)

    async def live() -> None:
        extra = {"If-None-Match": etag} if etag else {}
        path = f"/assemblies/{assembly_id}/live.json"
        answer = await sc.stats.timed(
            "live",
            request(m.port or sc.port, "GET", path, m.watching(**extra)),
            lambda a: a.status in (200, 304),
        )
        m.renew(answer)
        if answer is not None and answer.status == 200:
            take(json.loads(answer.body), answer.headers.get("etag"))

    async def beat() -> bool:
        nonlocal beat_seconds
        extra = {"X-CSRFToken": m.csrf} | ({LIVE_ETAG_HEADER: etag} if etag else {})
        path = f"/assemblies/{assembly_id}/heartbeat"
        answer = await sc.stats.timed(
            "heartbeat",
            request(m.port or sc.port, "POST", path, m.watching(**extra), {}),
            lambda a: a.status == 200 and b'"channel":"ONLINE"' in a.body.replace(b" ", b""),
        )
        m.renew(answer)
        if answer is None:
            return False
        body = json.loads(answer.body)
        beat_seconds = sc.stats.told_beat(body) or beat_seconds
        if body.get("live"):
            take(body["live"], body.get("etag"))
        return True

    while not sc.stop.is_set():
        t0 = loop.time()
        if decide_at is not None and t0 >= decide_at and poll is not None:
            if m.pages:
                return poll
            decide_at = None
            await vote_on_live_page(sc, m, poll)
            # live.js counts the vote in on the page itself (live:cast) and asks for the
            # state at its own next tick, not right after the cast.
            await _sleep_until(sc, wake)
            continue
        retry = False
        if last_beat is None or t0 >= beat_due:
            if await beat():
                last_beat = t0
                beat_due = t0 + min(spread(beat_seconds), LATEST_BEAT)
            else:
                await live()
                retry = True
        else:
            await live()
        wait = spread(min(m.poll_seconds, RETRY) if retry else m.poll_seconds)
        if not retry and last_beat is not None:
            wait = min(wait, max(0.0, last_beat + LATEST_BEAT - loop.time()))
        wake = loop.time() + wait
        await _sleep_until(sc, min(wake, decide_at) if decide_at else wake)
    return None


# live.js stretches or shortens every wait by up to a fifth at random (JITTER there), retries
# a failed beat after RETRY seconds and beats at the latest LATEST_BEAT after the last one.
JITTER = 0.2
RETRY = 10.0
LATEST_BEAT = 96.0


def spread(seconds: float) -> float:
    """A wait as live.js takes it: the interval told, ± JITTER at random."""
    return seconds * random.uniform(1 - JITTER, 1 + JITTER)


async def _sleep_until(sc: Scenario, moment: float) -> None:
    delay = moment - asyncio.get_running_loop().time()
    if delay > 0 and not sc.stop.is_set():
        await asyncio.sleep(delay)


async def vote_on_live_page(sc: Scenario, m: Member, poll: dict[str, Any]) -> None:
    """live.js: the ballot and its confirmation are on the page; one POST casts (JSON)."""
    loop = asyncio.get_running_loop()
    assert sc.opened_at is not None
    form = {"voter": str(m.member_id), "choice": m.choice, "csrf_token": m.csrf}
    sc.casts_sent += 1
    cast = await sc.stats.timed(
        "cast",
        request(
            m.voting_port(sc), "POST", poll["cast_url"], m.headers(Accept="application/json"), form
        ),
        lambda a: a.status == 200 and b'"trackers":' in a.body,
    )
    if cast is not None:
        m.voted_at = loop.time() - sc.opened_at


async def vote_on_pages(sc: Scenario, m: Member, poll_id: int) -> None:
    """Without JavaScript: the ballot page, the confirmation, the cast; the receipt page."""
    loop = asyncio.get_running_loop()
    assert sc.opened_at is not None
    base, form = f"/polls/{poll_id}", {"voter": str(m.member_id), "choice": m.choice}
    page = await sc.stats.timed(
        "ballot page",
        request(m.voting_port(sc), "GET", base + "/vote", m.headers()),
        lambda a: a.status == 200 and b'name="choice"' in a.body,
    )
    if page is None:
        return
    form["csrf_token"] = m.csrf
    confirm = await sc.stats.timed(
        "confirm",
        request(m.voting_port(sc), "POST", base + "/vote", m.headers(), form),
        lambda a: a.status == 200 and b"/cast" in a.body,
    )
    if confirm is None:
        return
    sc.casts_sent += 1
    cast = await sc.stats.timed(
        "cast (pages)",
        request(m.voting_port(sc), "POST", base + "/cast", m.headers(), form),
        lambda a: a.status == 200 and TRACKER.search(a.body) is not None,
    )
    if cast is not None:
        m.voted_at = loop.time() - sc.opened_at


async def probe(sc: Scenario, path: str, kind: str, every: float) -> None:
    """The baseline: a light request (e.g. /healthz) under the same load, every `every` s."""
    loop = asyncio.get_running_loop()
    while not sc.stop.is_set():
        t0 = loop.time()
        await sc.stats.timed(kind, request(sc.port, "GET", path, {}), lambda a: a.status == 200)
        await _sleep_until(sc, t0 + every)


async def loop_lag(sc: Scenario, every: float = 0.1) -> None:
    """How late this client's event loop wakes: sampled every `every` s during the load."""
    loop = asyncio.get_running_loop()
    while not sc.stop.is_set():
        t0 = loop.time()
        await asyncio.sleep(every)
        sc.stats.lags.append((t0, loop.time() - t0 - every))


class Cpu:
    """CPU seconds of the client (this process), of the server (gunicorn's master and
    workers, read from /proc, boot excluded) and of the whole machine (/proc/stat: the rest is
    mostly the database server and Redis) during the load, and the machine's load average:
    the context of the figures (the client and the server share the machine)."""

    def __init__(self, *server_pids: int) -> None:
        self.pids = server_pids
        self.t0 = time.monotonic()
        self.me0, self.server0 = _own_cpu(), sum(map(_tree_cpu, server_pids))
        self.machine0 = _machine_cpu()
        self.load0 = os.getloadavg()[0]

    def done(self, requests: int) -> dict[str, Any]:
        server = sum(map(_tree_cpu, self.pids)) - self.server0
        client = _own_cpu() - self.me0
        machine = _machine_cpu() - self.machine0
        return {
            "wall_s": round(time.monotonic() - self.t0, 1),
            "client_cpu_s": round(client, 1),
            "server_cpu_s": round(server, 1),
            "machine_cpu_s": round(machine, 1),
            "other_cpu_s": round(machine - server - client, 1),  # database, Redis, the rest
            "server_cpu_ms_per_request": round(server * 1000 / max(requests, 1), 2),
            "loadavg_1min_before_after": [round(self.load0, 1), round(os.getloadavg()[0], 1)],
        }


class GcPauses:
    """The client's garbage-collector pauses during the load: a pause stalls every request in
    flight in this process, which would show as the server's latency. The load runs with the
    objects built before it frozen (gc.freeze), so that a full collection does not walk them."""

    def __init__(self) -> None:
        self.pauses: list[float] = []
        self._t0 = 0.0

    def __enter__(self) -> GcPauses:
        gc.collect()
        gc.freeze()
        gc.callbacks.append(self._callback)
        return self

    def __exit__(self, *_exc: Any) -> None:
        gc.callbacks.remove(self._callback)
        gc.unfreeze()

    def _callback(self, phase: str, _info: dict[str, Any]) -> None:
        if phase == "start":
            self._t0 = time.perf_counter()
        else:
            self.pauses.append(time.perf_counter() - self._t0)

    def figures(self) -> dict[str, Any]:
        return {
            "client_gc_pauses": len(self.pauses),
            "client_gc_max_ms": round(max(self.pauses, default=0.0) * 1000, 1),
        }


def _own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return float(usage.ru_utime + usage.ru_stime)


def _machine_cpu() -> float:
    """Seconds the machine's CPUs were busy since boot (/proc/stat: all but idle and iowait;
    0 where that does not exist)."""
    try:
        fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    except OSError:
        return 0.0
    ticks = [int(f) for f in fields]
    busy = sum(ticks[:8]) - ticks[3] - ticks[4]  # user … steal, without idle and iowait
    return busy / os.sysconf("SC_CLK_TCK")


def _tree_cpu(pid: int) -> float:
    """utime + stime of `pid` and its children (Linux /proc), in seconds."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if stat.parent.name == str(pid) or fields[1] == str(pid):
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def _p99(values: list[float]) -> float:
    return quantiles(values, n=100)[98] if len(values) > 1 else values[0]
