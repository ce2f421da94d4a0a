"""coopvote v1: encrypted ballots, the tellers' key ceremony and the verifiable count.

Every byte is fixed by docs/coopvote.md; the reasons are in the design file
(encrypted-ballots.md). This module is the server's and the verifier's side; the browser's is
governance/static/js/coopvote.js. It needs only the standard library: point arithmetic comes
from libsodium through PyNaCl when that is installed ("nacl") and otherwise from a small
pure-Python Ed25519 arithmetic in the shape of RFC 8032's reference code ("pure") — two
independent paths, both tested on the same data. Scalars are Python ints mod ℓ on both paths.

It imports nothing from the application, so that an external auditor can run it next to
verify_bundle.py. A check that fails raises `Invalid` (a ValueError) with a sentence that says
what failed — never another exception.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

VERSION = "v1"
ELL = 2**252 + 27742317777372353535851937790883648493
_P = 2**255 - 19
_D = -121665 * pow(121666, _P - 2, _P) % _P
_SQRT_M1 = pow(2, (_P - 1) // 4, _P)
IDENTITY = bytes([1]) + bytes(31)
KINDS = ("MOTION", "CHOOSE_UP_TO_N", "YES_NO_ABSTAIN_PER_CANDIDATE")
MAX_OPTIONS = 64
_HEX64 = re.compile(r"^[0-9a-f]{64}$")

Point = bytes
Ciphertext = tuple[bytes, bytes]
Rand = Callable[[], int]


class Invalid(ValueError):
    """A value from outside failed a check (the message says which)."""


def random_scalar() -> int:
    """int_LE(64 random bytes) mod ℓ, drawn again if 0."""
    while True:
        k = int.from_bytes(secrets.token_bytes(64), "little") % ELL
        if k:
            return k


# --- arithmetic ---------------------------------------------------------------------------


class Arith:
    """Point operations on canonical 32-byte encodings; `point()` validates input."""

    name = "?"

    def point(self, value: str | bytes) -> Point:
        raise NotImplementedError

    def base(self, k: int) -> Point:
        raise NotImplementedError

    def mul(self, k: int, p: Point) -> Point:
        raise NotImplementedError

    def add(self, p: Point, q: Point) -> Point:
        raise NotImplementedError

    def sub(self, p: Point, q: Point) -> Point:
        raise NotImplementedError

    def lincomb(self, pairs: Iterable[tuple[int, Point]]) -> Point:
        """Σ k·P over the pairs (the identity for none)."""
        total = IDENTITY
        for k, p in pairs:
            total = self.add(total, self.mul(k, p))
        return total


def _bytes_of(value: str | bytes, what: str = "point") -> bytes:
    if isinstance(value, bytes | bytearray):
        raw = bytes(value)
    elif isinstance(value, str) and _HEX64.match(value):
        raw = bytes.fromhex(value)
    else:
        raise Invalid(f"a {what} must be 64 lowercase hex characters")
    if len(raw) != 32:
        raise Invalid(f"a {what} must be 32 bytes")
    return raw


# Extended coordinates (X, Y, Z, T) with x = X/Z, y = Y/Z, x·y = T/Z.
_Ext = tuple[int, int, int, int]
_ZERO: _Ext = (0, 1, 1, 0)


def _ext_add(p: _Ext, q: _Ext) -> _Ext:
    x1, y1, z1, t1 = p
    x2, y2, z2, t2 = q
    a = (y1 - x1) * (y2 - x2) % _P
    b = (y1 + x1) * (y2 + x2) % _P
    c = t1 * 2 * _D * t2 % _P
    d = z1 * 2 * z2 % _P
    e, f, g, h = b - a, d - c, d + c, b + a
    return (e * f % _P, g * h % _P, f * g % _P, e * h % _P)


def _ext_mul(k: int, p: _Ext) -> _Ext:
    q = _ZERO
    while k > 0:
        if k & 1:
            q = _ext_add(q, p)
        p = _ext_add(p, p)
        k >>= 1
    return q


def _ext_neg(p: _Ext) -> _Ext:
    x, y, z, t = p
    return (-x % _P, y, z, -t % _P)


def _ext_is_zero(p: _Ext) -> bool:
    x, y, z, _ = p
    return x % _P == 0 and (y - z) % _P == 0


def _encode(p: _Ext) -> bytes:
    x, y, z, _ = p
    zi = pow(z, _P - 2, _P)
    x, y = x * zi % _P, y * zi % _P
    return (y | ((x & 1) << 255)).to_bytes(32, "little")


def _decode(raw: bytes) -> _Ext | None:
    n = int.from_bytes(raw, "little")
    sign, y = n >> 255, n & ((1 << 255) - 1)
    if y >= _P:
        return None
    x2 = (y * y - 1) * pow(_D * y * y + 1, _P - 2, _P) % _P
    if x2 == 0:
        if sign:
            return None
        return (0, y, 1, 0)
    x = pow(x2, (_P + 3) // 8, _P)
    if (x * x - x2) % _P:
        x = x * _SQRT_M1 % _P
    if (x * x - x2) % _P:
        return None
    if (x & 1) != sign:
        x = _P - x
    return (x, y, 1, x * y % _P)


_GY = 4 * pow(5, _P - 2, _P) % _P
_BASE = _decode(_GY.to_bytes(32, "little"))
assert _BASE is not None


class PureArith(Arith):
    """RFC 8032-style arithmetic in Python ints: slow (a few ms a multiplication), independent."""

    name = "pure"

    def point(self, value: str | bytes) -> Point:
        raw = _bytes_of(value)
        p = _decode(raw)
        if p is None:
            raise Invalid("not a point of Ed25519 (not canonical or not on the curve)")
        if _encode(p) != raw:
            raise Invalid("a point is not in its canonical encoding")
        if _ext_is_zero(p):
            raise Invalid("the identity is not accepted as a point")
        if not _ext_is_zero(_ext_mul(ELL, p)):
            raise Invalid("a point is not in the prime-order subgroup")
        return raw

    @staticmethod
    def _ext(p: Point) -> _Ext:
        q = _decode(p)
        if q is None:
            raise Invalid("not a point of Ed25519")
        return q

    def base(self, k: int) -> Point:
        return _encode(_ext_mul(k % ELL, _BASE))

    def mul(self, k: int, p: Point) -> Point:
        return _encode(_ext_mul(k % ELL, self._ext(p)))

    def add(self, p: Point, q: Point) -> Point:
        return _encode(_ext_add(self._ext(p), self._ext(q)))

    def sub(self, p: Point, q: Point) -> Point:
        return _encode(_ext_add(self._ext(p), _ext_neg(self._ext(q))))


class NaclArith(Arith):
    """libsodium through PyNaCl's bindings (noclamp: the scalar as given, mod ℓ)."""

    name = "nacl"

    def __init__(self) -> None:
        from nacl import bindings

        self._b = bindings

    def point(self, value: str | bytes) -> Point:
        raw = _bytes_of(value)
        if not self._b.crypto_core_ed25519_is_valid_point(raw):
            raise Invalid(
                "not a valid point (not canonical, not on the curve, of small order,"
                " or the identity)"
            )
        return raw

    def base(self, k: int) -> Point:
        k %= ELL
        if k == 0:
            return IDENTITY
        return self._b.crypto_scalarmult_ed25519_base_noclamp(k.to_bytes(32, "little"))

    def mul(self, k: int, p: Point) -> Point:
        k %= ELL
        if k == 0 or p == IDENTITY:
            return IDENTITY
        try:
            return self._b.crypto_scalarmult_ed25519_noclamp(k.to_bytes(32, "little"), p)
        except Exception as exc:  # libsodium refuses an identity result
            raise Invalid("a point multiplication failed") from exc

    def add(self, p: Point, q: Point) -> Point:
        try:
            return self._b.crypto_core_ed25519_add(p, q)
        except Exception as exc:
            raise Invalid("a point addition failed") from exc

    def sub(self, p: Point, q: Point) -> Point:
        try:
            return self._b.crypto_core_ed25519_sub(p, q)
        except Exception as exc:
            raise Invalid("a point subtraction failed") from exc


