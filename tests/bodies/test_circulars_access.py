"""Who sees and does what with a body's circular resolutions: only the body's seats; former
seats read those they were asked in; the chair alone sends; anonymous users log in first.
And the pages through the browser's requests: send, vote, object, the minutes-book PDF."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask

from governance.bodies.models import BodyKind, SeatFunction
from governance.bodies.models_circulars import CircularChoice
from governance.i18n import today
from tests.access import LOGIN
from tests.bodies.factories_circulars import *  # noqa: F403  (fixtures)

PERSONAS = ("anon", "outsider", "chair", "seat", "former", "too_early", "supervisory")


@dataclass
class World:
    board: int
    supervisory: int
    open_id: int  # the board's open circular (the former seat was asked in it)
    done_id: int  # the board's concluded circular
    sb_id: int  # the supervisory board's open circular
    people: dict[str, Any]


@pytest.fixture
def world(
    app: Flask, session: Any, make_body: Any, make_seat: Any, make_user: Any, send: Any, vote: Any
) -> World:
    board = make_body(kind=BodyKind.BOARD, name="Vorstand")
    sb = make_body(kind=BodyKind.SUPERVISORY_BOARD, name="Aufsichtsrat")
    yesterday = today() - timedelta(days=1)
    people = {
        "chair": make_seat(board, function=SeatFunction.CHAIR),
        "seat": make_seat(board),
        "former": make_seat(board, ends_on=yesterday),
        # a term that ended before the circulars were sent: asked in none of them
        "too_early": make_seat(board, ends_on=date(2024, 6, 30)),
        "supervisory": make_seat(sb, function=SeatFunction.CHAIR),
    }
    opened = send(session, board, people["chair"], day=yesterday)
    done = send(session, board, people["chair"], day=yesterday, title="Erledigt")
    vote(session, done, people["seat"], CircularChoice.OBJECTION)
    on_sb = send(session, sb, people["supervisory"], title="Prüfungsbericht")
    return World(board.id, sb.id, opened.id, done.id, on_sb.id, people)


def clients(app: Flask, login: Any, make_user: Any, world: World) -> dict[str, Any]:
    out = {"anon": app.test_client(), "outsider": login(make_user())}
    out.update({name: login(p.user) for name, p in world.people.items()})
    return out


def status(response: Any) -> int | str:
    if response.status_code == 302 and "/login" in response.headers.get("Location", ""):
        return LOGIN
    return int(response.status_code)


def expect(ok: tuple[str, ...], code: int = 200) -> dict[str, int | str]:
    return {p: code if p in ok else (LOGIN if p == "anon" else 403) for p in PERSONAS}


def routes(w: World) -> list[tuple[str, str, dict[str, Any], dict[str, int | str]]]:
    b, o, d, sb, s = w.board, w.open_id, w.done_id, w.supervisory, w.sb_id
    board_readers = ("chair", "seat", "former")
    return [
        # a former seat opens the list, which shows only the circulars it was asked in
        ("GET", f"/bodies/{b}/circulars", {}, expect((*board_readers, "too_early"))),
        ("GET", f"/bodies/{b}/circulars/new", {}, expect(("chair",))),
        ("GET", f"/bodies/{b}/circulars/{o}", {}, expect(board_readers)),
        ("GET", f"/bodies/{b}/circulars/{d}/record.pdf", {}, expect(board_readers)),
        ("GET", f"/bodies/{sb}/circulars", {}, expect(("supervisory",))),
        ("GET", f"/bodies/{sb}/circulars/{s}", {}, expect(("supervisory",))),
        # the supervisory board's circular under the board's address: not the board's
        ("GET", f"/bodies/{b}/circulars/{s}", {}, expect((*board_readers, "too_early"), 404)),
        ("POST", f"/bodies/{sb}/circulars/{s}/vote", {"choice": "YES"}, expect(("supervisory",), 302)),
        ("POST", f"/bodies/{b}/circulars/{o}/object", {"confirm": "y"}, expect(("chair", "seat"), 302)),
        ("POST", f"/bodies/{b}/circulars/new", {}, expect(("chair",))),
    ]  # fmt: skip


def test_access_matrix_of_the_circulars(
    app: Flask, login: Any, make_user: Any, world: World
) -> None:
    cs = clients(app, login, make_user, world)
    problems = []
    for method, url, data, expected in routes(world):
        for persona in PERSONAS:
            got = status(cs[persona].open(url, method=method, data=data))
            if got != expected[persona]:
                problems.append(
                    f"{method} {url} as {persona}: expected {expected[persona]}, got {got}"
                )
    assert not problems, "\n".join(problems)


def test_a_former_seat_reads_without_a_vote_form(app: Flask, login: Any, world: World) -> None:
    page = login(world.people["former"].user).get(
        f"/bodies/{world.board}/circulars/{world.open_id}"
    )
    assert page.status_code == 200 and 'id="vote-form"' not in page.text
    assert (
        'id="vote-form"'
        in login(world.people["seat"].user)
        .get(f"/bodies/{world.board}/circulars/{world.open_id}")
        .text
    )


def test_every_circular_route_is_in_the_matrix(app: Flask, world: World) -> None:
    adapter = app.url_map.bind("localhost")
    covered = {adapter.match(url.split("?")[0], method=m)[0] for m, url, _d, _e in routes(world)}
    mine = {
        r.endpoint for r in app.url_map.iter_rules() if r.endpoint.startswith("bodies.circular")
    }
    assert mine - covered == set()


def test_the_circular_pages_from_sending_to_the_minutes_book(
    app: Flask, login: Any, seated: Any
) -> None:
    body, people = seated(3, kind=BodyKind.SUPERVISORY_BOARD)
    chair, seat, third = (login(p.user) for p in people)
    page = chair.get(f"/bodies/{body.id}/circulars")
    assert "Start a circular resolution" in page.text
    deadline = (today() + timedelta(days=3)).strftime("%Y-%m-%dT18:00")
    sent = chair.post(
        f"/bodies/{body.id}/circulars/new",
        data={"title": "Jahresabschluss prüfen", "motion": "Der Aufsichtsrat prüft.",
              "reasoning": "", "deadline": deadline},
    )  # fmt: skip
    assert sent.status_code == 302, sent.text
    url = sent.headers["Location"]
    assert "Object to the written procedure" in seat.get(url).text
    assert "Start a circular resolution" not in seat.get(f"/bodies/{body.id}/circulars").text
    assert seat.post(url + "/vote", data={"choice": "YES"}).status_code == 302
    assert "You voted: Yes" in seat.get(url).text
    again = seat.post(url + "/vote", data={"choice": "NO"}, follow_redirects=True)
    assert "final" in again.text
    chair.post(url + "/vote", data={"choice": "YES"})
    third.post(url + "/object", data={"confirm": "y"})
    done = chair.get(url)
    assert "stopped by an objection to the written procedure" in done.text
    pdf = chair.get(url + "/record.pdf")
    assert pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    assert "attachment" in pdf.headers["Content-Disposition"]


def test_a_deadline_in_the_past_is_refused_by_the_form(app: Flask, login: Any, seated: Any) -> None:
    body, people = seated(2)
    chair = login(people[0].user)
    past = (today() - timedelta(days=1)).strftime("%Y-%m-%dT18:00")
    response = chair.post(
        f"/bodies/{body.id}/circulars/new",
        data={"title": "Zu spät", "motion": "Text", "deadline": past},
    )
    assert response.status_code == 200 and "The deadline must lie in the future." in response.text
