# ruff: noqa: F811  (fixtures imported from tests/bodies/conftest_meetings.py)
"""Who sees a meeting of a body: its current seats and its guests, nobody else.

A board meeting and a supervisory board meeting in session, each with an open poll, and a
closed board meeting with its minutes workspace, requested by a board seat, a supervisory
board seat, a guest of the board meeting, a plain member, a board member whose term ended
yesterday (who still holds the BOARD role), an administrator and a visitor.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest

from governance.accounts.models import Role, User
from governance.assemblies import body_meetings
from governance.assemblies.models import Assembly, AssemblyState, Channel
from governance.ballots.casting import cast_vote
from governance.ballots.services import PollData, create_poll, open_poll
from governance.bodies.models import BodyKind, SeatFunction
from governance.db import new_session, utcnow
from governance.errors import DomainError
from governance.minutes.models import Capacity
from governance.minutes.signing import capacity_of
from tests.access import LOGIN
from tests.bodies.conftest_meetings import make_body, make_meeting, make_seat  # noqa: F401


@dataclass
class World:
    board: Any
    sb: Any
    board_meeting: int
    sb_meeting: int
    closed_meeting: int
    board_poll: int
    sb_poll: int
    users: dict[str, User]
    members: dict[str, Any]


def _poll(app: Any, assembly_id: int, chair: User) -> int:
    with new_session(app.extensions["governance.engine"]) as s:
        row = s.get(Assembly, assembly_id)
        poll = create_poll(s, assembly=row, data=PollData(title="Beschluss"), actor=chair)
        poll = open_poll(s, poll=poll, actor=chair, now=utcnow())
        s.commit()
        return int(poll.id)


@pytest.fixture
def world(app, make_body, make_seat, make_member, make_user, make_meeting) -> World:
    board, sb = make_body(BodyKind.BOARD), make_body(BodyKind.SUPERVISORY_BOARD)
    members = {k: make_member() for k in ("chair", "board", "sb", "guest", "plain", "former")}
    # BOARD / SUPERVISORY_BOARD follow the seats below (issue #15): "former"'s has ended.
    users = {k: make_user(roles=[Role.MEMBER], member_id=members[k].id) for k in members}
    users["admin"] = make_user(roles=[Role.ADMIN])
    long_ago = date.today() - timedelta(days=400)
    make_seat(board, member=members["chair"], function=SeatFunction.CHAIR, starts_on=long_ago)
    make_seat(board, member=members["board"], starts_on=long_ago)
    make_seat(sb, member=members["sb"], function=SeatFunction.CHAIR, starts_on=long_ago)
    yesterday = date.today() - timedelta(days=1)
    make_seat(board, member=members["former"], starts_on=long_ago, ends_on=yesterday)
    chair = users["chair"]
    board_meeting = make_meeting(board, state=AssemblyState.IN_SESSION, chair=chair)
    sb_meeting = make_meeting(sb, state=AssemblyState.IN_SESSION, chair=users["sb"])
    closed = make_meeting(board, state=AssemblyState.CLOSED, chair=chair)
    with new_session(app.extensions["governance.engine"]) as s:
        body_meetings.invite_guest(
            s,
            assembly=s.get(Assembly, board_meeting.id),
            user=s.get(User, users["guest"].id),
            actor=chair,
            now=utcnow(),
        )
        s.commit()
    return World(
        board=board,
        sb=sb,
        board_meeting=board_meeting.id,
        sb_meeting=sb_meeting.id,
        closed_meeting=closed.id,
        board_poll=_poll(app, board_meeting.id, chair),
        sb_poll=_poll(app, sb_meeting.id, users["sb"]),
        users=users,
        members=members,
    )


def _pages(assembly_id: int, poll_id: int) -> dict[str, str]:
    a = f"/assemblies/{assembly_id}"
    return {
        "detail": a,
        "live": f"{a}/live",
        "polls": f"/polls/assembly/{assembly_id}",
        "poll": f"/polls/{poll_id}",
        "guests": f"{a}/guests",
    }


def _status(response: Any) -> int | str:
    if response.status_code in (301, 302, 303) and "/login" in response.headers.get("Location", ""):
        return LOGIN
    return int(response.status_code)


def test_a_body_meeting_is_seen_by_its_seats_and_guests_only(app, login, world):
    clients = {k: login(u) for k, u in world.users.items()}
    clients["anon"] = app.test_client()
    # who sees which page (the guest sees everything but the guest list, which is the body's)
    board_ok = {"chair": "all", "board": "all", "guest": "no-guests"}
    sb_ok = {"sb": "all"}
    problems = []
    for meeting, poll, ok in (
        (world.board_meeting, world.board_poll, board_ok),
        (world.sb_meeting, world.sb_poll, sb_ok),
    ):
        for page, url in _pages(meeting, poll).items():
            for who, client in clients.items():
                sees = ok.get(who) == "all" or (ok.get(who) == "no-guests" and page != "guests")
                expected = 200 if sees else (LOGIN if who == "anon" else 403)
                got = _status(client.get(url))
                if got != expected:
                    problems.append(f"{url} ({page}) as {who}: {got}, expected {expected}")
    assert not problems, "\n".join(problems)


def test_the_minutes_of_a_board_meeting_stay_with_the_board(app, login, world):
    url = f"/assemblies/{world.closed_meeting}/minutes"
    expected = {"chair": 200, "board": 200, "sb": 403, "guest": 403, "plain": 403, "former": 403}
    got = {who: login(world.users[who]).get(url).status_code for who in expected}
    assert got == expected


def test_lists_name_no_meeting_outside_the_user_s_bodies(app, login, world):
    page = login(world.users["board"]).get("/assemblies/").get_data(as_text=True)
    assert f"/assemblies/{world.board_meeting}" in page
    assert f"/assemblies/{world.sb_meeting}" not in page
    page = login(world.users["plain"]).get("/polls/").get_data(as_text=True)
    assert f"/polls/{world.board_poll}" not in page and f"/polls/{world.sb_poll}" not in page


def test_a_poll_of_a_board_meeting_is_voted_by_its_seats(app, world, check_in):
    with new_session(app.extensions["governance.engine"]) as s:
        row = s.get(Assembly, world.board_meeting)
    for who in ("chair", "board"):
        check_in(row, world.members[who], Channel.ROOM)
    with new_session(app.extensions["governance.engine"]) as s:
        for who in ("chair", "board"):
            cast_vote(
                s,
                poll_id=world.board_poll,
                member_id=world.members[who].id,
                actor=s.get(User, world.users[who].id),
                choice="YES",
                now=utcnow(),
            )
        s.commit()
        with pytest.raises(DomainError, match="not on the voter roll"):
            cast_vote(
                s,
                poll_id=world.board_poll,
                member_id=world.members["plain"].id,
                actor=s.get(User, world.users["plain"].id),
                choice="YES",
                now=utcnow(),
            )


def test_the_body_s_chair_signs_and_a_seat_present_co_signs(app, world, check_in):
    meeting = world.board_meeting
    with new_session(app.extensions["governance.engine"]) as s:
        row = s.get(Assembly, meeting)
    check_in(row, world.members["board"], Channel.ROOM)
    with new_session(app.extensions["governance.engine"]) as s:
        row = s.get(Assembly, meeting)

        def capacity(who: str) -> Capacity | None:
            return capacity_of(s, assembly=row, user=s.get(User, world.users[who].id))

        assert capacity("chair") == Capacity.CHAIR
        assert capacity("board") == Capacity.BOARD  # present
        assert capacity("former") is None  # no seat on the day, so no BOARD role either
        assert capacity("sb") is None


def test_only_the_body_s_leaders_prepare_its_meetings(app, login, world):
    url = f"/assemblies/bodies/{world.board.id}/new"
    assert login(world.users["chair"]).get(url).status_code == 200
    assert login(world.users["board"]).get(url).status_code == 200  # the board acts as one
    assert login(world.users["sb"]).get(url).status_code == 403
    sb_url = f"/assemblies/bodies/{world.sb.id}/new"
    assert login(world.users["chair"]).get(sb_url).status_code == 403
    assert login(world.users["sb"]).get(sb_url).status_code == 200
    starts = (utcnow() + timedelta(days=10)).strftime("%Y-%m-%dT%H:%M")
    form = {"title": "Vorstandssitzung Mai", "body": "BOARD", "kind": "ORDINARY"}
    form |= {"form": "IN_PERSON", "starts_at": starts, "place": "Büro"}
    form |= {"chair_user_id": "0", "secretary_user_id": "0"}
    response = login(world.users["chair"]).post(url, data=form)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    with new_session(app.extensions["governance.engine"]) as s:
        created = s.get(Assembly, int(response.headers["Location"].rstrip("/").split("/")[-1]))
        assert created is not None and created.body_id == world.board.id


def test_guests_are_invited_by_the_leaders(app, login, world, make_user):
    newcomer = make_user(roles=[Role.MEMBER])
    url = f"/assemblies/{world.board_meeting}/guests"
    assert login(world.users["board"]).post(url, data={"email": newcomer.email}).status_code == 302
    assert login(newcomer).get(f"/assemblies/{world.board_meeting}").status_code == 200
    assert login(newcomer).get(f"/assemblies/{world.sb_meeting}").status_code == 403


def test_the_minutes_name_the_body_the_seats_present_and_the_quorum(app, world, check_in):
    from governance.minutes.pdf import render_minutes
    from governance.minutes.rendering import CoopSettings, document
    from governance.minutes.services import start_minutes

    with new_session(app.extensions["governance.engine"]) as s:
        row = s.get(Assembly, world.board_meeting)
    check_in(row, world.members["chair"], Channel.ROOM)
    with new_session(app.extensions["governance.engine"]) as s:
        row = s.get(Assembly, world.board_meeting)
        minutes = start_minutes(s, assembly=row, actor=s.get(User, world.users["chair"].id))
        doc = document(s, minutes=minutes, coop=CoopSettings(name="Wohnen eG", seat="Berlin"))
    name = world.members["chair"].display_name
    assert (doc.body_name, doc.board_present) == ("Vorstand", (name,))
    # three seats on the record date three weeks ago (the former one ended only yesterday)
    quorum = (doc.quorum_present, doc.quorum_seats, doc.quorum_percent, doc.quorate)
    assert quorum == (1, 3, 50, False)
    assert render_minutes(doc).data.startswith(b"%PDF")


def test_the_chair_convenes_a_board_meeting_with_the_board_s_notice(
    app, login, world, make_meeting
):
    draft = make_meeting(world.board, starts_at=utcnow() + timedelta(days=8))
    chair = login(world.users["chair"])
    page = chair.get(f"/assemblies/{draft.id}/convene").get_data(as_text=True)
    assert "7 days notice of this body" in page and "Seats on the record date" in page
    assert login(world.users["sb"]).get(f"/assemblies/{draft.id}/convene").status_code == 403
    form = {"csrf_token": ""}
    response = chair.post(f"/assemblies/{draft.id}/convene", data=form)
    assert response.status_code == 302
    with new_session(app.extensions["governance.engine"]) as s:
        assert s.get(Assembly, draft.id).state == AssemblyState.CONVENED


def test_the_body_page_lists_the_meetings_its_seat_may_see(app, world):
    from flask import render_template_string
    from flask_login import login_user

    partial = '{% include "bodies/_body_meetings.html" %}'
    with new_session(app.extensions["governance.engine"]) as s:
        board = s.get(type(world.board), world.board.id)
        for who, sees in (("chair", True), ("sb", False)):
            with app.test_request_context("/"):
                login_user(s.get(User, world.users[who].id))
                html = render_template_string(partial, body=board)
            assert (f"/assemblies/{world.board_meeting}" in html) is sees
            assert (f"/assemblies/bodies/{world.board.id}/new" in html) is sees
