"""How busy this app process is, and how much longer the live pages should wait between their
cheap requests (live state, heartbeats): load shedding (issue #19).

When demand exceeds what the server can serve, the cheap requests give way first: every open
live page asks for the live state and sends heartbeats, again and again, while a member casts
once. Each process measures the share of its time spent serving requests (its utilisation)
over short windows; a sync worker that is busy nearly all the time has requests waiting for it.
The pages are then told to ask half or a quarter as often (a factor of 2 or 4, in steps, so that
the live state's ETag does not change with every request). The cast is never shed: nothing here
refuses or delays a request, it only tells the pages when to ask next.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app, g

WINDOW_SECONDS = 5.0
STEPS = ((0.95, 4), (0.8, 2))  # utilisation at or above → factor


@dataclass
class Pressure:
    """The process's utilisation over the last complete window, and the factor it implies."""

    window: float = WINDOW_SECONDS
    clock: Callable[[], float] = time.monotonic
    _start: float | None = None  # the current window's start
    _busy: float = 0.0  # seconds spent in requests in the current window
    _last: float = 0.0  # the utilisation of the last complete window
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, started: float, ended: float) -> None:
        """A request ran from `started` to `ended` (clock seconds)."""
        with self._lock:
            if self._start is None:
                self._start = started
            # Counted in the window it ends in, from that window's start at the earliest.
            self._busy += max(0.0, ended - max(started, self._start))
            self._roll(ended)

    def utilisation(self) -> float:
        """The share of the last complete window spent serving requests (0 after an idle one)."""
        with self._lock:
            self._roll(self.clock())
            return self._last

    def factor(self) -> int:
        """1, 2 or 4: how many times longer than usual the pages should wait."""
        busy = self.utilisation()
        return next((factor for at_least, factor in STEPS if busy >= at_least), 1)

    def _roll(self, now: float) -> None:
        if self._start is None:
            self._start = now
            return
        elapsed = now - self._start
        if elapsed < self.window:
            return
        # The window ends with its share; an idle stretch after it counts as idle.
        self._last = min(1.0, self._busy / elapsed)
        self._start, self._busy = now, 0.0


def busy_factor() -> int:
    """The factor for the current app's process (1 when load shedding is off)."""
    pressure = current_app.extensions.get("governance.pressure")
    return pressure.factor() if pressure is not None else 1


def init_app(app: Flask) -> None:
    """Measure every request of the process, unless LOAD_SHEDDING is off."""
    if not app.config.get("LOAD_SHEDDING", True):
        return
    pressure = Pressure()
    app.extensions["governance.pressure"] = pressure

    @app.before_request
    def _started() -> None:
        g.pressure_started = pressure.clock()

    @app.teardown_request
    def _ended(_exc: Any) -> None:
        started = g.pop("pressure_started", None)
        if started is not None:
            pressure.record(started, pressure.clock())
