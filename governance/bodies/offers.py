"""Seats from an election: the elected are offered their seat, accept or decline, and the term
starts.

Why here, and how it reads the election: the offer is the bodies' business (its seat, its term,
its answer), while the election's result belongs to the ballots domain above. The bodies never
import ballots, so the published result comes through the providers of `hooks_offers`
(answered by governance/ballots/provides_seats.py): only a PUBLISHED election poll of a member
assembly counts, its `elected` labels being final once the chair's declaration is published.

The steps: the board maps each elected label to a member (`proposed_members` suggests the
active member whose name matches) and `offer_seats` records one open offer per candidate for
the term; the member `accept`s (the seat is inserted in a savepoint, so that the database's
seat rules, one seat per body at a time and §37 GenG, refuse it with a clear message while the
offer stays open), or `decline`s; the board may `withdraw` an open offer. Every step is in the
audit log; the services flush, never commit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from governance.auditlog import record_event
from governance.bodies import ddl, hooks_offers
from governance.bodies.hooks_offers import Election
from governance.bodies.models import Body, Seat, SeatFunction, SeatOrigin
from governance.bodies.models_offers import OfferState, SeatOffer
from governance.errors import DomainError, IllegalTransition
from governance.i18n import _l
from governance.register.models import Member, MemberStatus

# Members who may take a seat: still members (notice given: until the exit date, §65 GenG).
SEATABLE = (MemberStatus.ACTIVE, MemberStatus.CANCELLED)
_TITLES = {"dr", "prof", "dipl", "ing", "med", "rer", "nat", "phil", "jur", "mag", "frau", "herr"}


@dataclass(frozen=True)
class Assignment:
    """One elected candidate's label and the member the board offers the seat to."""

    candidate: str
    member_id: int


def _words(name: str) -> frozenset[str]:
    """A name's words, case-folded, without academic titles and punctuation."""
    words = re.split(r"[\s,.;]+", name.casefold())
    return frozenset(w for w in words if w and w not in _TITLES)


def proposed_members(session: Session, *, labels: list[str]) -> dict[str, int | None]:
    """Per elected label, the one active member whose name matches it (else None)."""
    out: dict[str, int | None] = {}
    for label in labels:
        words = _words(label)
        rows = session.execute(
            select(Member).where(
                Member.status == MemberStatus.ACTIVE,
                or_(
                    func.lower(Member.last_name).in_(words),
                    func.lower(Member.firm) == label.strip().casefold(),
                ),
            )
        ).scalars()
        found = [
            m
            for m in rows
            if _words(f"{m.first_names} {m.last_name}") == words
            or (m.firm and m.firm.strip().casefold() == label.strip().casefold())
        ]
        out[label] = int(found[0].id or 0) if len(found) == 1 else None
    return out


def election(session: Session, *, poll_id: int) -> Election:
    """The published election, or a DomainError."""
    found = hooks_offers.published_election(session, poll_id=poll_id)
    if found is None:
        raise DomainError(_l("Seats are offered only from a published election result."))
    return found


def _event(session: Session, offer: SeatOffer, event_type: str, actor: Any, **extra: Any) -> None:
    record_event(
        session,
        event_type=event_type,
        actor=actor,
        object_type="seat_offer",
        object_id=offer.id,
        payload={
            "body_id": offer.body_id, "member_id": offer.member_id, "poll_id": offer.poll_id,
            "candidate": offer.candidate, "state": offer.state.value, **extra,
        },
    )  # fmt: skip


def _check_offer(
    session: Session, body: Body, found: Election, a: Assignment, ends_on: date | None
) -> Member:
    if a.candidate not in found.elected:
        raise DomainError(_l("%(name)s is not elected in this election.", name=a.candidate))
    member = session.get(Member, a.member_id)
    if member is None or member.status not in SEATABLE:
        raise DomainError(_l("%(name)s: choose a member of the cooperative.", name=a.candidate))
    taken = session.execute(
        select(SeatOffer.id).where(
            SeatOffer.body_id == body.id, SeatOffer.member_id == member.id,
            SeatOffer.poll_id == found.poll_id,
            SeatOffer.state.in_([OfferState.OFFERED, OfferState.ACCEPTED]),  # type: ignore[attr-defined]
        )
    ).first()  # fmt: skip
    if taken is not None:
        raise DomainError(
            _l("%(name)s has been offered this seat already.", name=member.display_name)
        )
    return member


def offer_seats(
    session: Session,
    *,
    body: Body,
    poll_id: int,
    assignments: list[Assignment],
    function: SeatFunction,
    starts_on: date,
    ends_on: date | None,
    actor: Any,
    now: datetime,
) -> list[SeatOffer]:
    """One open offer per elected candidate, to the member the board chose; each member is
    told (`seat_offered`)."""
    found = election(session, poll_id=poll_id)
    if body.dissolved_on is not None:
        raise DomainError(_l("The body is dissolved."))
    if ends_on is not None and ends_on < starts_on:
        raise DomainError(_l("The term ends after it starts."), field="ends_on")
    if not assignments:
        raise DomainError(_l("Choose a member for at least one elected candidate."))
    if len({a.member_id for a in assignments}) < len(assignments):
        raise DomainError(_l("Each member is offered one seat only."))
    offers = []
    for a in assignments:
        _check_offer(session, body, found, a, ends_on)
        offer = SeatOffer(
            body_id=int(body.id or 0), member_id=a.member_id, poll_id=found.poll_id,
            candidate=a.candidate, function=function, starts_on=starts_on, ends_on=ends_on,
            created_by_id=getattr(actor, "id", None), created_at=now,
        )  # fmt: skip
        session.add(offer)
        session.flush()
        _event(session, offer, "seat_offer.offered", actor, starts_on=starts_on.isoformat())
        hooks_offers.seat_offered.send(offer, session=session)
        offers.append(offer)
    return offers


