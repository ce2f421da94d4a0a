"""Demo seat offers: the supervisory board seats elected at the demo's past general assembly.

Reads the newest published election through the bodies' providers (ballots answers them; the
past assembly and its election come from governance/ballots/seed_past_election.py) and offers
its seats on the supervisory board (found with `body_of_kind`, or created if the bodies' seeder
has not): the elected register members accepted two weeks after the assembly, so their
elected seats run since then; the demo member's offer is still open, so the demo shows the
answer. Members who sit on the board, or on the supervisory board already, are left out (one
seat per body at a time, §37 GenG). Runs last: the meetings' and circulars' seeders seat the
demo users as chairs where a body has no seats yet.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from governance.accounts.models import Role
from governance.bodies import hooks_offers, offers
from governance.bodies.models import Body, BodyKind, Seat, SeatFunction
from governance.bodies.queries import body_of_kind


def _sitting(session: Session) -> set[int]:
    """Members with a seat on the board or the supervisory board (past, current or future)."""
    rows = session.execute(
        select(Seat.member_id)
        .join(Body, Body.id == Seat.body_id)
        .where(Body.kind.in_([BodyKind.BOARD, BodyKind.SUPERVISORY_BOARD]))  # type: ignore[attr-defined]
    )
    return {m for m in rows.scalars() if m is not None}


def seed_demo(session: Session, ctx: Any) -> None:
    """Offer the seats of the newest past election; all but the demo member's are accepted."""
    today = date.today()
    election = next(
        (e for e in hooks_offers.published_elections(session) if e.held_on < today and e.elected),
        None,
    )
    if election is None:
        return
    sb = body_of_kind(session, BodyKind.SUPERVISORY_BOARD)
    if sb is None:
        sb = Body(kind=BodyKind.SUPERVISORY_BOARD, name="Aufsichtsrat")
        session.add(sb)
        session.flush()
    proposed = offers.proposed_members(session, labels=list(election.elected))
    sitting = _sitting(session)
    chosen = [
        offers.Assignment(label, member_id)
        for label, member_id in proposed.items()
        if member_id is not None and member_id not in sitting
    ]
    if not chosen:
        return
    held = datetime.combine(election.held_on, time(20), tzinfo=UTC)
    made = offers.offer_seats(
        session, body=sb, poll_id=election.poll_id, assignments=chosen,
        function=SeatFunction.MEMBER, starts_on=election.held_on + timedelta(days=1),
        ends_on=date(election.held_on.year + 3, 6, 30), actor=ctx.users.get(Role.BOARD),
        now=held + timedelta(days=1),
    )  # fmt: skip
    demo = ctx.users.get(Role.MEMBER)
    answered = election.held_on + timedelta(days=14)
    for offer in made:
        if demo is not None and offer.member_id == demo.member_id:
            continue  # the demo member answers in the demo
        person = _Login(offer.member_id)
        offers.accept(
            session, offer=offer, user=person, today=answered, savepoint=False,
            now=datetime.combine(answered, time(10), tzinfo=UTC),
        )  # fmt: skip


class _Login:
    """The elected member answering (a register member without a login in the demo)."""

    id = None

    def __init__(self, member_id: int) -> None:
        self.member_id = member_id
