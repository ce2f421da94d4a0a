"""Counting encrypted polls: the seal's re-verification and the tellers' decryption.

Targets (/work/shared/design/encrypted-ballots.md, "Targets"):
- re-verification at the seal of 10,000 motion ballots < 30 s (worker processes, one per CPU):
  every ballot's proofs, canonical bytes and tracker (`recheck.check_rows`), distinct α, and
  the sums (`coopvote.ballot_sums`);
- sums and decryption of 10,000 motion ballots < 2 s after the last teller share: the sums,
  both tellers' partial decryptions checked (`coopvote.check_partial`) and combined
  (`coopvote.combine`, a table of up to 10,000 points).
The ballots are encrypted first (in worker processes too; not timed). No database: the seal's
rewrite and Merkle root are measured by bench_ballots (100,000 ballots < 2 s).

Run: .venv/bin/python -m bench counting            (BENCH_BALLOTS=10000 by default)
"""

from __future__ import annotations

import os
import time
import uuid
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from governance import coopvote
from governance.ballots.recheck import _duplicate_alphas, check_rows, pool_context

BALLOTS = int(os.environ.get("BENCH_BALLOTS", "10000"))
GOAL_SEAL = 30.0
GOAL_DECRYPT = 2.0
CHOICES = ([[1, 0, 0]], [[0, 1, 0]], [[0, 0, 1]])


def ceremony(n: int = 3, t: int = 2) -> tuple[str, dict[int, dict[str, Any]], dict[int, int]]:
    """A key ceremony run in Python: its id, the round-1 entries and every teller's x_j."""
    cid = str(uuid.uuid4())
    entries, coeffs = {}, {}
    for i in range(1, n + 1):
        entries[i], coeffs[i] = coopvote.round1(cid, i, t, os.urandom(32))
    x = {j: sum(coopvote.share(coeffs[i], j) for i in entries) % coopvote.ELL for j in entries}
    return cid, entries, x


def _encrypt(key: coopvote.PollKey, k: int) -> tuple[str, str]:
    enc = coopvote.encrypt(key, CHOICES[k % 3])
    return str(enc.tracker), enc.wire


def main() -> None:
    """Encrypt BALLOTS motion ballots, then time the seal's check and the decryption."""
    cid, entries, x = ceremony()
    key = coopvote.PollKey(
        cid,
        coopvote.poll_key(entries),
        str(uuid.uuid4()),
        str(uuid.uuid4()),
        coopvote.definition("MOTION", 3),
    )
    workers = os.cpu_count() or 1
    print(f"CPUs: {workers}, load average: {os.getloadavg()[0]:.1f}, ballots: {BALLOTS}")
    with ProcessPoolExecutor(workers, mp_context=pool_context()) as pool:
        rows = list(pool.map(_encrypt, [key] * BALLOTS, range(BALLOTS), chunksize=250))

    start = time.perf_counter()
    checked, sums = check_rows(key, rows, workers=workers)
    assert not [c for c in checked if c.error] and not _duplicate_alphas(checked)
    seal_seconds = time.perf_counter() - start
    parsed = [coopvote.parse_ballot(key, wire)[0].ciphertexts for _t, wire in rows]
    start = time.perf_counter()
    assert coopvote.ballot_sums(key.definition, parsed) == sums  # in one process, for the figure
    sums_seconds = time.perf_counter() - start

    assert sums is not None
    shares = {j: coopvote.partial_decrypt(key, j, x[j], sums) for j in (1, 2)}
    start = time.perf_counter()
    d = {
        j: coopvote.check_partial(key, j, coopvote.public_share(entries, j), sums, wire)
        for j, wire in shares.items()
    }
    counts = coopvote.combine(sums, d, BALLOTS)
    decrypt_seconds = time.perf_counter() - start
    assert counts == [[len(range(k, BALLOTS, 3)) for k in range(3)]], counts

    per = 1000 * seal_seconds / BALLOTS
    detail = f"{per:.2f} ms a ballot, {workers} processes, sums included"
    _report("re-verification at the seal", seal_seconds, GOAL_SEAL, detail)
    _report(
        "sums + decryption",
        sums_seconds + decrypt_seconds,
        GOAL_DECRYPT,
        f"sums in one process {sums_seconds:.2f} s (done at the seal), "
        f"after the last share: two shares checked and combined {decrypt_seconds:.2f} s",
    )
    print(f"load average now: {os.getloadavg()[0]:.1f} (figures on a busy machine are slower)")


def _report(what: str, seconds: float, goal: float, detail: str) -> None:
    verdict = "met" if seconds <= goal else "NOT met"
    print(
        f"{what} of {BALLOTS} motion ballots: {seconds:6.2f} s ({detail}); "
        f"target < {goal:.0f} s {verdict}"
    )


if __name__ == "__main__":
    main()
