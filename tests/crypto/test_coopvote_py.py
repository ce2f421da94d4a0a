"""governance/coopvote.py: ballots, proofs, the key ceremony and the count, on both arithmetics.

Every refusal the design file names is tried here: a byte of a proof, swapped ciphertexts, a proof
under another poll or key, a proof moved to another option or ballot, the −1 option, the classic
weak Fiat–Shamir forgery, small-order points, the identity, non-canonical encodings, scalars ≥ ℓ
and 0, a bad teller share, a partial decryption for another sum; t of n decrypt, t−1 cannot.
"""

from __future__ import annotations

import itertools
import json
import random

import pytest

from governance import coopvote as cv
from governance.audit.sample_bundle import ASM, CER, POLL, Ceremony

ELL = cv.ELL
P = 2**255 - 19

# The eight points of small order (Ed25519's torsion subgroup), canonical encodings.
SMALL_ORDER = [
    "0100000000000000000000000000000000000000000000000000000000000000",
    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "0000000000000000000000000000000000000000000000000000000000000000",
    "0000000000000000000000000000000000000000000000000000000000000080",
    "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
    "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
]


@pytest.fixture(scope="module")
def cer() -> Ceremony:
    return Ceremony()


@pytest.fixture(scope="module")
def motion(cer: Ceremony) -> cv.PollKey:
    return cer.key()


def _doc(wire: str) -> dict:
    return json.loads(wire)


def _wire(doc: dict) -> str:
    return json.dumps(doc, separators=(",", ":"))


def _refused(key: cv.PollKey, doc_or_wire: dict | str, match: str | None = None, ar: str = "nacl"):
    wire = doc_or_wire if isinstance(doc_or_wire, str) else _wire(doc_or_wire)
    with pytest.raises(cv.Invalid, match=match):
        cv.check_ballot(key, wire, arith=ar)


# --- ballots ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "k", "n", "choices"),
    [
        ("MOTION", 0, 1, [[1, 0, 0]]),
        ("MOTION", 0, 1, [[0, 0, 1]]),
        ("CHOOSE_UP_TO_N", 4, 2, [[1, 0, 1, 0, 0]]),
        ("CHOOSE_UP_TO_N", 4, 2, [[0, 0, 0, 0, 1]]),  # explicit abstention
        ("YES_NO_ABSTAIN_PER_CANDIDATE", 3, 1, [[1, 0, 0], [0, 1, 0], [0, 0, 1]]),
    ],
)
def test_a_ballot_round_trips_on_both_arithmetics(cer, kind, k, n, choices):
    key = cer.key(kind, k, n)
    enc = cv.encrypt(key, choices)
    for ar in ("nacl", "pure"):
        ballot = cv.check_ballot(key, enc.wire, arith=ar)
        assert ballot.tracker == enc.tracker and len(ballot.tracker) == 32
        assert ballot.ciphertexts == enc.ciphertexts
    made_pure = cv.encrypt(key, choices, arith="pure")
    cv.check_ballot(key, made_pure.wire, arith="nacl")


def test_two_encryptions_of_one_choice_differ(motion):
    a, b = cv.encrypt(motion, [[1, 0, 0]]), cv.encrypt(motion, [[1, 0, 0]])
    assert a.wire != b.wire and a.tracker != b.tracker


@pytest.mark.parametrize(
    "choices",
    [[[1, 1, 0]], [[0, 0, 0]], [[2, 0, 0]], [[1, 0]]],
    ids=["two", "none", "two-in-one", "shape"],
)
def test_choices_outside_the_rule_cannot_be_encrypted(motion, choices):
    with pytest.raises(cv.Invalid):
        cv.encrypt(motion, choices)


def test_an_empty_election_ballot_cannot_be_made(cer):
    key = cer.key("CHOOSE_UP_TO_N", 3, 2)
    with pytest.raises(cv.Invalid):
        cv.encrypt(key, [[0, 0, 0, 0]])
    with pytest.raises(cv.Invalid):  # three of up to two
        cv.encrypt(key, [[1, 1, 1, 0]])


