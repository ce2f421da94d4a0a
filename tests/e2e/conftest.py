"""Browser tests: the app under gunicorn (a real server process) and Debian's Chromium via Playwright.

Chromium is never downloaded: `tools/ensure-chromium.sh` installs Debian's package; Playwright
drives /usr/bin/chromium with the flags that keep it off the network. Screenshots of each step
are kept in test-artifacts/e2e/ as test artefacts.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import free_port

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = ROOT / "test-artifacts" / "e2e"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]

pytestmark = pytest.mark.e2e


class LiveServer:
    """gunicorn serving wsgi:app on a free localhost port against the test database."""

    def __init__(self, database_url: str, smtp_port: int, workers: int = 2) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "GOVERNANCE_DATABASE_URL": database_url,
            "GOVERNANCE_SECRET_KEY": "e2e-secret-key",
            "GOVERNANCE_SMTP_HOST": "127.0.0.1",
            "GOVERNANCE_SMTP_PORT": str(smtp_port),
            "GOVERNANCE_BASE_URL": self.url,
            "GOVERNANCE_RATELIMIT_DISABLED": "1",
        }
        self.workers = workers
        self.proc: subprocess.Popen[bytes] | None = None
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self._log = open(ARTIFACTS / f"gunicorn-{self.port}.log", "ab")  # noqa: SIM115

    def start(self) -> None:
        gunicorn = Path(sys.executable).parent / "gunicorn"
        self.proc = subprocess.Popen(
            [
                str(gunicorn),
                "-w",
                str(self.workers),
                "-b",
                f"127.0.0.1:{self.port}",
                "--timeout",
                "120",
                "--graceful-timeout",
                "5",
                "wsgi:app",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=self._log,  # a pipe nobody reads would stall the server once it is full
            start_new_session=True,  # its own process group: kill() ends master and workers
        )
        deadline = time.monotonic() + 90  # a loaded CI machine starts workers slowly
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("gunicorn did not start")

    def kill(self) -> None:
        """SIGKILL the whole server (master and workers): a crash, not a shutdown."""
        assert self.proc is not None
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        if not self._log.closed:
            self._log.close()


@pytest.fixture
def one_backend(backend: str) -> None:
    """Browser tests whose subject is not the database run on SQLite only (the crash and
    concurrency tests run on both)."""
    if backend != "sqlite":
        pytest.skip("the browser run is the same on PostgreSQL")


@pytest.fixture
def live_server(app: Any, smtp: Any) -> Iterator[LiveServer]:
    """The app (on the current backend's fresh database) served by gunicorn."""
    server = LiveServer(app.config["DATABASE_URL"], smtp.port)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def serve(app: Any, smtp: Any) -> Iterator[Callable[..., LiveServer]]:
    """serve(workers=4): start gunicorn on the test's database; all are stopped at teardown."""
    servers: list[LiveServer] = []

    def _serve(workers: int = 2) -> LiveServer:
        server = LiveServer(app.config["DATABASE_URL"], smtp.port, workers=workers)
        servers.append(server)
        server.start()
        return server

    yield _serve
    for server in servers:
        server.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI") == "true":
            pytest.fail("Debian's chromium is missing (tools/ensure-chromium.sh installs it)")
        pytest.skip("Debian's chromium is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


class Shots:
    """Numbered screenshots of a story, kept as test artefacts."""

    def __init__(self, name: str) -> None:
        self.dir = ARTIFACTS / name
        self.dir.mkdir(parents=True, exist_ok=True)
        for old in self.dir.glob("*.png"):  # a rerun's pictures only
            old.unlink()
        self.n = 0
        self.started = self.last = time.monotonic()
        self.laps: list[str] = []

    def __call__(self, page: Any, step: str) -> None:
        self.n += 1
        page.screenshot(path=str(self.dir / f"{self.n:02d}-{step}.png"), full_page=True)
        self.lap(step)

    def lap(self, step: str) -> None:
        """Note the time since the previous step (written to timings.txt at the end)."""
        now = time.monotonic()
        self.laps.append(f"{now - self.started:7.1f} s  +{now - self.last:5.1f} s  {step}")
        self.last = now

    def save(self) -> None:
        if self.laps:
            (self.dir / "timings.txt").write_text("\n".join(self.laps) + "\n")


@pytest.fixture
def shots(request: pytest.FixtureRequest) -> Iterator[Shots]:
    safe = request.node.name.replace("[", "-").replace("]", "").replace("/", "-")
    taker = Shots(safe)
    yield taker
    taker.save()


def axe_violations(page: Any, impacts: tuple[str, ...] = ("serious", "critical")) -> list[str]:
    """Run axe-core (shipped in axe-playwright-python) on the page; serious/critical violations."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    found = []
    for v in results.response.get("violations", []):
        if v.get("impact") in impacts:
            targets = [n.get("target") for n in v.get("nodes", [])][:3]
            found.append(f"{v['id']} ({v['impact']}): {v['help']} at {targets}")
    return found
