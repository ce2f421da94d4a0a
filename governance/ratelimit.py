"""Per-login rate limits of the requests every member sends every few seconds (issue #19).

The live page asks for the live state and beats every few seconds; with thousands of members
these are most of the app's requests. Flask-Limiter's decorator cost more than such a view itself
(its limit resolution and request context on every call), and a round trip to Redis for every
request was the larger part of what was left. So these limits count in fixed windows (a window
starts with a login's first request and ends a period later, like the `limits` library's fixed
window) on the same storage as Flask-Limiter (`RATELIMIT_STORAGE_URI`, `RATELIMIT_KEY_PREFIX`):
shared by every process and server through Redis. With a remote storage, each process tells the
storage its count in batches of `BATCH` requests, and always before it would refuse one: a
refusal is always decided on the shared count, and all processes together let at most
`BATCH - 1` requests per process and window through beyond the limit. With `memory://` (one
process) every request is counted at once and the limit is exact.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache, wraps
from typing import Any, TypeVar

from flask import Flask, current_app, session
from flask_limiter.util import get_remote_address
from limits import RateLimitItem, parse
from limits.storage import MemoryStorage, Storage, storage_from_string

F = TypeVar("F", bound=Callable[..., Any])
EXTENSION = "governance.lean_limits"
BATCH = 4  # requests a process may count before it tells a remote storage
SWEEP_EVERY = 4096  # new windows between two sweeps of the ended ones


def per_login() -> str:
    """Rate-limit key of a logged-in member's requests: the login (from the signed session
    cookie, without loading the user), else the client's address."""
    login = str(session.get("_user_id") or "").partition(":")[0]
    return f"login:{login}" if login else f"ip:{get_remote_address()}"


@dataclass
class _Tally:
    """One key's window as this process sees it."""

    ends: float  # monotonic time: this process's window ends (a new one starts after)
    known: int = 0  # the shared count at the last flush
    pending: int = 0  # requests let through here and not yet told to the storage


class Counts:
    """Fixed-window counts per key on a storage, told to it in batches of `batch`."""

    def __init__(self, storage: Storage, batch: int) -> None:
        self.storage = storage
        self.batch = batch
        self.tallies: dict[str, _Tally] = {}
        self.new_windows = 0
        self.lock = threading.Lock()  # gthread workers share a process

    def hit(self, key: str, amount: int, seconds: int, *, batched: bool = True) -> bool:
        """Count one request; False when it is beyond `amount` in the window."""
        with self.lock:
            tally = self._tally(key, seconds)
            tally.pending += 1
            batch = self.batch if batched else 1
            if tally.pending < batch and tally.known + tally.pending <= amount:
                return True
            tally.known = self.storage.incr(key, seconds, amount=tally.pending)
            tally.pending = 0
            return tally.known <= amount

    def allows(self, key: str, amount: int, seconds: int) -> bool:
        """Whether one more request would be within `amount`, without counting it."""
        with self.lock:
            pending = self._tally(key, seconds).pending
            return int(self.storage.get(key)) + pending < amount

    def _tally(self, key: str, seconds: int) -> _Tally:
        now = time.monotonic()
        tally = self.tallies.get(key)
        if tally is None or tally.ends <= now:
            # The storage's own window may have started earlier (another process): a count
            # known here from an older window only makes the next flush come sooner.
            tally = self.tallies[key] = _Tally(ends=now + seconds)
            self.new_windows += 1
            if self.new_windows % SWEEP_EVERY == 0:
                self.tallies = {k: t for k, t in self.tallies.items() if t.ends > now}
                self.tallies[key] = tally
        return tally


def counts_for(config: Any) -> Counts | None:
    """The counts of the app's lean limits; None when rate limits are off."""
    if not config.get("RATELIMIT_ENABLED", True):
        return None
    storage = storage_from_string(config.get("RATELIMIT_STORAGE_URI") or "memory://")
    return Counts(storage, 1 if isinstance(storage, MemoryStorage) else BATCH)


def init_app(app: Flask) -> None:
    app.extensions[EXTENSION] = counts_for(app.config)


@lru_cache(maxsize=64)
def _parsed(limit: str) -> RateLimitItem:
    return parse(limit)


class LeanLimit:
    """A rate limit per login, at the rate in the config `setting` ("90 per minute"); `exact`:
    every request told to the storage at once (a limit on rare, costly requests)."""

    def __init__(self, setting: str, scope: str, *, exact: bool = False) -> None:
        self.setting = setting
        self.scope = scope
        self.exact = exact

    def _args(self) -> tuple[Counts | None, str, int, int]:
        counts: Counts | None = current_app.extensions[EXTENSION]
        item = _parsed(str(current_app.config[self.setting]))
        prefix = current_app.config.get("RATELIMIT_KEY_PREFIX") or "limits"
        seconds = item.get_expiry()
        key = f"{prefix}/lean/{self.scope}/{per_login()}/{item.amount}/{seconds}"
        return counts, key, item.amount, seconds

    def hit(self) -> bool:
        """Count this request; False when it is beyond the limit (limits off: always True)."""
        counts, key, amount, seconds = self._args()
        return counts is None or counts.hit(key, amount, seconds, batched=not self.exact)

    def allows(self) -> bool:
        """Whether one more request would be within the limit, without counting it."""
        counts, key, amount, seconds = self._args()
        return counts is None or counts.allows(key, amount, seconds)


def lean_limit(setting: str, on_breach: Callable[[], Any]) -> Callable[[F], F]:
    """Limit a view per login (LeanLimit), answered by `on_breach()` beyond the limit."""

    def decorator(view: F) -> F:
        limit = LeanLimit(setting, f"{view.__module__}.{view.__qualname__}")

        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            return view(*args, **kwargs) if limit.hit() else on_breach()

        return wrapped  # type: ignore[return-value]

    return decorator
