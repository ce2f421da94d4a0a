"""The bodies' pages through the browser's requests: a manager creates a committee, seats
people by number, name or email, ends a term and changes a function; refusals read as
messages; the start page's card and the nav link; the demo's bodies."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from flask import Flask
from sqlalchemy import select

from governance.accounts.models import Role
from governance.bodies.models import Body, BodyKind, Seat, SeatFunction
from governance.db import new_session
from governance.demo import DEMO_PASSWORD, seed
from governance.i18n import today
from tests.bodies.factories_circulars import *  # noqa: F403  (fixtures)


def _rows(app: Flask, model: Any, *where: Any) -> list[Any]:
    with new_session(app.extensions["governance.engine"]) as s:
        return list(s.execute(select(model).where(*where).order_by(model.id)).scalars())


def test_a_manager_creates_a_committee_and_seats_people(
    app: Flask, login: Any, make_body: Any, make_member: Callable[..., Any], make_user: Any
) -> None:
    sb = make_body(kind=BodyKind.SUPERVISORY_BOARD, name="Aufsichtsrat")
    anna = make_member(last_name="Zweig", first_names="Anna")
    bert = make_member(last_name="Ahorn", first_names="Bert")
    outsider = make_user()
    client = login(roles=[Role.BOARD])
    form = client.get("/bodies/new").text
    assert "Supervisory board" not in form.split('id="kind"')[1].split("</select>")[0]
    r = client.post("/bodies/new", data={
        "kind": "COMMITTEE", "name": "Prüfungsausschuss", "parent_id": sb.id,
        "description": "Prüft den Abschluss", "quorum_percent": 50, "notice_days": 5,
        "circular_rule": "UNANIMOUS",
    })  # fmt: skip
    committee = _rows(app, Body, Body.name == "Prüfungsausschuss")[0]
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/bodies/{committee.id}")
    assert committee.parent_id == sb.id and committee.notice_days == 5
    url = f"/bodies/{committee.id}/seats/new"
    start = today().isoformat()
    seat = {"function": "CHAIR", "origin": "APPOINTED", "starts_on": start}
    assert client.post(url, data={**seat, "member": anna.number}).status_code == 302
    r = client.post(url, data={**seat, "function": "MEMBER", "member": "ahorn"})  # by name
    assert r.status_code == 302
    r = client.post(url, data={**seat, "function": "MEMBER", "origin": "CO_OPTED",
                               "email": outsider.email})  # fmt: skip
    assert r.status_code == 302
    seats = _rows(app, Seat, Seat.body_id == committee.id)
    assert [(s.member_id, s.user_id, s.function) for s in seats] == [
        (anna.id, None, SeatFunction.CHAIR),
        (bert.id, None, SeatFunction.MEMBER),
        (None, outsider.id, SeatFunction.MEMBER),
    ]
    page = client.get(f"/bodies/{committee.id}").text
    assert "Zweig, Anna" in page and "Chair of the body" in page and "co-opted" in page
    assert "of Aufsichtsrat" in page


def test_refusals_read_as_messages_on_the_form(
    app: Flask, login: Any, make_body: Any, make_member: Callable[..., Any], make_user: Any
) -> None:
    board = make_body(kind=BodyKind.BOARD, name="Vorstand")
    sb = make_body(kind=BodyKind.SUPERVISORY_BOARD, name="Aufsichtsrat")
    make_member(last_name="Meier", first_names="Eva")
    make_member(last_name="Meier", first_names="Jan")
    carl = make_member(last_name="Linde", first_names="Carl")
    client = login(roles=[Role.ADMIN])
    seat = {"function": "MEMBER", "origin": "APPOINTED", "starts_on": "2024-01-01"}
    page = client.post(f"/bodies/{board.id}/seats/new", data={**seat, "member": "Meier"}).text
    assert "Several members match" in page and "Meier, Eva" in page
    page = client.post(f"/bodies/{board.id}/seats/new", data={**seat, "member": "Nobody"}).text
    assert "No member matches" in page
    page = client.post(f"/bodies/{board.id}/seats/new", data=seat).text
    assert "Enter either a member or the email address of a user" in page
    page = client.post(f"/bodies/{sb.id}/seats/new", data={**seat, "email": make_user().email}).text
    assert "held by members of the cooperative" in page
    assert client.post(f"/bodies/{board.id}/seats/new", data={**seat, "member": carl.number})
    page = client.post(f"/bodies/{sb.id}/seats/new", data={**seat, "member": carl.number}).text
    assert "§37 GenG" in page
    assert len(_rows(app, Seat)) == 1
    page = client.post("/bodies/new", data={"kind": "COMMITTEE", "name": "Vorstand",
                                             "quorum_percent": 50, "notice_days": 7,
                                             "circular_rule": "UNANIMOUS", "parent_id": 0}).text  # fmt: skip
    assert "A body with this name exists already" in page


def test_a_term_ends_and_a_function_changes_and_settings_are_saved(
    app: Flask, login: Any, make_body: Any, make_seat: Any
) -> None:
    board = make_body(kind=BodyKind.BOARD, name="Vorstand")
    chair = make_seat(board, function=SeatFunction.CHAIR)
    seat = make_seat(board)
    client = login(roles=[Role.BOARD])
    base = f"/bodies/{board.id}/seats"
    assert client.get(f"{base}/{seat.seat_id}").status_code == 200
    page = client.post(f"{base}/{seat.seat_id}/function", data={"fn-function": "CHAIR"}).text
    assert "has a Chair of the body during this term already" in page
    yesterday = today() - timedelta(days=1)
    r = client.post(f"{base}/{chair.seat_id}/end", data={"end-ends_on": yesterday.isoformat()})
    assert r.status_code == 302
    r = client.post(f"{base}/{seat.seat_id}/function", data={"fn-function": "CHAIR"})
    assert r.status_code == 302
    page = client.post(f"{base}/{seat.seat_id}/end", data={"end-ends_on": "2023-01-01"}).text
    assert "ends on or after the day it starts" in page
    seats = {s.id: s for s in _rows(app, Seat)}
    assert seats[chair.seat_id].ends_on == yesterday
    assert seats[seat.seat_id].function == SeatFunction.CHAIR
    r = client.post(f"/bodies/{board.id}/edit", data={
        "name": "Vorstand der eG", "description": "", "quorum_percent": 66, "notice_days": 3,
        "circular_rule": "UNANIMOUS",
    })  # fmt: skip
    assert r.status_code == 302
    assert _rows(app, Body)[0].quorum_percent == 66
    page = client.get(f"/bodies/{board.id}").text
    assert 'id="seats-past"' in page and "Vorstand der eG" in page


def test_a_working_group_is_dissolved(app: Flask, login: Any, make_body: Any, make_seat: Any):
    group = make_body(kind=BodyKind.WORKING_GROUP, name="AG Garten")
    make_seat(group, starts_on=date(2024, 1, 1))
    client = login(roles=[Role.BOARD])
    assert 'id="body-dissolve"' in client.get(f"/bodies/{group.id}/edit").text
    r = client.post(f"/bodies/{group.id}/dissolve", data={"dissolved_on": "2025-06-30"})
    assert r.status_code == 302
    assert _rows(app, Seat)[0].ends_on == date(2025, 6, 30)
    assert "dissolved on" in client.get("/bodies/").text


def test_the_start_page_shows_my_bodies_and_the_nav_link(
    app: Flask, login: Any, make_user: Any, make_body: Any, make_seat: Any
) -> None:
    board = make_body(kind=BodyKind.BOARD, name="Vorstand")
    chair = make_seat(board, function=SeatFunction.CHAIR, starts_on=date(2024, 3, 1))
    page = login(chair.user).get("/").text
    card = page.split('id="start-bodies"')[1].split("</section>")[0]
    assert "My bodies" in card and f"/bodies/{board.id}" in card and "Chair of the body" in card
    assert 'href="/bodies/"' in page
    other = login(make_user()).get("/").text
    assert 'id="start-bodies"' not in other and 'href="/bodies/"' not in other
    assert 'href="/bodies/"' in login(roles=[Role.ADMIN]).get("/").text


def test_the_demo_has_the_board_the_supervisory_board_and_its_committee(app: Flask) -> None:
    with new_session(app.extensions["governance.engine"]) as s:
        seed(s, only_if_empty=False, config=app.config)
        s.commit()
    bodies = {b.name: b for b in _rows(app, Body)}
    assert bodies["Prüfungsausschuss"].parent_id == bodies["Aufsichtsrat"].id
    assert bodies["Vorstand"].kind == BodyKind.BOARD
    board_seats = _rows(app, Seat, Seat.body_id == bodies["Vorstand"].id)
    assert any(s.ends_on is not None and s.ends_on < today() for s in board_seats)
    assert sum(s.function == SeatFunction.CHAIR for s in board_seats) == 1
    client = app.test_client()
    client.post("/login", data={"email": "aufsichtsrat@demo.example", "password": DEMO_PASSWORD})
    start = client.get("/").text
    assert "Aufsichtsrat" in start.split('id="start-bodies"')[1]
    assert "Prüfungsausschuss" in start.split('id="start-bodies"')[1]
    page = client.get(f"/bodies/{bodies['Aufsichtsrat'].id}").text
    assert 'id="body-room"' in page and 'id="body-circulars"' in page
    assert client.get(f"/bodies/{bodies['Vorstand'].id}").status_code == 403
