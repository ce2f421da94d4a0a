"""Values made by governance/coopvote.py, checked by coopvote.js (the other way round).

Python runs a 2-of-3 ceremony (PyNaCl transport keys and boxes), encrypts ballots of the three
kinds, sums, decrypts partially and combines; tests/crypto/js/check_python.mjs verifies every
value with the browser module under Node: the entries and fingerprint, the boxes opened into
the very key files Python made, every ballot, check file, sum, partial decryption and result.
"""

from __future__ import annotations

import json
import secrets
import subprocess
from pathlib import Path
from typing import Any

from nacl.public import PrivateKey

from governance import coopvote as cv
from tests.crypto.test_js_node import ROOT, node  # noqa: F401  (fixture)

CHECKER = Path(__file__).parent / "js" / "check_python.mjs"
ASSEMBLY = "2c4e6a8b-0d1f-4a3c-9e5b-7d9f1b3d5f70"
POLLS = [
    ("4e6a8b0d-1f2a-4c3e-8b5d-7f9a1c3e5b70", cv.definition("MOTION"), [[[1, 0, 0]], [[0, 0, 1]]]),
    (
        "5f7b9c1e-2a3b-4d4f-9c6e-8a0b2d4f6c81",
        cv.definition("CHOOSE_UP_TO_N", 3, 2),
        [[[1, 1, 0, 0]], [[0, 0, 0, 1]], [[0, 1, 0, 0]]],
    ),
    (
        "6a8c0d2f-3b4c-4e5a-8d7f-9b1c3e5a7d92",
        cv.definition("YES_NO_ABSTAIN_PER_CANDIDATE", 2),
        [[[1, 0, 0], [0, 0, 1]], [[0, 1, 0], [1, 0, 0]]],
    ),
]


def python_ceremony(ceremony: str, n: int = 3, t: int = 2) -> dict[str, Any]:
    transport = {i: PrivateKey.generate() for i in range(1, n + 1)}
    entries, coeffs = {}, {}
    for i in transport:
        entries[i], coeffs[i] = cv.round1(ceremony, i, t, bytes(transport[i].public_key))
    fp = cv.fingerprint(ceremony, n, t, entries)
    boxes = []
    for i in transport:
        for j in transport:
            if i != j:
                nonce = secrets.token_bytes(24)
                value = cv.share(coeffs[i], j)
                box = cv.seal_share(
                    value, nonce, bytes(transport[j].public_key), bytes(transport[i])
                )
                boxes.append({"from": i, "to": j, "nonce": nonce.hex(), "box": box})
    keys = {}
    for j in transport:
        x = sum(cv.share(coeffs[i], j) for i in transport) % cv.ELL
        keys[j] = cv.key_file(ceremony, j, t, n, x, entries, fp)
    y = cv.poll_key(entries)
    js_secrets = {
        j: {
            "ceremony": ceremony,
            "i": j,
            "t": t,
            "coeffs": [cv.scalar_hex(a) for a in coeffs[j]],
            "transport": bytes(transport[j]).hex(),
        }
        for j in transport
    }
    return {
        "id": ceremony,
        "n": n,
        "t": t,
        "entries": entries,
        "fingerprint": fp,
        "boxes": boxes,
        "keys": keys,
        "secrets": js_secrets,
        "Y": y,
        "key_fingerprint": cv.key_fingerprint(y),
    }


def python_poll(c: dict[str, Any], poll: str, definition: dict[str, Any], choices: Any) -> Any:
    key = cv.PollKey(c["id"], c["Y"], ASSEMBLY, poll, definition)
    made = [cv.encrypt(key, ch) for ch in choices]
    sums = cv.ballot_sums(definition, [b.ciphertexts for b in made])
    assert sums is not None
    partials = {
        j: cv.partial_decrypt(key, j, int.from_bytes(bytes.fromhex(k["x"]), "little"), sums)
        for j, k in c["keys"].items()
    }
    ds = {j: cv.check_partial(key, j, c["keys"][j]["Y_j"], sums, partials[j]) for j in (2, 3)}
    return {
        "ctx": {
            "ceremony": key.ceremony,
            "Y": key.Y,
            "assembly": key.assembly,
            "poll": key.poll,
            "definition": definition,
        },
        "h_poll": key.h_poll.hex(),
        "ballots": [{"wire": b.wire, "tracker": b.tracker, "audit": b.audit_file()} for b in made],
        "sums": json.loads(cv.sums_to_json(sums)),
        "partials": partials,
        "result": cv.combine(sums, ds, len(made)),
    }


def test_python_values_check_in_coopvote_js(node: str, tmp_path: Path) -> None:  # noqa: F811
    ceremony = python_ceremony("1d3f5b7a-9c2e-4f6a-8b0d-2f4a6c8e0b13")
    polls = [python_poll(ceremony, poll, d, choices) for poll, d, choices in POLLS]
    path = tmp_path / "python.json"
    path.write_text(json.dumps({"ceremony": ceremony, "polls": polls}))
    proc = subprocess.run(
        [node, str(CHECKER), str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    checked = json.loads(proc.stdout)
    assert checked["entries"] == 3
    assert checked["keyFiles"] == 3
    assert checked["ballots"] == checked["auditFiles"] == 7
    assert checked["partials"] == 9
    assert checked["results"] == [[[1, 0, 1]], [[1, 2, 0, 1]], [[1, 1, 0], [1, 0, 1]]]
    assert len(checked["refused"]) == 3
    assert all("proof does not verify" in m for m in checked["refused"])
