"""Meetings of a body: roll from the seats, the body's quorum and notice, the DB rules."""

# ruff: noqa: F811  (fixtures imported from tests/bodies/conftest_meetings.py)
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from governance.accounts.models import Role
from governance.assemblies import body_meetings, convening
from governance.assemblies.models import Assembly, AssemblyState, Channel
from governance.assemblies.models import Body as AssemblyBody
from governance.assemblies.roll import roll_members
from governance.assemblies.services import AssemblyData, create_assembly
from governance.bodies.models import BodyKind, SeatFunction
from governance.db import new_session, utcnow
from governance.errors import DomainError
from governance.i18n import today
from tests.bodies.conftest_meetings import make_body, make_meeting, make_seat  # noqa: F401

SETTINGS = convening.ConveningSettings(notice_days=14, agenda_notice_days=7)


def _notice(member: Any, link: Any) -> convening.Notice:
    return convening.Notice(subject="Einladung", text="Sie sind eingeladen.")


def _convene(app: Any, assembly: Assembly, actor: Any = None) -> list[str]:
    """Convene through the service; the member numbers on the frozen roll."""
    with new_session(app.extensions["governance.engine"]) as s:
        row = s.get(Assembly, assembly.id)
        convening.convene(
            s,
            assembly=row,
            actor=actor,
            now=utcnow(),
            today=today(),
            settings=SETTINGS,
            render=_notice,
            make_link=lambda user: "https://example.org/login",
        )
        numbers = [m.number for _e, m in roll_members(s, assembly_id=row.id)]
        s.commit()
        return sorted(numbers)


@pytest.fixture
def board(make_body, make_seat, make_member):
    """A board of three current seats, one seat that ended last month, one member outside."""
    body = make_body(BodyKind.BOARD, notice_days=3)
    seated = [make_member() for _ in range(3)]
    make_seat(body, member=seated[0], function=SeatFunction.CHAIR)
    for m in seated[1:]:
        make_seat(body, member=m)
    former = make_member()
    make_seat(body, member=former, ends_on=date.today() - timedelta(days=30))
    return body, seated, former, make_member()


def test_the_roll_of_a_board_meeting_is_its_seats_on_the_record_date(app, board, make_meeting):
    body, seated, former, outsider = board
    meeting = make_meeting(body, starts_at=utcnow() + timedelta(days=5))
    assert _convene(app, meeting) == sorted(m.number for m in seated)
    assert former.number not in _convene_numbers(app, meeting)
    assert outsider.number not in _convene_numbers(app, meeting)


def _convene_numbers(app: Any, meeting: Assembly) -> list[str]:
    with new_session(app.extensions["governance.engine"]) as s:
        return [m.number for _e, m in roll_members(s, assembly_id=meeting.id)]


def test_a_seat_ended_before_the_record_date_is_not_on_the_roll_but_one_that_ended_after_is(
    app, make_body, make_seat, make_member, make_meeting
):
    body = make_body(BodyKind.SUPERVISORY_BOARD)
    early, late = make_member(), make_member()
    make_seat(body, member=early, ends_on=date.today() - timedelta(days=40))
    make_seat(body, member=late, ends_on=date.today() - timedelta(days=2))
    record = date.today() - timedelta(days=10)
    meeting = make_meeting(body, starts_at=utcnow() + timedelta(days=20), record_date=record)
    assert _convene(app, meeting) == [late.number]


def test_the_body_s_notice_period_applies_not_the_general_assembly_s(app, board, make_meeting):
    body, _seated, _former, _outsider = board  # notice_days=3, the general assembly's 14
    soon = make_meeting(body, starts_at=utcnow() + timedelta(days=4))
    assert len(_convene(app, soon)) == 3
    too_soon = make_meeting(body, starts_at=utcnow() + timedelta(days=2))
    with pytest.raises(DomainError, match="notice period of this body"):
        _convene(app, too_soon)


def test_a_committee_with_a_non_member_seat_is_refused_explicitly(
    app, make_body, make_seat, make_member, make_user, make_meeting
):
    body = make_body(BodyKind.COMMITTEE)
    make_seat(body, member=make_member(), function=SeatFunction.CHAIR)
    make_seat(body, user=make_user(roles=[]))
    meeting = make_meeting(body)
    with pytest.raises(DomainError, match="not members"):
        _convene(app, meeting)


@pytest.mark.parametrize(("present", "met"), [(1, False), (2, True), (3, True)])
def test_quorum_more_than_half_of_the_seats(app, board, make_meeting, check_in, present, met):
    body, seated, _former, _outsider = board
    meeting = make_meeting(body, state=AssemblyState.IN_SESSION)
    for member in seated[:present]:
        check_in(meeting, member, Channel.ROOM)
    with new_session(app.extensions["governance.engine"]) as s:
        q = body_meetings.quorum(s, assembly=s.get(Assembly, meeting.id), now=utcnow())
    assert q is not None and (q.seats, q.present, q.needed, q.met) == (3, present, 2, met)


