"""Circular resolutions (Umlaufbeschluss): sending, voting by name, concluding.

Sending: the body's chair on the sending day sends a motion with a deadline; the body's seats
on that day become the electorate (`circular_seat`, frozen) and each seat's person is told by
mail. Voting: each seat of the electorate answers once (yes, no, abstain, or an objection to
the written procedure) before the deadline; the answer is final, as a declared vote is under
German law (the database refuses a second one, a late one, and one after the conclusion). An
objection concludes the circular at once as STOPPED: the written procedure needs everyone's
consent to the procedure, so the motion must go to a meeting. Concluding: when every seat has
answered, when a seat objects, or when the deadline has passed (the worker's kind
"circulars", the next view of the page, or `governance bodies conclude-circulars`; see
commands_circulars.py), the body's rule decides, the counts are stored, the record
is rendered into the body's minutes book (`render`, injected: a PDF and its page count) and
every step is in the audit chain. Free of Flask: callers pass the time and the renderers.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from governance.accounts.models import User
from governance.auditlog import record_event
from governance.bodies.models import Body, CircularRule, Seat, SeatFunction
from governance.bodies.models_circulars import (
    Circular,
    CircularChoice,
    CircularRecord,
    CircularSeat,
    CircularState,
    CircularVote,
)
from governance.bodies.queries import seats_on
from governance.errors import DomainError
from governance.i18n import _l
from governance.mail import queue_mail
from governance.register.models import Member


@dataclass(frozen=True)
class Answer:
    """One seat of a circular's electorate, its person, and its vote (None: not yet)."""

    seat: Seat
    name: str
    user: User | None
    vote: CircularVote | None


# (circular, answers) -> (pdf bytes, page count): the minutes-book record.
Renderer = Callable[[Circular, Sequence[Answer]], tuple[bytes, int]]
# (circular, user) -> (subject, text): the notice to one seat, in the user's language.
Notice = Callable[[Circular, User], tuple[str, str]]


def body_chair(session: Session, *, body_id: int, day: date) -> Seat | None:
    """The body's chair on `day`, or None."""
    return next(
        (
            s
            for s in seats_on(session, body_id=body_id, day=day)
            if s.function == SeatFunction.CHAIR
        ),
        None,
    )


def seat_user(session: Session, seat: Seat) -> User | None:
    """The login of the seat's person: the seat's user, or the user linked to its member."""
    if seat.user_id is not None:
        return session.get(User, seat.user_id)
    return session.execute(select(User).where(User.member_id == seat.member_id)).scalars().first()


def seat_name(session: Session, seat: Seat) -> str:
    """The seat's person as the body's papers name them."""
    if seat.member_id is not None:
        member = session.get(Member, seat.member_id)
        return member.display_name if member else ""
    user = session.get(User, seat.user_id)
    return (user.display_name or user.email) if user else ""


def outcome(rule: CircularRule, *, seats: int, yes: int, objections: int) -> CircularState:
    """The statute's rule: any objection stops it; then more than half of all seats yes
    (default) or every seat yes (unanimous) adopts it."""
    if objections:
        return CircularState.STOPPED
    needed = seats if rule == CircularRule.UNANIMOUS else seats // 2 + 1
    return CircularState.ADOPTED if yes >= needed else CircularState.REJECTED


def circulars_of(
    session: Session, *, body_id: int, seat_ids: Sequence[int] | None = None
) -> list[Circular]:
    """The body's circulars, the newest first; with `seat_ids` only those sent to them."""
    query = select(Circular).where(Circular.body_id == body_id)
    if seat_ids is not None:
        asked = select(CircularSeat.circular_id).where(CircularSeat.seat_id.in_(seat_ids))  # type: ignore[attr-defined]
        query = query.where(Circular.id.in_(asked))  # type: ignore[union-attr]
    return list(session.execute(query.order_by(Circular.sent_at.desc())).scalars())  # type: ignore[attr-defined]


def answers(session: Session, *, circular: Circular) -> list[Answer]:
    """Every seat of the electorate with its person and vote, chair first."""
    rows = session.execute(
        select(Seat, CircularVote)
        .join(CircularSeat, CircularSeat.seat_id == Seat.id)
        .outerjoin(
            CircularVote,
            (CircularVote.circular_id == CircularSeat.circular_id)
            & (CircularVote.seat_id == CircularSeat.seat_id),
        )
        .where(CircularSeat.circular_id == circular.id)
        .order_by(Seat.function, Seat.id)
    ).all()
    return [Answer(s, seat_name(session, s), seat_user(session, s), v) for s, v in rows]


def my_answer(session: Session, *, circular: Circular, user: User) -> Answer | None:
    """The user's place in the circular's electorate, or None."""
    return next((a for a in answers(session, circular=circular) if _is(a, user)), None)


def _is(answer: Answer, user: User) -> bool:
    return answer.user is not None and answer.user.id == user.id


def _audit(
    session: Session, circular: Circular, event: str, actor: User | None, payload: dict[str, Any]
) -> None:
    """One step of the circular in the audit chain."""
    record_event(
        session,
        event_type=event,
        actor=actor,
        object_type="circular",
        object_id=circular.id,
        payload=payload,
    )


