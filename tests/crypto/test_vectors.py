"""The known-answer vectors made by coopvote.js in Chromium, checked by governance.coopvote.

tests/crypto/vectors/browser-v1.json (made in Chromium by test_browser.py from a fixed seed,
and again byte for byte by Node) holds a 2-of-3 ceremony with its boxed shares, key files and
three polls of every kind with ballots, check files, sums, partial decryptions and results.
Every value is verified here with both of Python's arithmetics (PyNaCl and pure Python), and
every tampered copy is refused: the browser and the server agree on every byte.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from governance import coopvote as cv

VECTORS = json.loads((Path(__file__).parent / "vectors" / "browser-v1.json").read_text())
ARITHS = ["nacl", "pure"]


def compact(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


def entries(vectors: dict[str, Any]) -> dict[int, dict[str, Any]]:
    return {int(i): e for i, e in vectors["ceremony"]["entries"].items()}


def key_of(poll: dict[str, Any]) -> cv.PollKey:
    ctx = poll["ctx"]
    return cv.PollKey(ctx["ceremony"], ctx["Y"], ctx["assembly"], ctx["poll"], ctx["definition"])


@pytest.mark.parametrize("arith", ARITHS)
def test_ceremony(arith: str) -> None:
    c = VECTORS["ceremony"]
    es = entries(VECTORS)
    for i, entry in es.items():
        cv.check_round1(c["id"], i, c["t"], entry, arith=arith)
        assert cv.entry_json(entry) == compact(entry)
    assert cv.fingerprint(c["id"], c["n"], c["t"], es, arith=arith) == c["fingerprint"]
    assert cv.poll_key(es, arith=arith) == c["Y"]
    assert cv.key_fingerprint(c["Y"]) == c["key_fingerprint"]
    for j in range(1, c["n"] + 1):
        assert cv.public_share(es, j, arith=arith) == c["public_shares"][str(j)]


def test_shares_open_and_give_the_key_files() -> None:
    """The browser's nacl boxes open with PyNaCl; the shares add up to the key files' x."""
    c = VECTORS["ceremony"]
    es = entries(VECTORS)
    secrets = {int(i): s for i, s in c["secrets"].items()}
    for j in range(1, c["n"] + 1):
        coeffs = [int.from_bytes(bytes.fromhex(a), "little") for a in secrets[j]["coeffs"]]
        x = cv.share(coeffs, j)
        boxes = [b for b in c["boxes"] if b["to"] == j]
        assert sorted(b["from"] for b in boxes) == [i for i in es if i != j]
        for b in boxes:
            i = b["from"]
            transport = bytes.fromhex(secrets[j]["transport"])
            value = cv.open_share(b["box"], b["nonce"], bytes.fromhex(es[i]["T"]), transport)
            cv.check_share(es[i], j, value)
            assert value == cv.share(
                [int.from_bytes(bytes.fromhex(a), "little") for a in secrets[i]["coeffs"]], j
            )
            x = (x + value) % cv.ELL
        made = cv.key_file(c["id"], j, c["t"], c["n"], x, es, c["fingerprint"])
        assert compact(made) == compact(c["keys"][str(j)])


@pytest.mark.parametrize("arith", ARITHS)
@pytest.mark.parametrize("index", range(len(VECTORS["polls"])), ids=["motion", "choose", "yna"])
def test_poll(arith: str, index: int) -> None:
    poll = VECTORS["polls"][index]
    key = key_of(poll)
    assert key.h_poll.hex() == poll["h_poll"]
    ballots = []
    for b in poll["ballots"]:
        checked = cv.check_ballot(key, b["wire"], arith=arith)
        assert checked.tracker == b["tracker"]
        assert cv.check_audit_file(b["audit"], key, arith=arith).tracker == b["tracker"]
        assert b["audit"]["choices"] == b["choices"]
        ballots.append(checked.ciphertexts)
    sums = cv.ballot_sums(key.definition, ballots, arith=arith)
    assert sums is not None
    assert cv.sums_to_json(sums) == compact(poll["sums"])
    keys = VECTORS["ceremony"]["keys"]
    ds = {
        int(j): cv.check_partial(key, int(j), keys[j]["Y_j"], sums, wire, arith=arith)
        for j, wire in poll["partials"].items()
    }
    for subset in ([1, 2], [1, 3], [2, 3]):
        shares = {j: ds[j] for j in subset}
        assert cv.combine(sums, shares, len(ballots), arith=arith) == poll["result"]
    with pytest.raises(cv.Invalid, match="does not decrypt to a count"):
        cv.combine(sums, {2: ds[2]}, len(ballots), arith=arith)


def flip(h: str, at: int = 7) -> str:
    return h[:at] + format(int(h[at], 16) ^ 1, "x") + h[at + 1 :]


def test_tampered_browser_values_are_refused() -> None:
    """The checks above can fail: a byte changed anywhere is refused by Python."""
    poll = VECTORS["polls"][0]
    key = key_of(poll)
    wire = json.loads(poll["ballots"][0]["wire"])
    for path in (("questions", 0, 1, "proof", 0, 1), ("sums", 0, 0, 0)):
        bad = copy.deepcopy(wire)
        node = bad
        for step in path[:-1]:
            node = node[step]
        node[path[-1]] = flip(node[path[-1]])
        with pytest.raises(cv.Invalid, match="does not verify"):
            cv.check_ballot(key, compact(bad))
    other = cv.PollKey(
        key.ceremony, key.Y, key.assembly, VECTORS["polls"][1]["ctx"]["poll"], key.definition
    )
    with pytest.raises(cv.Invalid, match="does not verify"):
        cv.check_ballot(other, poll["ballots"][0]["wire"])
    partial = copy.deepcopy(poll["partials"]["1"])
    partial[1]["c"] = flip(partial[1]["c"])
    sums = cv.sums_from_json(compact(poll["sums"]))
    y1 = VECTORS["ceremony"]["keys"]["1"]["Y_j"]
    with pytest.raises(cv.Invalid, match="does not verify"):
        cv.check_partial(key, 1, y1, sums, partial)
    c = VECTORS["ceremony"]
    entry = dict(entries(VECTORS)[2], s=flip(entries(VECTORS)[2]["s"]))
    with pytest.raises(cv.Invalid, match="proof of knowledge"):
        cv.check_round1(c["id"], 2, c["t"], entry)
