"""The demo cooperative's seat offers: supervisory board seats elected at last year's general
assembly (accepted), and the demo member's open offer, which they accept on their page."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from governance.accounts.models import User
from governance.bodies.models import Body, BodyKind, Seat, SeatOrigin
from governance.bodies.models_offers import OfferState, SeatOffer
from governance.db import new_session
from governance.demo import DEMO_PASSWORD, seed
from governance.i18n import today


def test_the_demo_has_elected_seats_and_an_open_offer_for_the_demo_member(app: Flask) -> None:
    engine = app.extensions["governance.engine"]
    with new_session(engine) as s:
        seed(s, only_if_empty=False, config=app.config)
        s.commit()
        sb = s.scalars(select(Body).where(Body.kind == BodyKind.SUPERVISORY_BOARD)).one()
        elected = s.scalars(
            select(Seat).where(Seat.body_id == sb.id, Seat.origin == SeatOrigin.ELECTED)
        ).all()
        found = {o.state: o for o in s.scalars(select(SeatOffer))}
        me = s.scalars(select(User).where(User.email == "mitglied@demo.example")).one()
    assert len(elected) == 2 and all(seat.starts_on < today() for seat in elected)
    assert len({seat.poll_id for seat in elected}) == 1
    assert found[OfferState.OFFERED].member_id == me.member_id
    client = app.test_client()
    client.post("/login", data={"email": me.email, "password": DEMO_PASSWORD})
    page = client.get("/bodies/offers").text
    assert "Accept the seat" in page and "Aufsichtsrat" in page
    done = client.post(f"/bodies/offers/{found[OfferState.OFFERED].id}/accept")
    assert done.status_code == 302
    with new_session(engine) as s:
        seat = s.scalars(
            select(Seat).where(Seat.member_id == me.member_id, Seat.origin == SeatOrigin.ELECTED)
        ).one()  # (the demo member may sit in a committee too)
        assert (seat.body_id, seat.starts_on) == (sb.id, today())