def test_a_flipped_byte_anywhere_in_a_proof_is_refused(motion):
    enc = cv.encrypt(motion, [[0, 1, 0]])
    doc = _doc(enc.wire)
    spots = [
        ("questions", q, o, b, i)
        for q in range(1)
        for o in range(3)
        for b in (0, 1)
        for i in (0, 1)
    ]
    for _, q, o, b, i in spots:
        bad = json.loads(enc.wire)
        s = bad["questions"][q][o]["proof"][b][i]
        bad["questions"][q][o]["proof"][b][i] = ("1" if s[0] != "1" else "2") + s[1:]
        _refused(motion, bad)
    for b in (0,):
        bad = json.loads(enc.wire)
        s = bad["sums"][0][b][1]
        bad["sums"][0][b][1] = ("1" if s[0] != "1" else "2") + s[1:]
        _refused(motion, bad)
    assert doc == _doc(enc.wire)


def test_swapped_ciphertexts_are_refused(motion):
    doc = _doc(cv.encrypt(motion, [[1, 0, 0]]).wire)
    opts = doc["questions"][0]
    opts[0]["alpha"], opts[1]["alpha"] = opts[1]["alpha"], opts[0]["alpha"]
    opts[0]["beta"], opts[1]["beta"] = opts[1]["beta"], opts[0]["beta"]
    _refused(motion, doc, "does not verify")
    doc = _doc(cv.encrypt(motion, [[1, 0, 0]]).wire)
    opts = doc["questions"][0]
    opts[0], opts[1] = opts[1], opts[0]  # whole options with their proofs
    _refused(motion, doc, "does not verify")


def test_a_proof_checked_under_another_poll_or_key_is_refused(cer, motion):
    enc = cv.encrypt(motion, [[1, 0, 0]])
    other_poll = cer.key(poll="another-poll")
    _refused(other_poll, enc.wire, "does not verify")
    other = Ceremony()
    _refused(cv.PollKey(CER, other.Y, ASM, POLL, motion.definition), enc.wire, "does not verify")
    _refused(cv.PollKey(CER, cer.Y, "other-assembly", POLL, motion.definition), enc.wire)
    _refused(cv.PollKey("other-ceremony", cer.Y, ASM, POLL, motion.definition), enc.wire)


def test_a_proof_moved_to_another_option_or_ballot_is_refused(motion):
    a, b = _doc(cv.encrypt(motion, [[1, 0, 0]]).wire), _doc(cv.encrypt(motion, [[1, 0, 0]]).wire)
    moved = json.loads(json.dumps(a))
    moved["questions"][0][1]["proof"] = a["questions"][0][2]["proof"]
    _refused(motion, moved, "does not verify")
    # Option 0 of ballot b, with its own valid-looking proof, pasted into ballot a.
    mixed = json.loads(json.dumps(a))
    mixed["questions"][0][0] = b["questions"][0][0]
    _refused(motion, mixed, "does not verify")


def test_a_candidates_group_copied_into_another_ballot_is_refused(cer):
    key = cer.key("YES_NO_ABSTAIN_PER_CANDIDATE", 2)
    a = _doc(cv.encrypt(key, [[1, 0, 0], [0, 1, 0]]).wire)
    b = _doc(cv.encrypt(key, [[0, 0, 1], [1, 0, 0]]).wire)
    a["questions"][1] = b["questions"][1]
    a["sums"][1] = b["sums"][1]
    _refused(key, a, "does not verify")


def _forge_option(key: cv.PollKey, choices, target_q, target_o, m_value):
    """A ballot whose option (q, o) encrypts m_value with honest-looking 0/1 structure elsewhere."""
    ar = cv.arith("nacl")
    y = ar.point(key.Y)
    enc = cv.encrypt(key, choices)
    r = random.randrange(1, ELL)
    alpha = ar.base(r)
    beta = ar.add(ar.base(m_value % ELL), ar.mul(r, y))
    doc = _doc(enc.wire)
    doc["questions"][target_q][target_o]["alpha"] = alpha.hex()
    doc["questions"][target_q][target_o]["beta"] = beta.hex()
    return doc


def test_the_minus_one_option_is_refused(motion):
    # yes = 1, no = 1, abstain = −1: the sum is 1, only the option's own 0/1 proof stops it.
    doc = _forge_option(motion, [[1, 0, 0]], 0, 1, 1)
    forged = _forge_option(motion, [[1, 0, 0]], 0, 2, -1)
    doc["questions"][0][2] = forged["questions"][0][2]
    _refused(motion, doc, "does not verify")