def _decide(offer: SeatOffer, state: OfferState, actor: Any, now: datetime) -> None:
    if not offer.is_open:
        raise IllegalTransition(_l("This offer has been answered already."))
    offer.state = state
    offer.decided_at = now
    offer.decided_by_id = getattr(actor, "id", None)


def _own(offer: SeatOffer, user: Any) -> None:
    if getattr(user, "member_id", None) != offer.member_id:
        raise DomainError(_l("Only the elected member answers this offer."))


SEAT_ERRORS = {
    ddl.MSG_OVERLAP: _l("You hold a seat in this body during this term already."),
    ddl.MSG_EXCLUSIVE: _l(
        "Nobody sits on the board and the supervisory board at the same time (§37 GenG): "
        "the seat cannot be taken while the other one lasts."
    ),
    ddl.MSG_MEMBERS: _l("The seats of this body are held by members."),
}


def _insert_seat(session: Session, seat: Seat, *, savepoint: bool) -> None:
    """Insert the seat in a savepoint; a seat rule of the database becomes a DomainError."""
    try:
        if not savepoint:
            session.add(seat)
            session.flush()
            return
        with session.begin_nested():
            session.add(seat)
            session.flush()
    except DBAPIError as error:
        text = str(error.orig)
        message = next((m for k, m in SEAT_ERRORS.items() if k in text), None)
        if message is None:
            raise
        raise DomainError(message) from None


def accept(
    session: Session,
    *,
    offer: SeatOffer,
    user: Any,
    today: date,
    now: datetime,
    savepoint: bool = True,
) -> Seat:
    """The member accepts: the elected seat is created and the term starts (not before today).

    `savepoint=False` (the demo's seeder only, which also seals polls in its transaction: a
    savepoint's end would run the seal's after-commit scrub before the real commit) inserts the
    seat directly, so a refused seat aborts the whole transaction instead.
    """
    _own(offer, user)
    if not offer.is_open:
        raise IllegalTransition(_l("This offer has been answered already."))
    starts_on = max(offer.starts_on, today)
    if offer.ends_on is not None and offer.ends_on < starts_on:
        raise DomainError(_l("The term of this offer has ended; it can no longer be accepted."))
    seat = Seat(
        body_id=offer.body_id, member_id=offer.member_id, function=offer.function,
        origin=SeatOrigin.ELECTED, poll_id=offer.poll_id, starts_on=starts_on,
        ends_on=offer.ends_on, note=offer.candidate[:500], created_by_id=getattr(user, "id", None),
        created_at=now,
    )  # fmt: skip
    _insert_seat(session, seat, savepoint=savepoint)
    _decide(offer, OfferState.ACCEPTED, user, now)
    offer.seat_id = seat.id
    session.add(offer)
    session.flush()
    _event(session, offer, "seat_offer.accepted", user, seat_id=seat.id)
    return seat


def decline(session: Session, *, offer: SeatOffer, user: Any, now: datetime) -> SeatOffer:
    """The member declines the seat."""
    _own(offer, user)
    _decide(offer, OfferState.DECLINED, user, now)
    session.add(offer)
    session.flush()
    _event(session, offer, "seat_offer.declined", user)
    return offer


def withdraw(session: Session, *, offer: SeatOffer, actor: Any, now: datetime) -> SeatOffer:
    """The board withdraws an open offer (a wrong member chosen, the candidate stepped back)."""
    _decide(offer, OfferState.WITHDRAWN, actor, now)
    session.add(offer)
    session.flush()
    _event(session, offer, "seat_offer.withdrawn", actor)
    return offer


def open_offers_of(session: Session, *, member_id: int | None, day: date) -> list[SeatOffer]:
    """The member's open offers that can still be accepted on `day` (their term has not
    ended: `SeatOffer.lapsed_on`), oldest first."""
    if member_id is None:
        return []
    query = select(SeatOffer).where(
        SeatOffer.member_id == member_id,
        SeatOffer.state == OfferState.OFFERED,
        or_(SeatOffer.ends_on.is_(None), SeatOffer.ends_on >= day),  # type: ignore[union-attr,operator]
    )
    return list(session.execute(query.order_by(SeatOffer.id)).scalars())


def offers_of_body(session: Session, *, body_id: int) -> list[SeatOffer]:
    """Every offer of the body, newest first."""
    query = select(SeatOffer).where(SeatOffer.body_id == body_id)
    return list(session.execute(query.order_by(SeatOffer.id.desc())).scalars())  # type: ignore[union-attr]
