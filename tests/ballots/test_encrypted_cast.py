"""Casting in a poll with a key over HTTP: ballots encrypted in Python (coopvote.encrypt, as
the browser does) are accepted; tampered, foreign, copied or α-reusing ones are refused with a
clear message, store nothing and record no participation."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from governance import coopvote as cv
from governance.ballots.encryption import poll_key
from governance.ballots.models import Ballot, NamedVote, Participation, Poll
from governance.ballots.trackers import format_tracker
from tests.factories_ballots import add_mandate
from tests.factories_tellers import ready_ceremony

JSON = {"Accept": "application/json"}
YES, NO, ABSTAIN = [[1, 0, 0]], [[0, 1, 0]], [[0, 0, 1]]


def encrypted_poll(world, make_poll, **kw):
    """A ready key for the assembly, then an open secret poll with it, and its key."""
    with world.session() as s:
        ready_ceremony(s, world.assembly_id)
        s.commit()
    poll = make_poll(world, **kw)
    with world.session() as s:
        p = s.get(Poll, poll.id)
        assert p.is_encrypted
        return p, poll_key(s, p)


def post(client, poll, voter, *wires):
    return client.post(
        f"/polls/{poll.id}/cast", data={"voter": voter, "ballot": list(wires)}, headers=JSON
    )


def counts(world):
    with world.session() as s:
        return (
            s.scalar(select(func.count()).select_from(Participation)),
            s.scalar(select(func.count()).select_from(Ballot)),
        )


def test_an_encrypted_ballot_is_checked_and_stored_without_a_choice(vote_world, make_poll, login):
    world = vote_world(members=2)
    poll, key = encrypted_poll(world, make_poll)
    enc = cv.encrypt(key, NO)
    r = post(login(world.users[0]), poll, world.member_ids[0], enc.wire)
    assert r.status_code == 200, r.json
    assert r.json["trackers"] == [format_tracker(bytes.fromhex(enc.tracker))]
    with world.session() as s:
        [row] = s.execute(select(Ballot.tracker, Ballot.choice, Ballot.cipher)).all()
        assert row == (bytes.fromhex(enc.tracker), "", enc.wire)
        assert s.scalar(select(func.count()).select_from(NamedVote)) == 0
        # What the tellers and the verifier will check: the stored ballot passes.
        assert cv.check_ballot(key, row.cipher).tracker == enc.tracker
    assert counts(world) == (1, 1)


def _flip_proof_byte(wire):
    doc = json.loads(wire)
    c = doc["questions"][0][1]["proof"][0][0]
    doc["questions"][0][1]["proof"][0][0] = ("1" if c[0] != "1" else "2") + c[1:]
    return json.dumps(doc, separators=(",", ":"))


def _swap_ciphertexts(wire):
    doc = json.loads(wire)
    q = doc["questions"][0]
    for part in ("alpha", "beta"):
        q[0][part], q[1][part] = q[1][part], q[0][part]
    return json.dumps(doc, separators=(",", ":"))


def test_tampered_and_foreign_ballots_are_refused(vote_world, make_poll, login):
    world = vote_world(members=2)
    poll, key = encrypted_poll(world, make_poll)
    other = make_poll(world, open=False, title="Entlastung des Aufsichtsrats")
    other_key = cv.PollKey(key.ceremony, key.Y, key.assembly, other.uuid, key.definition)
    member = login(world.users[0])
    enc = cv.encrypt(key, YES)
    spaced = enc.wire.replace(",", ", ", 1)
    bad = {
        "a byte of a proof": _flip_proof_byte(enc.wire),
        "swapped ciphertexts": _swap_ciphertexts(enc.wire),
        "made for another poll": cv.encrypt(other_key, YES).wire,
        "not canonical": spaced,
        "not a ballot": "{}",
        "not JSON": "YES",
    }
    for what, wire in bad.items():
        r = post(member, poll, world.member_ids[0], wire)
        assert r.status_code == 422, what
        assert "not valid" in r.json["error"] and r.json["voted"] is False, what
    assert post(member, poll, world.member_ids[0]).status_code == 400  # no ballot at all
    assert counts(world) == (0, 0)
    assert post(member, poll, world.member_ids[0], enc.wire).status_code == 200


def test_a_copy_and_a_reused_alpha_are_refused(vote_world, make_poll, login):
    world = vote_world(members=3)
    poll, key = encrypted_poll(world, make_poll)
    first = cv.encrypt(key, YES)
    assert post(login(world.users[0]), poll, world.member_ids[0], first.wire).status_code == 200
    copy = post(login(world.users[1]), poll, world.member_ids[1], first.wire)
    assert copy.status_code == 422 and "copy" in copy.json["error"]
    assert copy.json["voted"] is False
    # A new ballot of another choice whose first ciphertext reuses the first ballot's r (so α).
    draws = iter([first.randomness[0][0]])
    reuse = cv.encrypt(key, NO, rand=lambda: next(draws, None) or cv.random_scalar())
    assert reuse.ciphertexts[0][0][0] == first.ciphertexts[0][0][0]
    r = post(login(world.users[2]), poll, world.member_ids[2], reuse.wire)
    assert r.status_code == 422 and "ballot box already" in r.json["error"]
    assert counts(world) == (1, 1)


def test_a_proxy_casts_one_encrypted_ballot_per_member(vote_world, make_poll, login):
    world = vote_world(members=3)
    add_mandate(world, principal=0, proxy=1)
    poll, key = encrypted_poll(world, make_poll)
    proxy = login(world.users[1])
    own = post(proxy, poll, world.member_ids[1], cv.encrypt(key, YES).wire)
    for_principal = post(proxy, poll, world.member_ids[0], cv.encrypt(key, ABSTAIN).wire)
    assert own.status_code == 200 and for_principal.status_code == 200
    # Both ballots in one request for one member: a member without weight casts one.
    two = post(
        login(world.users[2]),
        poll,
        world.member_ids[2],
        *(cv.encrypt(key, NO).wire for _ in range(2)),
    )
    assert two.status_code == 422 and "1 encrypted ballot" in two.json["error"]
    with world.session() as s:
        channels = s.scalars(select(Participation.channel).order_by(Participation.member_id))
        assert [c.value for c in channels] == ["PROXY", "ONLINE"]
    assert counts(world) == (2, 2)


def test_a_weighted_member_casts_one_encryption_per_vote(vote_world, make_poll, login):
    world = vote_world(members=2, weights=[3, 1])
    poll, key = encrypted_poll(world, make_poll, multiple_votes=True)
    member = login(world.users[0])
    one = post(member, poll, world.member_ids[0], cv.encrypt(key, YES).wire)
    assert one.status_code == 422 and "3 encrypted ballots" in one.json["error"]
    same = cv.encrypt(key, YES).wire
    twice = post(member, poll, world.member_ids[0], same, same, same)
    assert twice.status_code == 422  # the same encryption three times shares its α
    wires = [cv.encrypt(key, YES).wire for _ in range(3)]
    r = post(member, poll, world.member_ids[0], *wires)
    assert r.status_code == 200 and len(r.json["trackers"]) == 3
    assert counts(world) == (1, 3)


def test_a_plaintext_vote_in_an_encrypted_poll_is_refused(vote_world, make_poll, login):
    world = vote_world(members=1)
    poll, _key = encrypted_poll(world, make_poll)
    member = login(world.users[0])
    url = f"/polls/{poll.id}/cast"
    r = member.post(url, data={"voter": world.member_ids[0], "choice": "YES"}, headers=JSON)
    assert r.status_code == 400
    page = member.post(url, data={"voter": world.member_ids[0], "choice": "YES"})
    assert page.status_code == 302 and page.headers["Location"].endswith(f"/polls/{poll.id}/vote")
    # The ballot page without scripts: the explanation, never a confirmation of a plain choice.
    vote = member.post(
        f"/polls/{poll.id}/vote",
        data={"voter": world.member_ids[0], "choice": "YES"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "needs JavaScript" in vote and 'id="choice"' not in vote.split("</form>")[-1]
    assert counts(world) == (0, 0)


def test_pages_say_how_a_secret_poll_is_protected(vote_world, make_poll, login):
    world = vote_world(members=1)
    plain = make_poll(world, title="Ohne Schlüssel")
    poll, key = encrypted_poll(world, make_poll)
    member = login(world.users[0])
    fp = cv.group4(cv.key_fingerprint(key.Y))
    page = member.get(f"/polls/{poll.id}/vote").get_data(as_text=True)
    assert f"encrypted – key fingerprint {fp}" in page
    assert "<noscript>" in page and "vote on paper in the room" in page
    crypto = json.loads(re.search(r"data-crypto='([^']*)'", page).group(1))
    assert crypto["ctx"]["poll"] == poll.uuid and crypto["ctx"]["Y"] == key.Y
    assert crypto["ballots"] == {str(world.member_ids[0]): 1}
    assert f"encrypted – key fingerprint {fp}" in member.get(f"/polls/{poll.id}").get_data(
        as_text=True
    )
    for url in (f"/polls/{plain.id}", f"/polls/{plain.id}/vote"):
        assert "secrecy protected by the server" in member.get(url).get_data(as_text=True)
    live = member.get(f"/assemblies/{world.assembly_id}/live.json").json["poll"]["ballot"]
    assert live["encrypted"]["poll"] == poll.uuid and live["encrypted"]["fingerprint"]


def test_the_live_page_carries_what_the_encrypted_ballot_needs(vote_world, make_poll, login):
    world = vote_world(members=2, weights=[2, 1])
    _poll, key = encrypted_poll(world, make_poll, multiple_votes=True)
    page = login(world.users[0]).get(f"/assemblies/{world.assembly_id}/live")
    html = page.get_data(as_text=True)
    assert 'data-weight="2"' in html and "js/coopvote-worker.js" in html
    assert html.index("js/encrypted_ballot.js") < html.index("js/live_ballot.js")
    assert "<noscript>" in html and "vote on paper in the room" in html
    section = re.search(r'<section id="live-ballot".*?</section>', html, re.S).group(0)
    labels = json.loads(re.search(r"data-labels='([^']*)'", section).group(1))
    assert labels["encrypted"] == "encrypted – key fingerprint %(fp)s"
    assert labels["check"] == "Check this ballot"
    ballot = json.loads(re.search(r"data-poll='([^']*)'", section).group(1))["ballot"]
    assert ballot["weighted"] is True and ballot["encrypted"]["Y"] == key.Y
    assert ballot["encrypted"]["definition"] == key.definition


def test_the_database_refuses_an_alpha_twice_in_a_poll(vote_world, make_poll, engine):
    """Bypassing Python: ballot_alpha's primary key and length check hold on their own."""
    world = vote_world(members=1)
    poll, _key = encrypted_poll(world, make_poll)
    alpha = bytes(range(32))
    insert = text("INSERT INTO ballot_alpha (poll_id, alpha) VALUES (:p, :a)")
    with engine.begin() as conn:
        conn.execute(insert, {"p": poll.id, "a": alpha})
    with pytest.raises(IntegrityError, match=r"(?i)unique|duplicate"), engine.begin() as conn:
        conn.execute(insert, {"p": poll.id, "a": alpha})
    with pytest.raises(IntegrityError, match="ck_ballot_alpha_length"), engine.begin() as conn:
        conn.execute(insert, {"p": poll.id, "a": alpha[:31]})
