"""The bodies' services: bodies and seats with their rules, checked in Python first; the
database triggers stay the backstop and their refusal reads the same."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select
from sqlmodel import Session

from governance.accounts.models import User
from governance.auditlog import AuditEvent
from governance.bodies import services
from governance.bodies.models import Body, BodyKind, Seat, SeatFunction, SeatOrigin
from governance.errors import DomainError
from governance.register.models import Member

D = date


@pytest.fixture
def people(session: Session, make_member: Callable[..., Any], make_user: Callable[..., Any]) -> Any:
    """A few members and a user without a member, loaded into the test's session."""

    member_ids, user_id = [make_member().id for _ in range(3)], make_user().id

    class People:
        members = [session.get(Member, i) for i in member_ids]
        outsider = session.get(User, user_id)

    return People


def _events(session: Session) -> list[str]:
    return list(session.scalars(select(AuditEvent.event_type).order_by(AuditEvent.seq)))


def test_bodies_are_created_once_per_single_kind_with_unique_names(session: Session) -> None:
    sb = services.create_body(
        session, kind=BodyKind.SUPERVISORY_BOARD, name="Aufsichtsrat", actor=None
    )
    audit = services.create_body(
        session, kind=BodyKind.COMMITTEE, name="Prüfungsausschuss", actor=None, parent_id=sb.id,
        quorum_percent=60, notice_days=3,
    )  # fmt: skip
    assert audit.parent_id == sb.id and audit.quorum_percent == 60
    with pytest.raises(DomainError, match="has a Supervisory board already") as err:
        services.create_body(session, kind=BodyKind.SUPERVISORY_BOARD, name="AR 2", actor=None)
    assert err.value.field == "kind"
    with pytest.raises(DomainError, match="name exists already"):
        services.create_body(session, kind=BodyKind.COMMITTEE, name="prüfungsausschuss", actor=None)
    with pytest.raises(DomainError, match="parent body does not exist"):
        services.create_body(
            session, kind=BodyKind.WORKING_GROUP, name="AG", actor=None, parent_id=9999
        )
    with pytest.raises(DomainError, match="quorum"):
        services.create_body(
            session, kind=BodyKind.WORKING_GROUP, name="AG", actor=None, quorum_percent=100
        )
    assert _events(session) == ["body.created", "body.created"]


def test_settings_change_and_a_committee_is_dissolved_with_its_open_terms(
    session: Session, people: Any
) -> None:
    group = services.create_body(session, kind=BodyKind.WORKING_GROUP, name="AG", actor=None)
    m1, m2, _m3 = people.members
    services.add_seat(session, body=group, member=m1, starts_on=D(2024, 1, 1), actor=None)
    ended = services.add_seat(
        session, body=group, member=m2, starts_on=D(2024, 1, 1), ends_on=D(2024, 3, 31),
        actor=None,
    )  # fmt: skip
    services.change_body(
        session, body=group, actor=None, name="AG Photovoltaik", description="PV auf Haus B",
        quorum_percent=50, notice_days=2, circular_rule=group.circular_rule,
    )  # fmt: skip
    assert group.name == "AG Photovoltaik" and group.notice_days == 2
    with pytest.raises(DomainError, match="starts after this day"):
        services.dissolve_body(session, body=group, on=D(2023, 12, 31), actor=None)
    services.dissolve_body(session, body=group, on=D(2024, 6, 30), actor=None)
    seats = session.scalars(select(Seat).where(Seat.body_id == group.id).order_by(Seat.id)).all()
    assert [s.ends_on for s in seats] == [D(2024, 6, 30), D(2024, 3, 31)] and ended.id
    with pytest.raises(DomainError, match="dissolved"):
        services.add_seat(session, body=group, member=m1, starts_on=D(2025, 1, 1), actor=None)
    board = services.create_body(session, kind=BodyKind.BOARD, name="Vorstand", actor=None)
    with pytest.raises(DomainError, match="Only committees and working groups"):
        services.dissolve_body(session, body=board, on=D(2024, 6, 30), actor=None)


