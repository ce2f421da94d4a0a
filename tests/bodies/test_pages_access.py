"""Who opens the bodies' pages: the list for every login; a body's page for its current and
former seats and for the managers (BOARD, ADMIN); managing bodies and seats for the managers
only. A manager sees every body's page and seats, but not the room or the circulars of a body
they do not sit in. The board's seats hold the role BOARD (it follows the seat, issue #15),
so they are managers; a supervisory board seat does not open the board's page."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from flask import Flask

from governance.accounts.models import Role
from governance.bodies.models import BodyKind, SeatFunction
from governance.i18n import today
from tests.access import LOGGED_IN, LOGIN, Route, allow, assert_access, assert_covers
from tests.bodies.factories_circulars import *  # noqa: F403  (fixtures)

MANAGERS = (Role.BOARD, Role.ADMIN)


@pytest.fixture
def world(make_body: Any, make_seat: Any) -> dict[str, Any]:
    board = make_body(kind=BodyKind.BOARD, name="Vorstand")
    sb = make_body(kind=BodyKind.SUPERVISORY_BOARD, name="Aufsichtsrat")
    committee = make_body(kind=BodyKind.COMMITTEE, name="Bauausschuss")
    return {
        "board": board.id,
        "sb": sb.id,
        "committee": committee.id,
        "chair": make_seat(board, function=SeatFunction.CHAIR),
        "seat": make_seat(board),
        "former": make_seat(board, ends_on=today() - timedelta(days=1)),
        "sb_chair": make_seat(sb, function=SeatFunction.CHAIR),
        "guest": make_seat(committee, member=False),
    }


def _manage_routes(w: dict[str, Any]) -> list[Route]:
    b, seat = w["board"], w["seat"].seat_id
    manage = allow(*MANAGERS)
    return [
        Route("GET", "/bodies/new", manage),
        Route("POST", "/bodies/new", manage),  # empty: the form again, with its errors
        Route("GET", f"/bodies/{b}/edit", manage),
        Route("POST", f"/bodies/{b}/edit", manage),
        Route("POST", f"/bodies/{b}/dissolve", manage),
        Route("GET", f"/bodies/{b}/seats/new", manage),
        Route("POST", f"/bodies/{b}/seats/new", manage),
        Route("GET", f"/bodies/{b}/seats/{seat}", manage),
        Route("POST", f"/bodies/{b}/seats/{seat}/end", manage),
        Route("POST", f"/bodies/{b}/seats/{seat}/function", manage),
    ]


def test_access_matrix_by_role(app: Flask, login_as: Any, world: dict[str, Any]) -> None:
    routes = [
        Route("GET", "/bodies/", allow(*LOGGED_IN)),
        Route("GET", f"/bodies/{world['board']}", allow(*MANAGERS)),
        # a SUPERVISORY_BOARD login sits in the supervisory board (the role follows the seat)
        Route("GET", f"/bodies/{world['sb']}", allow(*MANAGERS, Role.SUPERVISORY_BOARD)),
        *_manage_routes(world),
    ]
    assert_access(app, login_as, routes)
    mine = {e for e, f in app.view_functions.items() if f.__module__ == "governance.bodies.views"}
    others = {r.endpoint for r in app.url_map.iter_rules() if r.endpoint.startswith("bodies.")}
    assert_covers(app, "bodies", routes, ignore=others - mine)


def _status(response: Any) -> int | str:
    if response.status_code == 302 and "/login" in response.headers.get("Location", ""):
        return LOGIN
    return int(response.status_code)


def test_a_body_s_page_is_for_its_seats_and_the_managers(
    app: Flask, login: Any, make_user: Any, world: dict[str, Any]
) -> None:
    b, sb, c = world["board"], world["sb"], world["committee"]
    people = {n: login(world[n].user) for n in ("chair", "seat", "former", "sb_chair", "guest")}
    people["outsider"] = login(make_user())
    people["anon"] = app.test_client()
    expected = {
        f"/bodies/{b}": {"chair": 200, "seat": 200, "former": 200},
        # the board's current seats hold the role BOARD (it follows the seat): they manage
        f"/bodies/{sb}": {"sb_chair": 200, "chair": 200, "seat": 200},
        f"/bodies/{c}": {"guest": 200, "chair": 200, "seat": 200},  # guest: not a member
    }
    managers = {"chair": 200, "seat": 200}  # a former board seat no longer manages
    problems = []
    for url, ok in expected.items():
        for name, client in people.items():
            want = ok.get(name, LOGIN if name == "anon" else 403)
            if (got := _status(client.get(url))) != want:
                problems.append(f"{url} as {name}: expected {want}, got {got}")
        for name, client in people.items():  # other seats do not manage
            got = _status(client.get(f"{url}/seats/new"))
            if got != managers.get(name, LOGIN if name == "anon" else 403):
                problems.append(f"{url}/seats/new as {name}: got {got}")
    assert not problems, "\n".join(problems)


def test_a_manager_sees_the_seats_but_not_the_room_or_the_circulars(
    app: Flask, login: Any, world: dict[str, Any]
) -> None:
    manager = login(roles=[Role.BOARD])
    sb = world["sb"]
    page = manager.get(f"/bodies/{sb}")
    assert page.status_code == 200 and 'id="seats-now"' in page.text
    assert 'id="body-room"' not in page.text and 'id="body-circulars"' not in page.text
    assert manager.get(f"/bodies/{sb}/room").status_code == 403
    assert manager.get(f"/bodies/{sb}/circulars").status_code == 403
    seat_page = login(world["sb_chair"].user).get(f"/bodies/{sb}")
    assert 'id="body-room"' in seat_page.text and 'id="body-circulars"' in seat_page.text
    assert f"/bodies/{sb}/seats/new" not in seat_page.text  # no management links for a seat


def test_a_former_seat_reads_the_page_without_the_room_s_writing(
    app: Flask, login: Any, world: dict[str, Any]
) -> None:
    page = login(world["former"].user).get(f"/bodies/{world['board']}")
    assert page.status_code == 200 and 'id="seats-past"' in page.text
    assert f"/bodies/{world['board']}/seats/new" not in page.text


def test_the_list_shows_a_seat_their_bodies_and_a_manager_all(
    app: Flask, login: Any, make_user: Any, world: dict[str, Any]
) -> None:
    mine = login(world["sb_chair"].user).get("/bodies/").text
    assert "Aufsichtsrat" in mine and "Vorstand" not in mine and "/bodies/new" not in mine
    board = login(world["chair"].user).get("/bodies/").text  # a board seat manages: all
    assert all(n in board for n in ("Vorstand", "Aufsichtsrat", "Bauausschuss", "/bodies/new"))
    every = login(roles=[Role.ADMIN]).get("/bodies/").text
    assert all(n in every for n in ("Vorstand", "Aufsichtsrat", "Bauausschuss", "/bodies/new"))
    assert "Vorstand" not in login(make_user()).get("/bodies/").text
