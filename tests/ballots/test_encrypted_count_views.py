"""The teller's decryption pages, and an encrypted poll's result on the poll, declaration,
results and minutes pages as for a plaintext one, with how it was counted."""

from __future__ import annotations

import json

import pytest
from flask import render_template_string

from governance.accounts.models import Role, User
from governance.ballots import paper
from governance.ballots.models import Poll
from governance.ballots.seal import merkle_root
from governance.ballots.tally import compute_result
from governance.db import utcnow
from governance.minutes.pdf import _labels
from governance.minutes.polls import poll_records
from tests.factories_encrypted import cast_encrypted, decrypt_share, encrypted_poll, seal, teller

POLL_BLOCK = '{% from "pdf/_macros.html" import poll_block %}{{ poll_block(p, text, None) }}'


def _teller_client(world, ep, j, login):
    with world.session() as s:
        user = s.get(User, teller(world, ep, j).user_id)
        s.expunge(user)
    return login(user)


@pytest.fixture
def tellers(make_user):
    """tellers(): user ids of three tellers who can log in."""
    return lambda: [make_user(roles=[Role.MEMBER]).id for _ in range(3)]


def _sealed(world, tellers, choices=("YES", "NO", "YES")):
    ep = encrypted_poll(world, tellers=tellers())
    for i, c in enumerate(choices):
        cast_encrypted(world, ep, i, c)
    seal(world, ep)
    return ep


def _minutes_block(world, app) -> str:
    with world.session() as s:
        (record,) = poll_records(s, assembly_id=world.assembly_id)
    return render_template_string(POLL_BLOCK, p=record, text=_labels())


def test_only_the_polls_tellers_decrypt(vote_world, login, tellers):
    world = vote_world(members=3)
    other_world = vote_world(members=1)
    ep = _sealed(world, tellers)
    stranger = encrypted_poll(other_world, tellers=tellers())
    urls = [f"/polls/{ep.poll_id}/decrypt", f"/polls/{ep.poll_id}/decrypt/box.json"]
    for client in (
        login(world.users[0]),  # a voter on the roll
        login(world.chair),  # the chair is not a teller
        _teller_client(other_world, stranger, 1, login),  # a teller of another assembly's key
    ):
        for url in urls:
            assert client.get(url).status_code == 403, url
        wire = json.dumps(decrypt_share(world, ep, 1))
        assert client.post(urls[0], data={"shares": wire}).status_code == 403
    teller_1 = _teller_client(world, ep, 1, login)
    for url in urls:
        assert teller_1.get(url).status_code == 200, url


def test_the_box_for_the_teller_page_matches_the_seal(vote_world, login, tellers):
    world = vote_world(members=3)
    ep = _sealed(world, tellers)
    client = _teller_client(world, ep, 2, login)
    page = client.get(f"/polls/{ep.poll_id}/decrypt").get_data(as_text=True)
    assert 'data-teller="2"' in page and "js/decrypt.js" in page
    box = client.get(f"/polls/{ep.poll_id}/decrypt/box.json").get_json()
    assert box["teller"] == 2 and box["count"] == 3 and len(box["ballots"]) == 3
    assert box["t"] == 2 and box["ctx"]["poll"] and box["ctx"]["definition"]["kind"] == "MOTION"
    from governance.ballots.seal import leaf_hash

    leaves = [leaf_hash(ep.poll_id, bytes.fromhex(t), c) for t, c in box["ballots"]]
    assert merkle_root(leaves) == box["root"]
    with world.session() as s:
        assert s.get(Poll, ep.poll_id).seal_root == box["root"]


def test_tellers_post_and_the_result_flows_to_declaration_results_and_minutes(
    app, vote_world, login, tellers
):
    world = vote_world(members=4)
    ep = _sealed(world, tellers)
    chair = login(world.chair)
    poll_page = chair.get(f"/polls/{ep.poll_id}").get_data(as_text=True)
    assert "waiting for decryption by the tellers: 0 of 2" in poll_page
    assert chair.get(f"/polls/{ep.poll_id}/declare").status_code == 302  # nothing to declare
    assert "waiting for decryption by the tellers: 0 of 2" in _minutes_block(world, app)
    first = _teller_client(world, ep, 1, login)
    assert "Decrypt as a teller" in first.get(f"/polls/{ep.poll_id}").get_data(as_text=True)
    url = f"/polls/{ep.poll_id}/decrypt"
    bad = decrypt_share(world, ep, 2)  # teller 2's share posted by teller 1
    answer = first.post(
        url, data={"shares": json.dumps(bad)}, headers={"Accept": "application/json"}
    )
    assert answer.status_code == 409 and "not valid" in answer.get_json()["error"]
    assert first.post(url, data={"shares": "nonsense"}).status_code == 400
    answer = first.post(url, data={"shares": json.dumps(decrypt_share(world, ep, 1))})
    assert answer.status_code == 200 and answer.get_json()["posted"] == [1]
    poll_page = chair.get(f"/polls/{ep.poll_id}").get_data(as_text=True)
    assert "waiting for decryption by the tellers: 1 of 2" in poll_page
    third = _teller_client(world, ep, 3, login)
    answer = third.post(url, data={"shares": json.dumps(decrypt_share(world, ep, 3))})
    assert answer.get_json()["complete"] is True
    declare = chair.get(f"/polls/{ep.poll_id}/declare").get_data(as_text=True)
    assert "Yes 2, no 1" in declare and "Online: 3 encrypted ballots" in declare
    assert "Only 3 members voted online" in declare
    response = chair.post(
        f"/polls/{ep.poll_id}/declare", data={"declaration": "Angenommen.", "confirm": "y"}
    )
    assert response.status_code == 302
    results = chair.get(f"/polls/{ep.poll_id}/results").get_data(as_text=True)
    assert "Online: 3 encrypted ballots" in results and "Adopted" in results
    block = _minutes_block(world, app)
    assert "Online: 3 encrypted ballots" in block and "Only 3 members voted online" in block
    assert "Angenommen." in block


def test_no_warning_once_five_voted_online_and_paper_is_named(vote_world, login, app, tellers):
    world = vote_world(members=6)
    ep = encrypted_poll(world, tellers=tellers())
    for i, c in enumerate(("YES", "YES", "NO", "YES", "ABSTAIN")):
        cast_encrypted(world, ep, i, c)
    with world.session() as s:  # member 5 hands in a paper ballot in the room
        poll = s.get(Poll, ep.poll_id)
        m = world.member_ids[5]
        paper.register_room_voter(s, poll=poll, member_id=m, cast_by_member_id=m, now=utcnow())
        s.commit()
    seal(world, ep)  # five ballots for five votes cast online: the room's vote has none
    with world.session() as s:
        poll = s.get(Poll, ep.poll_id)
        paper.set_paper_counts(s, poll=poll, counts={"YES": 0, "NO": 1}, actor=None)
        s.commit()
    for j in (1, 2):
        client = _teller_client(world, ep, j, login)
        client.post(
            f"/polls/{ep.poll_id}/decrypt",
            data={"shares": json.dumps(decrypt_share(world, ep, j))},
        )
    block = _minutes_block(world, app)
    assert "Online: 5 encrypted ballots" in block and "voted online:" not in block
    assert "On paper in the room: 1 ballot, counted by hand." in block
    with world.session() as s:
        result = compute_result(s, poll=s.get(Poll, ep.poll_id))
    assert result.counts == {"YES": 3, "NO": 2, "ABSTAIN": 1}
    assert result.online_counts == {"YES": 3, "NO": 1, "ABSTAIN": 1}
