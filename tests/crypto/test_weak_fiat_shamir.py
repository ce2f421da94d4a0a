"""The weak Fiat–Shamir forgery (Bernhard, Pereira, Warinschi 2012) against governance.coopvote.

With a transcript of the commitments only, a 0/1 proof can be made for a ciphertext chosen after
the challenge: commitments A_j = a_j·B, B_j = b_j·B + a_j·Y; c = H(commitments); then the
plaintext v solves c·v² + (b_0 + b_1 − c)·v − b_0 = 0 (half the tries have a root), c_0 = −b_0/v,
and (α, β) = (u·B, v·B + u·Y) encrypts v, which is neither 0 nor 1. Here the forgery is shown to
pass such a weak verifier, and the server's check refuses it in a ballot whose other options are
proven correctly over the transcript that holds the forged ciphertext (coopvote.js's tests do
the same in the browser code).
"""

from __future__ import annotations

import json
import secrets

import pytest

from governance import coopvote as cv

ELL = cv.ELL
KEY = cv.PollKey(
    "3f1e0c8a-9b7d-4e2f-8a61-5c4d3b2a1908",
    cv.arith("nacl").base(123456789).hex(),
    "0b7e4c1a-2d3f-4a5b-9c8d-7e6f5a4b3c2d",
    "9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a",
    cv.definition("MOTION"),
)


def rand() -> int:
    return secrets.randbelow(ELL - 1) + 1


def sqrt_mod(a: int) -> int | None:
    """A square root mod ℓ (ℓ ≡ 5 mod 8: Atkin's formula), or None."""
    v = pow(2 * a, (ELL - 5) // 8, ELL)
    i = 2 * a * v * v % ELL
    x = a * v * (i - 1) % ELL
    return x if x * x % ELL == a % ELL else None


def forge(ar: cv.Arith, y: bytes) -> tuple[int, int, bytes, bytes, list[tuple[int, int]]]:
    while True:
        a0, a1, b0, b1, u = (rand() for _ in range(5))
        commits = [
            (ar.base(a0), ar.add(ar.base(b0), ar.mul(a0, y))),
            (ar.base(a1), ar.add(ar.base(b1), ar.mul(a1, y))),
        ]
        weak = cv.Transcript("zero-one")
        for a, b in commits:
            weak.point(a).point(b)
        c = weak.challenge()
        qb, qc = (b0 + b1 - c) % ELL, -b0 % ELL
        root = sqrt_mod((qb * qb - 4 * c * qc) % ELL)
        if root is None:
            continue
        v = (root - qb) * pow(2 * c, -1, ELL) % ELL
        if v in (0, 1):
            continue
        c0 = -b0 * pow(v, -1, ELL) % ELL
        cs = [c0, (c - c0) % ELL]
        ss = [(a0 + cs[0] * u) % ELL, (a1 + cs[1] * u) % ELL]
        alpha, beta = ar.base(u), ar.add(ar.base(v), ar.mul(u, y))
        return u, v, alpha, beta, list(zip(cs, ss, strict=True))


def weak_verifies(ar: cv.Arith, y: bytes, alpha: bytes, beta: bytes, proof: list) -> bool:
    weak = cv.Transcript("zero-one")
    for (c, s), m in zip(proof, (0, 1), strict=True):
        shifted = beta if m == 0 else ar.sub(beta, ar.base(1))
        weak.point(ar.sub(ar.base(s), ar.mul(c, alpha)))
        weak.point(ar.sub(ar.mul(s, y), ar.mul(c, shifted)))
    return sum(c for c, _ in proof) % ELL == weak.challenge()


def prove(
    ar: cv.Arith,
    prefix: cv.Transcript,
    y: bytes,
    alpha: bytes,
    beta: bytes,
    r: int,
    index: int,
    values: tuple[int, ...],
) -> list[tuple[int, int]]:
    """The honest prover's algorithm (docs/coopvote.md), whatever the truth of its claim."""
    w = rand()
    cs = [0 if j == index else rand() for j in range(len(values))]
    ss = [0 if j == index else rand() for j in range(len(values))]
    t = prefix
    for j, m in enumerate(values):
        if j == index:
            t.point(ar.base(w)).point(ar.mul(w, y))
            continue
        shifted = beta if m == 0 else ar.sub(beta, ar.base(m))
        t.point(ar.sub(ar.base(ss[j]), ar.mul(cs[j], alpha)))
        t.point(ar.sub(ar.mul(ss[j], y), ar.mul(cs[j], shifted)))
    cs[index] = (t.challenge() - sum(cs)) % ELL
    ss[index] = (w + cs[index] * r) % ELL
    return list(zip(cs, ss, strict=True))


def ballot(
    ar: cv.Arith, y: bytes, middle: tuple[bytes, bytes], r1: int, override: list | None
) -> str:
    """yes, the given middle option (randomness r1), abstain 0: every proof over the transcript
    of all three ciphertexts, the middle one's proof `override` if given (else the honest one)."""
    r0, r2 = rand(), rand()
    cts = [
        (ar.base(r0), ar.add(ar.base(1), ar.mul(r0, y))),
        middle,
        (ar.base(r2), ar.mul(r2, y)),
    ]

    def prefix(tag: str, *ints: int) -> cv.Transcript:
        t = cv.Transcript(tag).bytes(KEY.h_poll)
        for a, b in cts:
            t.point(a).point(b)
        for n in ints:
            t.int(n)
        return t

    def hexed(proof: list) -> list[list[str]]:
        return [[cv.scalar_hex(c), cv.scalar_hex(s)] for c, s in proof]

    proofs = [
        prove(ar, prefix("zero-one", 0, 0, 2, 0, 1), y, *cts[0], r0, 1, (0, 1)),
        override or prove(ar, prefix("zero-one", 0, 1, 2, 0, 1), y, *cts[1], r1, 0, (0, 1)),
        prove(ar, prefix("zero-one", 0, 2, 2, 0, 1), y, *cts[2], r2, 0, (0, 1)),
    ]
    total_a = ar.add(ar.add(cts[0][0], cts[1][0]), cts[2][0])
    total_b = ar.add(ar.add(cts[0][1], cts[1][1]), cts[2][1])
    r_sum = (r0 + r1 + r2) % ELL
    sum_proof = prove(ar, prefix("question", 0, 1, 1), y, total_a, total_b, r_sum, 0, (1,))
    doc = {
        "questions": [
            [
                {"alpha": a.hex(), "beta": b.hex(), "proof": hexed(p)}
                for (a, b), p in zip(cts, proofs, strict=True)
            ]
        ],
        "sums": [hexed(sum_proof)],
    }
    return json.dumps(doc, separators=(",", ":"))


@pytest.mark.parametrize("name", ["nacl", "pure"])
def test_the_weak_forgery_passes_a_weak_verifier_and_is_refused(name: str) -> None:
    ar = cv.arith(name)
    y = ar.point(KEY.Y)
    u, v, alpha, beta, proof = forge(ar, y)
    assert weak_verifies(ar, y, alpha, beta, proof)
    assert ar.sub(beta, ar.mul(u, y)) == ar.base(v) and v > 1  # it encrypts v ∉ {0, 1}
    forged = ballot(ar, y, (alpha, beta), u, proof)
    with pytest.raises(cv.Invalid, match=r"option 1\.2: the proof does not verify"):
        cv.check_ballot(KEY, forged, arith=name)
    # The same construction with an honest middle option (u·B, u·Y) checks: the test can fail.
    honest = ballot(ar, y, (ar.base(u), ar.mul(u, y)), u, None)
    assert cv.check_ballot(KEY, honest, arith=name).tracker
