"""Circular resolutions: adopted, rejected by votes, stopped by an objection — each concluded,
in the audit chain and in the minutes-book PDF; the deadline; only the seats vote, once."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from governance.auditlog import AuditEvent
from governance.bodies import circular_render, circulars
from governance.bodies.models import BodyKind, CircularRule, SeatFunction
from governance.bodies.models_circulars import Circular, CircularChoice, CircularState
from governance.db import utcnow
from governance.errors import DomainError
from governance.mail import OutboxMessage
from tests.bodies.factories_circulars import *  # noqa: F403  (fixtures)

YES, NO, ABSTAIN, OBJECTION = (
    CircularChoice.YES,
    CircularChoice.NO,
    CircularChoice.ABSTAIN,
    CircularChoice.OBJECTION,
)


def pdf_text(data: bytes) -> str:
    pages = PdfReader(io.BytesIO(data)).pages
    return " ".join(" ".join(p.extract_text() for p in pages).split())


def book(session: Any, circular: Any) -> str:
    record = circulars.record_of(session, circular=circular)
    assert record is not None
    assert record.pdf_sha256 == hashlib.sha256(record.pdf).hexdigest()
    return pdf_text(record.pdf)


def events(session: Any, circular: Any) -> list[str]:
    rows = session.execute(
        select(AuditEvent.event_type)
        .where(AuditEvent.object_type == "circular", AuditEvent.object_id == str(circular.id))
        .order_by(AuditEvent.seq)
    )
    return list(rows.scalars())


@pytest.mark.parametrize(
    ("rule", "answers", "state"),
    [
        (CircularRule.NO_OBJECTION_MAJORITY_OF_SEATS, (YES, YES, NO), CircularState.ADOPTED),
        (CircularRule.NO_OBJECTION_MAJORITY_OF_SEATS, (YES, NO, ABSTAIN), CircularState.REJECTED),
        (CircularRule.UNANIMOUS, (YES, YES, ABSTAIN), CircularState.REJECTED),
        (CircularRule.UNANIMOUS, (YES, YES, YES), CircularState.ADOPTED),
    ],
)
def test_the_rule_decides_once_every_seat_has_answered(
    session: Any, seated: Any, send: Any, vote: Any, rule: Any, answers: Any, state: Any
) -> None:
    body, people = seated(3, rule=rule)
    circular = send(session, body, people[0])
    for person, choice in zip(people, answers, strict=True):
        assert circular.is_open
        vote(session, circular, person, choice)
    assert circular.state == state
    assert (circular.yes_count, circular.seat_count) == (answers.count(YES), 3)


def test_adopted_circular_in_the_minutes_book_and_the_audit_chain(
    app: Any, session: Any, seated: Any, send: Any, vote: Any
) -> None:
    body, people = seated(3, kind=BodyKind.SUPERVISORY_BOARD)
    circular = send(session, body, people[0])
    for person, choice in zip(people, (YES, YES, ABSTAIN), strict=True):
        vote(session, circular, person, choice)
    assert circular.state == CircularState.ADOPTED
    text = book(session, circular)
    assert "Dachsanierung beauftragen" in text and "Haus B" in text
    assert "Yes: 2 · No: 0 · Abstentions: 1" in text
    assert "The motion is adopted." in text
    assert events(session, circular) == ["circular.sent"] + ["circular.voted"] * 3 + [
        "circular.concluded"
    ]


def test_rejected_by_votes_names_every_vote_in_the_minutes_book(
    session: Any, seated: Any, send: Any, vote: Any, app: Any
) -> None:
    body, people = seated(3)
    circular = send(session, body, people[0])
    for person, choice in zip(people, (YES, NO, NO), strict=True):
        vote(session, circular, person, choice)
    assert circular.state == CircularState.REJECTED
    text = book(session, circular)
    assert "The motion is not adopted." in text
    for answer in circulars.answers(session, circular=circular):
        assert answer.name in text
    assert "Yes: 1 · No: 2" in text


def test_an_objection_stops_the_circular_at_once(
    session: Any, seated: Any, send: Any, vote: Any
) -> None:
    body, people = seated(3)
    circular = send(session, body, people[0])
    vote(session, circular, people[0], YES)
    vote(session, circular, people[1], OBJECTION)
    assert circular.state == CircularState.STOPPED
    assert circular.objection_count == 1
    text = book(session, circular)
    assert "stopped by an objection to the written procedure" in text
    assert "no answer" in text  # the third seat had not answered
    with pytest.raises(DomainError, match="closed"):
        vote(session, circular, people[2], YES)


def test_the_deadline_no_vote_after_it_and_conclusion_after_it(
    session: Any, seated: Any, send: Any, vote: Any
) -> None:
    body, people = seated(3)
    circular = send(session, body, people[0], deadline=timedelta(days=1))
    vote(session, circular, people[0], YES)
    vote(session, circular, people[1], YES)
    later = utcnow() + timedelta(days=2)
    with pytest.raises(DomainError, match="closed"):
        vote(session, circular, people[2], NO, now=later)
    session.rollback()
    assert circular.is_open  # nobody has looked since the deadline
    done = circulars.conclude_due(session, now=later, render=circular_render.pdf)
    session.commit()
    assert [c.id for c in done] == [circular.id]
    assert circular.state == CircularState.ADOPTED  # 2 of 3 seats: more than half
    assert "No answer: 1" in book(session, circular)


def test_the_database_refuses_a_vote_after_the_deadline_by_its_own_clock(
    session: Any, seated: Any, send: Any, vote: Any
) -> None:
    body, people = seated(2)
    past = utcnow() - timedelta(days=3)
    circular = send(session, body, people[0], now=past, deadline=timedelta(days=1))
    # The service is told it is still before the deadline; the database knows better.
    with pytest.raises(DomainError, match="could not be recorded"):
        vote(session, circular, people[0], YES, now=past + timedelta(hours=1))


def test_before_the_deadline_nothing_concludes(session: Any, seated: Any, send: Any) -> None:
    body, people = seated(3)
    circular = send(session, body, people[0])
    assert circulars.conclude_due(session, now=utcnow(), render=circular_render.pdf) == []
    assert not circulars.conclude(
        session, circular=circular, now=utcnow(), render=circular_render.pdf
    )


def test_only_the_seats_vote_and_only_once(
    session: Any, seated: Any, send: Any, vote: Any, make_seat: Any, make_user: Any
) -> None:
    body, people = seated(3)
    circular = send(session, body, people[0])
    late = make_seat(body)  # seated after the sending: not in the frozen electorate
    with pytest.raises(DomainError, match="Only the seats"):
        vote(session, circular, late, YES)
    session.rollback()
    vote(session, circular, people[1], NO)
    with pytest.raises(DomainError, match="final"):
        vote(session, circular, people[1], YES)
    session.rollback()
    assert len(circulars.answers(session, circular=circular)) == 3


def test_only_the_chair_sends_and_every_seat_is_told(
    session: Any, seated: Any, send: Any, make_seat: Any
) -> None:
    body, people = seated(3)
    with pytest.raises(DomainError, match="Only the chair"):
        send(session, body, people[1])
    session.rollback()
    ended = make_seat(body, function=SeatFunction.MEMBER, ends_on=utcnow().date() - timedelta(2))
    circular = send(session, body, people[0])
    mails = session.execute(select(OutboxMessage.to_addr)).scalars().all()
    assert sorted(mails) == sorted(p.email for p in people)
    assert ended.email not in mails
    assert circular.seat_count == 3


def test_a_committee_seat_without_membership_votes(
    session: Any, make_body: Any, make_seat: Any, send: Any, vote: Any
) -> None:
    body = make_body(kind=BodyKind.COMMITTEE, name="Bauausschuss")
    chair = make_seat(body, function=SeatFunction.CHAIR)
    guest = make_seat(body, member=False)
    circular = send(session, body, chair)
    vote(session, circular, chair, YES)
    vote(session, circular, guest, YES)
    assert circular.state == CircularState.ADOPTED


def test_the_outcome_rule() -> None:
    rule = CircularRule.NO_OBJECTION_MAJORITY_OF_SEATS
    assert circulars.outcome(rule, seats=4, yes=2, objections=0) == CircularState.REJECTED
    assert circulars.outcome(rule, seats=4, yes=3, objections=0) == CircularState.ADOPTED
    assert circulars.outcome(rule, seats=5, yes=3, objections=0) == CircularState.ADOPTED
    assert circulars.outcome(rule, seats=5, yes=5, objections=1) == CircularState.STOPPED


def test_the_cli_concludes_due_circulars(
    app: Any, session: Any, seated: Any, send: Any, make_seat: Callable[..., Any]
) -> None:
    body, people = seated(2)
    send(session, body, people[0], now=utcnow() - timedelta(days=2), deadline=timedelta(days=1))
    result = app.test_cli_runner().invoke(args=["bodies", "conclude-circulars"])
    assert result.exit_code == 0, result.output
    assert "rejected" in result.output and "1 concluded" in result.output


def test_the_worker_concludes_due_circulars_and_healthz_shows_them_waiting(
    app: Any, session: Any, seated: Any, send: Any
) -> None:
    body, people = seated(2)
    due = send(
        session, body, people[0], now=utcnow() - timedelta(days=2), deadline=timedelta(days=1)
    )
    later = send(session, body, people[0], now=utcnow(), deadline=timedelta(days=3))
    session.commit()
    health = app.test_client().get("/healthz").get_json()
    assert health["jobs"]["circulars"]["queued"] == 1, health
    assert health["jobs"]["circulars"]["oldest_queued_s"] >= 86400
    assert "circulars: jobs are waiting and no worker has run recently" in health["problems"]
    result = app.test_cli_runner().invoke(args=["worker", "--only", "circulars"])
    assert result.exit_code == 0 and "circulars: 1" in result.output, result.output
    session.expire_all()
    assert session.get(Circular, due.id).state == CircularState.REJECTED  # nobody answered
    assert session.get(Circular, later.id).state == CircularState.OPEN
    again = app.test_cli_runner().invoke(args=["worker", "--only", "circulars"])
    assert "circulars: 0" in again.output


def test_a_seat_whose_term_has_ended_answers_no_more_but_counts(
    session: Any, make_body: Any, make_seat: Any, send: Any, vote: Any
) -> None:
    body = make_body()
    yesterday = utcnow().date() - timedelta(days=1)
    chair = make_seat(body, function=SeatFunction.CHAIR)
    leaving = make_seat(body, ends_on=yesterday)
    circular = send(session, body, chair, day=yesterday)  # sent while both held their seats
    with pytest.raises(DomainError, match="term in this body has ended"):
        vote(session, circular, leaving, YES)
    session.rollback()
    vote(session, circular, chair, YES)
    assert circular.is_open and circular.seat_count == 2  # 1 of 2 is not more than half
