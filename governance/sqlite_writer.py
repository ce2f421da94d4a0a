"""One writer at a time on SQLite, queued in the kernel instead of in SQLite's busy handler.

SQLite lets one transaction write at a time. A connection that finds the write lock taken
waits in its busy handler, which sleeps in growing steps (1, 2, 5, 10 … 100 ms) and polls
again: under a burst of writes (a poll opening: casts and heartbeats from thousands of
members) the lock is often free while every waiter sleeps, and each gunicorn worker stuck
there stops answering. So the app's write transactions (BEGIN IMMEDIATE) first take an
exclusive flock(2) on a file beside the database; the kernel wakes the next waiter the moment
the previous one commits or rolls back. Readers (WAL) never wait. Writers outside the app
(another program on the same file) still meet SQLite's busy handler, as before.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
from typing import Any

_holding = threading.local()  # how many writer locks this thread holds


class WriterLock:
    """An exclusive flock(2) on `<database>-writer.lock`, per connection (its own descriptor,
    so connections in one process exclude each other as well as other processes).

    A thread that already holds a writer lock and begins a second write transaction on another
    connection does not queue (it would wait for itself): that transaction meets SQLite's busy
    handler and its timeout, as without this lock."""

    def __init__(self, path: str) -> None:
        self.fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        self.held = False

    def acquire(self) -> None:
        if self.held or getattr(_holding, "count", 0):
            return
        fcntl.flock(self.fd, fcntl.LOCK_EX)
        self.held = True
        _holding.count = 1

    def try_acquire(self) -> bool:
        """Take the lock only if it is free at once (a job that must not wait for writers)."""
        if self.held or getattr(_holding, "count", 0):
            return False
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        self.held = True
        _holding.count = 1
        return True

    def release(self) -> None:
        if self.held:
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            self.held = False
            _holding.count = 0

    def close(self) -> None:
        self.release()
        os.close(self.fd)


class LockingConnection(sqlite3.Connection):
    """A sqlite3 connection whose commit, rollback and close also end its writer lock."""

    writer_lock: WriterLock | None = None

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self._release()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self._release()

    def close(self) -> None:
        try:
            super().close()
        finally:
            if self.writer_lock is not None:
                self.writer_lock.close()
                self.writer_lock = None

    def _release(self) -> None:
        if self.writer_lock is not None:
            self.writer_lock.release()


def lock_path(database: str | None) -> str | None:
    """The lock file of a database file; None for in-memory databases."""
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return os.path.abspath(database) + "-writer.lock"


def attach(dbapi_connection: Any, database: str | None) -> None:
    """Give a new connection its writer lock (if it is a LockingConnection on a file)."""
    path = lock_path(database)
    if isinstance(dbapi_connection, LockingConnection) and path is not None:
        dbapi_connection.writer_lock = WriterLock(path)


def before_immediate(dbapi_connection: Any) -> None:
    """Queue for the writer lock; called right before BEGIN IMMEDIATE."""
    lock = getattr(dbapi_connection, "writer_lock", None)
    if lock is not None:
        lock.acquire()
