"""Engine, per-request session and column types shared by every domain.

Services receive a Session and flush; the request (or CLI command) commits once.
On SQLite the app runs in WAL mode with foreign keys on; write transactions that must
serialize begin with BEGIN IMMEDIATE (see `immediate()`), queued on a file lock so that
waiting writers wake at once (sqlite_writer.py).
"""

from __future__ import annotations

import contextvars
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DBAPIError, DisconnectionError
from sqlalchemy.types import TypeDecorator
from sqlmodel import Session, create_engine

from governance import sqlite_writer
from governance.sqlite_writer import LockingConnection

BUSY_TIMEOUT_MS = 30000
PING_AFTER_IDLE_SECONDS = 5.0  # a pooled PostgreSQL connection idle this long is checked first
_IDLE_SINCE = "governance.idle_since"
_immediate: contextvars.ContextVar[bool] = contextvars.ContextVar("immediate", default=False)


def utcnow() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored as UTC and always returned timezone-aware."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime; use timezone-aware UTC")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


@contextmanager
def immediate() -> Iterator[None]:
    """Transactions begun inside this block take the write lock at once on SQLite."""
    token = _immediate.set(True)
    try:
        yield
    finally:
        _immediate.reset(token)


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create the engine with the SQLite pragmas or PostgreSQL settings the app relies on."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        connect_args = {"check_same_thread": False, "timeout": 30, "factory": LockingConnection}
        engine = create_engine(url, connect_args=connect_args, **kwargs)
        _configure_sqlite(engine, parsed.database)
        return engine
    if parsed.drivername == "postgresql":
        url = str(parsed.set(drivername="postgresql+psycopg"))
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 20)
    engine = create_engine(url, **kwargs)
    if not kwargs.get("pool_pre_ping"):
        _ping_after_idle(engine)
    return engine


def _ping_after_idle(engine: Engine) -> None:
    """Check a pooled connection before use only when it lay idle for PING_AFTER_IDLE_SECONDS.

    A connection handed back a moment ago worked a moment ago; one that lay idle may have been
    closed by a server restart or a firewall, and a dead one is replaced before the request
    sees it (the pool retries on DisconnectionError). A busy server thus saves a round trip per
    transaction (SQLAlchemy's pool_pre_ping pings every time; issue #19). Should the database
    restart within those seconds, the next statement on each pooled connection fails once and
    SQLAlchemy renews the whole pool.
    """

    @event.listens_for(engine, "checkin")
    def _checked_in(_dbapi_connection: Any, record: Any) -> None:
        record.info[_IDLE_SINCE] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        since = record.info.pop(_IDLE_SINCE, None)
        if since is None or time.monotonic() - since < PING_AFTER_IDLE_SECONDS:
            return  # a new connection, or one in use a moment ago
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as exc:
            raise DisconnectionError("the idle connection is gone") from exc


def _configure_sqlite(engine: Engine, database: str | None) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        sqlite_writer.attach(dbapi_connection, database)
        # Let SQLAlchemy's "begin" event emit BEGIN, so we choose DEFERRED or IMMEDIATE.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        # When the WAL restarts from its beginning, cut it back to nothing: frames of earlier
        # transactions (a poll's casts in order) never linger behind the newest ones.
        cursor.execute("PRAGMA journal_size_limit=0")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # On the driver's connection: BEGIN is every request's first statement, and going
        # through SQLAlchemy's statement machinery costs it about sixty Python calls (issue #19).
        # A failure is raised as SQLAlchemy's error, as from any other statement.
        dbapi_connection = conn.connection.dbapi_connection
        statement = "BEGIN"
        if _immediate.get():
            sqlite_writer.before_immediate(dbapi_connection)
            statement = "BEGIN IMMEDIATE"
        try:
            dbapi_connection.execute(statement)
        except sqlite3.Error as exc:
            raise DBAPIError.instance(statement, None, exc, sqlite3.Error) from exc


def is_sqlite(session: Session) -> bool:
    """Whether the session talks to SQLite."""
    bind = session.get_bind()
    return bind.dialect.name == "sqlite"


def new_session(engine: Engine) -> Session:
    """A session that does not expire objects on commit (views render after commit)."""
    return Session(engine, expire_on_commit=False)


def str_enum(enum_cls: type, name: str) -> Any:
    """An enum stored as text, with a CHECK constraint listing the allowed values."""
    from sqlalchemy import Enum

    return Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda e: [m.value for m in e],
    )
