"""A WSGI app for tests/test_vote_lane.py: /slow takes 0.3 s, anything else answers at once."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any

SLOW_SECONDS = 0.3


def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    if environ.get("PATH_INFO") == "/slow":
        time.sleep(SLOW_SECONDS)
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")])
    return [b"ok"]
