"""SQLite writers queue on a file lock (governance/sqlite_writer.py): the next writer starts
the moment the previous one ends, and nothing is left locked."""

from __future__ import annotations

import fcntl
import os
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from governance.db import immediate, make_engine


def _engine(tmp_path: Path):
    engine = make_engine(f"sqlite:///{tmp_path / 'w.sqlite3'}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (x INTEGER)"))
    return engine


def _locked_elsewhere(tmp_path: Path) -> bool:
    """Whether another descriptor holds the writer lock (probed without waiting)."""
    fd = os.open(tmp_path / "w.sqlite3-writer.lock", os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


def _writer_lock(conn):
    return conn.connection.dbapi_connection.writer_lock


def test_write_transactions_hold_the_lock_until_commit_or_rollback(tmp_path):
    engine = _engine(tmp_path)
    with engine.connect() as conn:
        with immediate():
            conn.begin()
        assert _writer_lock(conn).held
        conn.execute(text("INSERT INTO t VALUES (1)"))
        conn.commit()
        assert not _writer_lock(conn).held
        with immediate():
            conn.begin()
        conn.rollback()
        assert not _writer_lock(conn).held
        conn.begin()  # a deferred (reading) transaction does not queue
        assert not _writer_lock(conn).held
        conn.rollback()
    assert (tmp_path / "w.sqlite3-writer.lock").exists()
    engine.dispose()


def test_a_waiting_writer_starts_as_soon_as_the_first_ends(tmp_path):
    engine = _engine(tmp_path)
    order: list[str] = []
    started = threading.Event()

    def second() -> None:
        started.wait()
        with engine.connect() as conn:
            with immediate():
                conn.begin()
            order.append("second begins")
            conn.execute(text("INSERT INTO t VALUES (2)"))
            conn.commit()

    thread = threading.Thread(target=second)
    thread.start()
    with engine.connect() as conn:
        with immediate():
            conn.begin()
        assert _locked_elsewhere(tmp_path)  # the kernel holds the queue
        started.set()
        time.sleep(0.3)  # the second writer is waiting now
        order.append("first commits")
        conn.execute(text("INSERT INTO t VALUES (1)"))
        conn.commit()
    thread.join(timeout=10)
    assert order == ["first commits", "second begins"]
    assert not _locked_elsewhere(tmp_path)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM t")).scalar() == 2
    engine.dispose()


def test_a_second_connection_in_the_same_thread_does_not_wait_for_itself(tmp_path):
    engine = _engine(tmp_path)
    with engine.connect() as first, engine.connect() as second:
        second.connection.dbapi_connection.execute("PRAGMA busy_timeout=200")
        with immediate():
            first.begin()
        with pytest.raises(OperationalError, match="locked"), immediate():
            second.begin()  # SQLite's busy handler answers after its timeout: no hang
        first.rollback()
        assert not _writer_lock(first).held
    engine.dispose()


def _holds_write_lock(app, path: str) -> bool:
    from governance.web import db

    with app.test_request_context(path, method="POST"):
        connection = db().connection().connection.dbapi_connection
        held = connection.writer_lock.held
        db().rollback()
        return held


def test_posts_take_the_write_lock_first_unless_they_lock_late(app):
    if app.extensions["governance.engine"].dialect.name != "sqlite":
        pytest.skip("the writer lock is SQLite's")
    assert _holds_write_lock(app, "/logout")
    assert not _holds_write_lock(app, "/polls/1/vote")  # the confirmation step only reads
    assert not _holds_write_lock(app, "/polls/1/cast")  # casting locks for the write alone
    assert not _holds_write_lock(app, "/assemblies/1/heartbeat")


def test_begin_writing_ends_the_reads_and_takes_the_lock(app):
    if app.extensions["governance.engine"].dialect.name != "sqlite":
        pytest.skip("the writer lock is SQLite's")
    from governance.web import begin_writing, db

    with app.test_request_context("/polls/1/cast", method="POST"):
        db().execute(text("SELECT 1"))
        session = begin_writing()
        assert session.connection().connection.dbapi_connection.writer_lock.held
        session.rollback()
        assert not session.connection().connection.dbapi_connection.writer_lock.held
