from governance.accounts.models import Role


def test_login_shows_start_page(login):
    client = login(roles=[Role.BOARD])
    r = client.get("/")
    assert r.status_code == 200
    assert b"start-board" in r.data


def test_healthz(client):
    r = client.get("/healthz")
    assert r.status_code == 200
    assert {k: r.json[k] for k in ("status", "database", "schema", "problems")} == {
        "status": "ok",
        "database": "ok",
        "schema": "ok",
        "problems": [],
    }
    assert set(r.json["jobs"]) >= {"mail", "minutes", "scrub"}
