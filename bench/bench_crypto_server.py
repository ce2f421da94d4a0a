"""Encrypted ballots on the server and for the auditor: proof checks, counting, verification.

Run: `.venv/bin/python -m bench crypto_server` (BENCH_SCALE=quick: 1,000 ballots instead of
10,000). Figures against the targets of encrypted-ballots.md, each with a ratio against a
baseline measured in the same run (the machine may be busy: compare ratios, not absolute times):
- proof check per ballot (motion; 10 candidates yes/no/abstain) — target < 5 ms a motion;
  baseline: validating the ballot's points and scalars alone (parse, no proofs);
- sums + 2-of-3 decryption + combination of N motion ballots — target < 2 s for 10,000;
  baseline: the sums alone;
- the bundle of N motion ballots verified with PyNaCl — target < 60 s for 10,000; baseline:
  a plaintext bundle of N ballots; and the pure-Python fallback's rate on a few ballots.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable

from governance import coopvote as cv
from governance.audit import verify_bundle as vb
from governance.audit.sample_bundle import Ceremony, encrypted_bundle

N = 1_000 if os.environ.get("BENCH_SCALE") == "quick" else 10_000
PURE_BALLOTS = 20


def _timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def _per_ballot(cer: Ceremony, kind: str, k: int, choices: list[list[int]], runs: int) -> None:
    key = cer.key(kind, k)
    wires = [cv.encrypt(key, choices).wire for _ in range(runs)]
    base = _timed(lambda: [cv.parse_ballot(key, w) for w in wires]) / runs
    full = _timed(lambda: [cv.check_ballot(key, w) for w in wires]) / runs
    print(
        f"proof check {kind} K={k or 3}: {full * 1e3:.2f} ms a ballot "
        f"(parse and validate only {base * 1e3:.2f} ms, ratio ×{full / base:.1f})"
    )
    if kind == "MOTION":
        print(f"  target < 5 ms a motion ballot: {'met' if full < 0.005 else 'MISSED'}")


def _count(cer: Ceremony, n: int) -> None:
    key = cer.key()
    boxes = [cv.encrypt(key, [[1, 0, 0] if i % 3 else [0, 1, 0]]).ciphertexts for i in range(n)]
    sums_only = _timed(lambda: cv.ballot_sums(key.definition, boxes))

    def count() -> None:
        sums = cv.ballot_sums(key.definition, boxes)
        assert sums is not None
        parts = {
            j: cv.check_partial(
                key, j, cer.y_j(j), sums, cv.partial_decrypt(key, j, cer.x[j], sums)
            )
            for j in (1, 3)
        }
        counts = cv.combine(sums, parts, n)
        assert sum(counts[0]) == n

    full = _timed(count)
    print(
        f"sums + 2-of-3 decryption + combination of {n:,} motion ballots: {full:.2f} s "
        f"(sums alone {sums_only:.2f} s, ratio ×{full / sums_only:.1f})"
    )
    if n >= 10_000:
        print(f"  target < 2 s for 10,000: {'met' if full < 2 else 'MISSED'}")


def _plain_bundle(bundle: dict) -> dict:
    plain = json.loads(json.dumps(bundle))
    plain["encryption"] = None
    choices = ["YES", "NO", "ABSTAIN"]
    for i, b in enumerate(plain["ballots"]):
        b.pop("cipher")
        b["choice"] = choices[i % 3]
    plain["seal"]["merkle_root"] = vb.merkle_root(
        [vb.leaf(plain["poll"]["id"], b["tracker"], b["choice"]) for b in plain["ballots"]]
    )
    return plain


def _verify(n: int) -> None:
    votes = [[[1, 0, 0]] if i % 3 else [[0, 1, 0]] for i in range(n)]
    bundle = encrypted_bundle(votes)
    plain = _plain_bundle(bundle)
    base = _timed(lambda: vb.verify(json.loads(json.dumps(plain))))
    vb.ARITH = "nacl"
    report = vb.Report()
    full = _timed(lambda: report.lines.extend(vb.verify(json.loads(json.dumps(bundle))).lines))
    assert not any(line.startswith("[FAIL]") for line in report.lines), report.lines
    print(
        f"bundle of {n:,} encrypted motion ballots verified with PyNaCl: {full:.1f} s "
        f"({full / n * 1e3:.2f} ms a ballot; a plaintext bundle of {n:,}: {base:.2f} s, "
        f"ratio ×{full / base:.0f})"
    )
    if n >= 10_000:
        print(f"  target < 60 s for 10,000: {'met' if full < 60 else 'MISSED'}")
    small = encrypted_bundle(votes[:PURE_BALLOTS])
    vb.ARITH = "pure"
    try:
        pure = _timed(lambda: vb.verify(json.loads(json.dumps(small))))
    finally:
        vb.ARITH = None
    print(
        f"pure-Python fallback: {PURE_BALLOTS} ballots with ceremony and decryption in "
        f"{pure:.1f} s, about {PURE_BALLOTS / pure * 60:,.0f} ballots a minute "
        "(stated, not a target)"
    )


def main() -> None:
    cer = Ceremony()
    _per_ballot(cer, "MOTION", 0, [[1, 0, 0]], 200)
    ten = [[1, 0, 0] if i % 2 else [0, 0, 1] for i in range(10)]
    _per_ballot(cer, "YES_NO_ABSTAIN_PER_CANDIDATE", 10, ten, 40)
    _count(cer, N)
    _verify(N)


if __name__ == "__main__":
    main()