_ARITHS: dict[str, Arith] = {}


def nacl_available() -> bool:
    try:
        import nacl.bindings  # noqa: F401
    except ImportError:
        return False
    return True


def arith(name: str | None = None) -> Arith:
    """The arithmetic by name ("nacl" or "pure"); by default PyNaCl when it is installed."""
    if name is None:
        name = "nacl" if nacl_available() else "pure"
    if name not in _ARITHS:
        if name == "nacl":
            _ARITHS[name] = NaclArith()
        elif name == "pure":
            _ARITHS[name] = PureArith()
        else:
            raise ValueError(f"unknown arithmetic {name!r} (nacl or pure)")
    return _ARITHS[name]


def _ar(a: Arith | str | None) -> Arith:
    return a if isinstance(a, Arith) else arith(a)


# --- scalars and transcripts --------------------------------------------------------------


def scalar_hex(k: int) -> str:
    return (k % ELL).to_bytes(32, "little").hex()


def parse_scalar(value: Any, *, nonzero: bool = True) -> int:
    """A received scalar: 64 lowercase hex, 32 bytes LE, < ℓ (never reduced), not 0."""
    if not isinstance(value, str) or not _HEX64.match(value):
        raise Invalid("a scalar must be 64 lowercase hex characters")
    k = int.from_bytes(bytes.fromhex(value), "little")
    if k >= ELL:
        raise Invalid("a scalar is not below the group order")
    if nonzero and k == 0:
        raise Invalid("a challenge or response of 0 is refused")
    return k


class Transcript:
    """Length-prefixed fields (4-byte big-endian length, then the bytes)."""

    def __init__(self, *tags: str) -> None:
        self._parts: list[bytes] = []
        for tag in tags:
            self.str(tag)

    def raw(self, data: bytes) -> Transcript:
        self._parts.append(len(data).to_bytes(4, "big") + data)
        return self

    def str(self, text: str) -> Transcript:
        return self.raw(text.encode("utf-8"))

    def bytes(self, data: bytes) -> Transcript:
        return self.raw(data)

    def int(self, n: int) -> Transcript:
        if n < 0:
            raise Invalid("a transcript integer is negative")
        return self.raw(n.to_bytes(8, "big"))

    def point(self, p: Point) -> Transcript:
        return self.raw(p)

    def scalar(self, k: int) -> Transcript:
        return self.raw((k % ELL).to_bytes(32, "little"))

    def copy(self) -> Transcript:
        other = Transcript()
        other._parts = list(self._parts)
        return other

    def data(self) -> bytes:
        return b"".join(self._parts)

    def challenge(self) -> int:
        return int.from_bytes(hashlib.sha512(self.data()).digest(), "little") % ELL

    def sha256(self) -> bytes:
        return hashlib.sha256(self.data()).digest()