@pytest.mark.parametrize("ar", ["nacl", "pure"])
@pytest.mark.parametrize("point", SMALL_ORDER, ids=[f"order-{i}" for i in range(8)])
def test_small_order_points_and_the_identity_are_refused(motion, ar, point):
    doc = _doc(cv.encrypt(motion, [[1, 0, 0]]).wire)
    doc["questions"][0][0]["alpha"] = point
    _refused(motion, doc, None, ar)
    with pytest.raises(cv.Invalid):
        cv.arith(ar).point(point)


@pytest.mark.parametrize("ar", ["nacl", "pure"])
def test_non_canonical_and_mixed_order_points_are_refused(cer, ar):
    a = cv.arith(ar)
    good = a.base(123456789)
    # P + T, T of order 2 or 8: on the curve, not in the prime-order subgroup.
    torsion = cv.arith("pure")
    for t in SMALL_ORDER[1:]:
        mixed = torsion.add(good, bytes.fromhex(t))
        with pytest.raises(cv.Invalid):
            a.point(mixed)
    # y ≥ p: the encoding of y + p for a small y that is on the curve (y = 1 → identity, y = p+1).
    y_plus_p = (1 + P).to_bytes(32, "little")
    with pytest.raises(cv.Invalid):
        a.point(y_plus_p)
    # x = 0 with the sign bit set (y = 1, the identity's non-canonical twin).
    with pytest.raises(cv.Invalid):
        a.point(bytes.fromhex(SMALL_ORDER[0][:-2] + "80"))
    # Off the curve: y = 2 has no x.
    with pytest.raises(cv.Invalid):
        a.point((2).to_bytes(32, "little"))
    # Upper-case hex is not the canonical text.
    with pytest.raises(cv.Invalid):
        a.point(good.hex().upper())
    assert a.point(good.hex()) == good


def test_scalars_at_or_above_ell_and_zero_are_refused(motion):
    enc = cv.encrypt(motion, [[1, 0, 0]])
    doc = _doc(enc.wire)
    c = cv.parse_scalar(doc["questions"][0][0]["proof"][0][1])
    plus_ell = (c + ELL).to_bytes(32, "little").hex()
    bad = json.loads(enc.wire)
    bad["questions"][0][0]["proof"][0][1] = plus_ell
    _refused(motion, bad, "below the group order")
    bad = json.loads(enc.wire)
    bad["questions"][0][0]["proof"][0][0] = "00" * 32
    _refused(motion, bad, "0 is refused")
    with pytest.raises(cv.Invalid):
        cv.parse_scalar(ELL.to_bytes(32, "little").hex())


def test_only_the_canonical_bytes_are_accepted(motion):
    enc = cv.encrypt(motion, [[1, 0, 0]])
    _refused(motion, enc.wire.replace(",", ", ", 1), "canonical")
    _refused(motion, json.dumps(json.loads(enc.wire), indent=1), "canonical")
    _refused(motion, enc.wire + " ", "canonical")
    doc = _doc(enc.wire)
    doc = {"sums": doc["sums"], "questions": doc["questions"]}
    _refused(motion, doc, "exactly the fields")
    _refused(motion, "not json", "not JSON")
    _refused(motion, '{"questions":[],"sums":[]}', "number of questions")


def test_a_reused_alpha_within_a_ballot_is_refused(motion):
    doc = _doc(cv.encrypt(motion, [[1, 0, 0]]).wire)
    doc["questions"][0][1]["alpha"] = doc["questions"][0][0]["alpha"]
    _refused(motion, doc, "share their α")


def test_the_tracker_is_the_hash_of_poll_and_ciphertexts(motion):
    enc = cv.encrypt(motion, [[1, 0, 0]])
    assert cv.tracker(POLL, enc.ciphertexts) == enc.tracker
    assert cv.tracker("another-poll", enc.ciphertexts) != enc.tracker


def test_the_ballot_check_file_is_verified_and_tampering_detected(cer, motion):
    enc = cv.encrypt(motion, [[0, 1, 0]])
    data = json.loads(json.dumps(enc.audit_file()))
    for ar in ("nacl", "pure"):
        assert cv.check_audit_file(data, motion, arith=ar).tracker == enc.tracker
    lie = json.loads(json.dumps(data))
    lie["choices"] = [[1, 0, 0]]
    with pytest.raises(cv.Invalid, match="does not encrypt the stated choice"):
        cv.check_audit_file(lie)
    wrong_r = json.loads(json.dumps(data))
    wrong_r["randomness"][0][0] = cv.scalar_hex(12345)
    with pytest.raises(cv.Invalid, match="does not encrypt"):
        cv.check_audit_file(wrong_r)
    with pytest.raises(cv.Invalid, match="another poll"):
        cv.check_audit_file(data, cer.key(poll="another-poll"))
    bad_h = dict(data, h_poll="00" * 32)
    with pytest.raises(cv.Invalid, match="poll hash"):
        cv.check_audit_file(bad_h)
    bad_t = dict(data, tracker="0" * 32)
    with pytest.raises(cv.Invalid, match="tracker"):
        cv.check_audit_file(bad_t)


