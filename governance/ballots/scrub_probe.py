"""One attempt to remove what still records the order of casting, and to prove it is gone.

Never waits for readers: a reader is a reason to try again later (`scrub.py` runs the job).

SQLite: the WAL holds every cast's pages in commit order until it is emptied. With the writer
lock taken without waiting (`sqlite_writer`, so no write of the app slips in) and a busy
timeout of zero, `PRAGMA wal_checkpoint(TRUNCATE)` either reports busy (an open reader or
writer) or copies every frame back and cuts the WAL to zero bytes; proven when its result row
is (busy 0, all log frames checkpointed) and the file is empty afterwards.

PostgreSQL: the seal deleted the rows of the casts, but a snapshot older than the seal still
sees them, so VACUUM must keep them (and their xmin re-links voter to choice). Proven when no
snapshot, transaction, prepared transaction, replication slot or standby feedback reaches back
before the seal's transaction id, VACUUM FULL has rewritten the box tables into new files (a
plain VACUUM leaves the dead tuples' bytes, xmin included, in the pages' free space), a VACUUM
afterwards finds no dead tuple in them, and a last VACUUM FULL rewrites them once more (so not
even a row version kept by a snapshot taken between the checks leaves its bytes behind).
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

from governance.db import BUSY_TIMEOUT_MS

log = logging.getLogger(__name__)

BOX_TABLES = ("ballot", "participation", "named_vote")


@dataclass(frozen=True)
class Outcome:
    """Verified, or what blocks the proof (a code of `scrub.REASONS`, with its particulars)."""

    verified: bool
    reason: str | None = None
    detail: str = ""


VERIFIED = Outcome(verified=True)


def attempt(engine: Engine, *, seal_xid: int | None, lock_timeout_ms: int) -> Outcome:
    """One non-blocking scrub and its proof; never raises."""
    try:
        if engine.dialect.name == "sqlite":
            return _sqlite(engine)
        return _postgresql(engine, seal_xid=seal_xid, lock_timeout_ms=lock_timeout_ms)
    except Exception as exc:  # reported on the job and retried; the seal stands
        log.warning("scrubbing the ballot box failed: %s: %s", type(exc).__name__, exc)
        return Outcome(False, "error", f"{type(exc).__name__}: {exc}"[:300])


def truncate_wal(engine: Engine) -> Outcome:
    """SQLite: empty the WAL once more if nobody reads (after the job recorded its result)."""
    return attempt(engine, seal_xid=None, lock_timeout_ms=0) if _is_sqlite(engine) else VERIFIED


def _is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def _sqlite(engine: Engine) -> Outcome:
    database = engine.url.database
    if not database or database == ":memory:":
        return VERIFIED  # nothing on disk
    raw = engine.raw_connection()
    try:
        dbapi = raw.driver_connection
        lock = getattr(dbapi, "writer_lock", None)
        if lock is not None and not lock.try_acquire():
            return Outcome(False, "sqlite_writer")
        try:
            dbapi.execute("PRAGMA busy_timeout=0")
            busy, frames, done = dbapi.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            wal = f"{database}-wal"
            size = os.path.getsize(wal) if os.path.exists(wal) else 0
        finally:
            dbapi.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            if lock is not None:
                lock.release()
    finally:
        raw.close()
    if busy:
        return Outcome(False, "sqlite_reader", f"{done} of {frames} WAL frames checkpointed")
    if frames != done or size:
        return Outcome(False, "sqlite_wal", f"{done} of {frames} frames, {size} bytes")
    return VERIFIED


# Whatever keeps row versions deleted by the seal (xid :x) alive. age() counts back from the
# newest transaction id, so "age >= age(seal)" means "as old as the seal or older", across
# wraparound. Autovacuum workers' own xmin does not hold back other VACUUMs.
_BLOCKERS = """
SELECT 'pg_snapshot', pid::text FROM pg_stat_activity
 WHERE pid <> pg_backend_pid() AND datname = current_database()
   AND backend_type NOT IN ('walsender', 'autovacuum worker')
   AND (age(backend_xmin) >= age(CAST(:x AS xid)) OR age(backend_xid) >= age(CAST(:x AS xid)))
UNION ALL
SELECT 'pg_standby', pid::text FROM pg_stat_activity
 WHERE backend_type = 'walsender' AND age(backend_xmin) >= age(CAST(:x AS xid))
UNION ALL
SELECT 'pg_slot', slot_name::text FROM pg_replication_slots
 WHERE age(xmin) >= age(CAST(:x AS xid))
UNION ALL
SELECT 'pg_prepared', gid FROM pg_prepared_xacts
 WHERE database = current_database() AND age(transaction) >= age(CAST(:x AS xid))
"""
_DEAD = (
    "SELECT relname, n_dead_tup FROM pg_stat_user_tables "
    "WHERE relname IN ('ballot', 'participation', 'named_vote') AND n_dead_tup > 0 "
    "ORDER BY relname"
)
_NOT_VALID = (
    "SELECT conrelid::regclass::text, conname FROM pg_constraint "
    "WHERE NOT convalidated AND contype = 'f' "
    "AND conrelid::regclass::text IN ('ballot', 'participation', 'named_vote') ORDER BY 1, 2"
)


def blockers(conn: Connection, *, seal_xid: int) -> list[tuple[str, str]]:
    """(reason, who) of everything that still sees the rows as they were before the seal."""
    xid = str(seal_xid % 2**32)  # the 32-bit xid of the xid8 recorded at the seal
    return [(str(r), str(w)) for r, w in conn.execute(text(_BLOCKERS), {"x": xid})]


def _postgresql(engine: Engine, *, seal_xid: int | None, lock_timeout_ms: int) -> Outcome:
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql(f"SET lock_timeout = {int(lock_timeout_ms)}")
        try:
            return _vacuum_and_prove(conn, seal_xid=seal_xid)
        except Exception as exc:
            if getattr(getattr(exc, "orig", None), "sqlstate", None) == "55P03":
                return Outcome(False, "pg_lock", ", ".join(BOX_TABLES))
            raise
        finally:
            conn.exec_driver_sql("RESET lock_timeout")


def _vacuum_and_prove(conn: Connection, *, seal_xid: int | None) -> Outcome:
    # The seal of a large box re-added its foreign keys NOT VALID (seal._rewrite_postgresql).
    for table, name in conn.execute(text(_NOT_VALID)).all():
        conn.exec_driver_sql(f'ALTER TABLE {table} VALIDATE CONSTRAINT "{name}"')
    if seal_xid is not None:
        found = blockers(conn, seal_xid=seal_xid)
        if found:
            reason = found[0][0]
            return Outcome(False, reason, ", ".join(w for r, w in found if r == reason)[:300])
    # New files for the box tables and their indexes: no byte of a dead row version is left.
    conn.exec_driver_sql("VACUUM FULL " + ", ".join(BOX_TABLES))
    conn.exec_driver_sql("VACUUM " + ", ".join(BOX_TABLES))  # counts what is still dead
    dead = conn.execute(text(_DEAD)).all()
    if dead:
        return Outcome(False, "pg_dead", ", ".join(f"{t}: {n}" for t, n in dead))
    # VACUUM FULL copies a row version that a snapshot taken meanwhile (an autovacuum's ANALYZE,
    # say) could still see; the plain VACUUM then removed it, but its bytes stay in the page's
    # free space. Now that no dead version is left, one more rewrite leaves none of its bytes.
    conn.exec_driver_sql("VACUUM FULL " + ", ".join(BOX_TABLES))
    return VERIFIED
