"""The list of speakers: points of order first, one open request, states only forward."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from governance.assemblies import speakers
from governance.assemblies.floor import Speaker, SpeakerKind, SpeakerState
from governance.assemblies.models import Assembly
from governance.assemblies.models_agenda import AgendaItem
from governance.db import utcnow
from governance.errors import DomainError
from tests.assemblies.conftest import message

NORMAL, ORDER = SpeakerKind.NORMAL, SpeakerKind.POINT_OF_ORDER


@pytest.fixture
def floor(vote_world):
    """An assembly in session (five members present in the room) discussing its first item."""
    world = vote_world(members=5)
    with world.session() as s:
        items = [
            AgendaItem(assembly_id=world.assembly_id, position=i, title=f"Punkt {i}")
            for i in (1, 2)
        ]
        s.add_all(items)
        s.flush()
        assembly = s.get(Assembly, world.assembly_id)
        assembly.current_item_id = items[0].id
        s.commit()
        world.extra["items"] = [i.id for i in items]
    return world


def ask(s, world, i: int, kind=NORMAL, at=None) -> Speaker:
    assembly = s.get(Assembly, world.assembly_id)
    return speakers.request_to_speak(
        s,
        assembly=assembly,
        member_id=world.member_ids[i],
        kind=kind,
        actor=world.users[i],
        now=at or utcnow(),
    )


def test_points_of_order_go_first_then_in_the_order_asked(floor):
    t0 = utcnow()
    with floor.session() as s:
        ask(s, floor, 0, at=t0)
        ask(s, floor, 1, at=t0 + timedelta(seconds=1))
        ask(s, floor, 2, ORDER, at=t0 + timedelta(seconds=2))
        ask(s, floor, 3, at=t0 + timedelta(seconds=3))
        assembly = s.get(Assembly, floor.assembly_id)
        order = [r.member_id for r in speakers.queue(s, assembly=assembly)]
        ids = floor.member_ids
        assert order == [ids[2], ids[0], ids[1], ids[3]]
        called = speakers.call_next(
            s, assembly=assembly, speaking_time_s=180, actor=floor.chair, now=utcnow()
        )
        assert (called.member_id, called.state, called.speaking_time_s) == (
            ids[2],
            SpeakerState.SPEAKING,
            180,
        )
        nxt = speakers.call_next(
            s, assembly=assembly, speaking_time_s=None, actor=floor.chair, now=utcnow()
        )
        assert nxt.member_id == ids[0]
        s.refresh(called)
        assert called.state == SpeakerState.DONE and called.ended_at is not None
        state = speakers.floor_state(s, assembly=assembly)
        assert state["current"]["id"] == nxt.id
        assert [q["id"] for q in state["queue"]] == [
            r.id for r in speakers.queue(s, assembly=assembly)
        ]
        speakers.end_speech(s, assembly=assembly, actor=floor.chair, now=utcnow())
        assert speakers.speaking(s, assembly_id=assembly.id) is None
        s.commit()


def test_one_open_request_per_member_and_item(floor):
    with floor.session() as s:
        ask(s, floor, 0)
        with pytest.raises(DomainError) as excinfo:
            ask(s, floor, 0, ORDER)
        assert "already on the list" in message(excinfo)
        # Once withdrawn, the member may ask again.
        mine = speakers.my_request(
            s, assembly=s.get(Assembly, floor.assembly_id), member_id=floor.member_ids[0]
        )
        speakers.withdraw(
            s,
            assembly=s.get(Assembly, floor.assembly_id),
            speaker_id=mine.id,
            member_id=floor.member_ids[0],
            actor=floor.users[0],
        )
        ask(s, floor, 0)
        s.commit()


def test_only_members_present_on_the_roll_ask_and_only_for_the_current_item(
    floor, make_member, app
):
    outsider = make_member()
    with floor.session() as s:
        assembly = s.get(Assembly, floor.assembly_id)
        with pytest.raises(DomainError) as excinfo:
            speakers.request_to_speak(
                s, assembly=assembly, member_id=outsider.id, kind=NORMAL, actor=None, now=utcnow()
            )
        assert "voter roll" in message(excinfo)
        s.execute(
            text("UPDATE attendance SET checked_out_at = :t WHERE member_id = :m"),
            {"t": utcnow() - timedelta(minutes=5), "m": floor.member_ids[4]},
        )
        with pytest.raises(DomainError) as excinfo:
            ask(s, floor, 4)
        assert "present" in message(excinfo)
        # The secretary puts a member in the room on the list without a check-in.
        speakers.request_to_speak(
            s,
            assembly=assembly,
            member_id=floor.member_ids[4],
            kind=NORMAL,
            actor=None,
            now=utcnow(),
            in_room=True,
        )
        assembly.current_item_id = None
        with pytest.raises(DomainError) as excinfo:
            ask(s, floor, 1)
        assert "No agenda item" in message(excinfo)


def test_a_member_withdraws_only_their_own_waiting_request(floor):
    with floor.session() as s:
        assembly = s.get(Assembly, floor.assembly_id)
        theirs = ask(s, floor, 0)
        with pytest.raises(DomainError):
            speakers.withdraw(
                s,
                assembly=assembly,
                speaker_id=theirs.id,
                member_id=floor.member_ids[1],
                actor=None,
            )
        speakers.call_next(s, assembly=assembly, speaking_time_s=None, actor=None, now=utcnow())
        with pytest.raises(DomainError) as excinfo:
            speakers.withdraw(
                s, assembly=assembly, speaker_id=theirs.id, member_id=None, actor=None
            )
        assert "waiting" in message(excinfo)


# --- the database holds the rules (raw SQL, past the services) -------------------------------


def _insert(conn, world, member: int, state: str = "WAITING", item: int | None = None) -> None:
    conn.execute(
        text(
            "INSERT INTO speaker (assembly_id, agenda_item_id, member_id, kind, state, "
            "requested_at, started_at) VALUES (:a, :i, :m, 'NORMAL', :s, :t, :st)"
        ),
        {
            "a": world.assembly_id,
            "i": item or world.extra["items"][0],
            "m": world.member_ids[member],
            "s": state,
            "t": utcnow(),
            "st": utcnow() if state != "WAITING" else None,
        },
    )


def test_database_refuses_a_second_open_request(app, floor):
    engine = app.extensions["governance.engine"]
    with engine.begin() as conn:
        _insert(conn, floor, 0)
        _insert(conn, floor, 0, item=floor.extra["items"][1])  # another item: fine
    with engine.connect() as conn, pytest.raises(DBAPIError, match=r"(?i)unique|duplicate"):
        _insert(conn, floor, 0)


def test_database_refuses_a_request_not_waiting_or_on_another_assemblys_item(
    app, floor, make_assembly
):
    engine = app.extensions["governance.engine"]
    other = make_assembly()
    with engine.connect() as conn, pytest.raises(DBAPIError, match="starts waiting"):
        _insert(conn, floor, 0, state="SPEAKING")
    with engine.connect() as conn, pytest.raises(DBAPIError, match="starts waiting"):
        _insert(conn, floor, 0, item=other.items[0].id)


def test_database_lets_states_only_move_forward(app, floor):
    engine = app.extensions["governance.engine"]
    with engine.begin() as conn:
        _insert(conn, floor, 0)
        _insert(conn, floor, 1)
        conn.execute(
            text("UPDATE speaker SET state = 'SPEAKING', started_at = :t WHERE member_id = :m"),
            {"t": utcnow(), "m": floor.member_ids[0]},
        )
    with engine.connect() as conn, pytest.raises(DBAPIError, match=r"(?i)unique|duplicate"):
        conn.execute(  # a second speaker at the same time
            text("UPDATE speaker SET state = 'SPEAKING', started_at = :t WHERE member_id = :m"),
            {"t": utcnow(), "m": floor.member_ids[1]},
        )
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE speaker SET state = 'DONE', ended_at = :t WHERE member_id = :m"),
            {"t": utcnow(), "m": floor.member_ids[0]},
        )
    for change in ("state = 'WAITING'", "state = 'SPEAKING'", "speaking_time_s = 60"):
        with engine.connect() as conn, pytest.raises(DBAPIError, match="only moves forward"):
            conn.execute(
                text(f"UPDATE speaker SET {change} WHERE member_id = :m"),
                {"m": floor.member_ids[0]},
            )
    with engine.connect() as conn, pytest.raises(DBAPIError, match="only moves forward"):
        conn.execute(  # a waiting request cannot be marked done without being called
            text("UPDATE speaker SET state = 'DONE', ended_at = :t WHERE member_id = :m"),
            {"t": utcnow(), "m": floor.member_ids[1]},
        )
