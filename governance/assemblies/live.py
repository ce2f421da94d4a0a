"""The live state of an assembly (current item, open poll, presence) for thousands of watchers.

Every watcher polls the same small JSON. It is computed at most once per CACHE_SECONDS per
assembly and process, and carries an ETag: an unchanged state answers 304 without a body.
It also tells the pages when to ask next: every POLL_SECONDS with a small audience, less often
with a large one, so that all pages together ask about `requests_per_second` times a second
(at most every MAX_POLL_SECONDS), and less often still (up to MAX_SHED_POLL_SECONDS) while the
server is busy (governance/pressure.py) and a poll is open.

A busy server stretches the interval only while a poll is open: the pages then hold what they
act on (the poll and its ballot), and what they wait for next (the result) can come later. While
no poll is open they wait for the opening, and a page told to wait longer would learn of it late:
the casts would then come compressed, after the poll's first seconds, on top of the returning
wave of live requests (measured in `python -m bench load`, session 30, issue #19). So the news of
an opened poll reaches every page within one audience-based interval (± the pages' jitter).
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from redis.exceptions import RedisError
from sqlmodel import Session

from governance.assemblies.agenda import agenda
from governance.assemblies.attendance import present_counts
from governance.assemblies.hooks import latest_result, open_poll
from governance.assemblies.models import Assembly
from governance.assemblies.roll import roll_size
from governance.assemblies.speakers import floor_state

log = logging.getLogger(__name__)

CACHE_SECONDS = 3.0
POLL_SECONDS = 5  # the live page's interval with a small audience
MAX_POLL_SECONDS = 30
# A busy server's longest interval while a poll is open: the pages hold the poll and its ballot,
# and learn of its result at most this late (the heartbeat's presence lasts 120 s regardless).
MAX_SHED_POLL_SECONDS = 60
REQUESTS_PER_SECOND = 250  # the default of the LIVE_REQUESTS_PER_SECOND setting
# While a poll is open, the live state gets this share of its budget: the rest is kept for the
# casts and the ballot pages, which come on top of it then (all members within a minute or so).
# A page learns of the poll from the answer that tells it the longer interval, so the cheap
# requests thin out before the casts peak, not only once a busy server notices (issue #19).
VOTING_SHARE = 0.5


def poll_interval(
    watchers: int,
    requests_per_second: int = REQUESTS_PER_SECOND,
    busy_factor: int = 1,
    *,
    voting: bool = False,
) -> int:
    """Seconds between two live-state requests of one page, for `watchers` open pages (at most
    MAX_POLL_SECONDS), while a poll is open (`voting`) within VOTING_SHARE of the budget; a
    busy server (`busy_factor` 2 or 4, governance/pressure.py) asks the pages to wait that many
    times longer, up to MAX_SHED_POLL_SECONDS."""
    budget = requests_per_second * VOTING_SHARE if voting else requests_per_second
    spread = math.ceil(watchers / max(1.0, budget))
    base = min(MAX_POLL_SECONDS, max(POLL_SECONDS, spread))
    if busy_factor <= 1:
        return base
    return min(MAX_SHED_POLL_SECONDS, base * busy_factor)


def live_payload(
    session: Session,
    *,
    assembly: Assembly,
    now: datetime,
    requests_per_second: int = REQUESTS_PER_SECOND,
    busy_factor: int = 1,
) -> dict[str, Any]:
    """The live state as a JSON-ready dict (no timestamps: equal states give equal ETags)."""
    item = None
    if assembly.current_item_id is not None:
        for entry in agenda(session, assembly_id=assembly.id):
            if entry.item.id == assembly.current_item_id:
                item = {"id": entry.item.id, "number": entry.number, "title": entry.item.title}
    counts = present_counts(session, assembly_id=assembly.id, now=now)
    watchers = counts["ROOM"] + counts["ONLINE"]  # a principal represented by proxy watches not
    poll = open_poll(session, assembly_id=assembly.id)
    shed = busy_factor if poll is not None else 1  # no poll open: the opening is the news
    return {
        "assembly": assembly.id,
        "state": assembly.state.value,
        "item": item,
        "poll": poll,
        "result": latest_result(session, assembly_id=assembly.id),
        "present": {**counts, "total": sum(counts.values())},
        "speakers": floor_state(session, assembly=assembly),
        "roll": roll_size(session, assembly_id=assembly.id),
        "poll_seconds": poll_interval(watchers, requests_per_second, shed, voting=poll is not None),
    }


def etag_of(payload: dict[str, Any]) -> str:
    """A strong ETag for a payload."""
    body = json.dumps(payload, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(body.encode("utf-8")).hexdigest()[:32]


@dataclass
class LiveCache:
    """Per-process cache of live payloads, keyed by assembly id."""

    seconds: float = CACHE_SECONDS
    clock: Callable[[], float] = time.monotonic
    _entries: dict[int, tuple[float, dict[str, Any], str]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def get(self, assembly_id: int, compute: Callable[[], dict[str, Any]]) -> tuple[dict, str]:
        """The cached (payload, etag), recomputed when older than `seconds`."""
        with self._lock:
            hit = self._entries.get(assembly_id)
        if hit is not None and self.clock() - hit[0] < self.seconds:
            return hit[1], hit[2]
        payload = compute()
        etag = etag_of(payload)
        with self._lock:
            self._entries[assembly_id] = (self.clock(), payload, etag)
        return payload, etag

    def forget(self, assembly_id: int) -> None:
        """Drop an assembly's entry (after the chair changed something)."""
        with self._lock:
            self._entries.pop(assembly_id, None)


@dataclass
class SharedLiveCache:
    """The live payloads in Redis, for every app server and worker process at once.

    A change made through one server (`forget`) reaches the watchers of every other one at
    their next request, and the state is computed about once per CACHE_SECONDS for all servers
    together instead of once per process. When Redis does not answer, the state is computed
    from the database as without a cache: watching never fails because of the cache.
    """

    client: Any
    prefix: str = "governance"
    seconds: float = CACHE_SECONDS

    def _key(self, assembly_id: int) -> str:
        return f"{self.prefix}:live:{assembly_id}"

    def get(self, assembly_id: int, compute: Callable[[], dict[str, Any]]) -> tuple[dict, str]:
        """The cached (payload, etag), recomputed when older than `seconds`."""
        try:
            raw = self.client.get(self._key(assembly_id))
        except RedisError as exc:
            log.warning("live cache unavailable: %s", type(exc).__name__)
            raw = None
        if raw is not None:
            cached = json.loads(raw)
            return cached["payload"], cached["etag"]
        payload = compute()
        etag = etag_of(payload)
        body = json.dumps({"payload": payload, "etag": etag}, separators=(",", ":"))
        try:
            self.client.set(self._key(assembly_id), body, px=int(self.seconds * 1000))
        except RedisError as exc:
            log.warning("live cache unavailable: %s", type(exc).__name__)
        return payload, etag

    def forget(self, assembly_id: int) -> None:
        """Drop an assembly's entry for every server."""
        try:
            self.client.delete(self._key(assembly_id))
        except RedisError as exc:
            # The entry lives CACHE_SECONDS at most: the change shows a little later.
            log.warning("live cache unavailable: %s", type(exc).__name__)
