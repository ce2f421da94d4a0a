"""Atomicity of a cast, and the database rules of the ballot box (raw SQL, bypassing Python)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DatabaseError

from governance.ballots import casting
from governance.ballots.models import Ballot, Participation, Poll
from governance.ballots.services import close_poll
from governance.db import utcnow
from tests.factories_ballots import cast


def _counts(world):
    with world.session() as s:
        return (
            s.scalar(select(func.count()).select_from(Participation)),
            s.scalar(select(func.count()).select_from(Ballot)),
        )


def test_failed_ballot_insert_leaves_neither_row(vote_world, make_poll, monkeypatch, backend):
    """The database refuses the ballot (a 15-byte tracker breaks its CHECK) after the
    participation was inserted in the same transaction (SQLite: the statement before;
    PostgreSQL: the same statement, whose participation the ballot is selected from): after
    the rollback neither exists."""
    world = vote_world(members=2)
    poll = make_poll(world)
    inserted = []
    name = "_insert_vote" if backend == "postgresql" else "_insert_participation"
    real = getattr(casting, name)
    monkeypatch.setattr(casting, name, lambda *a: (inserted.append(a[2]), real(*a)))
    monkeypatch.setattr(casting, "new_tracker", lambda: b"\x01" * 15)
    with pytest.raises(DatabaseError):
        cast(world, poll.id, 0, "YES")
    assert inserted == [world.member_ids[0]]
    assert _counts(world) == (0, 0)
    monkeypatch.undo()
    cast(world, poll.id, 0, "YES")  # and the member can still vote
    assert _counts(world) == (1, 1)


def test_failure_in_the_view_leaves_neither_row(vote_world, make_poll, login, monkeypatch):
    world = vote_world(members=2)
    poll = make_poll(world)
    written = []

    def boom(*_args):
        written.append(True)
        raise RuntimeError("disk full")

    # After the participation (SQLite), or in place of the one statement (PostgreSQL).
    real = casting._insert_participation
    monkeypatch.setattr(casting, "_insert_participation", lambda *a: (real(*a), boom())[1])
    monkeypatch.setattr(casting, "_insert_vote", boom)
    client = login(world.users[0])
    with pytest.raises(RuntimeError):
        client.post(f"/polls/{poll.id}/cast", data={"voter": world.member_ids[0], "choice": "YES"})
    assert written == [True]
    assert _counts(world) == (0, 0)


def _refused(engine, sql, **params):
    with pytest.raises(DatabaseError), engine.begin() as conn:
        conn.execute(text(sql), params)


def test_database_rules_of_the_box(engine, vote_world, make_poll):
    world = vote_world(members=3)
    draft = make_poll(world, open=False)
    poll = make_poll(world)
    cast(world, poll.id, 0, "YES")
    m0, m1 = world.member_ids[0], world.member_ids[1]
    ins_part = (
        "INSERT INTO participation (poll_id, member_id, cast_by_member_id, channel) "
        "VALUES (:p, :m, :m, 'ONLINE')"
    )
    ins_ballot = "INSERT INTO ballot (tracker, poll_id, choice) VALUES (:t, :p, 'YES')"
    _refused(engine, ins_part, p=poll.id, m=m0)  # one vote per member
    _refused(engine, ins_ballot, t=b"\x02" * 15, p=poll.id)  # tracker of 16 bytes
    _refused(engine, ins_ballot, t=b"\x03" * 16, p=draft.id)  # box not open
    _refused(engine, "UPDATE ballot SET choice = 'NO'")
    _refused(engine, "DELETE FROM ballot")  # only the seal removes ballots
    _refused(engine, "DELETE FROM participation")
    _refused(
        engine, "INSERT INTO paper_count (poll_id, item, votes) VALUES (:p, 'YES', 1)", p=poll.id
    )  # no paper count while the poll is open
    _refused(
        engine,
        (
            "INSERT INTO participation (poll_id, member_id, cast_by_member_id, channel) "
            "VALUES (:p, :m, :m, 'PROXY')"
        ),
        p=poll.id,
        m=m1,
    )
    with world.session() as s:
        close_poll(s, poll=s.get(Poll, poll.id), actor=None, now=utcnow())
        s.commit()
    _refused(engine, ins_ballot, t=b"\x04" * 16, p=poll.id)  # sealed
    _refused(engine, "DELETE FROM ballot")
    _refused(engine, "UPDATE poll SET seal_root = :r WHERE id = :p", r="0" * 64, p=poll.id)
    _refused(engine, "DELETE FROM poll WHERE id = :p", p=poll.id)
    for back in ("OPEN", "CLOSED", "DRAFT"):  # a sealed poll is never reopened
        with pytest.raises(DatabaseError, match="only moves forward"), engine.begin() as conn:
            conn.execute(
                text("UPDATE poll SET state = :s WHERE id = :p"), {"s": back, "p": poll.id}
            )
    assert _counts(world) == (1, 1)


def test_foreign_keys_hold_after_the_seal(backend, engine, vote_world, make_poll):
    """On PostgreSQL the seal re-adds the box's foreign keys and validates them after commit."""
    world = vote_world(members=2)
    poll = make_poll(world)
    cast(world, poll.id, 0, "YES")
    other = make_poll(world)
    with world.session() as s:
        close_poll(s, poll=s.get(Poll, poll.id), actor=None, now=utcnow())
        s.commit()
    if backend == "postgresql":
        with engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT conname, convalidated FROM pg_constraint WHERE contype = 'f' AND "
                    "conrelid::regclass::text IN ('ballot', 'participation', 'named_vote')"
                )
            ).all()
        # poll (×3), member (×3: the participation's member and caster, the named vote's),
        # and the relative's login who cast (participation.cast_by_user_id).
        assert len(rows) == 7 and all(valid for _name, valid in rows), rows
    _refused(
        engine,
        "INSERT INTO participation (poll_id, member_id, cast_by_member_id, channel) "
        "VALUES (:p, 999999, 999999, 'ONLINE')",
        p=other.id,
    )
    _refused(
        engine,
        "INSERT INTO ballot (tracker, poll_id, choice) VALUES (:t, 999999, 'YES')",
        t=b"\x05" * 16,
    )


def test_bulk_seal_keeps_foreign_keys(backend, engine, vote_world, make_poll, monkeypatch):
    """The large-box path of the PostgreSQL seal (constraints re-added and validated)."""
    from governance.ballots import seal

    monkeypatch.setattr(seal, "BULK_FK_THRESHOLD", 0)
    test_foreign_keys_hold_after_the_seal(backend, engine, vote_world, make_poll)
