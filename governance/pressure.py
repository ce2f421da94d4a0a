"""How busy this app process is, and how much longer the live pages should wait between their
cheap requests (live state, heartbeats): load shedding (issue #19).

When demand exceeds what the server can serve, the cheap requests give way first: every open
live page asks for the live state and sends heartbeats, again and again, while a member casts
once. Each process measures the share of its time spent serving requests (its utilisation)
over short windows; a sync worker that is busy nearly all the time has requests waiting for it.
The pages are then told to beat half or a quarter as often, and to ask for the live state so
while a poll is open (a factor of 2 or 4, in steps, so that the live state's ETag does not change
with every request; with no poll open the pages wait for its opening, governance/assemblies/live.py). The cast is never shed: nothing here
refuses or delays a request, it only tells the pages when to ask next.

A worker's own share of time misses the requests that wait for any worker: where the process
listens on TCP (gunicorn's workers inherit its listening socket), the connections waiting in
the socket's accept queue are read from the kernel (Linux TCP_INFO) and turned into the wait
they imply (waiting × the mean time of a request / workers, once more than QUEUE_FLOOR
connections per worker wait); a wait of WAIT_STEPS or more raises the factor too. That is what a server behind its capacity shows first (measured in
`python -m bench load`, issue #19).
"""

from __future__ import annotations

import os
import socket
import stat
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app, g

from governance.config import worker_processes

WINDOW_SECONDS = 5.0
STEPS = ((0.95, 4), (0.8, 2))  # utilisation at or above → factor
WAIT_STEPS = ((0.5, 4), (0.1, 2))  # seconds a new request would wait for a worker → factor
QUEUE_FLOOR = 10  # connections waiting per worker before the queue counts (a page's own
# parallel requests for its assets queue for a moment on every server)
QUEUE_READ_SECONDS = 0.25  # the accept queue is read at most this often per process
_TCP_LISTEN = 10  # tcp_info.tcpi_state of a listening socket
_BACKLOG_OFFSET = 24  # tcp_info.tcpi_unacked: a listening socket's accept queue (Linux)


def listening_sockets() -> list[socket.socket]:
    """This process's listening TCP sockets (duplicates of the descriptors), found in
    /proc/self/fd; none where that does not exist."""
    try:
        names = os.listdir("/proc/self/fd")
    except OSError:
        return []
    found: list[socket.socket] = []
    copies: set[int] = set()  # a copy may get the number of a listed descriptor (listdir's own)
    for name in names:
        try:
            if int(name) in copies or not stat.S_ISSOCK(os.fstat(int(name)).st_mode):
                continue  # a file or a pipe: never duplicated (a copy would keep it open)
            fd = os.dup(int(name))
        except (OSError, ValueError):  # closed meanwhile
            continue
        copies.add(fd)
        try:
            sock = socket.socket(fileno=fd)
        except OSError:
            os.close(fd)
            continue
        try:
            if sock.family in (socket.AF_INET, socket.AF_INET6) and sock.getsockopt(
                socket.SOL_SOCKET, socket.SO_ACCEPTCONN
            ):
                found.append(sock)
                continue
        except OSError:
            pass
        sock.close()
    return found


def accept_queue(sockets: list[socket.socket]) -> int | None:
    """Connections waiting to be accepted on these listening sockets; None where the kernel
    does not tell (not Linux)."""
    if not sockets or not hasattr(socket, "TCP_INFO"):
        return None
    waiting = 0
    for sock in sockets:
        try:
            info = sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 104)
        except OSError:
            return None
        if len(info) < _BACKLOG_OFFSET + 4 or info[0] != _TCP_LISTEN:
            continue
        waiting += int(struct.unpack_from("I", info, _BACKLOG_OFFSET)[0])
    return waiting


@dataclass
class Pressure:
    """The process's utilisation over the last complete window, and the factor it implies."""

    window: float = WINDOW_SECONDS
    clock: Callable[[], float] = time.monotonic
    _start: float | None = None  # the current window's start
    _busy: float = 0.0  # seconds spent in requests in the current window
    _last: float = 0.0  # the utilisation of the last complete window
    _lock: threading.Lock = field(default_factory=threading.Lock)
    # The accept queue: how many connections wait (None: unknown), the processes serving them.
    queue: Callable[[], int | None] = lambda: None
    workers: int = 1
    _count: int = 0  # requests ended in the current window
    _mean: float = 0.0  # the mean seconds of a request, from the last window with requests
    _queue_read: float | None = None
    _waiting: int | None = None

    def record(self, started: float, ended: float) -> None:
        """A request ran from `started` to `ended` (clock seconds)."""
        with self._lock:
            if self._start is None:
                self._start = started
            # Counted in the window it ends in, from that window's start at the earliest.
            self._busy += max(0.0, ended - max(started, self._start))
            self._count += 1
            self._mean = self._mean or (ended - started)  # a first guess until a window ends
            self._roll(ended)

    def utilisation(self) -> float:
        """The share of the last complete window spent serving requests (0 after an idle one)."""
        with self._lock:
            self._roll(self.clock())
            return self._last

    def wait(self) -> float:
        """Seconds a request arriving now would wait for a worker: the connections in the
        accept queue × the mean time of a request / the workers (0 when unknown)."""
        now = self.clock()
        with self._lock:
            if self._queue_read is None or now - self._queue_read >= QUEUE_READ_SECONDS:
                self._queue_read, self._waiting = now, self.queue()
            waiting, mean = self._waiting or 0, self._mean
        workers = max(1, self.workers)
        return waiting * mean / workers if waiting >= QUEUE_FLOOR * workers else 0.0

    def factor(self) -> int:
        """1, 2 or 4: how many times longer than usual the pages should wait."""
        busy, wait = self.utilisation(), self.wait()
        by_busy = next((factor for at_least, factor in STEPS if busy >= at_least), 1)
        by_wait = next((factor for at_least, factor in WAIT_STEPS if wait >= at_least), 1)
        return max(by_busy, by_wait)

    def _roll(self, now: float) -> None:
        if self._start is None:
            self._start = now
            return
        elapsed = now - self._start
        if elapsed < self.window:
            return
        # The window ends with its share; an idle stretch after it counts as idle.
        self._last = min(1.0, self._busy / elapsed)
        if self._count:
            self._mean = self._busy / self._count
        self._start, self._busy, self._count = now, 0.0, 0


def busy_factor() -> int:
    """The factor for the current app's process (1 when load shedding is off)."""
    pressure = current_app.extensions.get("governance.pressure")
    return pressure.factor() if pressure is not None else 1


def init_app(app: Flask) -> None:
    """Measure every request of the process, unless LOAD_SHEDDING is off."""
    if not app.config.get("LOAD_SHEDDING", True):
        return
    sockets: list[socket.socket] | None = None

    def queue() -> int | None:
        nonlocal sockets
        if sockets is None:  # in the serving process, after the server forked it
            sockets = listening_sockets()
        return accept_queue(sockets)

    pressure = Pressure(queue=queue, workers=worker_processes(app.config))
    app.extensions["governance.pressure"] = pressure

    @app.before_request
    def _started() -> None:
        g.pressure_started = pressure.clock()

    @app.teardown_request
    def _ended(_exc: Any) -> None:
        started = g.pop("pressure_started", None)
        if started is not None:
            pressure.record(started, pressure.clock())