# --- poll definitions ---------------------------------------------------------------------


def definition(kind: str, k: int = 0, n: int = 1) -> dict[str, Any]:
    """The poll definition (docs/coopvote.md, "The poll") for a kind, K candidates, N seats."""
    if kind == "MOTION":
        return {
            "kind": kind,
            "questions": [3],
            "sums": [{"terms": [[0, 0, 1], [0, 1, 1], [0, 2, 1]], "min": 1, "max": 1}],
        }
    if kind == "CHOOSE_UP_TO_N":
        if not 1 <= n <= k:
            raise Invalid("choose up to N needs 1 ≤ N ≤ K candidates")
        terms = [[0, o, 1] for o in range(k)] + [[0, k, n]]
        return {"kind": kind, "questions": [k + 1], "sums": [{"terms": terms, "min": 1, "max": n}]}
    if kind == "YES_NO_ABSTAIN_PER_CANDIDATE":
        if k < 1:
            raise Invalid("an election needs at least one candidate")
        return {
            "kind": kind,
            "questions": [3] * k,
            "sums": [
                {"terms": [[q, 0, 1], [q, 1, 1], [q, 2, 1]], "min": 1, "max": 1} for q in range(k)
            ],
        }
    raise Invalid(f"unknown poll kind {kind!r}")


def check_definition(d: Any) -> dict[str, Any]:
    """A definition read from a file: exactly one of the three shapes."""
    try:
        kind = d["kind"]
        if kind == "MOTION":
            expected = definition(kind)
        elif kind == "CHOOSE_UP_TO_N":
            k = d["questions"][0] - 1
            expected = definition(kind, k, d["sums"][0]["max"])
        else:
            expected = definition(kind, len(d["questions"]))
    except (KeyError, IndexError, TypeError) as exc:
        raise Invalid("the poll definition is malformed") from exc
    if json.dumps(d, sort_keys=True) != json.dumps(expected, sort_keys=True):
        raise Invalid("the poll definition is not one of the coopvote v1 shapes")
    if sum(d["questions"]) > MAX_OPTIONS:
        raise Invalid("the poll has too many options")
    return expected


def h_poll(
    ceremony: str, y: Point, assembly: str, poll: str, d: dict[str, Any], ar: Arith | None = None
) -> bytes:
    t = Transcript("coopvote/v1/poll", "ed25519-ell").str(ceremony).point(y)
    t.str(assembly).str(poll).str(d["kind"]).int(len(d["questions"]))
    for k in d["questions"]:
        t.int(k)
    t.int(len(d["sums"]))
    for s in d["sums"]:
        t.int(len(s["terms"]))
        for q, o, w in s["terms"]:
            t.int(q).int(o).int(w)
        t.int(s["min"]).int(s["max"])
    return t.sha256()


@dataclass(frozen=True)
class PollKey:
    """What a ballot is bound to: the ceremony, the key Y, the assembly, the poll, its shape."""

    ceremony: str
    Y: str
    assembly: str
    poll: str
    definition: dict[str, Any] = field(hash=False)

    @cached_property
    def h_poll(self) -> bytes:
        """H_poll over Y's bytes (every arithmetic validates Y itself before using it)."""
        y = _bytes_of(self.Y)
        return h_poll(self.ceremony, y, self.assembly, self.poll, self.definition)


# --- the disjunctive Chaum–Pedersen proof ---------------------------------------------------


def _minus_mb(ar: Arith, beta: Point, m: int) -> Point:
    return beta if m == 0 else ar.sub(beta, ar.base(m))


def _prove(
    ar: Arith,
    prefix: Transcript,
    y: Point,
    alpha: Point,
    beta: Point,
    r: int,
    index: int,
    values: Sequence[int],
    rand: Rand,
) -> list[tuple[int, int]]:
    while True:
        cs: list[int] = [0] * len(values)
        ss: list[int] = [0] * len(values)
        commits: list[tuple[Point, Point]] = []
        w = rand()
        for j, m in enumerate(values):
            if j == index:
                commits.append((ar.base(w), ar.mul(w, y)))
                continue
            cs[j], ss[j] = rand(), rand()
            a = ar.sub(ar.base(ss[j]), ar.mul(cs[j], alpha))
            b = ar.sub(ar.mul(ss[j], y), ar.mul(cs[j], _minus_mb(ar, beta, m)))
            commits.append((a, b))
        t = prefix.copy()
        for a, b in commits:
            t.point(a).point(b)
        c = t.challenge()
        cs[index] = (c - sum(cs)) % ELL
        ss[index] = (w + cs[index] * r) % ELL
        if cs[index] and ss[index]:
            return list(zip(cs, ss, strict=True))