# --- the ceremony ---------------------------------------------------------------------------


def test_round1_entries_verify_and_a_changed_entry_does_not(cer):
    for i, entry in cer.entries.items():
        cv.check_round1(CER, i, 2, entry)
        cv.check_round1(CER, i, 2, entry, arith="pure")
    e1 = cer.entries[1]
    with pytest.raises(cv.Invalid, match="proof of knowledge"):
        cv.check_round1(CER, 2, 2, e1)  # another teller's index
    with pytest.raises(cv.Invalid, match="proof of knowledge"):
        cv.check_round1("another", 1, 2, e1)
    swapped = dict(e1, T=cer.entries[2]["T"])
    with pytest.raises(cv.Invalid, match="proof of knowledge"):
        cv.check_round1(CER, 1, 2, swapped)
    other_a = dict(e1, A=[e1["A"][0], cer.entries[2]["A"][1]])
    with pytest.raises(cv.Invalid, match="proof of knowledge"):
        cv.check_round1(CER, 1, 2, other_a)
    identity = dict(e1, A=[SMALL_ORDER[0], e1["A"][1]])
    with pytest.raises(cv.Invalid):
        cv.check_round1(CER, 1, 2, identity)
    with pytest.raises(cv.Invalid, match="2 commitments"):
        cv.check_round1(CER, 1, 2, dict(e1, A=e1["A"][:1]))


def test_a_swapped_transport_key_changes_the_fingerprint(cer):
    changed = dict(cer.entries)
    changed[3] = dict(cer.entries[3], T="11" * 32)
    assert cv.fingerprint(CER, 3, 2, changed) != cer.fp
    assert cv.fingerprint(CER, 3, 2, cer.entries, arith="pure") == cer.fp
    assert cv.fingerprint("another", 3, 2, cer.entries) != cer.fp


def test_shares_travel_in_boxes_and_a_bad_share_is_refused(cer):
    nonce = bytes(range(24))
    t1, t2 = cer.transport[1], cer.transport[2]
    value = cv.share(cer.coeffs[1], 2)
    box = cv.seal_share(value, nonce, bytes(t2.public_key), bytes(t1))
    assert cv.open_share(box, nonce.hex(), bytes(t1.public_key), bytes(t2)) == value
    cv.check_share(cer.entries[1], 2, value)
    with pytest.raises(cv.Invalid, match="does not match"):
        cv.check_share(cer.entries[1], 2, (value + 1) % ELL)
    with pytest.raises(cv.Invalid, match="does not match"):
        cv.check_share(cer.entries[1], 3, value)
    with pytest.raises(cv.Invalid, match="does not open"):
        cv.open_share(box, nonce.hex(), bytes(t1.public_key), bytes(cer.transport[3]))


def test_key_shares_match_the_public_shares_and_the_key_file(cer):
    for j, x in cer.x.items():
        assert cv.arith("nacl").base(x).hex() == cer.y_j(j)
        kf = cv.key_file(CER, j, 2, 3, x, cer.entries, cer.fp)
        assert kf["Y"] == cer.Y and kf["index"] == j and kf["fingerprint"] == cer.fp
    with pytest.raises(cv.Invalid):
        cv.key_file(CER, 1, 2, 3, cer.x[2], cer.entries, cer.fp)
    assert cv.public_share(cer.entries, 2, arith="pure") == cer.y_j(2)
    assert cv.poll_key(cer.entries, arith="pure") == cer.Y
    assert len(cv.key_fingerprint(cer.Y)) == 32


# --- counting -------------------------------------------------------------------------------


def _box(key, choices_list):
    return [cv.encrypt(key, c) for c in choices_list]


