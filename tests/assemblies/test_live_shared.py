"""The live state's cache shared through Redis by several app servers (issue #19).

Two app instances on one database stand for two app servers behind a balancer: the chair's
change made through one is seen at once by a watcher of the other. With a cache per process
(no CACHE_URL) the other server answers from its own copy until it expires: the control case.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from governance import create_app
from governance.assemblies.models_agenda import AgendaItem
from tests.conftest import PASSWORD, PerRequestClient

REDIS = "redis://127.0.0.1:6379/0"


@pytest.fixture(params=["shared", "per-process"])
def app_config(request: pytest.FixtureRequest) -> dict[str, Any]:
    if request.param == "per-process":
        return {"CACHE_URL": ""}
    return {"CACHE_URL": REDIS, "CACHE_PREFIX": f"test-{uuid.uuid4().hex}"}


@pytest.fixture
def other_server(app: Flask) -> Iterator[Flask]:
    """A second app on the same database and the same cache: another app server."""
    keys = ("DATABASE_URL", "CACHE_URL", "CACHE_PREFIX", "UPLOAD_DIR", "INSTANCE_PATH")
    other = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": app.config["SECRET_KEY"],
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
            "SERVER_NAME": "localhost",
            "BABEL_DEFAULT_LOCALE": "en",
            **{k: app.config[k] for k in keys},
        }
    )
    other.test_client_class = PerRequestClient
    yield other
    other.extensions["governance.engine"].dispose()


def test_a_change_on_one_server_reaches_the_watchers_of_the_other(
    app: Flask, other_server: Flask, login: Any, vote_world: Any
) -> None:
    world = vote_world(members=2)
    with world.session() as s:
        item = AgendaItem(assembly_id=world.assembly_id, position=1, title="Bericht")
        s.add(item)
        s.commit()
        item_id = item.id
    watcher = other_server.test_client()
    r = watcher.post("/login", data={"email": world.users[0].email, "password": PASSWORD})
    assert r.status_code == 302
    url = f"/assemblies/{world.assembly_id}/live.json"
    assert watcher.get(url).get_json()["item"] is None  # now cached

    chair = login(world.chair)  # through the first server
    r = chair.post(f"/assemblies/{world.assembly_id}/current-item", data={"item_id": item_id})
    assert r.status_code == 302

    seen = watcher.get(url).get_json()["item"]
    if app.config["CACHE_URL"]:
        assert seen is not None and seen["id"] == item_id
    else:  # each process keeps its own copy for CACHE_SECONDS: the other server is behind
        assert seen is None


@pytest.mark.parametrize("app_config", [{"CACHE_URL": "redis://127.0.0.1:9/0"}], indirect=False)
def test_watching_goes_on_when_redis_does_not_answer(login: Any, vote_world: Any) -> None:
    world = vote_world(members=1)
    member = login(world.users[0])
    for _ in range(2):
        r = member.get(f"/assemblies/{world.assembly_id}/live.json")
        assert r.status_code == 200 and r.get_json()["assembly"] == world.assembly_id