def _verify(
    ar: Arith,
    prefix: Transcript,
    y: Point,
    alpha: Point,
    beta: Point,
    values: Sequence[int],
    proof: Sequence[tuple[int, int]],
    what: str,
) -> None:
    if len(proof) != len(values):
        raise Invalid(f"{what}: the proof has {len(proof)} branches, {len(values)} expected")
    t = prefix.copy()
    total = 0
    for (c, s), m in zip(proof, values, strict=True):
        a = ar.sub(ar.base(s), ar.mul(c, alpha))
        b = ar.sub(ar.mul(s, y), ar.mul(c, _minus_mb(ar, beta, m)))
        t.point(a).point(b)
        total += c
    if total % ELL != t.challenge():
        raise Invalid(f"{what}: the proof does not verify")


def _all_ciphertexts(t: Transcript, cts: Sequence[Sequence[Ciphertext]]) -> Transcript:
    for question in cts:
        for alpha, beta in question:
            t.point(alpha).point(beta)
    return t


def _option_prefix(h: bytes, cts: Sequence[Sequence[Ciphertext]], q: int, o: int) -> Transcript:
    t = _all_ciphertexts(Transcript("zero-one").bytes(h), cts)
    return t.int(q).int(o).int(2).int(0).int(1)


def _sum_prefix(
    h: bytes, cts: Sequence[Sequence[Ciphertext]], s: int, lo: int, hi: int
) -> Transcript:
    t = _all_ciphertexts(Transcript("question").bytes(h), cts).int(s).int(hi - lo + 1)
    for m in range(lo, hi + 1):
        t.int(m)
    return t


def _weighted(ar: Arith, cts: Sequence[Sequence[Ciphertext]], terms: list[list[int]]) -> Ciphertext:
    alpha = ar.lincomb((w, cts[q][o][0]) for q, o, w in terms)
    beta = ar.lincomb((w, cts[q][o][1]) for q, o, w in terms)
    return alpha, beta


def tracker(poll: str, cts: Sequence[Sequence[Ciphertext]]) -> str:
    t = _all_ciphertexts(Transcript("coopvote/v1/tracker").str(poll), cts)
    return t.sha256()[:16].hex()


# --- ballots --------------------------------------------------------------------------------


def _wire(
    cts: Sequence[Sequence[Ciphertext]],
    option_proofs: Sequence[Sequence[Sequence[tuple[int, int]]]],
    sum_proofs: Sequence[Sequence[tuple[int, int]]],
) -> str:
    doc = {
        "questions": [
            [
                {
                    "alpha": alpha.hex(),
                    "beta": beta.hex(),
                    "proof": [[scalar_hex(c), scalar_hex(s)] for c, s in option_proofs[q][o]],
                }
                for o, (alpha, beta) in enumerate(question)
            ]
            for q, question in enumerate(cts)
        ],
        "sums": [[[scalar_hex(c), scalar_hex(s)] for c, s in proof] for proof in sum_proofs],
    }
    return json.dumps(doc, separators=(",", ":"))


@dataclass
class Ballot:
    """A checked ballot: its canonical wire text, tracker and ciphertexts."""

    wire: str
    tracker: str
    ciphertexts: list[list[Ciphertext]]

    @property
    def alphas(self) -> list[bytes]:
        return [alpha for question in self.ciphertexts for alpha, _ in question]


@dataclass
class Encrypted(Ballot):
    """A ballot made here (tests, benches, the demo), with what only its maker knows."""

    choices: list[list[int]] = field(default_factory=list)
    randomness: list[list[int]] = field(default_factory=list)
    key: PollKey | None = None

    def audit_file(self) -> dict[str, Any]:
        assert self.key is not None
        return {
            "format": "coopvote.ballot-audit",
            "version": 1,
            "ceremony": self.key.ceremony,
            "assembly": self.key.assembly,
            "poll": self.key.poll,
            "definition": self.key.definition,
            "Y": self.key.Y,
            "h_poll": self.key.h_poll.hex(),
            "choices": self.choices,
            "randomness": [[scalar_hex(r) for r in row] for row in self.randomness],
            "ballot": json.loads(self.wire),
            "tracker": self.tracker,
        }


def _check_choices(d: dict[str, Any], choices: Sequence[Sequence[int]]) -> None:
    if [len(q) for q in choices] != list(d["questions"]):
        raise Invalid("the choices do not have the poll's shape")
    if any(m not in (0, 1) for q in choices for m in q):
        raise Invalid("every option is chosen (1) or not (0)")
    for s in d["sums"]:
        total = sum(w * choices[q][o] for q, o, w in s["terms"])
        if not s["min"] <= total <= s["max"]:
            raise Invalid("the choices break the poll's rule (too many or too few)")