def test_seat_rules_are_checked_before_the_database(session: Session, people: Any) -> None:
    board = services.create_body(session, kind=BodyKind.BOARD, name="Vorstand", actor=None)
    sb = services.create_body(
        session, kind=BodyKind.SUPERVISORY_BOARD, name="Aufsichtsrat", actor=None
    )
    committee = services.create_body(session, kind=BodyKind.COMMITTEE, name="Bau", actor=None)
    m1, m2, _m3 = people.members
    seat = services.add_seat(
        session, body=board, member=m1, function=SeatFunction.CHAIR, starts_on=D(2024, 1, 1),
        actor=None, note="bestellt vom Aufsichtsrat",
    )  # fmt: skip
    with pytest.raises(DomainError, match="already holds a seat in this body"):
        services.add_seat(session, body=board, member=m1, starts_on=D(2025, 1, 1), actor=None)
    with pytest.raises(DomainError, match=r"§37 GenG"):
        services.add_seat(session, body=sb, member=m1, starts_on=D(2025, 1, 1), actor=None)
    with pytest.raises(DomainError, match="held by members"):
        services.add_seat(
            session, body=sb, user=people.outsider, starts_on=D(2025, 1, 1), actor=None
        )
    with pytest.raises(DomainError, match="Elected seats"):
        services.add_seat(
            session, body=sb, member=m2, origin=SeatOrigin.ELECTED, starts_on=D(2025, 1, 1),
            actor=None,
        )  # fmt: skip
    with pytest.raises(DomainError, match="has a Chair of the body during this term"):
        services.add_seat(
            session, body=board, member=m2, function=SeatFunction.CHAIR, starts_on=D(2024, 6, 1),
            actor=None,
        )  # fmt: skip
    with pytest.raises(DomainError, match="ends on or after"):
        services.add_seat(
            session, body=board, member=m2, starts_on=D(2024, 6, 1), ends_on=D(2024, 5, 1),
            actor=None,
        )  # fmt: skip
    guest = services.add_seat(
        session, body=committee, user=people.outsider, origin=SeatOrigin.CO_OPTED,
        starts_on=D(2024, 1, 1), actor=None,
    )  # fmt: skip
    assert guest.user_id == people.outsider.id and guest.member_id is None
    # after the term on the board ends, the supervisory board is open to the same member
    services.end_term(session, seat=seat, ends_on=D(2024, 12, 31), actor=None)
    services.add_seat(session, body=sb, member=m1, starts_on=D(2025, 1, 1), actor=None)
    assert seat.ends_on == D(2024, 12, 31)
    assert _events(session)[-3:] == ["seat.added", "seat.ended", "seat.added"]


def test_terms_end_and_functions_change_but_history_stays(session: Session, people: Any) -> None:
    board = services.create_body(session, kind=BodyKind.BOARD, name="Vorstand", actor=None)
    m1, m2, _m3 = people.members
    chair = services.add_seat(
        session, body=board, member=m1, function=SeatFunction.CHAIR, starts_on=D(2024, 1, 1),
        actor=None,
    )  # fmt: skip
    seat = services.add_seat(session, body=board, member=m2, starts_on=D(2024, 1, 1), actor=None)
    with pytest.raises(DomainError, match="ends on or after"):
        services.end_term(session, seat=seat, ends_on=D(2023, 12, 31), actor=None)
    with pytest.raises(DomainError, match="has a Chair"):
        services.change_function(
            session, seat=seat, function=SeatFunction.CHAIR, actor=None, day=D(2025, 1, 1)
        )
    services.change_function(
        session, seat=seat, function=SeatFunction.DEPUTY, actor=None, day=D(2025, 1, 1)
    )
    services.end_term(session, seat=chair, ends_on=D(2024, 12, 31), actor=None)
    services.change_function(
        session, seat=seat, function=SeatFunction.CHAIR, actor=None, day=D(2025, 1, 1)
    )
    with pytest.raises(DomainError, match="has ended"):
        services.change_function(
            session, seat=chair, function=SeatFunction.MEMBER, actor=None, day=D(2025, 1, 1)
        )
    now, past = services.body_seats(session, body=board, day=D(2025, 1, 1))
    assert [s.id for s in now] == [seat.id] and [s.id for s in past] == [chair.id]
    names = services.holder_names(session, now + past)
    assert names[seat.id] == m2.display_name and names[chair.id] == m1.display_name
    payload = session.scalars(select(AuditEvent.payload).where(  # the last in the chain
        AuditEvent.event_type == "seat.function_changed").order_by(AuditEvent.seq.desc())).first()  # fmt: skip
    assert '"to": "CHAIR"' in payload or '"to":"CHAIR"' in payload


def test_a_trigger_s_refusal_reads_as_the_domain_error(session: Session, people: Any) -> None:
    """Past the Python checks (a concurrent request), the database refuses; the service's
    flush turns the refusal into the same message."""
    board = Body(kind=BodyKind.BOARD, name="Vorstand")
    sb = Body(kind=BodyKind.SUPERVISORY_BOARD, name="Aufsichtsrat")
    session.add_all([board, sb])
    session.flush()
    m1 = people.members[0]
    session.add(Seat(body_id=board.id, member_id=m1.id, origin=SeatOrigin.APPOINTED,
                     starts_on=D(2024, 1, 1)))  # fmt: skip
    session.flush()
    for body, user, match in (
        (board, None, "already holds a seat"),
        (sb, None, r"§37 GenG"),
        (sb, people.outsider, "held by members"),
    ):
        nested = session.begin_nested()
        session.add(
            Seat(body_id=body.id, member_id=None if user else m1.id,
                 user_id=user.id if user else None, origin=SeatOrigin.APPOINTED,
                 starts_on=D(2024, 6, 1))
        )  # fmt: skip
        with pytest.raises(DomainError, match=match):
            services._flush(session)
        nested.rollback()
