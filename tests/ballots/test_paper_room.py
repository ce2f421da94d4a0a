"""Paper ballots in the room (issue #16, part 8): found by name or number among those present,
the name confirmed before saving, undone until the poll closes (audit-logged; after the close
the database refuses)."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DatabaseError

from governance.assemblies.models import AssemblyForm
from governance.auditlog import AuditEvent
from governance.ballots.models import Participation, Poll
from governance.ballots.paper import register_room_voter, undo_room_voter
from governance.ballots.services import close_poll
from governance.db import utcnow
from governance.errors import DomainError
from governance.register.models import Member
from tests.ballots.conftest import message
from tests.factories_ballots import cast


def _register(world, poll_id, i):
    with world.session() as s:
        member = world.member_ids[i]
        register_room_voter(
            s, poll=s.get(Poll, poll_id), member_id=member, cast_by_member_id=member,
            now=utcnow(), actor=world.chair,
        )  # fmt: skip
        s.commit()


def _participations(world, poll_id):
    with world.session() as s:
        rows = s.execute(
            select(Participation.member_id, Participation.channel).where(
                Participation.poll_id == poll_id
            )
        ).all()
        return {m: c.value for m, c in rows}


def _events(world, kind):
    with world.session() as s:
        rows = s.scalars(select(AuditEvent).where(AuditEvent.event_type == kind)).all()
        return [json.loads(e.payload) for e in rows]


def test_a_paper_registration_is_undone_while_the_poll_is_open(vote_world, make_poll):
    world = vote_world(members=3, form=AssemblyForm.HYBRID)
    poll = make_poll(world)
    _register(world, poll.id, 0)
    assert _participations(world, poll.id) == {world.member_ids[0]: "ROOM"}
    with world.session() as s:
        undo_room_voter(s, poll=s.get(Poll, poll.id), member_id=world.member_ids[0], actor=None)
        s.commit()
    assert _participations(world, poll.id) == {}
    payload = {"poll_id": poll.id, "member_id": world.member_ids[0]}
    assert payload in _events(world, "poll.paper_registered")
    assert _events(world, "poll.paper_undone") == [payload]
    cast(world, poll.id, 0, "YES")  # the member votes after all, online
    with world.session() as s, pytest.raises(DomainError) as exc:
        undo_room_voter(s, poll=s.get(Poll, poll.id), member_id=world.member_ids[0], actor=None)
    assert "No paper ballot is registered" in message(exc)  # an online vote is never undone


def test_no_undo_after_the_close(vote_world, make_poll):
    world = vote_world(members=2, form=AssemblyForm.HYBRID)
    poll = make_poll(world)
    _register(world, poll.id, 0)
    with world.session() as s:
        close_poll(s, poll=s.get(Poll, poll.id), actor=None, now=utcnow())
        s.commit()
    with world.session() as s, pytest.raises(DomainError) as exc:
        undo_room_voter(s, poll=s.get(Poll, poll.id), member_id=world.member_ids[0], actor=None)
    assert "only while the poll is open" in message(exc)
    assert _participations(world, poll.id) == {world.member_ids[0]: "ROOM"}


DELETE = "DELETE FROM participation WHERE poll_id = :p AND member_id = :m"
REFUSED = "removed only by the seal, or a registered paper ballot while the poll is open"


def _refused(engine, poll_id, member_id):
    with pytest.raises(DatabaseError, match=REFUSED), engine.begin() as conn:
        conn.execute(text(DELETE), {"p": poll_id, "m": member_id})


def test_the_database_refuses_an_undo_after_the_close_and_of_an_online_vote(vote_world, make_poll):
    """Bypassing Python: a registration on paper goes only while its poll is open; a vote
    cast online never goes (only the seal rewrites the box, inside the close)."""
    world = vote_world(members=3, form=AssemblyForm.HYBRID)
    engine = world.engine
    poll = make_poll(world)
    _register(world, poll.id, 0)
    _register(world, poll.id, 1)
    cast(world, poll.id, 2, "NO")
    _refused(engine, poll.id, world.member_ids[2])
    with engine.begin() as conn:  # the undo itself, in raw SQL, while open
        conn.execute(text(DELETE), {"p": poll.id, "m": world.member_ids[1]})
    with world.session() as s:
        close_poll(s, poll=s.get(Poll, poll.id), actor=None, now=utcnow())
        s.commit()
    _refused(engine, poll.id, world.member_ids[0])
    with world.session() as s:
        assert s.scalar(select(func.count()).select_from(Participation)) == 2


def _names(world):
    with world.session() as s:
        return {m.id: (m.display_name, m.number) for m in s.scalars(select(Member))}


def test_the_tellers_find_confirm_and_undo_in_the_room_page(vote_world, make_poll, login):
    world = vote_world(members=3, form=AssemblyForm.HYBRID)
    poll = make_poll(world)
    names = _names(world)
    first, second = world.member_ids[0], world.member_ids[1]
    chair = login(world.chair)
    url = f"/polls/{poll.id}/room"
    page = chair.get(url).text
    assert all(f"member={m}" in page for m in world.member_ids)
    name, number = names[first]
    by_number = chair.get(url, query_string={"q": number}).text  # the member number
    assert re.findall(r"member=(\d+)", by_number) == [str(first)]
    by_name = chair.get(url, query_string={"q": name.split()[-1].upper()}).text
    assert f"member={first}" in by_name
    assert 'id="room-none" hidden>' in by_name
    nobody = chair.get(url, query_string={"q": "Niemand Sonst"}).text
    assert 'id="room-none">Nobody present' in nobody and "member=" not in nobody

    confirm = chair.get(url, query_string={"member": first}).text  # the confirmation step
    assert f"Register a paper ballot for {name} (member no. {number})?" in confirm
    assert re.search(rf'name="member_id" type="hidden" value="{first}"', confirm)
    assert _participations(world, poll.id) == {}  # nothing saved before the confirmation
    done = chair.post(url, data={"member_id": first}, follow_redirects=True).text
    assert f"Paper ballot registered for {name}." in done
    assert f"/room/{first}/undo" in done and f"member={first}" not in done
    again = chair.post(url, data={"member_id": first}, follow_redirects=True).text
    assert "not present in the room or has voted already" in again

    chair.post(url, data={"member_id": second})
    undone = chair.post(f"{url}/{second}/undo", follow_redirects=True).text
    assert "registration has been undone" in undone
    assert _participations(world, poll.id) == {first: "ROOM"}
    assert chair.post(f"/polls/{poll.id}/close").status_code == 302
    closed = chair.get(url).text
    assert names[first][0] in closed and "/undo" not in closed
    refused = chair.post(f"{url}/{first}/undo", follow_redirects=True).text
    assert "only while the poll is open" in refused
    assert _participations(world, poll.id) == {first: "ROOM"}