def encrypt(
    key: PollKey,
    choices: Sequence[Sequence[int]],
    *,
    rand: Rand | None = None,
    arith: Arith | str | None = None,
) -> Encrypted:
    """Encrypt and prove a ballot (the browser does this for voters; tests and benches here)."""
    ar = _ar(arith)
    rand = rand or random_scalar
    d = key.definition
    _check_choices(d, choices)
    y = ar.point(key.Y)
    rs = [[rand() for _ in q] for q in choices]
    cts = [
        [
            (ar.base(r), ar.mul(r, y) if m == 0 else ar.add(ar.base(1), ar.mul(r, y)))
            for m, r in zip(q, rq, strict=True)
        ]
        for q, rq in zip(choices, rs, strict=True)
    ]
    h = key.h_poll
    option_proofs = [
        [
            _prove(ar, _option_prefix(h, cts, qi, oi), y, a, b, rs[qi][oi], m, (0, 1), rand)
            for oi, ((a, b), m) in enumerate(zip(question, choices[qi], strict=True))
        ]
        for qi, question in enumerate(cts)
    ]
    sum_proofs = []
    for si, s in enumerate(d["sums"]):
        alpha, beta = _weighted(ar, cts, s["terms"])
        r = sum(w * rs[q][o] for q, o, w in s["terms"]) % ELL
        total = sum(w * choices[q][o] for q, o, w in s["terms"])
        prefix = _sum_prefix(h, cts, si, s["min"], s["max"])
        values = range(s["min"], s["max"] + 1)
        sum_proofs.append(_prove(ar, prefix, y, alpha, beta, r, total - s["min"], values, rand))
    wire = _wire(cts, option_proofs, sum_proofs)
    return Encrypted(
        wire=wire,
        tracker=tracker(key.poll, cts),
        ciphertexts=cts,
        choices=[list(q) for q in choices],
        randomness=rs,
        key=key,
    )


def _proof_of(value: Any, branches: int, what: str) -> list[tuple[int, int]]:
    if not isinstance(value, list) or len(value) != branches:
        raise Invalid(f"{what}: a proof of {branches} branches is expected")
    out = []
    for pair in value:
        if not isinstance(pair, list) or len(pair) != 2:
            raise Invalid(f"{what}: every branch is a pair [c, s]")
        out.append((parse_scalar(pair[0]), parse_scalar(pair[1])))
    return out


def parse_ballot(
    key: PollKey, wire: str | bytes, *, arith: Arith | str | None = None
) -> tuple[Ballot, list[list[list[tuple[int, int]]]], list[list[tuple[int, int]]]]:
    """Decode and validate the structure, every point and scalar, and the canonical bytes."""
    ar = _ar(arith)
    if isinstance(wire, bytes):
        try:
            wire = wire.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise Invalid("the ballot is not UTF-8 text") from exc
    if len(wire) > 400 * MAX_OPTIONS + 4000:
        raise Invalid("the ballot is too large")
    try:
        doc = json.loads(wire)
    except ValueError as exc:
        raise Invalid("the ballot is not JSON") from exc
    d = key.definition
    if not isinstance(doc, dict) or list(doc) != ["questions", "sums"]:
        raise Invalid("the ballot must have exactly the fields questions and sums")
    questions, sums = doc["questions"], doc["sums"]
    if not isinstance(questions, list) or len(questions) != len(d["questions"]):
        raise Invalid("the ballot does not have the poll's number of questions")
    if not isinstance(sums, list) or len(sums) != len(d["sums"]):
        raise Invalid("the ballot does not have the poll's number of sum proofs")
    cts: list[list[Ciphertext]] = []
    option_proofs: list[list[list[tuple[int, int]]]] = []
    for qi, (question, k) in enumerate(zip(questions, d["questions"], strict=True)):
        if not isinstance(question, list) or len(question) != k:
            raise Invalid(f"question {qi + 1} does not have {k} options")
        row, proofs = [], []
        for oi, opt in enumerate(question):
            if not isinstance(opt, dict) or list(opt) != ["alpha", "beta", "proof"]:
                raise Invalid(f"option {qi + 1}.{oi + 1} must have alpha, beta and proof")
            row.append((ar.point(opt["alpha"]), ar.point(opt["beta"])))
            proofs.append(_proof_of(opt["proof"], 2, f"option {qi + 1}.{oi + 1}"))
        cts.append(row)
        option_proofs.append(proofs)
    sum_proofs = [
        _proof_of(p, s["max"] - s["min"] + 1, f"sum {si + 1}")
        for si, (p, s) in enumerate(zip(sums, d["sums"], strict=True))
    ]
    alphas = [a for q in cts for a, _ in q]
    if len(set(alphas)) != len(alphas):
        raise Invalid("two ciphertexts of the ballot share their α")
    canonical = _wire(cts, option_proofs, sum_proofs)
    if canonical != wire:
        raise Invalid("the ballot is not in its canonical encoding")
    return Ballot(wire, tracker(key.poll, cts), cts), option_proofs, sum_proofs


def check_ballot(key: PollKey, wire: str | bytes, *, arith: Arith | str | None = None) -> Ballot:
    """Parse the ballot and verify every proof; raises Invalid on any failure."""
    ar = _ar(arith)
    ballot, option_proofs, sum_proofs = parse_ballot(key, wire, arith=ar)
    _verify_proofs(ar, key, ballot.ciphertexts, option_proofs, sum_proofs)
    return ballot


def _verify_proofs(
    ar: Arith,
    key: PollKey,
    cts: list[list[Ciphertext]],
    option_proofs: list[list[list[tuple[int, int]]]],
    sum_proofs: list[list[tuple[int, int]]],
) -> None:
    y = ar.point(key.Y)
    h = key.h_poll
    for qi, question in enumerate(cts):
        for oi, (alpha, beta) in enumerate(question):
            prefix = _option_prefix(h, cts, qi, oi)
            what = f"option {qi + 1}.{oi + 1}"
            _verify(ar, prefix, y, alpha, beta, (0, 1), option_proofs[qi][oi], what)
    for si, s in enumerate(key.definition["sums"]):
        alpha, beta = _weighted(ar, cts, s["terms"])
        prefix = _sum_prefix(h, cts, si, s["min"], s["max"])
        values = range(s["min"], s["max"] + 1)
        _verify(ar, prefix, y, alpha, beta, values, sum_proofs[si], f"sum {si + 1}")


