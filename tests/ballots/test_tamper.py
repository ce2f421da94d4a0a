"""Tampering with the sealed ballot box is detected, and the audit says what differs.

An administrator with the database can switch the triggers off; these tests do so (inside a
transaction that is rolled back) to show that the checks of `verify_poll` still catch it.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select, text
from sqlmodel import Session

from governance.ballots.models import Ballot, Poll
from governance.ballots.publishing import publish_poll
from governance.ballots.services import close_poll
from governance.ballots.verify import verify_poll
from governance.db import utcnow
from tests.factories_ballots import cast

TABLES = ("ballot", "participation")


@pytest.fixture
def sealed(vote_world, make_poll):
    world = vote_world(members=6)
    poll = make_poll(world)
    for i, choice in enumerate(["YES", "YES", "NO", "ABSTAIN", "YES"]):
        cast(world, poll.id, i, choice)
    with world.session() as s:
        close_poll(s, poll=s.get(Poll, poll.id), actor=None, now=utcnow())
        publish_poll(
            s, poll=s.get(Poll, poll.id), actor=None, declaration="Angenommen.", now=utcnow()
        )
        s.commit()
        yes = s.scalars(select(Ballot.tracker).where(Ballot.choice == "YES")).first()
    return world, poll.id, bytes(yes)


def _tampered(engine, poll_id, *statements, **params):
    """Failed checks {name: detail} after `statements`, triggers off; all rolled back."""
    with engine.connect() as conn:
        trans = conn.begin()
        for table in TABLES:
            if engine.dialect.name == "sqlite":
                for op in ("insert", "update", "delete"):
                    conn.execute(text(f"DROP TRIGGER {table}_box_{op}"))
            else:
                conn.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER USER"))
        for sql in statements:
            conn.execute(text(sql), params)
        with Session(bind=conn) as session:
            checks = verify_poll(session, poll=session.get(Poll, poll_id))
        trans.rollback()
    return {c.name: c.detail for c in checks if not c.ok}


def test_untouched_box_passes(engine, sealed):
    _world, poll_id, _yes = sealed
    assert _tampered(engine, poll_id) == {}


def test_changed_ballot_is_detected(engine, sealed):
    _world, poll_id, yes = sealed
    failed = _tampered(engine, poll_id, "UPDATE ballot SET choice = 'NO' WHERE tracker = :t", t=yes)
    assert set(failed) == {"merkle_root", "tally"}
    assert "changed, added or removed after sealing" in failed["merkle_root"]
    assert "counts" in failed["tally"] and "'YES': 3" in failed["tally"]


def test_added_ballot_is_detected(engine, sealed):
    _world, poll_id, _yes = sealed
    failed = _tampered(
        engine,
        poll_id,
        "INSERT INTO ballot (tracker, poll_id, choice) VALUES (:t, :p, 'NO')",
        t=b"\x07" * 16,
        p=poll_id,
    )
    assert {"merkle_root", "counts", "tally"} <= set(failed)
    assert failed["counts"].startswith("1 ballot more: 6 ballots, 5 votes")


def test_deleted_ballot_is_detected(engine, sealed):
    _world, poll_id, yes = sealed
    failed = _tampered(engine, poll_id, "DELETE FROM ballot WHERE tracker = :t", t=yes)
    assert {"merkle_root", "counts", "tally"} <= set(failed)
    assert failed["counts"].startswith("1 ballot missing: 4 ballots, 5 votes")


def test_invalid_choice_names_the_ballot(engine, sealed):
    _world, poll_id, yes = sealed
    failed = _tampered(
        engine, poll_id, "UPDATE ballot SET choice = 'MAYBE' WHERE tracker = :t", t=yes
    )
    assert yes.hex() in failed["choices"] and "MAYBE" in failed["choices"]


def test_removed_participation_is_detected(engine, sealed):
    world, poll_id, _yes = sealed
    failed = _tampered(
        engine,
        poll_id,
        "DELETE FROM participation WHERE member_id = :m AND poll_id = :p",
        m=world.member_ids[0],
        p=poll_id,
    )
    assert "counts" in failed and "tally" in failed
