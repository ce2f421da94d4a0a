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


@pytest.fixture
def engine() -> Iterator[Any]:
    reason = postgres_available()
    if reason:
        if os.environ.get("CI") == "true":
            pytest.fail(reason + " and CI=true requires it", pytrace=False)
        pytest.skip(reason)
    engine = make_engine(PG_ADMIN_URL, pool_size=1, max_overflow=0)
    engine.pings = []  # type: ignore[attr-defined]
    ping = engine.dialect.do_ping

    def counted(dbapi_connection: Any) -> Any:
        engine.pings.append(1)  # type: ignore[attr-defined]
        return ping(dbapi_connection)

    engine.dialect.do_ping = counted  # type: ignore[method-assign]
    yield engine
    engine.dispose()


def _backend_pid(engine: Any) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT pg_backend_pid()")).scalar_one())


def _terminate(pid: int) -> None:
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    admin.dispose()


def test_a_connection_in_use_a_moment_ago_is_not_pinged(engine):
    first = _backend_pid(engine)
    for _ in range(5):
        assert _backend_pid(engine) == first
    assert engine.pings == []


def test_an_idle_connection_is_pinged_and_a_dead_one_replaced(engine, monkeypatch):
    first = _backend_pid(engine)
    _terminate(first)  # e.g. the database restarted while the pool was idle
    monkeypatch.setattr(governance.db, "PING_AFTER_IDLE_SECONDS", 0.0)
    second = _backend_pid(engine)
    assert second != first and len(engine.pings) == 1
    assert _backend_pid(engine) == second and len(engine.pings) == 2  # alive: kept


def test_a_connection_that_died_while_busy_fails_once_and_the_pool_renews(engine):
    first = _backend_pid(engine)
    _terminate(first)
    with pytest.raises(DBAPIError):
        _backend_pid(engine)  # not idle long enough to be checked: the statement finds out
    assert _backend_pid(engine) != first
    assert engine.pings == []
