"""The ready key where members and the record find it: the invitation, the minutes."""

from __future__ import annotations

import io
from datetime import timedelta

from pypdf import PdfReader

from governance import coopvote as cv
from governance.accounts.models import Role
from governance.assemblies.models import AssemblyForm
from governance.db import new_session, utcnow
from governance.minutes import rendering
from tests.factories_tellers import ready_ceremony
from tests.minutes.conftest import COOP, render, start


def test_the_minutes_name_the_key_fingerprint_and_the_tellers(session, make_held_assembly):
    held = make_held_assembly(participants=3, form=AssemblyForm.HYBRID)
    plain = rendering.document(session, minutes=start(session, held), coop=COOP)
    assert plain.key_fingerprint == "" and plain.key_tellers == ()
    ready = ready_ceremony(session, held.assembly_id, n=3, t=2)
    session.flush()
    doc = rendering.document(session, minutes=_minutes(session, held), coop=COOP)
    grouped = cv.group4(cv.key_fingerprint(ready.Y))
    assert doc.key_fingerprint == grouped and doc.key_threshold == 2
    assert doc.key_tellers == ("Stimmzähler 1", "Stimmzähler 2", "Stimmzähler 3")
    pdf = render(session, _minutes(session, held)).pdf
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())
    assert "Key of the secret polls" in text and "2 of 3 tellers" in text
    assert grouped in text


def _minutes(session, held):
    from sqlalchemy import select

    from governance.minutes.models import Minutes

    return session.scalars(select(Minutes).where(Minutes.assembly_id == held.assembly_id)).one()


def test_the_invitation_preview_shows_the_key_fingerprint(app, login, make_assembly):
    assembly = make_assembly(starts_at=utcnow() + timedelta(days=30))
    board = login(roles=[Role.BOARD])
    assert "Secret polls are encrypted" not in board.get(f"/assemblies/{assembly.id}/convene").text
    with new_session(app.extensions["governance.engine"]) as s:
        ready = ready_ceremony(s, assembly.id)
        s.commit()
    page = board.get(f"/assemblies/{assembly.id}/convene").text
    assert "Secret polls are encrypted" in page
    assert cv.group4(cv.key_fingerprint(ready.Y)) in page


def test_the_assembly_page_marks_a_one_of_one_key_as_a_test(app, login, make_assembly):
    from governance.assemblies.models import AssemblyState

    chair = login(roles=[Role.BOARD])
    assembly = make_assembly(state=AssemblyState.CONVENED)
    with new_session(app.extensions["governance.engine"]) as s:
        ready = ready_ceremony(s, assembly.id, n=1, t=1)
        s.commit()
    page = chair.get(f"/assemblies/{assembly.id}").text
    assert cv.group4(cv.key_fingerprint(ready.Y)) in page
    assert "1 of 1 is a test setting" in page and "1 of 1 tellers: Stimmzähler 1" in page
