"""Sample bundles of encrypted polls, made from coopvote alone (no database, no server).

For the verifier's tests and the crypto benchmark (as minutes/sample.py is for the minutes):
`Ceremony` runs a t-of-n key ceremony in Python; `encrypted_bundle(votes, …)` builds the bundle
`governance audit export` would write for a sealed, decrypted poll with those votes.
"""

from __future__ import annotations

import json
from typing import Any

from nacl.public import PrivateKey

from governance import coopvote as cv
from governance.audit import verify_bundle as vb

ELL = cv.ELL
CER, ASM, POLL = "0b0e7f5e-0000-4000-8000-000000000001", "asm-uuid", "poll-uuid"
POLL_ID = 7


class Ceremony:
    """A 2-of-3 ceremony run in Python, with every teller's key."""

    def __init__(self, n: int = 3, t: int = 2, ar: str = "nacl") -> None:
        self.n, self.t = n, t
        self.transport = {i: PrivateKey.generate() for i in range(1, n + 1)}
        self.entries, self.coeffs = {}, {}
        for i in range(1, n + 1):
            pk = bytes(self.transport[i].public_key)
            self.entries[i], self.coeffs[i] = cv.round1(CER, i, t, pk, arith=ar)
        self.fp = cv.fingerprint(CER, n, t, self.entries)
        self.x = {
            j: sum(cv.share(self.coeffs[i], j) for i in self.entries) % ELL for j in range(1, n + 1)
        }
        self.Y = cv.poll_key(self.entries)

    def key(self, kind: str = "MOTION", k: int = 0, n: int = 1, poll: str = POLL) -> cv.PollKey:
        return cv.PollKey(CER, self.Y, ASM, poll, cv.definition(kind, k, n))

    def y_j(self, j: int) -> str:
        return cv.public_share(self.entries, j)


def encrypted_bundle(
    votes: list[list[list[int]]],
    *,
    kind: str = "MOTION",
    k: int = 0,
    n: int = 1,
    tellers: tuple[int, ...] = (1, 3),
    paper: dict[str, int] | None = None,
) -> dict[str, Any]:
    cer = Ceremony()
    key = cer.key(kind, k, n)
    box = [cv.encrypt(key, v) for v in votes]
    sums = cv.ballot_sums(key.definition, [b.ciphertexts for b in box])
    options = []
    if kind != "MOTION":
        options = [{"id": 100 + i, "position": i, "label": f"Kandidat {i}"} for i in range(k)]
    roll = [{"member": f"{i:04d}", "weight": 1} for i in range(1, len(votes) + 1)]
    ballots = sorted(
        ({"tracker": b.tracker, "choice": "", "cipher": b.wire} for b in box),
        key=lambda b: b["tracker"],
    )
    root = vb.merkle_root([vb.leaf(POLL_ID, b["tracker"], b["cipher"]) for b in ballots])
    bundle = {
        "format": vb.FORMAT,
        "version": vb.VERSION,
        "poll": {
            "id": POLL_ID,
            "title": "Feststellung des Jahresabschlusses",
            "kind": "MOTION" if kind == "MOTION" else "ELECTION",
            "election_mode": None if kind == "MOTION" else kind,
            "seats": n,
            "majority": "SIMPLE" if kind != "CHOOSE_UP_TO_N" else "RELATIVE",
            "weighted": False,
            "secret": True,
            "options": options,
        },
        "rule": {"majority": "SIMPLE"},
        "roll": {"hash": vb.roll_hash(roll), "entries": roll},
        "mandates": [],
        "exclusions": [],
        "participations": [
            {"member": e["member"], "cast_by": e["member"], "channel": "ONLINE"} for e in roll
        ],
        "ballots": ballots,
        "paper_counts": paper or {},
        "seal": {"merkle_root": root, "audit_event": {"seq": 1, "merkle_root": root}},
        "encryption": {
            "ceremony": {
                "id": CER,
                "n": cer.n,
                "t": cer.t,
                "fingerprint": cer.fp,
                "public_key": cer.Y,
                "key_fingerprint": cv.key_fingerprint(cer.Y),
                "tellers": [
                    {"index": i, "round1": e, "confirmed": cer.fp} for i, e in cer.entries.items()
                ],
            },
            "assembly_uuid": ASM,
            "poll_uuid": POLL,
            "definition": key.definition,
            "sums": json.loads(cv.sums_to_json(sums)) if sums else None,
            "decryptions": [
                {"teller": j, "shares": cv.partial_decrypt(key, j, cer.x[j], sums)} for j in tellers
            ]
            if sums
            else [],
        },
    }
    bundle = json.loads(json.dumps(bundle))
    # The published result: what the server's count gives (recomputed here from the counts).
    counts = None
    if sums:
        verified = {
            j: cv.check_partial(key, j, cer.y_j(j), sums, d["shares"])
            for j, d in ((d["teller"], d) for d in bundle["encryption"]["decryptions"])
        }
        counts = cv.combine(sums, dict(list(verified.items())[: cer.t]), len(box))
    else:
        counts = [[0] * q for q in key.definition["questions"]]
    bundle["result"] = vb.recompute_result(bundle, counts)
    return bundle
