"""The votes' lane (README, deploy/): gunicorn bound to a second address, where nginx sends the
ballot pages and the casts. Every sync worker takes a connection waiting there in turn with one
from the first address, so a vote waits for at most the request a worker is serving and one
more, not behind every live-page request queued before it (issue #19)."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import free_port
from tests.lane_app import SLOW_SECONDS

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
GUNICORN = Path(sys.executable).parent / "gunicorn"
pytestmark = pytest.mark.slow
QUEUED = 8  # slow requests queued on the first address: 2.4 s of work for the one worker


def _get(port: int, path: str) -> float:
    """Seconds until the whole answer came."""
    t0 = time.monotonic()
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=30) as r:
        assert r.read() == b"ok"
    return time.monotonic() - t0


@pytest.fixture
def server() -> Iterator[tuple[int, int]]:
    """One sync worker on two addresses, as the unit binds them (the lane app in between)."""
    main, lane = free_port(), free_port()
    cmd = [str(GUNICORN), "-k", "sync", "-w", "1", "-b", f"127.0.0.1:{main}"]
    cmd += ["-b", f"127.0.0.1:{lane}", "--log-level", "warning", "tests.lane_app:app"]
    proc = subprocess.Popen(cmd, cwd=ROOT, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                _get(main, "/"), _get(lane, "/")
                break
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.2)
        yield main, lane
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def _behind_a_queue(main: int, port: int) -> float:
    """Queue QUEUED slow requests on the first address, then time a quick one on `port`."""
    queued = [threading.Thread(target=_get, args=(main, "/slow")) for _ in range(QUEUED)]
    for thread in queued:
        thread.start()
    time.sleep(SLOW_SECONDS / 2)  # the worker serves the first; the others wait in the queue
    try:
        return _get(port, "/quick")
    finally:
        for thread in queued:
            thread.join(timeout=30)


def test_a_vote_on_its_own_address_passes_the_queue_of_the_other(server):
    main, lane = server
    through_the_lane = _behind_a_queue(main, lane)
    assert through_the_lane < 3 * SLOW_SECONDS  # the slow one being served, at most one more
    behind_the_queue = _behind_a_queue(main, main)  # what the lane spares it
    assert behind_the_queue > (QUEUED - 2) * SLOW_SECONDS


def test_nginx_sends_the_ballot_pages_and_casts_to_the_second_address_the_unit_binds():
    unit = (DEPLOY / "governance-web.service").read_text()
    exec_start = next(line for line in unit.splitlines() if line.startswith("ExecStart="))
    binds = re.findall(r"--bind (\S+)", " ".join(shlex.split(exec_start)))
    assert binds == ["127.0.0.1:8000", "127.0.0.1:8001"]
    site = (DEPLOY / "nginx-governance.conf").read_text()
    lane = re.search(r"location ~ (\S+) \{\s*proxy_pass http://([0-9.:]+);\s*\}", site)
    assert lane is not None and lane.group(2) == binds[1]
    pattern = re.compile(lane.group(1))
    for path in ("/polls/12/vote", "/polls/12/cast"):
        assert pattern.search(path), path
    for path in ("/polls/12", "/polls/12/box", "/assemblies/3/live.json", "/polls/12/cast/x"):
        assert not pattern.search(path), path
    rest = re.search(r"location / \{\s*proxy_pass http://([0-9.:]+);\s*\}", site)
    assert rest is not None and rest.group(1) == binds[0]
