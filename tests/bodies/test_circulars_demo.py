"""The demo cooperative's circular resolutions: the supervisory board's adopted one with its
minutes-book PDF, the board's open one; the demo users reach them through their pages."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import select

from governance.bodies.models import Body, BodyKind
from governance.bodies.models_circulars import Circular, CircularState
from governance.db import new_session
from governance.demo import DEMO_PASSWORD, seed


def test_the_demo_has_an_adopted_and_an_open_circular(app: Flask) -> None:
    engine = app.extensions["governance.engine"]
    with new_session(engine) as s:
        seed(s, only_if_empty=False, config=app.config)
        s.commit()
        rows = s.execute(select(Body.kind, Circular).join(Body, Body.id == Circular.body_id))
        found: dict[Any, Any] = {kind: c for kind, c in rows}
    adopted, opened = found[BodyKind.SUPERVISORY_BOARD], found[BodyKind.BOARD]
    assert adopted.state == CircularState.ADOPTED and opened.state == CircularState.OPEN
    board, sb = app.test_client(), app.test_client()
    board.post("/login", data={"email": "vorstand@demo.example", "password": DEMO_PASSWORD})
    sb.post("/login", data={"email": "aufsichtsrat@demo.example", "password": DEMO_PASSWORD})
    page = board.get(f"/bodies/{opened.body_id}/circulars/{opened.id}")
    assert page.status_code == 200 and 'id="vote-form"' in page.text
    pdf = sb.get(f"/bodies/{adopted.body_id}/circulars/{adopted.id}/record.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert board.get(f"/bodies/{adopted.body_id}/circulars/{adopted.id}").status_code == 403
    assert sb.get(f"/bodies/{opened.body_id}/circulars").status_code == 403
