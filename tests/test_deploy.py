"""The files in deploy/ work as written: the systemd units' commands start the web server and
the worker (with /opt/governance/bin replaced by this environment's bin directory and the
environment file's settings pointed at a temporary SQLite database), and the nginx site passes
exactly the one proxy hop the environment file trusts."""

from __future__ import annotations

import configparser
import os
import re
import shlex
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import free_port

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
BIN = Path(sys.executable).parent
pytestmark = pytest.mark.slow


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(DEPLOY / name)
    return parser


def env_file(tmp: Path, port: int) -> dict[str, str]:
    """The example environment file, with the database and paths of this test."""
    settings = {}
    for line in (DEPLOY / "governance.env.example").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            key, _, value = line.partition("=")
            settings[key] = value
    settings.update(
        GOVERNANCE_DATABASE_URL=f"sqlite:///{tmp / 'governance.sqlite3'}",
        GOVERNANCE_INSTANCE_PATH=str(tmp / "instance"),
        GOVERNANCE_RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379/15",
        GOVERNANCE_SECRET_KEY="k" * 64,
        GOVERNANCE_SMTP_PORT=str(port),
    )
    return {**settings, "PATH": os.environ["PATH"], "HOME": str(tmp)}


def command(name: str, port: int | None = None) -> list[str]:
    exec_start = unit(name)["Service"]["ExecStart"]
    exec_start = exec_start.replace("/opt/governance/bin/", f"{BIN}/")
    if port is not None:
        exec_start = exec_start.replace("127.0.0.1:8000", f"127.0.0.1:{port}")
        # The votes' lane (tests/test_vote_lane.py): a free port too, never the real 8001.
        exec_start = exec_start.replace("127.0.0.1:8001", f"127.0.0.1:{free_port()}")
    return shlex.split(exec_start)


def test_units_name_the_installed_commands():
    for name in ("governance-web.service", "governance-worker.service"):
        service = unit(name)["Service"]
        assert service["ExecStart"].startswith("/opt/governance/bin/")
        assert service["EnvironmentFile"] == "/etc/governance/governance.env"
        assert service["WorkingDirectory"] == "/srv/governance"
    assert "%(b)s" not in unit("governance-web.service")["Service"]["ExecStart"]


def test_the_units_commands_start_web_server_and_worker(tmp_path):
    env = env_file(tmp_path, free_port())
    subprocess.run(
        [str(BIN / "governance"), "db", "upgrade"], cwd=tmp_path, env=env, check=True, timeout=120
    )
    port = free_port()
    web = subprocess.Popen(
        command("governance-web.service", port),
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    worker = subprocess.Popen(
        command("governance-worker.service"),
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        health = _health(port, web, lambda h: h["jobs"]["mail"]["worker_seen_s"] is not None)
        assert health["database"] == "ok" and health["schema"] == "ok"
        assert all(facts["worker_seen_s"] is not None for facts in health["jobs"].values())
        assert worker.poll() is None, "the worker ended"
    finally:
        for proc in (web, worker):
            os.killpg(proc.pid, 15)
            proc.wait(timeout=20)


def _health(port: int, web: subprocess.Popen[bytes], ready) -> dict:
    deadline = time.monotonic() + 90
    last: dict | None = None
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as r:
                import json

                last = json.load(r)
                if ready(last):
                    return last
        except OSError:
            assert web.poll() is None, "the web server ended"
        time.sleep(0.5)
    raise AssertionError(f"not ready: {last}")


def test_nginx_passes_exactly_the_trusted_hop():
    site = (DEPLOY / "nginx-governance.conf").read_text()
    env = (DEPLOY / "governance.env.example").read_text()
    assert "GOVERNANCE_PROXY_COUNT=1" in env
    # One hop: X-Forwarded-For is set to the client, never appended to what the client sent.
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in site
    assert "$proxy_add_x_forwarded_for" not in site
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in site
    assert re.search(r"listen 443 ssl;", site) and "return 301 https://" in site
    log_format = re.search(r"log_format governance '([^']*)'", site)
    assert log_format and "bytes" not in log_format.group(1)
    assert "$request_length" not in log_format.group(1)
    assert "gzip off;" in site
