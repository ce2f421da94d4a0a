"""The seat offers' pages: the board offers the seats of an election (each elected candidate
matched to the member of the same name), the member accepts or declines on "my offers", the
board withdraws; who may open and post what (the access matrix); the two partials."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask, g, render_template
from flask_login import login_user
from sqlalchemy import select

from governance.accounts.models import Role
from governance.bodies import offers
from governance.bodies.models import Body, BodyKind, Seat, SeatFunction, SeatOrigin
from governance.bodies.models_offers import OfferState, SeatOffer
from governance.db import new_session, utcnow
from governance.i18n import today
from tests.access import LOGIN
from tests.bodies.offers_factories import *  # noqa: F403  (fixtures)

PERSONAS = ("anon", "member", "elected", "other", "board", "admin", "supervisory")


@dataclass
class World:
    sb: int
    poll_id: int
    offer_ids: dict[str, int]  # elected, other, open (withdrawable)
    people: dict[str, Any]


def _offer(app: Flask, sb: int, poll_id: int, label: str, member_id: int) -> int:
    with new_session(app.extensions["governance.engine"]) as s:
        (offer,) = offers.offer_seats(
            s, body=s.get(Body, sb), poll_id=poll_id, function=SeatFunction.MEMBER,
            assignments=[offers.Assignment(label, member_id)], starts_on=today(), ends_on=None,
            actor=None, now=utcnow(),
        )  # fmt: skip
        s.commit()
        return int(offer.id or 0)


@pytest.fixture
def world(app: Flask, make_body: Any, elected: Any, candidate: Any, make_user: Any) -> World:
    sb = make_body(BodyKind.SUPERVISORY_BOARD, "Aufsichtsrat")
    poll_id = elected(["Hanna Berger", "Olaf Other", "Wanda Weg"])
    people = {
        "elected": candidate("Hanna", "Berger"),
        "other": candidate("Olaf", "Other"),
        "wanda": candidate("Wanda", "Weg"),
        "member": make_user(roles=[Role.MEMBER]),
        "board": make_user(roles=[Role.BOARD, Role.MEMBER]),
        "admin": make_user(roles=[Role.ADMIN]),
        "supervisory": make_user(roles=[Role.SUPERVISORY_BOARD, Role.MEMBER]),
    }
    ids = {
        "elected": _offer(app, sb.id, poll_id, "Hanna Berger", people["elected"].member_id),
        "other": _offer(app, sb.id, poll_id, "Olaf Other", people["other"].member_id),
        "open": _offer(app, sb.id, poll_id, "Wanda Weg", people["wanda"].member_id),
    }
    return World(sb.id, poll_id, ids, people)


def _status(response: Any) -> int | str:
    if response.status_code == 302 and "/login" in response.headers.get("Location", ""):
        return LOGIN
    return int(response.status_code)


def expect(ok: tuple[str, ...], code: int = 200) -> dict[str, int | str]:
    return {p: code if p in ok else (LOGIN if p == "anon" else 403) for p in PERSONAS}


def routes(w: World) -> list[tuple[str, str, dict[str, int | str]]]:
    b, p, o = w.sb, w.poll_id, w.offer_ids
    board = ("board", "admin")
    return [
        ("GET", "/bodies/offers", expect(PERSONAS[1:])),
        ("GET", f"/bodies/{b}/offers", expect(board)),
        ("GET", f"/bodies/{b}/offers/new", expect(board)),
        ("GET", f"/bodies/{b}/offers/new?poll={p}", expect(board)),
        ("POST", f"/bodies/{b}/offers/new?poll={p}", expect(board)),  # empty: the form again
        ("POST", f"/bodies/offers/{o['elected']}/accept", expect(("elected",), 302)),
        ("POST", f"/bodies/offers/{o['other']}/decline", expect(("other",), 302)),
        ("POST", f"/bodies/{b}/offers/{o['open']}/withdraw", expect(board, 302)),
    ]


def test_access_matrix_of_the_seat_offers(app: Flask, login: Any, world: World) -> None:
    clients = {"anon": app.test_client()}
    clients.update({p: login(world.people[p]) for p in PERSONAS[1:]})
    problems = []
    for method, url, expected in routes(world):
        for persona in PERSONAS:
            got = _status(clients[persona].open(url, method=method, data={}))
            if got != expected[persona]:
                problems.append(
                    f"{method} {url} as {persona}: expected {expected[persona]}, got {got}"
                )
    assert not problems, "\n".join(problems)
    with new_session(app.extensions["governance.engine"]) as s:
        states = {k: s.get(SeatOffer, i).state for k, i in world.offer_ids.items()}
    assert states == {
        "elected": OfferState.ACCEPTED, "other": OfferState.DECLINED, "open": OfferState.WITHDRAWN,
    }  # fmt: skip
    board = clients["board"]
    assert board.get("/bodies/999/offers").status_code == 404
    assert board.get(f"/bodies/{world.sb}/offers/new?poll=999").status_code == 404
    assert board.post(f"/bodies/999/offers/{world.offer_ids['open']}/withdraw").status_code == 404
    assert clients["elected"].post("/bodies/offers/999/accept").status_code == 404


def test_every_offer_route_is_in_the_matrix(app: Flask, world: World) -> None:
    adapter = app.url_map.bind("localhost")
    covered = {adapter.match(url.split("?")[0], method=m)[0] for m, url, _e in routes(world)}
    mine = {r.endpoint for r in app.url_map.iter_rules() if "offer" in r.endpoint}
    assert mine and mine - covered == set()


def test_the_board_offers_the_seats_and_the_member_accepts(
    app: Flask, login: Any, make_body: Any, elected: Any, candidate: Any
) -> None:
    sb = make_body(BodyKind.SUPERVISORY_BOARD, "Aufsichtsrat")
    poll_id = elected(["Dr. Hanna Berger", "Niemand Unbekannt"], title="Wahl zum Aufsichtsrat")
    hanna = candidate("Hanna", "Berger", "en")
    board = login(roles=[Role.BOARD, Role.MEMBER])
    choose = board.get(f"/bodies/{sb.id}/offers/new").text
    assert f"?poll={poll_id}" in choose and "Wahl zum Aufsichtsrat" in choose
    page = board.get(f"/bodies/{sb.id}/offers/new?poll={poll_id}").text
    assert f'<option selected value="{hanna.member_id}">' in page  # matched by name
    assert "No member of this name found" in page  # the other candidate
    start = (today() + timedelta(days=5)).isoformat()
    sent = board.post(
        f"/bodies/{sb.id}/offers/new?poll={poll_id}",
        data={"member_0": str(hanna.member_id), "member_1": "0", "function": "DEPUTY",
              "starts_on": start, "ends_on": ""},
    )  # fmt: skip
    assert sent.status_code == 302, sent.text
    listing = board.get(sent.headers["Location"]).text
    assert "Dr. Hanna Berger" in listing and "Withdraw" in listing
    member = login(hanna)
    mine = member.get("/bodies/offers").text
    assert "Aufsichtsrat" in mine and "Accept the seat" in mine
    (offer_id,) = [o.id for o in _offers(app)]
    done = member.post(f"/bodies/offers/{offer_id}/accept", follow_redirects=True).text
    assert "You have accepted the seat" in done and "Accept the seat" not in done
    with new_session(app.extensions["governance.engine"]) as s:
        (seat,) = s.scalars(select(Seat).where(Seat.body_id == sb.id)).all()
        assert (seat.origin, seat.poll_id, seat.function) == (
            SeatOrigin.ELECTED, poll_id, SeatFunction.DEPUTY,
        )  # fmt: skip
        assert seat.starts_on == today() + timedelta(days=5)


def _offers(app: Flask) -> list[SeatOffer]:
    with new_session(app.extensions["governance.engine"]) as s:
        return list(s.scalars(select(SeatOffer)))


def _render(app: Flask, name: str, user: Any, **context: Any) -> str:
    with app.test_request_context():
        login_user(user)
        try:
            return render_template(name, **context)
        finally:
            session = g.pop("db_session", None)
            if session is not None:
                session.close()


def test_the_partials_show_my_open_offers_and_the_bodys_offers_to_the_board(
    app: Flask, world: World
) -> None:
    with new_session(app.extensions["governance.engine"]) as s:
        sb = s.get(Body, world.sb)
    mine = _render(app, "bodies/_my_offers.html", world.people["elected"])
    assert 'id="my-seat-offers"' in mine and "Aufsichtsrat" in mine
    assert f"/bodies/offers/{world.offer_ids['elected']}/accept" in mine
    assert f"/bodies/offers/{world.offer_ids['elected']}/decline" in mine
    assert 'name="csrf_token"' in mine
    assert _render(app, "bodies/_my_offers.html", world.people["member"]).strip() == ""
    table = _render(app, "bodies/_body_offers.html", world.people["board"], body=sb)
    assert 'id="body-seat-offers"' in table and "Olaf Other" in table
    assert f"/bodies/{world.sb}/offers/new" in table
    assert (
        _render(app, "bodies/_body_offers.html", world.people["supervisory"], body=sb).strip() == ""
    )


def test_an_offer_whose_term_ended_unanswered_waits_for_no_answer(
    app: Flask, login: Any, world: World, elected: Any, candidate: Any
) -> None:
    """It can no longer be accepted (offers.accept), so it leaves the start page and the
    offers waiting for the member's answer; the member and the board see that its term ended
    unanswered, and the board may still withdraw it."""
    poll_id, late = elected(["Lena Late"]), candidate("Lena", "Late")
    with new_session(app.extensions["governance.engine"]) as s:
        (offer,) = offers.offer_seats(
            s, body=s.get(Body, world.sb), poll_id=poll_id, function=SeatFunction.MEMBER,
            assignments=[offers.Assignment("Lena Late", late.member_id)],
            starts_on=today() - timedelta(days=400), ends_on=today() - timedelta(days=1),
            actor=None, now=utcnow(),
        )  # fmt: skip
        s.commit()
        lapsed = int(offer.id or 0)
    assert _render(app, "bodies/_my_offers.html", late).strip() == ""
    page = login(late).get("/bodies/offers").get_data(as_text=True)
    waiting, answered = page.split('id="answered-offers"')  # the candidate reads German
    assert "Ihnen wird derzeit kein Sitz angeboten." in waiting
    assert f"/bodies/offers/{lapsed}/accept" not in page
    assert f'id="seat-offer-{lapsed}"' in answered
    assert "Amtszeit abgelaufen, unbeantwortet" in answered
    table = login(world.people["board"]).get(f"/bodies/{world.sb}/offers").get_data(as_text=True)
    assert table.count("Term ended unanswered") == 1
    assert f"/bodies/{world.sb}/offers/{lapsed}/withdraw" in table
    with new_session(app.extensions["governance.engine"]) as s:
        assert s.get(SeatOffer, lapsed).state == OfferState.OFFERED  # nothing was written
