"""The demo cooperative's bodies meet: a past supervisory board meeting with minutes, an
upcoming board meeting, each seen by its body only."""

from __future__ import annotations

from sqlalchemy import select

from governance.accounts.models import User
from governance.assemblies.models import Assembly, AssemblyState
from governance.db import new_session
from governance.demo import DEMO_PASSWORD
from governance.minutes.models import Minutes


def test_the_demo_has_a_board_and_a_supervisory_board_meeting(app):
    assert app.test_cli_runner().invoke(args=["seed-demo"]).exit_code == 0
    with new_session(app.extensions["governance.engine"]) as s:
        meetings = {a.body.value: a for a in s.scalars(select(Assembly)) if a.body_id}
        sb, board = meetings["SUPERVISORY_BOARD"], meetings["BOARD"]
        assert sb.state == AssemblyState.CLOSED and board.state == AssemblyState.CONVENED
        assert s.scalars(select(Minutes).where(Minutes.assembly_id == sb.id)).first()
        emails = {u.email for u in s.scalars(select(User))}
    clients = {}
    for email in ("vorstand@demo.example", "aufsichtsrat@demo.example", "mitglied@demo.example"):
        assert email in emails
        clients[email] = app.test_client()
        clients[email].post("/login", data={"email": email, "password": DEMO_PASSWORD})
    see = {
        e: (c.get(f"/assemblies/{board.id}").status_code, c.get(f"/assemblies/{sb.id}").status_code)
        for e, c in clients.items()
    }
    assert see == {
        "vorstand@demo.example": (200, 403),
        "aufsichtsrat@demo.example": (403, 200),
        "mitglied@demo.example": (403, 403),
    }