def send_circular(
    session: Session,
    *,
    body: Body,
    sender: User,
    title: str,
    motion: str,
    reasoning: str,
    deadline: datetime,
    now: datetime,
    day: date,
    notice: Notice,
) -> Circular:
    """Send a motion to the body's seats of `day` (the chair only); they are frozen."""
    chair = body_chair(session, body_id=int(body.id or 0), day=day)
    if chair is None or (user := seat_user(session, chair)) is None or user.id != sender.id:
        raise DomainError(_l("Only the chair of the body sends a circular resolution."))
    if deadline <= now:
        raise DomainError(_l("The deadline must lie in the future."), field="deadline")
    seats = seats_on(session, body_id=int(body.id or 0), day=day)
    circular = Circular(
        body_id=int(body.id or 0),
        title=title.strip(),
        motion=motion.strip(),
        reasoning=reasoning.strip(),
        rule=body.circular_rule,
        sent_at=now,
        sent_by_id=int(sender.id or 0),
        deadline=deadline,
        seat_count=len(seats),
    )
    session.add(circular)
    session.flush()
    session.add_all(CircularSeat(circular_id=circular.id, seat_id=s.id) for s in seats)
    session.flush()
    _audit(
        session,
        circular,
        "circular.sent",
        sender,
        {
            "body_id": body.id,
            "title": circular.title,
            "deadline": deadline,
            "rule": circular.rule,
            "seat_ids": [s.id for s in seats],
        },
    )
    for seat in seats:
        if (person := seat_user(session, seat)) is not None and person.active:
            subject, text = notice(circular, person)
            queue_mail(session, to=person.email, subject=subject, body_text=text, category="body")
    return circular


def cast_vote(
    session: Session,
    *,
    circular: Circular,
    user: User,
    choice: CircularChoice,
    now: datetime,
    day: date,
    render: Renderer,
) -> CircularVote:
    """The user's final answer for their seat; concludes the circular when it decides it.
    A seat whose term has ended by `day` answers no more (it still counts among all seats)."""
    if not circular.is_open or now > circular.deadline:
        raise DomainError(_l("This circular resolution is closed; no vote is taken any more."))
    mine = my_answer(session, circular=circular, user=user)
    if mine is None:
        raise DomainError(_l("Only the seats the circular was sent to vote."))
    if mine.vote is not None:
        raise DomainError(_l("You have voted already; a vote cast is final."))
    if not mine.seat.holds_on(day):
        raise DomainError(_l("Your term in this body has ended; you no longer vote."))
    vote = CircularVote(
        circular_id=int(circular.id or 0),
        seat_id=int(mine.seat.id or 0),
        user_id=int(user.id or 0),
        choice=choice,
        cast_at=now,
    )
    # A concurrent second vote, or the deadline by the database's clock: the caller rolls back.
    # (No savepoint: its commit would fire other domains' after-commit hooks, e.g. the scrub.)
    session.add(vote)
    try:
        session.flush()
    except DBAPIError:
        raise DomainError(
            _l("Your vote could not be recorded: the circular is closed or you have voted already.")
        ) from None
    _audit(
        session,
        circular,
        "circular.voted",
        user,
        {"seat_id": mine.seat.id, "name": mine.name, "choice": choice},
    )
    conclude(session, circular=circular, now=now, render=render)
    return vote


def conclude(session: Session, *, circular: Circular, now: datetime, render: Renderer) -> bool:
    """Conclude the circular if it is decided (an objection, every seat answered, or the
    deadline passed): the result, its counts, the minutes-book PDF, the audit event."""
    if not circular.is_open:
        return False
    rows = answers(session, circular=circular)
    votes = [a.vote.choice for a in rows if a.vote is not None]
    objections = votes.count(CircularChoice.OBJECTION)
    if not objections and len(votes) < len(rows) and now <= circular.deadline:
        return False
    circular.state = outcome(
        circular.rule, seats=circular.seat_count, yes=votes.count(CircularChoice.YES),
        objections=objections,
    )  # fmt: skip
    circular.concluded_at = now
    circular.yes_count = votes.count(CircularChoice.YES)
    circular.no_count = votes.count(CircularChoice.NO)
    circular.abstain_count = votes.count(CircularChoice.ABSTAIN)
    circular.objection_count = objections
    data, pages = render(circular, rows)
    record = CircularRecord(
        circular_id=int(circular.id or 0),
        pdf=data,
        pdf_sha256=hashlib.sha256(data).hexdigest(),
        page_count=pages,
        created_at=now,
    )
    session.add_all([circular, record])
    session.flush()
    _audit(
        session,
        circular,
        "circular.concluded",
        None,
        {
            "result": circular.state,
            "yes": circular.yes_count,
            "no": circular.no_count,
            "abstain": circular.abstain_count,
            "objection": objections,
            "silent": circular.seat_count - len(votes),
            "pdf_sha256": record.pdf_sha256,
        },
    )
    return True


def conclude_due(
    session: Session, *, now: datetime, render: Renderer, body_id: int | None = None
) -> list[Circular]:
    """Conclude every open circular (of one body) whose deadline has passed."""
    query = select(Circular).where(Circular.state == CircularState.OPEN, Circular.deadline < now)
    if body_id is not None:
        query = query.where(Circular.body_id == body_id)
    due = list(session.execute(query.order_by(Circular.id)).scalars())
    return [c for c in due if conclude(session, circular=c, now=now, render=render)]


def record_of(session: Session, *, circular: Circular) -> CircularRecord | None:
    """The concluded circular's minutes-book PDF."""
    query = select(CircularRecord).where(CircularRecord.circular_id == circular.id)
    return session.execute(query).scalars().first()
