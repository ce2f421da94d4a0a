"""Rate limits that several processes would each count on their own are refused in production:
`memory://` storage with more than one worker (GOVERNANCE_WORKERS, or gunicorn's own setting)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from governance import create_app
from governance.config import ConfigError

ROOT = Path(__file__).resolve().parents[1]
GUNICORN = Path(sys.executable).parent / "gunicorn"
SECRET = "k" * 64


def _config(tmp_path, **extra) -> dict:
    return {
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}",
        "SCHEMA_CHECK": False,
        "ENV_NAME": "production",
        "SECRET_KEY": SECRET,
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_STORAGE_URI": "memory://",
        **extra,
    }


def test_memory_storage_with_several_workers_is_refused_in_production(tmp_path):
    with pytest.raises(ConfigError) as info:
        create_app(_config(tmp_path, WORKERS=4))
    message = str(info.value)
    assert "\n" not in message
    assert "memory://" in message and "4 worker processes" in message and "redis://" in message


@pytest.mark.parametrize(
    "extra",
    [
        {"WORKERS": 1},
        {"WORKERS": None},
        {"WORKERS": 4, "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0"},
        {"WORKERS": 4, "ENV_NAME": "development"},
    ],
)
def test_what_is_allowed(tmp_path, extra):
    app = create_app(_config(tmp_path, **extra))
    app.extensions["governance.engine"].dispose()


def test_the_worker_count_comes_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("GOVERNANCE_WORKERS", "3")
    config = _config(tmp_path)
    with pytest.raises(ConfigError, match="3 worker processes"):
        create_app(config)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _gunicorn(tmp_path, args: list[str], **env: str) -> tuple[subprocess.Popen, int]:
    port = _free_port()
    environ = {
        **{k: v for k, v in os.environ.items() if not k.startswith("GOVERNANCE_")},
        "GOVERNANCE_ENV": "production",
        "GOVERNANCE_SECRET_KEY": SECRET,
        "GOVERNANCE_INSTANCE_PATH": str(tmp_path / "instance"),
        "GOVERNANCE_DATABASE_URL": f"sqlite:///{tmp_path / 'gunicorn.sqlite3'}",
        **env,
    }
    cmd = [str(GUNICORN), *args, "-b", f"127.0.0.1:{port}", "wsgi:app"]
    proc = subprocess.Popen(
        cmd, cwd=ROOT, env=environ, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    return proc, port


@pytest.mark.parametrize(
    "args, env",
    [
        (["-w", "2"], {}),
        (["--preload", "--workers", "2"], {}),
        ([], {"GUNICORN_CMD_ARGS": "--workers 3"}),
        ([], {"WEB_CONCURRENCY": "2"}),
    ],
)
def test_gunicorn_with_several_workers_and_memory_storage_does_not_start(tmp_path, args, env):
    proc, _port = _gunicorn(tmp_path, args, **env)
    try:
        output, _ = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode != 0
    assert b"GOVERNANCE_RATELIMIT_STORAGE_URI is memory:// while" in output


def test_gunicorn_with_one_worker_serves(tmp_path):
    proc, port = _gunicorn(tmp_path, ["-w", "1"])
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
            except urllib.error.HTTPError as exc:  # 503: schema not migrated; it serves
                assert exc.code == 503
                break
            except OSError:
                assert proc.poll() is None, proc.stdout.read()
                assert time.monotonic() < deadline
                time.sleep(0.2)
            else:
                break
    finally:
        proc.terminate()
        proc.communicate(timeout=30)