def test_t_of_n_decrypt_and_every_pair_agrees_and_t_minus_1_cannot(cer):
    key = cer.key("CHOOSE_UP_TO_N", 4, 2)
    votes = [[[1, 1, 0, 0, 0]], [[0, 1, 0, 0, 0]], [[0, 0, 0, 0, 1]], [[0, 1, 1, 0, 0]]]
    box = _box(key, votes)
    sums = cv.ballot_sums(key.definition, [b.ciphertexts for b in box])
    shares = {
        j: cv.check_partial(key, j, cer.y_j(j), sums, cv.partial_decrypt(key, j, cer.x[j], sums))
        for j in (1, 2, 3)
    }
    expected = [[1, 3, 1, 0, 1]]  # candidate 4 (index 3) got nobody: decrypts to 0
    for pair in itertools.combinations((1, 2, 3), 2):
        assert cv.combine(sums, {j: shares[j] for j in pair}, len(box)) == expected
    assert cv.combine(sums, shares, len(box), arith="pure") == expected  # all three
    for j in (1, 2, 3):
        with pytest.raises(cv.Invalid, match="does not decrypt"):
            cv.combine(sums, {j: shares[j]}, len(box))


def test_a_partial_decryption_for_another_sum_or_teller_is_refused(cer, motion):
    box_a = _box(motion, [[[1, 0, 0]], [[0, 1, 0]]])
    box_b = _box(motion, [[[0, 0, 1]]])
    sums_a = cv.ballot_sums(motion.definition, [b.ciphertexts for b in box_a])
    sums_b = cv.ballot_sums(motion.definition, [b.ciphertexts for b in box_b])
    wire_b = cv.partial_decrypt(motion, 1, cer.x[1], sums_b)
    with pytest.raises(cv.Invalid, match="does not verify"):
        cv.check_partial(motion, 1, cer.y_j(1), sums_a, wire_b)
    wire_a = cv.partial_decrypt(motion, 1, cer.x[1], sums_a)
    with pytest.raises(cv.Invalid, match="does not verify"):
        cv.check_partial(motion, 2, cer.y_j(2), sums_a, wire_a)  # posted as teller 2
    other_poll = cer.key(poll="another-poll")
    with pytest.raises(cv.Invalid, match="does not verify"):
        cv.check_partial(other_poll, 1, cer.y_j(1), sums_a, wire_a)
    # A d that is not x_j·α_sum, with a proof made for it, does not verify.
    forged = json.loads(json.dumps(wire_a))
    forged[0]["d"] = cv.arith("nacl").base(77).hex()
    with pytest.raises(cv.Invalid, match="does not verify"):
        cv.check_partial(motion, 1, cer.y_j(1), sums_a, forged)
    reordered = [wire_a[1], wire_a[0], wire_a[2]]
    with pytest.raises(cv.Invalid, match="order"):
        cv.check_partial(motion, 1, cer.y_j(1), sums_a, reordered)
    cv.check_partial(motion, 1, cer.y_j(1), sums_a, wire_a, arith="pure")
    # Fields in any order (a JSON layer may sort keys); the values decide.
    cv.check_partial(motion, 1, cer.y_j(1), sums_a, [dict(sorted(x.items())) for x in wire_a])


def test_a_box_without_ballots_has_no_sums_and_zero_votes_decrypt_to_zero(cer, motion):
    assert cv.ballot_sums(motion.definition, []) is None
    box = _box(motion, [[[1, 0, 0]]] * 3)
    sums = cv.ballot_sums(motion.definition, [b.ciphertexts for b in box])
    again = cv.sums_from_json(cv.sums_to_json(sums))
    assert again == sums
    shares = {
        j: cv.check_partial(
            motion, j, cer.y_j(j), sums, cv.partial_decrypt(motion, j, cer.x[j], sums)
        )
        for j in (2, 3)
    }
    assert cv.combine(sums, shares, 3) == [[3, 0, 0]]


def test_definitions_are_only_the_three_shapes():
    for d in (
        cv.definition("MOTION"),
        cv.definition("CHOOSE_UP_TO_N", 5, 3),
        cv.definition("YES_NO_ABSTAIN_PER_CANDIDATE", 4),
    ):
        assert cv.check_definition(json.loads(json.dumps(d))) == d
    bad = cv.definition("MOTION")
    bad["sums"][0]["max"] = 2
    with pytest.raises(cv.Invalid):
        cv.check_definition(bad)
    with pytest.raises(cv.Invalid):
        cv.definition("CHOOSE_UP_TO_N", 2, 3)