def key_from_audit_file(data: Any) -> PollKey:
    if not isinstance(data, dict) or data.get("format") != "coopvote.ballot-audit":
        raise Invalid("not a coopvote ballot check file")
    if data.get("version") != 1:
        raise Invalid("unknown version of the ballot check file")
    try:
        key = PollKey(
            str(data["ceremony"]),
            str(data["Y"]),
            str(data["assembly"]),
            str(data["poll"]),
            check_definition(data["definition"]),
        )
    except KeyError as exc:
        raise Invalid(f"the ballot check file lacks {exc.args[0]}") from exc
    return key


def check_audit_file(
    data: Any, key: PollKey | None = None, *, arith: Arith | str | None = None
) -> Ballot:
    """The voter's check of a ballot they did not cast (Benaloh): recompute everything."""
    ar = _ar(arith)
    own = key_from_audit_file(data)
    if key is not None and (own.ceremony, own.Y, own.assembly, own.poll) != (
        key.ceremony,
        key.Y,
        key.assembly,
        key.poll,
    ):
        raise Invalid("the ballot check file is for another poll or key")
    y = ar.point(own.Y)
    if h_poll(own.ceremony, y, own.assembly, own.poll, own.definition, ar).hex() != data.get(
        "h_poll"
    ):
        raise Invalid("the poll hash of the check file does not match its poll")
    wire = json.dumps(data.get("ballot"), separators=(",", ":"))
    ballot = check_ballot(own, wire, arith=ar)
    choices = data.get("choices")
    try:
        _check_choices(own.definition, choices)
        rs = [[parse_scalar(r) for r in row] for row in data["randomness"]]
    except (TypeError, KeyError) as exc:
        raise Invalid("the choices or the randomness are malformed") from exc
    if [len(r) for r in rs] != [len(q) for q in choices]:
        raise Invalid("the randomness does not have the ballot's shape")
    for qi, question in enumerate(ballot.ciphertexts):
        for oi, (alpha, beta) in enumerate(question):
            r, m = rs[qi][oi], choices[qi][oi]
            b = ar.mul(r, y) if m == 0 else ar.add(ar.base(1), ar.mul(r, y))
            if ar.base(r) != alpha or b != beta:
                raise Invalid(
                    f"option {qi + 1}.{oi + 1} does not encrypt the stated choice"
                    " with the stated randomness"
                )
    if data.get("tracker") != ballot.tracker:
        raise Invalid("the tracker of the check file is not the hash of its ballot")
    return ballot


# --- the key ceremony -----------------------------------------------------------------------


def _pok_transcript(
    ceremony: str, i: int, transport: bytes, commits: Sequence[Point]
) -> Transcript:
    t = Transcript("dkg-pok").str(ceremony).int(i).bytes(transport).int(len(commits))
    for a in commits:
        t.point(a)
    return t


def round1(
    ceremony: str,
    i: int,
    t: int,
    transport: bytes,
    *,
    rand: Rand | None = None,
    arith: Arith | str | None = None,
) -> tuple[dict[str, Any], list[int]]:
    """Teller i's round-1 entry {"T", "A", "c", "s"} and its secret polynomial."""
    ar = _ar(arith)
    rand = rand or random_scalar
    coeffs = [rand() for _ in range(t)]
    commits = [ar.base(a) for a in coeffs]
    while True:
        w = rand()
        c = _pok_transcript(ceremony, i, transport, commits).point(ar.base(w)).challenge()
        s = (w + c * coeffs[0]) % ELL
        if c and s:
            break
    entry = {
        "T": transport.hex(),
        "A": [a.hex() for a in commits],
        "c": scalar_hex(c),
        "s": scalar_hex(s),
    }
    return entry, coeffs


def _entry_points(ar: Arith, entry: Any, t: int, who: str) -> tuple[bytes, list[Point], int, int]:
    if not isinstance(entry, dict) or sorted(entry) != ["A", "T", "c", "s"]:
        raise Invalid(f"{who}: the round-1 entry must have exactly T, A, c and s")
    transport = _bytes_of(entry["T"], "transport key")
    if not isinstance(entry["A"], list) or len(entry["A"]) != t:
        raise Invalid(f"{who}: {t} commitments are expected")
    commits = [ar.point(a) for a in entry["A"]]
    return transport, commits, parse_scalar(entry["c"]), parse_scalar(entry["s"])


def check_round1(
    ceremony: str, i: int, t: int, entry: Any, *, arith: Arith | str | None = None
) -> None:
    """Structure, points and the proof of knowledge of teller i's round-1 entry."""
    ar = _ar(arith)
    who = f"teller {i}"
    transport, commits, c, s = _entry_points(ar, entry, t, who)
    a = ar.sub(ar.base(s), ar.mul(c, commits[0]))
    if _pok_transcript(ceremony, i, transport, commits).point(a).challenge() != c:
        raise Invalid(f"{who}: the proof of knowledge does not verify")


