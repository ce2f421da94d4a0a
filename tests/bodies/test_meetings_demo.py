"""The demo cooperative's bodies meet: a past supervisory board meeting with minutes, an
upcoming board meeting and an upcoming meeting of the supervisory board's audit committee,
each seen by its body only; the committee's roll is its seats."""

from __future__ import annotations

from sqlalchemy import select

from governance.accounts.models import User
from governance.assemblies.models import Assembly, AssemblyState
from governance.assemblies.roll import roll_members
from governance.bodies.models import Seat
from governance.db import new_session
from governance.demo import DEMO_PASSWORD
from governance.minutes.models import Minutes


def test_the_demo_has_a_board_and_a_supervisory_board_meeting(app):
    assert app.test_cli_runner().invoke(args=["seed-demo"]).exit_code == 0
    with new_session(app.extensions["governance.engine"]) as s:
        meetings = {a.body.value: a for a in s.scalars(select(Assembly)) if a.body_id}
        sb, board = meetings["SUPERVISORY_BOARD"], meetings["BOARD"]
        committee = meetings["COMMITTEE"]
        assert sb.state == AssemblyState.CLOSED and board.state == AssemblyState.CONVENED
        assert committee.state == AssemblyState.CONVENED
        roll = {m.id for _entry, m in roll_members(s, assembly_id=committee.id)}
        seats = s.scalars(select(Seat.member_id).where(Seat.body_id == committee.body_id))
        assert roll == set(seats) and len(roll) == 2
        assert s.scalars(select(Minutes).where(Minutes.assembly_id == sb.id)).first()
        emails = {u.email for u in s.scalars(select(User))}
    clients = {}
    for email in ("vorstand@demo.example", "aufsichtsrat@demo.example", "mitglied@demo.example"):
        assert email in emails
        clients[email] = app.test_client()
        clients[email].post("/login", data={"email": email, "password": DEMO_PASSWORD})
    see = {
        e: tuple(c.get(f"/assemblies/{m.id}").status_code for m in (board, sb, committee))
        for e, c in clients.items()
    }
    assert see == {
        "vorstand@demo.example": (200, 403, 403),
        "aufsichtsrat@demo.example": (403, 200, 200),  # they chair the audit committee
        "mitglied@demo.example": (403, 403, 403),
    }
