"""Seat offers through the services: offered from a published election only, accepted into an
elected seat (the term starting today at the earliest), declined, withdrawn; a seat rule of the
database (one seat per body at a time, §37 GenG) refuses the acceptance with a clear message
and the offer stays open; the elected member is told by mail in their language."""

from __future__ import annotations

from datetime import date, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import select

from governance.auditlog import AuditEvent
from governance.bodies import offers
from governance.bodies.models import Body, BodyKind, Seat, SeatFunction, SeatOrigin
from governance.bodies.models_offers import OfferState, SeatOffer
from governance.db import utcnow
from governance.errors import DomainError
from governance.i18n import today
from governance.notify.models import Kind, MailState, Notification
from governance.notify.worker import run_pass
from tests.bodies.offers_factories import *  # noqa: F403  (fixtures)


def _offer(session: Any, body: Body, poll_id: int, *pairs: tuple[str, int], **kw: Any) -> list:
    kw.setdefault("starts_on", today())
    kw.setdefault("ends_on", None)
    return offers.offer_seats(
        session, body=session.get(Body, body.id), poll_id=poll_id, function=SeatFunction.MEMBER,
        assignments=[offers.Assignment(c, m) for c, m in pairs], actor=None, now=utcnow(), **kw,
    )  # fmt: skip


def test_an_elected_member_accepts_and_the_elected_seat_starts_today(
    session: Any, make_body: Any, elected: Any, candidate: Any
) -> None:
    sb = make_body(BodyKind.SUPERVISORY_BOARD, "Aufsichtsrat")
    poll_id = elected(["Dr. Hanna Berger", "Yusuf Demir"])
    hanna, yusuf = candidate("Hanna", "Berger"), candidate("Yusuf", "Demir")
    proposed = offers.proposed_members(session, labels=["Dr. Hanna Berger", "Yusuf Demir"])
    assert proposed == {"Dr. Hanna Berger": hanna.member_id, "Yusuf Demir": yusuf.member_id}
    made = _offer(
        session, sb, poll_id, ("Dr. Hanna Berger", hanna.member_id), ("Yusuf Demir", yusuf.member_id),
        starts_on=today() - timedelta(days=10), ends_on=today() + timedelta(days=1000),
    )  # fmt: skip
    assert [o.state for o in made] == [OfferState.OFFERED] * 2
    seat = offers.accept(session, offer=made[0], user=hanna, today=today(), now=utcnow())
    assert (seat.origin, seat.poll_id, seat.member_id) == (
        SeatOrigin.ELECTED,
        poll_id,
        hanna.member_id,
    )
    assert seat.starts_on == today()  # not before the acceptance
    assert made[0].state == OfferState.ACCEPTED and made[0].seat_id == seat.id
    offers.decline(session, offer=made[1], user=yusuf, now=utcnow())
    assert made[1].state == OfferState.DECLINED and made[1].decided_at is not None
    with pytest.raises(DomainError, match="answered already"):
        offers.accept(session, offer=made[1], user=yusuf, today=today(), now=utcnow())
    events = session.scalars(
        select(AuditEvent.event_type).where(AuditEvent.object_type == "seat_offer")
    ).all()
    assert sorted(events) == sorted(
        ["seat_offer.offered", "seat_offer.offered", "seat_offer.accepted", "seat_offer.declined"]
    )


