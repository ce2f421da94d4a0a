"""The ceremony's pages: the access matrix of every route, CSRF on the JSON posts, and a whole
2-of-3 ceremony through the teller endpoints with tellers played in Python."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select

from governance import coopvote as cv
from governance.accounts.models import Role
from governance.assemblies.models import AssemblyState
from governance.tellers.models import CeremonyState, KeyCeremony
from tests.access import Route, allow, assert_access, assert_covers
from tests.tellers.conftest import CeremonyWorld, PyTeller

BOARD = Role.BOARD


def _ceremony(world: CeremonyWorld) -> KeyCeremony:
    with world.session() as s:
        query = select(KeyCeremony).where(KeyCeremony.assembly_id == world.assembly_id)
        row = s.scalars(query.order_by(KeyCeremony.id.desc())).first()
        assert row is not None
        s.expunge(row)
        return row


def _start(world: CeremonyWorld, n: int = 3, t: int = 2) -> KeyCeremony:
    with world.session() as s:
        world.start(s, n=n, t=t)
        s.commit()
    return _ceremony(world)


def test_access_matrix(app, login_as, login, world: CeremonyWorld) -> None:
    a = world.assembly_id
    teller_routes = [
        Route("GET", f"/assemblies/{a}/teller", allow()),
        Route("GET", f"/assemblies/{a}/teller/state.json", allow()),
        Route("POST", f"/assemblies/{a}/teller/round1", allow()),
        Route("POST", f"/assemblies/{a}/teller/shares", allow()),
        Route("POST", f"/assemblies/{a}/teller/confirm", allow()),
        Route("POST", f"/assemblies/{a}/teller/failure", allow()),
    ]
    chair_routes = [
        # the board chairs while no chair is appointed (Assembly.can_chair)
        Route("GET", f"/assemblies/{a}/ceremony", allow(BOARD)),
        Route("POST", f"/assemblies/{a}/ceremony/start", allow(BOARD, ok=400)),
        Route("POST", f"/assemblies/{a}/ceremony/void", allow(BOARD, ok=302)),
    ]
    _start(world)
    with world.session() as s:
        from governance.assemblies.models import Assembly

        s.get(Assembly, a).chair_user_id = None
        s.commit()
    routes = teller_routes + chair_routes
    assert_covers(app, "tellers", routes)
    assert_access(app, login_as, routes)
    # The teller alone opens the teller's page; the appointed chair the ceremony page.
    teller = login(world.users[0])
    assert teller.get(f"/assemblies/{a}/teller").status_code == 200
    assert teller.get(f"/assemblies/{a}/teller/state.json").status_code == 200
    assert teller.post(f"/assemblies/{a}/teller/round1", json={}).status_code == 400
    assert teller.get(f"/assemblies/{a}/ceremony").status_code == 403
    assert teller.get("/assemblies/999999/teller").status_code == 404


def test_a_teller_of_one_assembly_is_no_teller_of_another(
    app, login, make_assembly, world: CeremonyWorld
) -> None:
    _start(world)
    other = make_assembly(state=AssemblyState.CONVENED, chair=world.chair)
    teller = login(world.users[0])
    assert teller.get(f"/assemblies/{other.id}/teller").status_code == 403
    assert login(world.chair).get(f"/assemblies/{world.assembly_id}/ceremony").status_code == 200


class TestCsrf:
    @pytest.fixture
    def app_config(self):
        return {"WTF_CSRF_ENABLED": True}

    def test_json_posts_need_the_token_header(self, app, world: CeremonyWorld) -> None:
        from tests.accounts.helpers import login_with_csrf

        ceremony = _start(world)
        client = app.test_client()
        assert login_with_csrf(client, world.users[0].email).status_code == 302
        page = client.get(f"/assemblies/{world.assembly_id}/teller").get_data(as_text=True)
        token = re.search(r'data-csrf="([^"]+)"', page).group(1)
        url = f"/assemblies/{world.assembly_id}/teller/round1"
        entry, _c = cv.round1(ceremony.uuid, 1, 2, bytes(32))
        body = {"ceremony": ceremony.uuid, "entry": json.dumps(entry)}
        refused = client.post(url, json=body)
        assert refused.status_code == 400
        assert b"CSRF" in refused.data or b"expired" in refused.data
        ok = client.post(url, json=body, headers={"X-CSRFToken": token})
        assert ok.status_code == 200, ok.data
        assert ok.json == {"ok": True}


def _post(client, world: CeremonyWorld, endpoint: str, **body):
    response = client.post(f"/assemblies/{world.assembly_id}/teller/{endpoint}", json=body)
    return response


def test_a_whole_ceremony_through_the_teller_pages(app, login, world: CeremonyWorld) -> None:
    ceremony = _start(world)
    clients = {i: login(u) for i, u in enumerate(world.users, 1)}
    tellers = {i: PyTeller(i, u) for i, u in enumerate(world.users, 1)}
    state = lambda i: clients[i].get(f"/assemblies/{world.assembly_id}/teller/state.json").json  # noqa: E731
    assert state(1)["state"] == "ROUND1" and "entries" not in state(1)
    for i, p in tellers.items():
        r = _post(
            clients[i],
            world,
            "round1",
            ceremony=ceremony.uuid,
            entry=json.dumps(p.round1(ceremony)),
        )
        assert r.status_code == 200, r.json
    st = state(2)
    assert st["state"] == "SHARES" and st["index"] == 2 and "fingerprint" not in st
    entries = {int(i): e for i, e in st["entries"].items()}
    for i, p in tellers.items():
        boxes = p.shares(ceremony, entries)
        r = _post(
            clients[i],
            world,
            "shares",
            ceremony=ceremony.uuid,
            fingerprint=p.fingerprint,
            boxes=json.dumps(boxes),
        )
        assert r.status_code == 200, r.json
    for i, p in tellers.items():
        st = state(i)
        assert st["state"] == "CONFIRM"
        assert sorted(b["from"] for b in st["boxes"]) == [j for j in (1, 2, 3) if j != i]
        assert all(b["to"] == i for b in st["boxes"])
        p.open(ceremony, entries, st["boxes"])
        r = _post(clients[i], world, "confirm", ceremony=ceremony.uuid, fingerprint=p.fingerprint)
        assert r.status_code == 200, r.json
    st = state(3)
    y = cv.poll_key(entries)
    assert st["state"] == "READY" and st["key_fingerprint"] == cv.group4(cv.key_fingerprint(y))
    detail = login(world.chair).get(f"/assemblies/{world.assembly_id}").get_data(as_text=True)
    assert cv.group4(cv.key_fingerprint(y)) in detail
    page = (
        login(world.chair).get(f"/assemblies/{world.assembly_id}/ceremony").get_data(as_text=True)
    )
    assert cv.group4(cv.key_fingerprint(y)) in page


def test_a_failure_reported_by_a_page_voids_and_the_chair_restarts(
    app, login, world: CeremonyWorld
) -> None:
    ceremony = _start(world)
    teller = login(world.users[1])
    r = _post(
        teller,
        world,
        "failure",
        ceremony=ceremony.uuid,
        step="round1",
        reason="ceremony: teller 1's proof fails",
        culprit=1,
    )
    assert r.status_code == 200
    st = teller.get(f"/assemblies/{world.assembly_id}/teller/state.json").json
    assert st["state"] == "VOID" and "proof fails" in st["void_reason"]
    chair = login(world.chair)
    page = chair.get(f"/assemblies/{world.assembly_id}/ceremony").get_data(as_text=True)
    assert "proof fails" in page and 'id="start"' in page
    emails = "\n".join(u.email for u in world.users[:2])
    r = chair.post(
        f"/assemblies/{world.assembly_id}/ceremony/start", data={"tellers": emails, "t": "1"}
    )
    assert r.status_code == 302
    new = _ceremony(world)
    assert new.id != ceremony.id and (new.n, new.t) == (2, 1)
    assert new.state == CeremonyState.ROUND1
    # The teller page now serves the new ceremony; a post meant for the old one is refused.
    r = _post(teller, world, "failure", ceremony=ceremony.uuid, step="round1", reason="x")
    assert r.status_code == 409
    assert _ceremony(world).state == CeremonyState.ROUND1


def test_a_bad_round1_is_refused_with_a_message_and_voids(app, login, world: CeremonyWorld) -> None:
    ceremony = _start(world)
    entry, _c = cv.round1(ceremony.uuid, 2, 2, bytes(32))  # made for teller 2, posted by 1
    r = _post(
        login(world.users[0]), world, "round1", ceremony=ceremony.uuid, entry=json.dumps(entry)
    )
    assert r.status_code == 409 and r.json["state"] == "VOID"
    assert "proof of knowledge" in r.json["error"]
    assert _ceremony(world).state == CeremonyState.VOID  # the void is committed


def test_start_form_errors_and_void(app, login, world: CeremonyWorld) -> None:
    chair = login(world.chair)
    url = f"/assemblies/{world.assembly_id}/ceremony"
    r = chair.post(f"{url}/start", data={"tellers": "nobody@example.org", "t": "1"})
    assert r.status_code == 400 and "nobody@example.org" in r.get_data(as_text=True)
    r = chair.post(f"{url}/start", data={"tellers": world.users[0].email, "t": "2"})
    assert r.status_code == 400
    r = chair.post(f"{url}/start", data={"tellers": world.users[0].email, "t": "1"})
    assert r.status_code == 302
    assert "1 of 1" in chair.get(url).get_data(as_text=True)
    r = chair.post(f"{url}/void", data={"reason": "Test"})
    assert r.status_code == 302
    void = _ceremony(world)
    assert void.state == CeremonyState.VOID and "Test" in (void.void_reason or "")
    assert "Anna Teller1" in (void.void_reason or "")


def test_each_named_teller_is_mailed_the_link_to_their_page(app, login, world: CeremonyWorld):
    from governance.mail import OutboxMessage

    emails = [u.email for u in world.users]
    r = login(world.chair).post(
        f"/assemblies/{world.assembly_id}/ceremony/start",
        data={"tellers": "\n".join(emails), "t": "2"},
    )
    assert r.status_code == 302
    with world.session() as s:
        mails = {m.to_addr: m for m in s.scalars(select(OutboxMessage))}
    assert sorted(mails) == sorted(emails)
    body = mails[emails[1]].body_text
    assert f"/assemblies/{world.assembly_id}/teller" in body and "teller 2 of 3" in body
