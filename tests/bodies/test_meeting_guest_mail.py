"""A body's guests hear of its meeting by mail: those on the list when it is convened with the
seats' invitations, those invited later at once, in their own language, with the calendar
entry; a draft's guests not before it is convened."""

# ruff: noqa: F811  (fixtures imported from tests/bodies/conftest_meetings.py)
from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, update

from governance.accounts.models import Role, User
from governance.assemblies import body_meetings
from governance.assemblies.models import Assembly, AssemblyForm, AssemblyState
from governance.bodies.models import BodyKind, SeatFunction
from governance.db import new_session, utcnow
from governance.mail import OutboxAttachment, OutboxMessage
from tests.bodies.conftest_meetings import make_body, make_meeting, make_seat  # noqa: F401


@pytest.fixture
def board(make_body, make_seat, make_member, make_user) -> tuple[Any, User]:
    """A board named "Vorstand" whose chair has a login."""
    body = make_body(BodyKind.BOARD, name="Vorstand", notice_days=3)
    member = make_member()
    make_seat(body, member=member, function=SeatFunction.CHAIR)
    return body, make_user(roles=[Role.MEMBER], member_id=member.id)


def _mails_to(app: Any, address: str) -> list[tuple[OutboxMessage, list[str]]]:
    with new_session(app.extensions["governance.engine"]) as s:
        mails = s.scalars(select(OutboxMessage).where(OutboxMessage.to_addr == address)).all()
        return [
            (
                m,
                list(
                    s.scalars(
                        select(OutboxAttachment.filename).where(OutboxAttachment.message_id == m.id)
                    )
                ),
            )
            for m in mails
        ]


def _speaks(app: Any, user: User, locale: str) -> None:
    with new_session(app.extensions["governance.engine"]) as s:
        s.execute(update(User).where(User.id == user.id).values(locale=locale))
        s.commit()


def _invite(app: Any, login: Any, chair: User, meeting: Assembly, guest: User, locale: str):
    """The guest speaks `locale`; the chair invites them (the page after the redirect)."""
    _speaks(app, guest, locale)
    page = login(chair)
    response = page.post(
        f"/assemblies/{meeting.id}/guests", data={"email": guest.email}, follow_redirects=True
    )
    return page, response.get_data(as_text=True)


def test_a_guest_invited_to_a_convened_meeting_is_mailed_at_once_in_their_language(
    app, login, board, make_meeting, make_user
):
    body, chair = board
    meeting = make_meeting(
        body, state=AssemblyState.CONVENED, form=AssemblyForm.HYBRID, title="Budget 2027"
    )
    guest = make_user(roles=[Role.MEMBER])
    _page, shown = _invite(app, login, chair, meeting, guest, "en")
    assert "is invited to this meeting by mail" in shown
    [(mail, files)] = _mails_to(app, guest.email)
    assert mail.subject.startswith("Invitation as a guest: Budget 2027")
    assert "meeting of “Vorstand”" in mail.body_text and "you have no vote" in mail.body_text
    assert f"/assemblies/{meeting.id}/live" in mail.body_text  # a hybrid meeting: remote access
    assert f"/assemblies/{meeting.id}" in mail.body_text
    assert files == [f"assembly-{meeting.id}.ics"]
    assert mail.body_html and "Budget 2027" in mail.body_html  # a text and an HTML part
    assert mail.category == "meeting_guest"


def test_a_draft_s_guests_are_mailed_when_it_is_convened_in_their_language(
    app, login, board, make_meeting, make_user
):
    body, chair = board
    meeting = make_meeting(body, starts_at=utcnow() + timedelta(days=8), title="Klausur")
    guest = make_user(roles=[Role.MEMBER])
    page, shown = _invite(app, login, chair, meeting, guest, "de")
    assert "will be mailed when it is convened" in shown
    convene_page = page.get(f"/assemblies/{meeting.id}/convene").get_data(as_text=True)
    assert 'id="recipients-guests">1<' in convene_page  # the preview counts the guest
    assert _mails_to(app, guest.email) == []  # not before the meeting is convened
    assert page.post(f"/assemblies/{meeting.id}/convene", data={}).status_code == 302
    with new_session(app.extensions["governance.engine"]) as s:
        assert s.get(Assembly, meeting.id).state == AssemblyState.CONVENED
    [(mail, _files)] = _mails_to(app, guest.email)
    assert mail.subject.startswith("Einladung als Gast: Klausur")
    assert "Sitzung des Gremiums „Vorstand“" in mail.body_text
    assert "Stimmrecht haben Sie nicht" in mail.body_text


def test_a_guest_of_a_closed_meeting_gets_no_mail(app, login, board, make_meeting, make_user):
    body, chair = board
    meeting = make_meeting(body, state=AssemblyState.CLOSED, chair=chair)
    guest = make_user(roles=[Role.MEMBER])
    response = login(chair).post(f"/assemblies/{meeting.id}/guests", data={"email": guest.email})
    assert response.status_code == 302
    with new_session(app.extensions["governance.engine"]) as s:
        assert body_meetings.guests(s, assembly_id=meeting.id)[0][1].id == guest.id
    assert _mails_to(app, guest.email) == []


def test_a_guest_s_calendar_entry_carries_the_access_data(
    app, login, board, make_meeting, make_user
):
    body, chair = board
    meeting = make_meeting(
        body, state=AssemblyState.CONVENED, form=AssemblyForm.VIRTUAL, remote_access="Raum 42"
    )
    guest, outsider = make_user(roles=[Role.MEMBER]), make_user(roles=[Role.MEMBER])
    login(chair).post(f"/assemblies/{meeting.id}/guests", data={"email": guest.email})
    ics = login(guest).get(f"/assemblies/{meeting.id}/calendar.ics")
    assert ics.status_code == 200 and "Raum 42" in ics.get_data(as_text=True)
    assert login(outsider).get(f"/assemblies/{meeting.id}/calendar.ics").status_code == 403


def test_the_calendar_entry_of_a_guest_s_mail_is_in_their_language(
    app, login, board, make_meeting, make_user
):
    """The entry's access data name the live page in the guest's language, not the inviting
    chair's (each language's entry built once)."""
    body, chair = board
    meeting = make_meeting(body, state=AssemblyState.CONVENED, form=AssemblyForm.VIRTUAL)
    german, english = make_user(roles=[Role.MEMBER]), make_user(roles=[Role.MEMBER])
    _speaks(app, chair, "en")
    _invite(app, login, chair, meeting, german, "de")
    _invite(app, login, chair, meeting, english, "en")
    entries = {}
    with new_session(app.extensions["governance.engine"]) as s:
        for user in (german, english):
            entries[user.email] = s.scalars(
                select(OutboxAttachment.data)
                .join(OutboxMessage, OutboxMessage.id == OutboxAttachment.message_id)
                .where(OutboxMessage.to_addr == user.email)
            ).one()
    assert b"Live-Seite" in entries[german.email] and b"Live page" not in entries[german.email]
    assert b"Live page" in entries[english.email]