def entry_json(entry: dict[str, Any]) -> str:
    """The stored form of a round-1 entry (teller.round1)."""
    return json.dumps(
        {"T": entry["T"], "A": entry["A"], "c": entry["c"], "s": entry["s"]},
        separators=(",", ":"),
    )


def fingerprint(
    ceremony: str,
    n: int,
    t: int,
    entries: dict[int, dict[str, Any]],
    *,
    arith: Arith | str | None = None,
) -> str:
    """SHA-256 (hex) of the whole round-1 transcript, the value the tellers compare."""
    ar = _ar(arith)
    if sorted(entries) != list(range(1, n + 1)):
        raise Invalid("the fingerprint needs the entries of tellers 1…n")
    tr = Transcript("coopvote/v1/ceremony").str(ceremony).int(n).int(t)
    for i in range(1, n + 1):
        transport, commits, c, s = _entry_points(ar, entries[i], t, f"teller {i}")
        tr.int(i).bytes(transport)
        for a in commits:
            tr.point(a)
        tr.scalar(c).scalar(s)
    return tr.sha256().hex()


def share(coeffs: Sequence[int], j: int) -> int:
    """f_i(j) = Σ_k a_ik·j^k mod ℓ."""
    return sum(a * pow(j, k, ELL) for k, a in enumerate(coeffs)) % ELL


def _commit_eval(ar: Arith, commits: Sequence[Point], j: int) -> Point:
    return ar.lincomb((pow(j, k, ELL), a) for k, a in enumerate(commits))


def check_share(
    entry_i: dict[str, Any], j: int, value: int, *, arith: Arith | str | None = None
) -> None:
    """f_i(j)·B = Σ_k j^k·A_ik: the share from teller i to teller j is on i's polynomial."""
    ar = _ar(arith)
    commits = [ar.point(a) for a in entry_i["A"]]
    if not 0 < value < ELL or ar.base(value) != _commit_eval(ar, commits, j):
        raise Invalid(f"the share for teller {j} does not match the sender's commitments")


def public_share(
    entries: dict[int, dict[str, Any]], j: int, *, arith: Arith | str | None = None
) -> str:
    """Y_j = Σ_i Σ_k j^k·A_ik (hex): teller j's public key share, computable by anyone."""
    ar = _ar(arith)
    total = IDENTITY
    for i in sorted(entries):
        commits = [ar.point(a) for a in entries[i]["A"]]
        total = ar.add(total, _commit_eval(ar, commits, j))
    return total.hex()


def poll_key(entries: dict[int, dict[str, Any]], *, arith: Arith | str | None = None) -> str:
    """Y = Σ_i A_i0 (hex); never the identity."""
    ar = _ar(arith)
    total = IDENTITY
    for i in sorted(entries):
        total = ar.add(total, ar.point(entries[i]["A"][0]))
    if total == IDENTITY:
        raise Invalid("the poll key is the identity")
    return total.hex()


def key_fingerprint(y: str) -> str:
    """First 16 bytes (hex) of SHA-256("coopvote/v1/key", Y): shown in groups of four."""
    return Transcript("coopvote/v1/key").point(_bytes_of(y)).sha256()[:16].hex()


def group4(text: str) -> str:
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def seal_share(value: int, nonce: bytes, to_transport: bytes, from_secret: bytes) -> str:
    """The share as a nacl box (hex) to the receiving teller's transport key."""
    from nacl.public import Box, PrivateKey, PublicKey

    box = Box(PrivateKey(from_secret), PublicKey(to_transport))
    return box.encrypt(value.to_bytes(32, "little"), nonce).ciphertext.hex()


def open_share(box_hex: str, nonce_hex: str, from_transport: bytes, to_secret: bytes) -> int:
    from nacl.exceptions import CryptoError
    from nacl.public import Box, PrivateKey, PublicKey

    try:
        box = Box(PrivateKey(to_secret), PublicKey(from_transport))
        raw = box.decrypt(bytes.fromhex(box_hex), bytes.fromhex(nonce_hex))
    except (CryptoError, ValueError) as exc:
        raise Invalid("a share box does not open") from exc
    if len(raw) != 32:
        raise Invalid("a share is not 32 bytes")
    return parse_scalar(raw.hex())


def key_file(
    ceremony: str,
    j: int,
    t: int,
    n: int,
    x: int,
    entries: dict[int, dict[str, Any]],
    fp: str,
    *,
    arith: Arith | str | None = None,
) -> dict[str, Any]:
    ar = _ar(arith)
    y_j = public_share(entries, j, arith=ar)
    if ar.base(x).hex() != y_j:
        raise Invalid("the key share does not match the public commitments")
    return {
        "format": "coopvote.teller-key",
        "version": 1,
        "ceremony": ceremony,
        "index": j,
        "t": t,
        "n": n,
        "x": scalar_hex(x),
        "Y_j": y_j,
        "Y": poll_key(entries, arith=ar),
        "fingerprint": fp,
    }


# --- counting -------------------------------------------------------------------------------

Sums = list[list[Ciphertext]]