def test_quorum_follows_the_body_s_setting(app, make_body, make_seat, make_member, make_meeting):
    body = make_body(BodyKind.SUPERVISORY_BOARD, quorum_percent=66)
    members = [make_member() for _ in range(3)]
    for m in members:
        make_seat(body, member=m)
    meeting = make_meeting(body, state=AssemblyState.CONVENED)
    with new_session(app.extensions["governance.engine"]) as s:
        q = body_meetings.quorum(s, assembly=s.get(Assembly, meeting.id), now=utcnow())
    assert q is not None and q.needed == 2 and not q.met
    assert body_meetings.Quorum(seats=3, present=2, percent=66).met
    assert not body_meetings.Quorum(seats=3, present=2, percent=67).met


def test_a_general_assembly_has_no_body_quorum(app, make_assembly):
    assembly = make_assembly(state=AssemblyState.CONVENED, members=[])
    with new_session(app.extensions["governance.engine"]) as s:
        assert body_meetings.quorum(s, assembly=s.get(Assembly, assembly.id), now=utcnow()) is None


def test_creating_a_board_meeting_finds_the_board_and_a_committee_needs_its_body(app, make_body):
    board = make_body(BodyKind.BOARD)
    with new_session(app.extensions["governance.engine"]) as s:
        data = AssemblyData(
            title="Vorstandssitzung",
            starts_at=utcnow() + timedelta(days=9),
            body=AssemblyBody.BOARD,
        )
        assert create_assembly(s, data=data, actor=None, now=utcnow()).body_id == board.id
        committee = AssemblyData(
            title="Ausschuss", starts_at=utcnow() + timedelta(days=9), body=AssemblyBody.COMMITTEE
        )
        with pytest.raises(DomainError, match="body's page"):
            create_assembly(s, data=committee, actor=None, now=utcnow())


# --- the database rules, by raw SQL on both databases -------------------------------------

INSERT = (
    "INSERT INTO assembly (uuid, body, body_id, title, kind, form, starts_at, place, "
    "remote_access, state, created_at) VALUES (:u, :b, :i, 'x', 'ORDINARY', 'IN_PERSON', "
    ":t, '', '', 'DRAFT', :t)"
)


def _insert(conn: Any, body: str, body_id: int | None) -> None:
    import uuid

    conn.execute(text(INSERT), {"u": str(uuid.uuid4()), "b": body, "i": body_id, "t": utcnow()})


def _refused(engine: Any, action: Any, match: str) -> None:
    with pytest.raises(DBAPIError, match=match), engine.begin() as conn:
        action(conn)


def test_db_a_meeting_names_its_body_of_the_right_kind(engine, make_body):
    board = make_body(BodyKind.BOARD)
    group = make_body(BodyKind.WORKING_GROUP)
    msg = "a meeting names its body"
    _refused(engine, lambda c: _insert(c, "BOARD", None), msg)
    _refused(engine, lambda c: _insert(c, "GENERAL_ASSEMBLY", board.id), msg)
    _refused(engine, lambda c: _insert(c, "SUPERVISORY_BOARD", board.id), msg)
    with engine.begin() as conn:  # what is allowed
        _insert(conn, "BOARD", board.id)
        _insert(conn, "COMMITTEE", group.id)  # a working group meets as a committee
        _insert(conn, "GENERAL_ASSEMBLY", None)


def test_db_a_meeting_keeps_its_body(engine, make_body, make_meeting):
    board = make_body(BodyKind.BOARD)
    other = make_body(BodyKind.COMMITTEE)
    meeting = make_meeting(board)
    _refused(
        engine,
        lambda c: c.execute(
            text("UPDATE assembly SET body_id = :o, body = 'COMMITTEE' WHERE id = :a"),
            {"o": other.id, "a": meeting.id},
        ),
        "a meeting names its body",
    )


def test_db_guests_only_at_meetings_of_a_body(engine, make_assembly, make_user):
    general = make_assembly()
    user = make_user()
    _refused(
        engine,
        lambda c: c.execute(
            text(
                "INSERT INTO meeting_guest (assembly_id, user_id, invited_at) VALUES (:a, :u, :t)"
            ),
            {"a": general.id, "u": user.id, "t": utcnow()},
        ),
        "guests are invited to meetings of a body only",
    )


def test_guests_are_invited_and_removed_with_audit_events(app, make_body, make_user, make_meeting):
    from governance.auditlog import AuditEvent

    meeting = make_meeting(make_body(BodyKind.SUPERVISORY_BOARD))
    guest_user = make_user(roles=[Role.MEMBER])
    with new_session(app.extensions["governance.engine"]) as s:
        row = s.get(Assembly, meeting.id)
        guest = body_meetings.invite_guest(
            s, assembly=row, user=s.get(type(guest_user), guest_user.id), actor=None, now=utcnow()
        )
        with pytest.raises(DomainError, match="guest already"):
            body_meetings.invite_guest(
                s,
                assembly=row,
                user=s.get(type(guest_user), guest_user.id),
                actor=None,
                now=utcnow(),
            )
        body_meetings.remove_guest(s, assembly=row, guest=guest, actor=None)
        query = select(AuditEvent.event_type).where(AuditEvent.assembly_id == meeting.id)
        events = list(s.execute(query).scalars())
    assert "assembly.guest_invited" in events and "assembly.guest_removed" in events
