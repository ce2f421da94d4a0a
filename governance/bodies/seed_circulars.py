"""Demo circular resolutions: one adopted by the supervisory board (with its minutes-book PDF)
and one of the board still open for votes.

Runs after `governance.bodies.seed` (which creates the bodies and their seats); whatever is
missing (a body, seats, a chair, logins of the seated members) is created here, so the demo
works on its own as well. The demo board's and supervisory board's users chair their bodies.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from governance.accounts.models import Role, User
from governance.accounts.services import create_user
from governance.bodies import circular_render, circulars
from governance.bodies.models import Body, BodyKind, Seat, SeatFunction, SeatOrigin
from governance.bodies.models_circulars import CircularChoice
from governance.bodies.queries import body_of_kind, seats_on
from governance.db import utcnow
from governance.register.models import Member, MemberStatus
from governance.register.services import link_user

NAMES = {BodyKind.BOARD: "Vorstand", BodyKind.SUPERVISORY_BOARD: "Aufsichtsrat"}
CHAIRS = {BodyKind.BOARD: Role.BOARD, BodyKind.SUPERVISORY_BOARD: Role.SUPERVISORY_BOARD}


def _spare_members(session: Session, count: int) -> list[Member]:
    """Active members without a login and without any seat."""
    seated = select(Seat.member_id).where(Seat.member_id.is_not(None))  # type: ignore[union-attr]
    linked = select(User.member_id).where(User.member_id.is_not(None))  # type: ignore[union-attr]
    query = (
        select(Member)
        .where(Member.status == MemberStatus.ACTIVE, Member.id.not_in(seated))  # type: ignore[union-attr]
        .where(Member.id.not_in(linked))  # type: ignore[union-attr]
        .order_by(Member.id)
        .limit(count)
    )
    return list(session.execute(query).scalars())


def _body(session: Session, ctx: Any, kind: BodyKind, start: date) -> Body:
    """The body with a chair (the demo user of its role) and two further seats."""
    body = body_of_kind(session, kind) or Body(kind=kind, name=NAMES[kind])
    session.add(body)
    session.flush()
    if seats_on(session, body_id=int(body.id or 0), day=date.today()):
        return body
    chair = ctx.users[CHAIRS[kind]]
    people = [(chair.member_id, SeatFunction.CHAIR)]
    people += [(m.id, SeatFunction.MEMBER) for m in _spare_members(session, 2)]
    for member_id, function in people:
        session.add(
            Seat(body_id=body.id, member_id=member_id, function=function,
                 origin=SeatOrigin.APPOINTED, starts_on=start, note="Demo")
        )  # fmt: skip
    session.flush()
    return body


def _login(session: Session, seat: Seat, n: int) -> User | None:
    """The seat's login; an account (without a password) for a seated member who has none."""
    user = circulars.seat_user(session, seat)
    member = session.get(Member, seat.member_id) if seat.member_id else None
    if user is not None or member is None:
        return user
    user = create_user(session, email=f"gremium{n}@demo.example", display_name=member.display_name)
    link_user(session, member=member, user=user, actor=None)
    return user


def _chair(session: Session, body: Body) -> User | None:
    seat = circulars.body_chair(session, body_id=int(body.id or 0), day=date.today())
    return circulars.seat_user(session, seat) if seat is not None else None


def seed_demo(session: Session, ctx: Any) -> None:
    """The supervisory board's adopted circular and the board's open one."""
    now, day = utcnow(), date.today()
    start = day - timedelta(days=400)
    made: dict[BodyKind, tuple[Body, list[tuple[Seat, User | None]]]] = {}
    for i, kind in enumerate((BodyKind.BOARD, BodyKind.SUPERVISORY_BOARD)):
        body = _body(session, ctx, kind, start)
        seats = seats_on(session, body_id=int(body.id or 0), day=day)
        made[kind] = (body, [(s, _login(session, s, 10 * i + j)) for j, s in enumerate(seats)])
    body, seats = made[BodyKind.SUPERVISORY_BOARD]
    if (chair := _chair(session, body)) is None:
        return
    adopted = circulars.send_circular(
        session, body=body, sender=chair, title="Zustimmung zur Dachsanierung Haus B",
        motion="Der Aufsichtsrat stimmt der Beauftragung der Dachsanierung für **Haus B** "
        "zu einem Festpreis von 180.000 € zu.",
        reasoning="Das Dach ist undicht; drei Angebote liegen vor, dieses ist das günstigste.",
        deadline=now + timedelta(days=4), now=now - timedelta(days=3), day=day,
        notice=circular_render.notice,
    )  # fmt: skip
    for n, (_seat, user) in enumerate(seats):
        if user is not None and adopted.is_open:
            circulars.cast_vote(
                session, circular=adopted, user=user, now=now - timedelta(days=2, hours=-n),
                choice=CircularChoice.ABSTAIN if n == 2 else CircularChoice.YES,
                day=day, render=circular_render.pdf,
            )  # fmt: skip
    body, seats = made[BodyKind.BOARD]
    if (chair := _chair(session, body)) is None:
        return
    opened = circulars.send_circular(
        session, body=body, sender=chair, title="Anschaffung eines Lastenrads",
        motion="Der Vorstand beschließt die Anschaffung eines Lastenrads für die Hausmeisterei "
        "(bis 6.000 €).",
        reasoning="", deadline=now + timedelta(days=6), now=now - timedelta(hours=20), day=day,
        notice=circular_render.notice,
    )  # fmt: skip
    voters = [u for _s, u in seats if u is not None and u.id != chair.id][:1]
    for user in voters:
        circulars.cast_vote(
            session, circular=opened, user=user, choice=CircularChoice.YES,
            now=now - timedelta(hours=2), day=day, render=circular_render.pdf,
        )  # fmt: skip