def test_only_the_elected_of_a_published_election_and_only_once(
    session: Any, make_body: Any, elected: Any, candidate: Any, vote_world: Any, make_poll: Any
) -> None:
    sb = make_body(BodyKind.SUPERVISORY_BOARD, "Aufsichtsrat")
    poll_id = elected(["Hanna Berger"])
    # (worlds before members: the worlds number their members themselves)
    unpublished = make_poll(vote_world(members=1), title="Offen", kind="ELECTION", candidates=["X"])
    hanna, other = candidate("Hanna", "Berger"), candidate("Olga", "Other")
    with pytest.raises(DomainError, match="not elected"):
        _offer(session, sb, poll_id, ("Someone Else", hanna.member_id))
    with pytest.raises(DomainError, match="published election"):
        _offer(session, sb, unpublished.id, ("X", hanna.member_id))
    (offer,) = _offer(session, sb, poll_id, ("Hanna Berger", hanna.member_id))
    with pytest.raises(DomainError, match="offered this seat already"):
        _offer(session, sb, poll_id, ("Hanna Berger", hanna.member_id))
    offers.withdraw(session, offer=offer, actor=None, now=utcnow())
    assert offer.state == OfferState.WITHDRAWN
    with pytest.raises(DomainError, match="answered already"):
        offers.withdraw(session, offer=offer, actor=None, now=utcnow())
    (again,) = _offer(session, sb, poll_id, ("Hanna Berger", hanna.member_id))  # a new offer
    with pytest.raises(DomainError, match="Only the elected member"):
        offers.accept(session, offer=again, user=other, today=today(), now=utcnow())


@pytest.mark.parametrize("conflict", ["overlap", "exclusive"])
def test_a_seat_rule_refuses_the_acceptance_and_the_offer_stays_open(
    session: Any, make_body: Any, make_seat: Any, elected: Any, candidate: Any, conflict: str
) -> None:
    sb = make_body(BodyKind.SUPERVISORY_BOARD, "Aufsichtsrat")
    board = make_body(BodyKind.BOARD, "Vorstand")
    poll_id = elected(["Hanna Berger"])
    hanna = candidate("Hanna", "Berger")
    member = SimpleNamespace(id=hanna.member_id)
    make_seat(sb if conflict == "overlap" else board, member=member, starts_on=date(2024, 1, 1))
    (offer,) = _offer(session, sb, poll_id, ("Hanna Berger", hanna.member_id))
    message = "during this term already" if conflict == "overlap" else "§37 GenG"
    with pytest.raises(DomainError, match=message):
        offers.accept(session, offer=offer, user=hanna, today=today(), now=utcnow())
    session.commit()
    session.expire_all()
    assert session.get(SeatOffer, offer.id).is_open
    assert session.scalars(select(Seat).where(Seat.poll_id == poll_id)).all() == []


def test_the_elected_member_is_told_by_mail_in_their_language(
    app: Any, session: Any, make_body: Any, elected: Any, candidate: Any, smtp: Any,
    deliver_mail: Any,
) -> None:  # fmt: skip
    sb = make_body(BodyKind.SUPERVISORY_BOARD, "Aufsichtsrat")
    poll_id = elected(["Hanna Berger", "Ben Brown"], title="Wahl zum Aufsichtsrat 2026")
    hanna, ben = candidate("Hanna", "Berger", "de"), candidate("Ben", "Brown", "en")
    _offer(
        session, sb, poll_id, ("Hanna Berger", hanna.member_id), ("Ben Brown", ben.member_id),
        starts_on=date(2026, 7, 1), ends_on=date(2029, 6, 30),
    )  # fmt: skip
    session.commit()
    kinds = session.scalars(select(Notification.kind).where(Notification.kind == Kind.SEAT_OFFERED))
    assert len(kinds.all()) == 2
    assert run_pass(app.extensions["governance.engine"], app.config) >= 2
    deliver_mail()
    (german,) = smtp.to("hanna@example.org")
    assert german["Subject"] == "Ihnen wird ein Sitz im Gremium „Aufsichtsrat“ angeboten"
    plain = german.get_body(("plain",)).get_content()
    assert "Wahl zum Aufsichtsrat 2026" in plain and "01.07.2026" in plain
    assert "/bodies/offers" in plain
    assert 'lang="de"' in german.get_body(("html",)).get_content()
    (english,) = smtp.to("ben@example.org")
    assert english["Subject"] == "A seat on “Aufsichtsrat” is offered to you"
    assert "accept or decline" in english.get_body(("plain",)).get_content()
    session.rollback()  # a new snapshot: the worker's writes
    states = session.scalars(
        select(Notification.state).where(Notification.kind == Kind.SEAT_OFFERED)
    )
    assert set(states) == {MailState.MAILED}
