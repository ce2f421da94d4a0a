"""Sealing and counting encrypted polls: the seal's re-verification, the tellers' decryption."""

from __future__ import annotations

import itertools
import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from governance import coopvote
from governance.auditlog import AuditEvent
from governance.ballots import decrypt
from governance.ballots.models import Ballot, DecryptionShare, Poll, PollState
from governance.ballots.publishing import publish_poll
from governance.ballots.seal import box_root, leaf_hash, merkle_root
from governance.ballots.services import close_due, close_poll
from governance.ballots.tally import compute_result
from governance.db import utcnow
from governance.errors import DomainError
from tests.ballots.conftest import message
from tests.factories_encrypted import (
    cast_encrypted,
    decrypt_share,
    encrypted_poll,
    insert_ballot,
    seal,
    sealed_sums,
    teller,
)


def _post(world, ep, j, wire=None):
    with world.session() as s:
        state = decrypt.post_share(
            s,
            poll=s.get(Poll, ep.poll_id),
            teller=teller(world, ep, j),
            wire=wire if wire is not None else decrypt_share(world, ep, j),
            actor=None,
        )
        s.commit()
        return state


def _counts(world, ep):
    with world.session() as s:
        return decrypt.decrypted_counts(s, poll=s.get(Poll, ep.poll_id))


def _close_refused(world, ep) -> str:
    with world.session() as s, pytest.raises(DomainError) as excinfo:
        close_poll(s, poll=s.get(Poll, ep.poll_id), actor=world.chair, now=utcnow())
    with world.session() as s:  # refused: nothing of the seal stays
        poll = s.get(Poll, ep.poll_id)
        assert poll.state == PollState.OPEN and poll.sums is None and poll.seal_root is None
    return message(excinfo)


def test_seal_reverifies_stores_sums_and_roots_the_ciphertexts(vote_world):
    world = vote_world(members=4)
    ep = encrypted_poll(world)
    ballots = [cast_encrypted(world, ep, i, c) for i, c in enumerate(["YES", "NO", "YES"])]
    seal(world, ep)
    with world.session() as s:
        poll = s.get(Poll, ep.poll_id)
        assert poll.state == PollState.SEALED
        rows = s.execute(select(Ballot.choice, Ballot.cipher).where(Ballot.poll_id == poll.id))
        assert sorted(c for _ch, c in rows) == sorted(b.wire for b in ballots)  # carried over
        leaves = [leaf_hash(poll.id, bytes.fromhex(str(b.tracker)), b.wire) for b in ballots]
        assert poll.seal_root == merkle_root(leaves) == box_root(s, poll_id=poll.id)
        expected = coopvote.ballot_sums(
            ep.key.definition, [coopvote.check_ballot(ep.key, b.wire).ciphertexts for b in ballots]
        )
        assert poll.sums == coopvote.sums_to_json(expected)
        sealed = s.scalars(select(AuditEvent).where(AuditEvent.event_type == "poll.sealed")).one()
        payload = json.loads(sealed.payload)
        assert payload["merkle_root"] == poll.seal_root and "cipher" in payload["leaf"]
        assert payload["sums"] == json.loads(poll.sums)


def test_seal_in_worker_processes_gives_the_same_sums(vote_world):
    world = vote_world(members=3)
    ep = encrypted_poll(world)
    for i, c in enumerate(["YES", "ABSTAIN", "NO"]):
        cast_encrypted(world, ep, i, c)
    from governance.ballots import recheck

    with world.session() as s:
        poll = s.get(Poll, ep.poll_id)
        rows = [(bytes(t).hex(), c) for t, c in s.execute(select(Ballot.tracker, Ballot.cipher))]
        alone = recheck.check_rows(ep.key, rows, workers=1)
    old, recheck.PARALLEL_FROM = recheck.PARALLEL_FROM, 1
    try:
        together = recheck.check_rows(ep.key, rows, workers=2)
        with world.session() as s:
            poll = s.get(Poll, ep.poll_id)
            sums = recheck.verify_box(s, poll=poll, workers=2)
    finally:
        recheck.PARALLEL_FROM = old
    assert together == alone and alone[1] is not None
    assert sums == coopvote.sums_to_json(alone[1])


