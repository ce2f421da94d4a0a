"""A normal install works: the wheel, installed non-editable into a fresh virtualenv, serves the
German login page and a static file and renders a sample minutes PDF, started from a directory
that is not the checkout — the README's deployment recipe, step by step.

The wheel is built from a copy of the package's own files (no build isolation: the dev
dependencies bring setuptools, wheel and Babel, which compiles the catalogues into the wheel).
The fresh virtualenv gets the wheel alone; its dependencies come from the test run's own
environment through a path file, so the test needs no network.
"""

from __future__ import annotations

import os
import shutil
import site
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import free_port

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow


def run(*args: str | Path, cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, f"{args}:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def build_wheel(tmp: Path) -> Path:
    source = tmp / "source"
    source.mkdir()
    for name in ("pyproject.toml", "setup.py", "README.md"):
        shutil.copy(ROOT / name, source / name)
    shutil.copytree(
        ROOT / "governance",
        source / "governance",
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.mo"),
    )
    dist = tmp / "dist"
    pip = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q"]
    run(*pip, "-w", dist, source, cwd=tmp)
    (wheel,) = dist.glob("governance-*.whl")
    return wheel


def fresh_venv(tmp: Path, wheel: Path) -> Path:
    venv = tmp / "venv"
    run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=tmp)
    python = venv / "bin" / "python"
    run(
        sys.executable,
        "-m",
        "pip",
        "--python",
        python,
        "install",
        "-q",
        "--no-deps",
        wheel,
        cwd=tmp,
    )
    # The dependencies, not the checkout: the test run's site-packages, whose own .pth files
    # (among them the editable install of the checkout) are not processed from a path file.
    purelib = run(
        python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])", cwd=tmp
    )
    deps = [p for p in site.getsitepackages() if Path(p).is_dir()]
    Path(purelib.strip(), "deps.pth").write_text("\n".join(deps) + "\n")
    return venv


def test_the_wheel_runs_outside_the_checkout(tmp_path):
    wheel = build_wheel(tmp_path)
    venv = fresh_venv(tmp_path, wheel)
    workdir = tmp_path / "srv"
    workdir.mkdir()
    env = {
        "PATH": f"{venv / 'bin'}:{os.environ['PATH']}",
        "HOME": str(tmp_path),
        "GOVERNANCE_DATABASE_URL": f"sqlite:///{workdir / 'governance.sqlite3'}",
        "GOVERNANCE_INSTANCE_PATH": str(workdir / "instance"),
        "GOVERNANCE_SECRET_KEY": "x" * 48,
    }
    python = venv / "bin" / "python"
    where = run(python, "-c", "import governance; print(governance.__file__)", cwd=workdir, env=env)
    assert where.startswith(str(venv)), f"imported from {where}"

    run(venv / "bin" / "governance", "db", "upgrade", cwd=workdir, env=env)
    out = run(venv / "bin" / "governance", "minutes", "sample", "-o", "s.pdf", cwd=workdir, env=env)
    assert "pages" in out
    assert (workdir / "s.pdf").read_bytes().startswith(b"%PDF-")

    port = free_port()
    server = subprocess.Popen(
        [python, "-m", "gunicorn", "-w", "1", "-b", f"127.0.0.1:{port}", "governance.wsgi:app"],
        cwd=workdir,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        login = _get(f"http://127.0.0.1:{port}/login", server)
        assert "Anmelden" in login.decode(), "the login page is not German"
        css = _get(f"http://127.0.0.1:{port}/static/css/app.css", server)
        assert len(css) > 100
    finally:
        server.terminate()
        server.wait(timeout=10)
        assert server.stderr is not None
        server.stderr.close()


def _get(url: str, server: subprocess.Popen[bytes]) -> bytes:
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                assert response.status == 200
                return bytes(response.read())
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(
                    f"the server did not answer {url}: {server.stderr.read()[-2000:]!r}"
                ) from None
            time.sleep(0.3)
