"""PostgreSQL's pooled connections are checked before use only after lying idle (issue #19): a
busy server saves a round trip per transaction, and a connection that died while idle is
replaced before a request sees it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

import governance.db
from governance.db import make_engine
from tests.databases import PG_ADMIN_URL, postgres_available


class Pinged:
    """The engine under test and the pings its dialect sent."""

    def __init__(self, engine: Any) -> None:
        self.engine = engine
        self.pings = 0
        ping = engine.dialect.do_ping

        def counted(dbapi_connection: Any) -> Any:
            self.pings += 1
            return ping(dbapi_connection)

        engine.dialect.do_ping = counted


@pytest.fixture
def pinged() -> Iterator[Pinged]:
    reason = postgres_available()
    if reason:
        if os.environ.get("CI") == "true":
            pytest.fail(reason + " and CI=true requires it", pytrace=False)
        pytest.skip(reason)
    engine = make_engine(PG_ADMIN_URL, pool_size=1, max_overflow=0)
    yield Pinged(engine)
    engine.dispose()


def _backend_pid(engine: Any) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT pg_backend_pid()")).scalar_one())


def _terminate(pid: int) -> None:
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    admin.dispose()


def test_a_connection_in_use_a_moment_ago_is_not_pinged(pinged):
    first = _backend_pid(pinged.engine)
    for _ in range(5):
        assert _backend_pid(pinged.engine) == first
    assert pinged.pings == 0


def test_an_idle_connection_is_pinged_and_a_dead_one_replaced(pinged, monkeypatch):
    first = _backend_pid(pinged.engine)
    _terminate(first)  # e.g. the database restarted while the pool was idle
    monkeypatch.setattr(governance.db, "PING_AFTER_IDLE_SECONDS", 0.0)
    second = _backend_pid(pinged.engine)
    assert second != first and pinged.pings == 1
    assert _backend_pid(pinged.engine) == second and pinged.pings == 2  # alive: kept


def test_a_connection_that_died_while_busy_fails_once_and_the_pool_renews(pinged):
    first = _backend_pid(pinged.engine)
    _terminate(first)
    with pytest.raises(DBAPIError):
        _backend_pid(pinged.engine)  # not idle long enough to be checked: the statement finds out
    assert _backend_pid(pinged.engine) != first
    assert pinged.pings == 0