def _tampered_proof(wire: str) -> str:
    """The same ciphertexts (so the same tracker) with one proof scalar changed."""
    ballot = json.loads(wire)
    c, s = ballot["questions"][0][0]["proof"][0]
    ballot["questions"][0][0]["proof"][0] = [s, c]  # still canonical scalars, wrong proof
    return json.dumps(ballot, separators=(",", ":"))


def test_seal_refuses_a_ballot_with_a_bad_proof_written_into_the_database(vote_world):
    world = vote_world(members=3)
    ep = encrypted_poll(world)
    cast_encrypted(world, ep, 0, "YES")
    forged = coopvote.encrypt(ep.key, [[0, 1, 0]])
    tracker = str(forged.tracker)
    insert_ballot(world, ep.poll_id, tracker=tracker, cipher=_tampered_proof(forged.wire), member=1)
    text = _close_refused(world, ep)
    assert tracker in text and "cannot be sealed" in text


def test_seal_refuses_a_tracker_that_is_not_the_hash(vote_world):
    world = vote_world(members=3)
    ep = encrypted_poll(world)
    enc = coopvote.encrypt(ep.key, [[1, 0, 0]])
    insert_ballot(world, ep.poll_id, tracker="ab" * 16, cipher=enc.wire, member=0)
    text = _close_refused(world, ep)
    assert "ab" * 16 in text


def test_seal_refuses_a_non_canonical_encoding(vote_world):
    world = vote_world(members=3)
    ep = encrypted_poll(world)
    enc = coopvote.encrypt(ep.key, [[1, 0, 0]])
    spaced = json.dumps(json.loads(enc.wire))  # the same ballot with spaces
    insert_ballot(world, ep.poll_id, tracker=str(enc.tracker), cipher=spaced, member=0)
    assert str(enc.tracker) in _close_refused(world, ep)


def test_seal_refuses_ballots_sharing_an_alpha(vote_world):
    world = vote_world(members=3)
    ep = encrypted_poll(world)
    draws = [coopvote.random_scalar() for _ in range(64)]
    first = coopvote.encrypt(ep.key, [[1, 0, 0]], rand=iter(draws).__next__)
    second = coopvote.encrypt(ep.key, [[0, 1, 0]], rand=iter(draws).__next__)
    assert first.tracker != second.tracker
    insert_ballot(world, ep.poll_id, tracker=str(first.tracker), cipher=first.wire, member=0)
    insert_ballot(world, ep.poll_id, tracker=str(second.tracker), cipher=second.wire, member=1)
    text = _close_refused(world, ep)
    assert "(α)" in text and str(first.tracker) in text and str(second.tracker) in text


def test_seal_refuses_more_ballots_than_votes_cast_online(vote_world):
    world = vote_world(members=3)
    ep = encrypted_poll(world)
    cast_encrypted(world, ep, 0, "YES")
    extra = coopvote.encrypt(ep.key, [[1, 0, 0]])
    insert_ballot(world, ep.poll_id, tracker=str(extra.tracker), cipher=extra.wire)  # no voter
    assert "2 encrypted ballots, but 1 votes" in _close_refused(world, ep)


def test_two_of_three_tellers_decrypt_and_every_pair_agrees(vote_world):
    world = vote_world(members=6)
    ep = encrypted_poll(world)
    for i, c in enumerate(["YES", "YES", "NO", "YES", "ABSTAIN"]):
        cast_encrypted(world, ep, i, c)
    seal(world, ep)
    state = _post(world, ep, 2)
    assert state.posted == (2,) and not state.complete
    with pytest.raises(decrypt.AwaitingDecryption, match="1 of 2"):
        _counts(world, ep)  # t − 1 shares never give a result
    with world.session() as s, pytest.raises(decrypt.AwaitingDecryption):
        compute_result(s, poll=s.get(Poll, ep.poll_id))
    assert _post(world, ep, 3).complete
    assert _counts(world, ep) == [[3, 1, 1]]
    _post(world, ep, 1)  # the third teller may post too; any pair gives the same count
    sums = sealed_sums(world, ep)
    Y = {j: coopvote.public_share(ep.ready.entries, j) for j in (1, 2, 3)}
    d = {j: coopvote.check_partial(ep.key, j, Y[j], sums, decrypt_share(world, ep, j)) for j in Y}
    for pair in itertools.combinations((1, 2, 3), 2):
        assert coopvote.combine(sums, {j: d[j] for j in pair}, 5) == [[3, 1, 1]]
    for j in (1, 2, 3):
        with pytest.raises(ValueError):
            coopvote.combine(sums, {j: d[j]}, 5)  # one share alone is no decryption


