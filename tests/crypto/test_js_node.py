"""The browser's coopvote (governance/static/js/coopvote*.js) under Node, file by file.

Each tests/crypto/js/*.test.mjs is a node:test file importing the shipped module and the vendored
libraries straight from governance/static/; Node runs the same bytes a browser loads. Node must
be installed (`tools/ensure-chromium.sh` installs Debian's nodejs); in CI a missing node fails.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
STATIC = ROOT / "governance" / "static"
FILES = sorted((HERE / "js").glob("*.test.mjs"))


@pytest.fixture(scope="module")
def node() -> str:
    found = shutil.which("node")
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail("node is missing (tools/ensure-chromium.sh installs it)")
        pytest.skip("node is not installed")
    return found


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name.removesuffix(".test.mjs"))
def test_node(node: str, path: Path) -> None:
    proc = subprocess.run(
        [node, "--test", "--test-reporter=tap", str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    failed = [line for line in proc.stdout.splitlines() if line.startswith("not ok")]
    assert proc.returncode == 0, (
        "\n".join(failed) + "\n" + proc.stdout[-6000:] + proc.stderr[-3000:]
    )
    assert re.search(r"^# pass [1-9]", proc.stdout, re.M), proc.stdout[-2000:]


def test_the_node_files_are_found() -> None:
    assert {p.name for p in FILES} >= {
        "ballots.test.mjs",
        "ceremony.test.mjs",
        "count.test.mjs",
        "random.test.mjs",
    }


def test_sources_use_no_other_randomness_storage_or_eval() -> None:
    """Secrets come only from crypto.getRandomValues and stay in memory; the CSP forbids eval."""
    ours = sorted((STATIC / "js").glob("coopvote*.js"))
    assert len(ours) >= 5
    for path in ours:
        text = path.read_text()
        for banned in (
            "Math.random",
            "localStorage",
            "sessionStorage",
            "indexedDB",
            "randomSecretKey",
        ):
            assert banned not in text, f"{path.name} uses {banned}"
        imports = re.findall(r'from "([^"]+)"', text)
        assert all(i.startswith(("./coopvote", "../vendor/")) for i in imports), imports
    for path in [*ours, *sorted((STATIC / "vendor").glob("*.js"))]:
        text = path.read_text()
        for banned in ("eval(", "new Function(", "WebAssembly"):
            assert banned not in text, f"{path.name} uses {banned}"


def test_vendored_files_carry_versions_and_licences() -> None:
    vendor = STATIC / "vendor"
    assert (vendor / "LICENSE-noble").read_text().startswith("The MIT License")
    assert "public domain" in (vendor / "LICENSE-tweetnacl").read_text()
    noble = (vendor / "noble-ed25519.js").read_text()
    assert noble.startswith("// @noble/curves 2.4.0 and @noble/hashes 2.4.0")
    assert "export {\n  ed25519,\n  sha256,\n  sha512\n};" in noble
    assert (vendor / "tweetnacl.js").read_text().startswith("// tweetnacl 1.0.3")
    readme = (vendor / "README.md").read_text()
    assert "tools/vendor-js.sh" in readme
    assert len(re.findall(r"^[0-9a-f]{64}  \S+\.tgz$", readme, re.M)) == 3