def ballot_sums(
    d: dict[str, Any],
    ballots: Iterable[Sequence[Sequence[Ciphertext]]],
    *,
    arith: Arith | str | None = None,
) -> Sums | None:
    """Per option the sum of all ballots' (α, β); None for a box without ballots."""
    ar = _ar(arith)
    sums: Sums | None = None
    for cts in ballots:
        if sums is None:
            sums = [list(q) for q in cts]
            continue
        for qi, question in enumerate(cts):
            for oi, (alpha, beta) in enumerate(question):
                a0, b0 = sums[qi][oi]
                sums[qi][oi] = (ar.add(a0, alpha), ar.add(b0, beta))
    if sums is not None and [len(q) for q in sums] != list(d["questions"]):
        raise Invalid("the ballots do not have the poll's shape")
    return sums


def sums_to_json(sums: Sums) -> str:
    return json.dumps([[[a.hex(), b.hex()] for a, b in q] for q in sums], separators=(",", ":"))


def sums_from_json(text: str, *, arith: Arith | str | None = None) -> Sums:
    ar = _ar(arith)
    try:
        doc = json.loads(text)
        return [[(ar.point(a), ar.point(b)) for a, b in q] for q in doc]
    except (ValueError, TypeError) as exc:
        if isinstance(exc, Invalid):
            raise
        raise Invalid("the sums are malformed") from exc


def _decrypt_transcript(
    key: PollKey, q: int, o: int, j: int, y_j: Point, alpha: Point, beta: Point, d: Point
) -> Transcript:
    t = Transcript("decrypt").bytes(key.h_poll).int(q).int(o).int(j).point(y_j)
    return t.point(alpha).point(beta).point(d)


def partial_decrypt(
    key: PollKey,
    j: int,
    x: int,
    sums: Sums,
    *,
    rand: Rand | None = None,
    arith: Arith | str | None = None,
) -> list[dict[str, Any]]:
    """Teller j's d = x_j·α_sum for every option, each with its Chaum–Pedersen proof."""
    ar = _ar(arith)
    rand = rand or random_scalar
    y_j = ar.base(x)
    out = []
    for qi, question in enumerate(sums):
        for oi, (alpha, beta) in enumerate(question):
            d = ar.mul(x, alpha)
            base_t = _decrypt_transcript(key, qi, oi, j, y_j, alpha, beta, d)
            while True:
                w = rand()
                c = base_t.copy().point(ar.base(w)).point(ar.mul(w, alpha)).challenge()
                s = (w + c * x) % ELL
                if c and s:
                    break
            out.append({"q": qi, "o": oi, "d": d.hex(), "c": scalar_hex(c), "s": scalar_hex(s)})
    return out


def check_partial(
    key: PollKey,
    j: int,
    y_j: str,
    sums: Sums,
    wire: Any,
    *,
    arith: Arith | str | None = None,
) -> list[list[Point]]:
    """Verify teller j's partial decryptions of exactly these sums; returns the d per option."""
    ar = _ar(arith)
    yj = ar.point(y_j)
    positions = [(q, o) for q, question in enumerate(sums) for o in range(len(question))]
    if not isinstance(wire, list) or len(wire) != len(positions):
        raise Invalid(f"teller {j}: one partial decryption per option is expected")
    ds: list[list[Point]] = [[] for _ in sums]
    for item, (q, o) in zip(wire, positions, strict=True):
        if not isinstance(item, dict) or sorted(item) != ["c", "d", "o", "q", "s"]:
            raise Invalid(f"teller {j}: a partial decryption must have q, o, d, c and s")
        if item["q"] != q or item["o"] != o:
            raise Invalid(f"teller {j}: the partial decryptions are not in the options' order")
        d = ar.point(item["d"])
        c, s = parse_scalar(item["c"]), parse_scalar(item["s"])
        alpha, beta = sums[q][o]
        a = ar.sub(ar.base(s), ar.mul(c, yj))
        cc = ar.sub(ar.mul(s, alpha), ar.mul(c, d))
        t = _decrypt_transcript(key, q, o, j, yj, alpha, beta, d).point(a).point(cc)
        if t.challenge() != c:
            raise Invalid(f"teller {j}: the proof of option {q + 1}.{o + 1} does not verify")
        ds[q].append(d)
    return ds


def lagrange(indices: Sequence[int], j: int) -> int:
    num, den = 1, 1
    for k in indices:
        if k != j:
            num = num * k % ELL
            den = den * (k - j) % ELL
    return num * pow(den, -1, ELL) % ELL


def combine(
    sums: Sums,
    partials: dict[int, list[list[Point]]],
    count: int,
    *,
    arith: Arith | str | None = None,
) -> list[list[int]]:
    """The count per option from t tellers' verified partial decryptions (Lagrange at 0)."""
    ar = _ar(arith)
    indices = sorted(partials)
    if len(set(indices)) != len(indices) or any(i < 1 for i in indices):
        raise Invalid("teller indices must be distinct and positive")
    lambdas = {j: lagrange(indices, j) for j in indices}
    table: dict[bytes, int] = {}
    point = IDENTITY
    for m in range(count + 1):
        table[point] = m
        point = ar.add(point, ar.base(1))
    out: list[list[int]] = []
    for q, question in enumerate(sums):
        row = []
        for o, (_, beta) in enumerate(question):
            share_sum = ar.lincomb((lambdas[j], partials[j][q][o]) for j in indices)
            m_point = ar.sub(beta, share_sum)
            if m_point not in table:
                raise Invalid(
                    f"option {q + 1}.{o + 1} does not decrypt to a count between 0 and {count}"
                )
            row.append(table[m_point])
        out.append(row)
    return out