def test_result_of_an_encrypted_motion_counts_paper_too_and_zero_is_zero(vote_world):
    world = vote_world(members=4)
    ep = encrypted_poll(world)
    cast_encrypted(world, ep, 0, "YES")
    cast_encrypted(world, ep, 1, "YES")
    seal(world, ep)
    _post(world, ep, 1)
    _post(world, ep, 3)
    with world.session() as s:
        poll = s.get(Poll, ep.poll_id)
        result = compute_result(s, poll=poll)
        assert result.encrypted and result.ballots_online == 2
        assert result.online_counts == {"YES": 2, "NO": 0, "ABSTAIN": 0}
        assert result.outcome == "ADOPTED" and result.required == 1
        publish_poll(s, poll=poll, actor=None, declaration="Angenommen.", now=utcnow())
        s.commit()
        assert json.loads(poll.result_json)["counts"] == {"YES": 2, "NO": 0, "ABSTAIN": 0}


def test_an_election_choose_up_to_n_decrypts_per_candidate(vote_world):
    world = vote_world(members=4)
    ep = encrypted_poll(
        world, kind="ELECTION", election_mode="CHOOSE_UP_TO_N", seats=2, candidates=["A", "B", "C"]
    )
    for i, choice in enumerate([[1, 1, 0, 0], [0, 1, 0, 0], [0, 0, 0, 1]]):
        cast_encrypted(world, ep, i, [choice])
    seal(world, ep)
    _post(world, ep, 1)
    _post(world, ep, 2)
    with world.session() as s:
        result = compute_result(s, poll=s.get(Poll, ep.poll_id))
    assert {c.label: c.votes for c in result.candidates} == {"A": 1, "B": 2, "C": 0}
    assert result.abstentions == 1 and result.valid == 3 and result.votes_cast == 2
    assert result.elected == ["B", "A"]


def test_an_election_per_candidate_decrypts_yes_no_abstain(vote_world):
    world = vote_world(members=3)
    ep = encrypted_poll(
        world, kind="ELECTION", election_mode="YES_NO_ABSTAIN_PER_CANDIDATE", candidates=["A", "B"]
    )
    cast_encrypted(world, ep, 0, [[1, 0, 0], [0, 1, 0]])
    cast_encrypted(world, ep, 1, [[1, 0, 0], [0, 0, 1]])
    seal(world, ep)
    _post(world, ep, 2)
    _post(world, ep, 3)
    with world.session() as s:
        result = compute_result(s, poll=s.get(Poll, ep.poll_id))
    a, b = result.candidates
    assert (a.yes, a.no, a.abstain, b.yes, b.no, b.abstain) == (2, 0, 0, 0, 1, 1)
    assert result.elected == ["A"]


def test_a_poll_without_ballots_needs_no_decryption(vote_world):
    world = vote_world(members=2)
    ep = encrypted_poll(world)
    seal(world, ep)
    with world.session() as s:
        poll = s.get(Poll, ep.poll_id)
        assert decrypt.status(s, poll=poll).complete
        assert decrypt.decrypted_counts(s, poll=poll) == [[0, 0, 0]]
        assert compute_result(s, poll=poll).outcome == "REJECTED"
    with pytest.raises(DomainError, match="nothing to decrypt"):
        _post(world, ep, 1, wire=[])


def test_a_share_for_another_poll_or_another_sum_is_refused(vote_world):
    world = vote_world(members=4)
    first = encrypted_poll(world, title="Erste")
    second = encrypted_poll(world, title="Zweite")
    for ep, choices in ((first, ["YES", "NO"]), (second, ["NO", "NO"])):
        for i, c in enumerate(choices):
            cast_encrypted(world, ep, i, c)
        seal(world, ep)
    other_poll = decrypt_share(world, first, 1)
    with pytest.raises(DomainError, match="not valid"):
        _post(world, second, 1, wire=other_poll)
    mine = decrypt_share(world, second, 1)
    swapped = [dict(mine[0], o=mine[1]["o"]), dict(mine[1], o=mine[0]["o"]), *mine[2:]]
    with pytest.raises(DomainError, match="not valid"):
        _post(world, second, 1, wire=swapped)
    with world.session() as s:
        assert s.scalars(select(DecryptionShare)).all() == []
    _post(world, second, 1, wire=mine)
    with pytest.raises(DomainError, match="in already"):
        _post(world, second, 1)


