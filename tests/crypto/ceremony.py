"""A key ceremony run in Python for crypto tests that need no database."""

from __future__ import annotations

from nacl.public import PrivateKey

from governance import coopvote as cv

ELL = cv.ELL
CER, ASM, POLL = "0b0e7f5e-0000-4000-8000-000000000001", "asm-uuid", "poll-uuid"


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
