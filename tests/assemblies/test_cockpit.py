"""The chair's cockpit: a chair required to open, the turnout endpoint, the screen's token."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from governance.accounts.models import Role
from governance.assemblies import services
from governance.assemblies.models import Assembly, AssemblyState
from governance.assemblies.models_agenda import AgendaItem
from governance.db import utcnow
from governance.errors import DomainError
from tests.assemblies.conftest import message
from tests.factories_ballots import add_mandate, cast


def _convened_now(make_assembly, **kw) -> Assembly:
    return make_assembly(state=AssemblyState.CONVENED, starts_at=utcnow(), **kw)


def test_an_assembly_is_opened_only_with_a_chair(session, make_assembly, make_user):
    a = _convened_now(make_assembly)
    chair = make_user(roles=[Role.BOARD])
    assembly = session.get(Assembly, a.id)
    with pytest.raises(DomainError) as excinfo:
        services.open_session(session, assembly=assembly, actor=None, now=utcnow())
    assert "needs a chair" in message(excinfo)
    assert excinfo.value.field == "chair_user_id"
    services.open_session(
        session, assembly=assembly, actor=None, now=utcnow(), chair_user_id=chair.id
    )
    session.commit()
    assert (assembly.state, assembly.chair_user_id) == (AssemblyState.IN_SESSION, chair.id)


def test_database_refuses_an_assembly_in_session_without_a_chair(app, make_assembly, make_user):
    engine = app.extensions["governance.engine"]
    chairless = _convened_now(make_assembly)
    with engine.connect() as conn, pytest.raises(DBAPIError, match="needs a chair"):
        conn.execute(
            text("UPDATE assembly SET state = 'IN_SESSION' WHERE id = :i"), {"i": chairless.id}
        )
    chaired = _convened_now(make_assembly, chair=make_user(roles=[Role.BOARD]))
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE assembly SET state = 'IN_SESSION' WHERE id = :i"), {"i": chaired.id}
        )
    with engine.connect() as conn, pytest.raises(DBAPIError, match="needs a chair"):
        conn.execute(
            text("UPDATE assembly SET chair_user_id = NULL WHERE id = :i"), {"i": chaired.id}
        )


def test_opening_without_a_chair_asks_for_one(app, login, make_assembly, make_user):
    a = _convened_now(make_assembly)
    board = login(roles=[Role.BOARD])
    r = board.post(f"/assemblies/{a.id}/open")
    assert r.status_code == 200
    assert "needs a chair" in r.get_data(as_text=True)
    assert 'name="chair_user_id"' in r.get_data(as_text=True)
    chair = make_user(roles=[Role.BOARD])
    r = board.post(f"/assemblies/{a.id}/open", data={"chair_user_id": chair.id})
    assert r.status_code == 302
    assert board.get(f"/assemblies/{a.id}/cockpit").status_code == 403  # chair appointed
    page = login(chair).get(f"/assemblies/{a.id}/cockpit")
    assert page.status_code == 200 and "List of speakers" in page.get_data(as_text=True)


def _with_items(world) -> list[int]:
    with world.session() as s:
        items = [
            AgendaItem(assembly_id=world.assembly_id, position=i, title=f"Bericht {i}")
            for i in (1, 2)
        ]
        s.add_all(items)
        s.commit()
        return [i.id for i in items]


def test_the_cockpit_shows_the_turnout_of_the_members_present(login, vote_world, make_poll):
    world = vote_world(members=5)
    add_mandate(world, principal=4, proxy=3)
    with world.session() as s:  # member 4 left the room: represented by proxy now
        s.execute(
            text("UPDATE attendance SET checked_out_at = :t WHERE member_id = :m"),
            {"t": utcnow() - timedelta(minutes=1), "m": world.member_ids[4]},
        )
        s.commit()
    poll = make_poll(world)
    cast(world, poll.id, 0, "YES")
    cast(world, poll.id, 4, "NO", proxy=3)
    chair = login(world.chair)
    data = chair.get(f"/assemblies/{world.assembly_id}/cockpit.json").get_json()
    assert data["turnout"] == {
        "poll": poll.id,
        "title": poll.title,
        "cast": 2,
        "by_proxy": 1,
        "present": 5,
    }
    page = chair.get(f"/assemblies/{world.assembly_id}/cockpit").get_data(as_text=True)
    assert "2 of 5 present have voted" in page and "1 by proxy" in page
    member = login(world.users[0])
    assert member.get(f"/assemblies/{world.assembly_id}/cockpit.json").status_code == 403


def test_calling_an_item_from_the_cockpit_updates_the_live_page(login, vote_world):
    world = vote_world(members=2)
    items = _with_items(world)
    chair = login(world.chair)
    a = world.assembly_id
    r = chair.post(f"/assemblies/{a}/current-item?back=cockpit", data={"item_id": items[1]})
    assert r.headers["Location"].endswith(f"/assemblies/{a}/cockpit")
    live = login(world.users[0]).get(f"/assemblies/{a}/live.json").get_json()
    assert live["item"]["id"] == items[1]


def test_a_member_asks_to_speak_on_the_live_page_and_the_chair_calls_them(login, vote_world):
    world = vote_world(members=3)
    items = _with_items(world)
    a = world.assembly_id
    chair = login(world.chair)
    chair.post(f"/assemblies/{a}/current-item", data={"item_id": items[0]})
    member = login(world.users[1])
    assert "Ask to speak" in member.get(f"/assemblies/{a}/live").get_data(as_text=True)
    r = member.post(f"/assemblies/{a}/speakers/request", data={"kind": "POINT_OF_ORDER"})
    assert r.status_code == 302
    live = member.get(f"/assemblies/{a}/live.json").get_json()
    assert [q["kind"] for q in live["speakers"]["queue"]] == ["POINT_OF_ORDER"]
    assert "Withdraw my request" in member.get(f"/assemblies/{a}/live").get_data(as_text=True)
    chair.post(f"/assemblies/{a}/speakers/next", data={"minutes": 3})
    floor = chair.get(f"/assemblies/{a}/cockpit.json").get_json()["speakers"]
    assert floor["current"]["speaking_time_s"] == 180 and floor["queue"] == []
    assert "You have the floor." in member.get(f"/assemblies/{a}/live").get_data(as_text=True)


def test_the_screen_opens_only_with_the_current_token(app, login, vote_world, make_poll):
    world = vote_world(members=3)
    a = world.assembly_id
    anonymous = app.test_client()
    assert anonymous.get(f"/assemblies/{a}/screen/guess").status_code == 404
    chair = login(world.chair)
    page = chair.post(f"/assemblies/{a}/screen-token").get_data(as_text=True)
    link = re.search(r'id="screen-link" href="([^"]+)"', page).group(1)
    path = link[link.index("/assemblies/") :]
    token = path.rsplit("/", 1)[1]
    with world.session() as s:
        stored = s.get(Assembly, a).screen_token_hash
    assert stored and token not in stored  # only the hash is kept
    make_poll(world, title="Entlastung des Vorstands")
    screen = anonymous.get(path)
    assert screen.status_code == 200
    assert "Entlastung des Vorstands" in screen.get_data(as_text=True)
    assert anonymous.get(f"{path}/screen.json").get_json()["turnout"]["present"] == 3
    chair.post(f"/assemblies/{a}/screen-token")  # rotated: the old link stops working
    assert anonymous.get(path).status_code == 404
    assert anonymous.get(f"{path}/screen.json").status_code == 404
    assert anonymous.get(f"/assemblies/999999/screen/{token}").status_code == 404