def test_a_teller_of_another_ceremony_is_refused(vote_world):
    world = vote_world(members=2)
    other_world = vote_world(members=2)
    ep = encrypted_poll(world)
    other = encrypted_poll(other_world)
    cast_encrypted(world, ep, 0, "YES")
    seal(world, ep)
    with world.session() as s, pytest.raises(DomainError, match="not a teller"):
        decrypt.post_share(
            s,
            poll=s.get(Poll, ep.poll_id),
            teller=teller(other_world, other, 1),
            wire=decrypt_share(world, ep, 1),
            actor=None,
        )


def test_a_share_written_into_the_database_does_not_count(vote_world):
    world = vote_world(members=3)
    ep = encrypted_poll(world)
    cast_encrypted(world, ep, 0, "NO")
    seal(world, ep)
    _post(world, ep, 1)
    forged = decrypt_share(world, ep, 2)
    forged[0]["d"], forged[1]["d"] = forged[1]["d"], forged[0]["d"]
    with world.session() as s:
        s.add(DecryptionShare(poll_id=ep.poll_id, teller_idx=2, shares=json.dumps(forged)))
        s.commit()
    with pytest.raises(decrypt.AwaitingDecryption, match="1 of 2"):
        _counts(world, ep)
    _post(world, ep, 3)
    assert _counts(world, ep) == [[0, 1, 0]]


def test_closing_due_polls_skips_a_box_that_fails_and_closes_the_others(vote_world, make_poll):
    world = vote_world(members=3)
    bad = encrypted_poll(world, title="Verfälscht")
    good = make_poll(world, title="Klartext", secret=False)
    enc = coopvote.encrypt(bad.key, [[1, 0, 0]])
    insert_ballot(world, bad.poll_id, tracker=str(enc.tracker), cipher=enc.wire)  # no voter
    with world.session() as s:
        for poll_id in (bad.poll_id, good.id):
            s.get(Poll, poll_id).auto_close_at = utcnow() - timedelta(minutes=1)
        s.commit()
    with world.session() as s:
        assert close_due(s, now=utcnow()) == [good.id]
        s.commit()
    with world.session() as s:
        assert s.get(Poll, bad.poll_id).state == PollState.OPEN
        assert s.get(Poll, good.id).state == PollState.SEALED


def test_the_chair_is_told_which_ballot_refuses_the_seal(vote_world, login):
    world = vote_world(members=3)
    ep = encrypted_poll(world)
    cast_encrypted(world, ep, 0, "YES")
    forged = coopvote.encrypt(ep.key, [[0, 0, 1]])
    cipher = _tampered_proof(forged.wire)
    insert_ballot(world, ep.poll_id, tracker=str(forged.tracker), cipher=cipher, member=1)
    chair = login(world.chair)
    page = chair.post(f"/polls/{ep.poll_id}/close", follow_redirects=True).get_data(as_text=True)
    assert "cannot be sealed" in page and str(forged.tracker) in page
    with world.session() as s:
        assert s.get(Poll, ep.poll_id).state == PollState.OPEN


def test_multiple_votes_are_one_ballot_each_and_counted_at_the_seal(vote_world):
    world = vote_world(members=3, weights=[3, 1, 1])
    ep = encrypted_poll(world, multiple_votes=True)
    cast_encrypted(world, ep, 0, "NO", votes=3)
    cast_encrypted(world, ep, 1, "YES", votes=2)  # one ballot too many for a single vote
    assert "5 encrypted ballots, but 4 votes" in _close_refused(world, ep)


def test_multiple_votes_decrypt_to_the_weighted_count(vote_world):
    world = vote_world(members=3, weights=[3, 1, 1])
    ep = encrypted_poll(world, multiple_votes=True)
    cast_encrypted(world, ep, 0, "NO", votes=3)
    cast_encrypted(world, ep, 1, "YES")
    seal(world, ep)
    _post(world, ep, 1)
    _post(world, ep, 2)
    with world.session() as s:
        result = compute_result(s, poll=s.get(Poll, ep.poll_id))
    assert result.weighted and result.counts == {"YES": 1, "NO": 3, "ABSTAIN": 0}
    assert result.outcome == "REJECTED" and result.turnout_votes == 4
