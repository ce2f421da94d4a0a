"""A secret poll takes its assembly's ready key when it opens (ballots/encryption.py)."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError

from governance import coopvote as cv
from governance.auditlog import AuditEvent
from governance.ballots.encryption import definition_for, poll_key
from governance.ballots.models import ElectionMode, Majority, Poll, PollKind
from tests.factories_tellers import ready_ceremony


def _ready(world):
    with world.session() as s:
        rc = ready_ceremony(s, world.assembly_id)
        s.commit()
        return rc


def test_a_secret_poll_opened_after_the_ceremony_is_encrypted(vote_world, make_poll):
    world = vote_world(members=3)
    rc = _ready(world)
    poll = make_poll(world)
    with world.session() as s:
        poll = s.get(Poll, poll.id)
        assert poll.is_encrypted and poll.ceremony_id == rc.ceremony.id
        key = poll_key(s, poll)
        assert key.Y == rc.Y and key.poll == poll.uuid
        event = s.scalars(select(AuditEvent).where(AuditEvent.event_type == "poll.opened")).one()
        assert json.loads(event.payload)["key_fingerprint"] == rc.ceremony.key_fingerprint
    enc = cv.encrypt(key, [[1, 0, 0]])
    assert cv.check_ballot(key, enc.wire).tracker == enc.tracker


def test_named_polls_and_assemblies_without_a_key_stay_plaintext(vote_world, make_poll):
    world = vote_world(members=3)
    plain = make_poll(world)
    assert not plain.is_encrypted
    _ready(world)
    named = make_poll(world, secret=False, title="Entlastung des Vorstands")
    assert not named.is_encrypted
    with world.session() as s:  # the key of a poll opened without one never changes
        poll = s.get(Poll, plain.id)
        poll.ceremony_id = 1
        with pytest.raises(DBAPIError):
            s.flush()


def test_an_encrypted_poll_refuses_plaintext_ballots_in_the_database(vote_world, make_poll):
    world = vote_world(members=3)
    _ready(world)
    poll = make_poll(world)
    from governance.ballots.models import Ballot

    with world.session() as s:
        s.add(Ballot(tracker=bytes(16), poll_id=poll.id, choice="YES"))
        with pytest.raises(DBAPIError, match="only encrypted ballots"):
            s.flush()


def test_election_definitions_follow_the_candidates(vote_world, make_poll):
    world = vote_world(members=3)
    _ready(world)
    choose = make_poll(
        world,
        kind=PollKind.ELECTION,
        election_mode=ElectionMode.CHOOSE_UP_TO_N,
        seats=2,
        candidates=["Anna", "Bernd", "Carla"],
        majority=Majority.RELATIVE,
        title="Wahl zum Aufsichtsrat",
    )
    per = make_poll(
        world,
        kind=PollKind.ELECTION,
        election_mode=ElectionMode.YES_NO_ABSTAIN_PER_CANDIDATE,
        candidates=["Dora", "Emil"],
        title="Wahl des Vorstands",
    )
    with world.session() as s:
        assert definition_for(s, s.get(Poll, choose.id)) == cv.definition("CHOOSE_UP_TO_N", 3, 2)
        d = definition_for(s, s.get(Poll, per.id))
        assert d == cv.definition("YES_NO_ABSTAIN_PER_CANDIDATE", 2)


def test_a_secret_poll_waits_for_a_running_ceremony(vote_world, make_poll):
    """Opening a secret poll while the tellers are still at work would silently give it no key:
    refused; a named poll opens; once the ceremony is void, the secret poll opens in plaintext."""
    from governance.errors import DomainError
    from governance.tellers.models import CeremonyState, KeyCeremony

    world = vote_world(members=3)
    with world.session() as s:
        ceremony = KeyCeremony(assembly_id=world.assembly_id, n=3, t=2)
        s.add(ceremony)
        s.commit()
        ceremony_id = ceremony.id
    with pytest.raises(DomainError, match="key ceremony"):
        make_poll(world)
    assert not make_poll(world, secret=False, title="Entlastung des Vorstands").is_encrypted
    with world.session() as s:
        ceremony = s.get(KeyCeremony, ceremony_id)
        ceremony.state, ceremony.void_reason = CeremonyState.VOID, "Teller 2 fehlt"
        ceremony.voided_at = ceremony.created_at
        s.commit()
    assert not make_poll(world).is_encrypted
