"""The standalone verifier on an encrypted poll's bundle, with PyNaCl and with pure Python.

The bundle is built here from coopvote alone (no server), so that the verifier is tested
against the specification; tests/ballots and tests/e2e export real bundles of real polls.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from governance import coopvote as cv
from governance.audit import verify_bundle as vb
from governance.audit.sample_bundle import Ceremony, encrypted_bundle

ROOT = Path(__file__).resolve().parents[2]


def _verify(bundle: dict, arith: str) -> vb.Report:
    vb.ARITH = arith
    try:
        return vb.verify(json.loads(json.dumps(bundle)))
    finally:
        vb.ARITH = None


def _failed(report: vb.Report) -> list[str]:
    return [line for line in report.lines if line.startswith("[FAIL]")]


@pytest.fixture(scope="module")
def motion_bundle() -> dict:
    return encrypted_bundle([[[1, 0, 0]]] * 3 + [[[0, 1, 0]]])


@pytest.mark.parametrize("arith", ["nacl", "pure"])
def test_an_honest_encrypted_bundle_passes_on_both_arithmetics(motion_bundle, arith):
    report = _verify(motion_bundle, arith)
    assert not report.failed, report.lines
    joined = "\n".join(report.lines)
    assert "every ballot's proofs verify" in joined
    assert "every set of t tellers decrypts" in joined
    result = motion_bundle["result"]
    assert result["counts"] == {"YES": 3, "NO": 1, "ABSTAIN": 0}
    assert result["outcome"] == "ADOPTED" and result["ballots_online"] == 4


def test_an_election_bundle_counts_candidates_and_explicit_abstention():
    votes = [[[1, 1, 0, 0]], [[0, 1, 0, 0]], [[0, 0, 0, 1]]]
    bundle = encrypted_bundle(votes, kind="CHOOSE_UP_TO_N", k=3, n=2)
    assert not _verify(bundle, "nacl").failed
    cands = {c["label"]: c["votes"] for c in bundle["result"]["candidates"]}
    assert cands == {"Kandidat 0": 1, "Kandidat 1": 2, "Kandidat 2": 0}
    assert bundle["result"]["abstentions"] == 1 and bundle["result"]["valid"] == 3
    per = encrypted_bundle(
        [[[1, 0, 0], [0, 1, 0]], [[1, 0, 0], [0, 0, 1]]], kind="YES_NO_ABSTAIN_PER_CANDIDATE", k=2
    )
    assert not _verify(per, "nacl").failed
    first = per["result"]["candidates"][0]
    assert (first["yes"], first["no"], first["abstain"]) == (2, 0, 0)


def test_an_empty_box_needs_no_tellers():
    bundle = encrypted_bundle([])
    assert not _verify(bundle, "nacl").failed


def _tampered(bundle: dict, change: Callable[[dict], None]) -> dict:
    copy = json.loads(json.dumps(bundle))
    change(copy)
    return copy


def _flip(text: str) -> str:
    return ("1" if text[0] != "1" else "2") + text[1:]


def _proof_byte(b: dict) -> None:
    doc = json.loads(b["ballots"][0]["cipher"])
    doc["questions"][0][0]["proof"][0][1] = _flip(doc["questions"][0][0]["proof"][0][1])
    b["ballots"][0]["cipher"] = json.dumps(doc, separators=(",", ":"))


def _share_byte(b: dict) -> None:
    share = b["encryption"]["decryptions"][0]["shares"][0]
    share["s"] = _flip(share["s"])


def _swap_ballot(b: dict) -> None:
    b["ballots"][0]["cipher"], b["ballots"][1]["cipher"] = (
        b["ballots"][1]["cipher"],
        b["ballots"][0]["cipher"],
    )


def _result(b: dict) -> None:
    b["result"]["counts"]["YES"] = 4


def _round1(b: dict) -> None:
    b["encryption"]["ceremony"]["tellers"][1]["round1"]["c"] = _flip(
        b["encryption"]["ceremony"]["tellers"][1]["round1"]["c"]
    )


def _key_swap(b: dict) -> None:
    b["encryption"]["ceremony"]["public_key"] = cv.arith("nacl").base(5).hex()


def _one_teller(b: dict) -> None:
    del b["encryption"]["decryptions"][1]


def _sums(b: dict) -> None:
    sums = b["encryption"]["sums"]
    sums[0][0], sums[0][1] = sums[0][1], sums[0][0]


def _plaintext(b: dict) -> None:
    b["ballots"][0]["choice"] = "YES"


@pytest.mark.parametrize(
    ("change", "failing"),
    [
        (_proof_byte, "every ballot's proofs verify"),
        (_swap_ballot, "trackers are their hashes"),
        (_share_byte, "partial decryption proof verifies"),
        (_result, "tally recomputes"),
        (_round1, "round-1 proof verifies"),
        (_key_swap, "poll key and its fingerprint"),
        (_one_teller, "t tellers decrypted"),
        (_sums, "sums of exactly these ballots"),
        (_plaintext, "no plaintext choice"),
    ],
    ids=[
        "proof-byte",
        "swapped-ciphers",
        "share-byte",
        "result",
        "round1",
        "key",
        "one-teller",
        "sums",
        "plaintext",
    ],
)
def test_every_tampered_field_fails_its_check(motion_bundle, change, failing):
    report = _verify(_tampered(motion_bundle, change), "nacl")
    assert report.failed
    assert any(failing in line for line in _failed(report)), report.lines


def _run(folder: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-I", str(folder / "verify_bundle.py"), *args],
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
        check=False,
    )


def test_the_copied_verifier_checks_the_bundle_with_and_without_pynacl(tmp_path, motion_bundle):
    """An auditor's folder: verify_bundle.py and coopvote.py, nothing of the app."""
    folder = tmp_path / "auditor"
    folder.mkdir()
    shutil.copy(ROOT / "governance" / "audit" / "verify_bundle.py", folder)
    shutil.copy(ROOT / "governance" / "coopvote.py", folder)
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(motion_bundle))
    with_nacl = _run(folder, str(path))
    assert with_nacl.returncode == 0, with_nacl.stdout + with_nacl.stderr
    forced_pure = _run(folder, "--arith", "pure", str(path))
    assert forced_pure.returncode == 0, forced_pure.stdout
    # Without PyNaCl at all: a `nacl` package that cannot be imported shadows the real one.
    block = tmp_path / "block" / "nacl"
    block.mkdir(parents=True)
    (block / "__init__.py").write_text("raise ImportError('PyNaCl is not installed here')\n")
    code = (
        "import runpy, sys; sys.path.insert(0, sys.argv[1]); folder = sys.argv[2];"
        "sys.argv = [folder + '/verify_bundle.py', *sys.argv[3:]];"
        "runpy.run_path(sys.argv[0], run_name='__main__')"
    )
    no_nacl = subprocess.run(
        [sys.executable, "-I", "-c", code, str(tmp_path / "block"), str(folder), str(path)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert no_nacl.returncode == 0, no_nacl.stdout + no_nacl.stderr
    assert "arithmetic: pure" in no_nacl.stdout and "arithmetic: nacl" in with_nacl.stdout
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(_tampered(motion_bundle, _share_byte)))
    refused = _run(folder, "--arith", "pure", str(bad))
    assert refused.returncode == 1 and "FAILED" in refused.stdout


def test_the_verifier_checks_a_voters_ballot_check_file(tmp_path):
    cer = Ceremony()
    enc = cv.encrypt(cer.key(), [[0, 0, 1]])
    path = tmp_path / "check.json"
    path.write_text(json.dumps(enc.audit_file()))
    folder = tmp_path / "auditor"
    folder.mkdir()
    shutil.copy(ROOT / "governance" / "audit" / "verify_bundle.py", folder)
    shutil.copy(ROOT / "governance" / "coopvote.py", folder)
    ok = _run(folder, "audit", str(path))
    assert ok.returncode == 0 and enc.tracker in ok.stdout, ok.stdout
    data = enc.audit_file()
    data["choices"] = [[1, 0, 0]]
    path.write_text(json.dumps(data))
    lie = _run(folder, "--arith", "pure", "audit", str(path))
    assert lie.returncode == 1 and "does not encrypt" in lie.stdout


def test_the_checkout_launcher_runs_the_verifier(tmp_path, motion_bundle):
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(motion_bundle))
    done = subprocess.run(
        [
            sys.executable,
            "-I",
            str(ROOT / "tools" / "verify_bundle.py"),
            "--arith",
            "pure",
            str(path),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "RESULT: all checks passed" in done.stdout


def test_the_audit_page_offers_coopvote_next_to_the_verifier(login):
    from governance.accounts.models import Role

    client = login(roles=[Role.SUPERVISORY_BOARD])
    response = client.get("/audit/coopvote.py")
    assert response.status_code == 200
    assert response.data == (ROOT / "governance" / "coopvote.py").read_bytes()
