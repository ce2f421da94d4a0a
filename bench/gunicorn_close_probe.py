"""A gunicorn config for the load scenario (BENCH_GUNICORN_CONFIG=bench/gunicorn_close_probe.py):
each worker times gunicorn's close of a connection (util.close_graceful: after the response it
waits for the client's FIN, up to 2 s) and prints at its exit how many closes it made, how long
they took together and the longest. Where a sync worker's time goes besides the app."""

from __future__ import annotations

import os
import sys
import time
from typing import Any

import gunicorn.util

_close = gunicorn.util.close_graceful
_seen = {"closes": 0, "seconds": 0.0, "longest": 0.0}


def _timed_close(sock: Any, *args: Any, **kwargs: Any) -> None:
    started = time.perf_counter()
    try:
        _close(sock, *args, **kwargs)
    finally:
        took = time.perf_counter() - started
        _seen["closes"] += 1
        _seen["seconds"] += took
        _seen["longest"] = max(_seen["longest"], took)


gunicorn.util.close_graceful = _timed_close  # the sync worker calls it through the module


def worker_exit(_server: Any, _worker: Any) -> None:
    if _seen["closes"]:
        sys.stderr.write(
            f"close probe, worker {os.getpid()}: {_seen['closes']} closes took "
            f"{_seen['seconds']:.1f} s together, the longest {_seen['longest'] * 1000:.0f} ms\n"
        )
