# ruff: noqa: S608  (table names come from a fixed dict, never from input)
"""Sealing the ballot box at close: rewrite it in random order, Merkle root into the audit chain.

Exact encoding (anyone can recompute it with standard tools):

- leaf = SHA-256 of the UTF-8 text ``v1|<poll id in decimal>|<tracker, 32 lower-case hex
  digits>|<choice>``, e.g. ``printf 'v1|7|00ff…|YES' | sha256sum``. The choice comes last
  and the other fields have fixed formats, so the text is unambiguous.
- The leaves (32-byte digests) are sorted bytewise, so the root does not depend on row order.
- A level is reduced pairwise: node = SHA-256(0x01 || left || right); an odd last node is
  carried up unchanged (no duplication, so no two boxes share a root). The root is the last
  node, written as 64 lower-case hex digits. An empty box has the root SHA-256("") .
- An encrypted ballot (a poll with a key, docs/coopvote.md) has the choice '' in its row; its
  leaf takes the ballot's wire string (``cipher``) as the choice. Before such a box is sealed
  every ballot is checked again (`recheck.verify_box`) and the sums the tellers decrypt are
  stored with the seal.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from sqlalchemy import event, func, select, text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from governance.auditlog import record_event
from governance.ballots.models import Ballot, Participation, Poll, PollState
from governance.ballots.recheck import verify_box
from governance.ballots.scrub import queue_scrub, try_now
from governance.db import is_sqlite, utcnow
from governance.errors import IllegalTransition
from governance.i18n import _l

LEAF_VERSION = "v1"
LEAF_RULE = "sha256(v1|poll|tracker-hex|choice), sorted; node sha256(0x01|l|r)"
LEAF_RULE_ENCRYPTED = "sha256(v1|poll|tracker-hex|cipher), sorted; node sha256(0x01|l|r)"
NODE_PREFIX = b"\x01"


def leaf_hash(poll_id: int, tracker: bytes, choice: str) -> bytes:
    """SHA-256("v1|<poll id>|<tracker hex>|<choice>"), UTF-8."""
    data = f"{LEAF_VERSION}|{poll_id}|{tracker.hex()}|{choice}".encode()
    return hashlib.sha256(data).digest()


def merkle_root(leaves: list[bytes]) -> str:
    """Merkle root (hex) over the sorted leaves; see the module docstring for the rules."""
    level = sorted(leaves)
    if not level:
        return hashlib.sha256(b"").hexdigest()
    while len(level) > 1:
        nxt = [
            hashlib.sha256(NODE_PREFIX + level[i] + level[i + 1]).digest()
            for i in range(0, len(level) - 1, 2)
        ]
        if len(level) % 2:
            nxt.append(level[-1])
        level = nxt
    return level[0].hex()


def box_leaves(session: Session, *, poll_id: int) -> list[bytes]:
    """The leaf hashes of every ballot in the poll's box (unsorted), as `leaf_hash` computes
    them; written out here because sealing hashes 100,000 ballots in well under a second."""
    rows = session.execute(
        select(Ballot.tracker, Ballot.choice, Ballot.cipher).where(Ballot.poll_id == poll_id)
    )
    prefix = f"{LEAF_VERSION}|{poll_id}|".encode()
    tails: dict[str, bytes] = {}
    sha256 = hashlib.sha256
    leaves = []
    for tracker, choice, cipher in rows:
        if cipher is not None:  # an encrypted ballot: the leaf covers its full encoding
            tail = b"|" + cipher.encode()
        else:
            tail = tails.get(choice)
            if tail is None:
                tail = tails[choice] = b"|" + choice.encode()
        leaves.append(sha256(prefix + bytes(tracker).hex().encode() + tail).digest())
    return leaves


def box_root(session: Session, *, poll_id: int) -> str:
    """The Merkle root of the poll's ballot box as it is now."""
    return merkle_root(box_leaves(session, poll_id=poll_id))


def seal_poll(
    session: Session, *, poll: Poll, actor: Any | None, workers: int | None = None
) -> str:
    """CLOSED → SEALED: re-verify an encrypted box, rewrite the box unlinkably, compute and
    record the root; returns it. `workers`: processes for the re-verification (default: one
    per core)."""
    if poll.state != PollState.CLOSED:
        raise IllegalTransition(_l("Only a closed poll can be sealed."))
    assert poll.id is not None
    if poll.is_encrypted:
        poll.sums = verify_box(session, poll=poll, workers=workers)
    _rewrite(session, poll_id=poll.id)
    root = box_root(session, poll_id=poll.id)
    ballots = session.scalar(select(func.count()).where(Ballot.poll_id == poll.id)) or 0
    participations = (
        session.scalar(select(func.count()).where(Participation.poll_id == poll.id)) or 0
    )
    poll.seal(now=utcnow(), root=root)
    session.add(poll)
    session.flush()
    _queue_scrub(session, poll=poll)
    record_event(
        session,
        event_type="poll.sealed",
        actor=actor,
        object_type="poll",
        object_id=poll.id,
        assembly_id=poll.assembly_id,
        payload={
            "poll_id": poll.id,
            "merkle_root": root,
            "leaf": LEAF_RULE_ENCRYPTED if poll.is_encrypted else LEAF_RULE,
            "ballots": ballots,
            "participations": participations,
            "roll_hash": poll.roll_hash,
            **({"sums": json.loads(poll.sums or "null")} if poll.is_encrypted else {}),
        },
    )
    return root


_SCRUB_KEY = "governance.scrub_polls"


def _queue_scrub(session: Session, *, poll: Poll) -> None:
    """Queue the scrub job with the seal, and try it once right after the commit."""
    queue_scrub(session, poll=poll)
    pending = session.info.setdefault(_SCRUB_KEY, [])
    if not pending:
        event.listen(session, "after_commit", _scrub_after_commit, once=True)
    pending.append(poll.id)


def _rewrite(session: Session, *, poll_id: int) -> None:
    """Delete and re-insert the poll's rows: ballots in random order, the rest by member.

    The ballots are re-inserted in the order of their trackers: 16 bytes from the operating
    system's CSPRNG, drawn independently of who cast them and when, so this order is a
    uniformly random permutation of the order of casting (and the one the box is published
    in anyway). Inserting in key order is also what keeps the B-trees compact and the seal
    fast. Afterwards physical order no longer follows the order of casting, and on PostgreSQL
    every row carries the sealing transaction's xmin (before, a ballot and its participation
    shared the xmin of their cast).
    """
    if is_sqlite(session):
        _rewrite_sqlite(session, poll_id=poll_id)
    else:
        _rewrite_postgresql(session, poll_id=poll_id)


_PG_REWRITE = [
    "WITH old AS (DELETE FROM ballot WHERE poll_id = :p RETURNING tracker, choice, cipher) "
    "INSERT INTO ballot (tracker, poll_id, choice, cipher) "
    "SELECT tracker, :p, choice, cipher FROM old ORDER BY tracker",
    "WITH old AS (DELETE FROM participation WHERE poll_id = :p "
    "RETURNING member_id, cast_by_member_id, cast_by_user_id, channel) "
    "INSERT INTO participation (poll_id, member_id, cast_by_member_id, cast_by_user_id, channel) "
    "SELECT :p, member_id, cast_by_member_id, cast_by_user_id, channel FROM old "
    "ORDER BY member_id",
    "WITH old AS (DELETE FROM named_vote WHERE poll_id = :p RETURNING member_id, choice) "
    "INSERT INTO named_vote (poll_id, member_id, choice) "
    "SELECT :p, member_id, choice FROM old ORDER BY member_id",
]
BOX_TABLES = ("ballot", "participation", "named_vote")
BULK_FK_THRESHOLD = 5000  # ballots; below, row-by-row checks cost less than a table lock
_FKS = (
    "SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c "
    "WHERE c.contype = 'f' AND c.conrelid::regclass::text IN ('ballot', 'participation', 'named_vote') "
    "ORDER BY 1, 2"
)
_ORPHANS = (
    "SELECT count(*) FROM participation p WHERE p.poll_id = :p AND (NOT EXISTS "
    "(SELECT 1 FROM member m WHERE m.id = p.member_id) OR (p.cast_by_member_id IS NOT NULL "
    "AND NOT EXISTS (SELECT 1 FROM member m WHERE m.id = p.cast_by_member_id)) "
    "OR (p.cast_by_user_id IS NOT NULL AND NOT EXISTS "
    '(SELECT 1 FROM "user" u WHERE u.id = p.cast_by_user_id)))'
)


def _rewrite_postgresql(session: Session, *, poll_id: int) -> None:
    """The rewrite; for a large box with the foreign keys checked in bulk, not row by row.

    Re-inserting 100,000 ballots and participations would run 400,000 row-by-row foreign-key
    checks (seconds). From BULK_FK_THRESHOLD ballots on, the constraints are dropped inside
    this transaction and re-added NOT VALID (enforced again for every later row); the
    rewritten rows referenced existing rows before and the locks taken here keep them
    existing, which one anti-join confirms. After the commit each constraint is validated
    again over the whole table (by the scrub job, `scrub_probe`). Meanwhile the box tables and the tables they refer
    to (poll, member, user) are locked exclusively: the app waits for the seal (about a second per
    100,000 ballots). Smaller boxes are rewritten with the constraints in place.
    """
    size = session.scalar(select(func.count()).where(Ballot.poll_id == poll_id)) or 0
    # The rows are sorted on the way back in: in memory for this transaction, not spilled to
    # disk (the default 4 MB hold about 60,000 ballots).
    session.execute(text("SET LOCAL work_mem = '64MB'"))
    if size < BULK_FK_THRESHOLD:
        for statement in _PG_REWRITE:
            session.execute(text(statement), {"p": poll_id})
        return
    fks = [tuple(r) for r in session.execute(text(_FKS))]
    for table, name, _definition in fks:
        session.execute(text(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"'))
    for statement in _PG_REWRITE:
        session.execute(text(statement), {"p": poll_id})
    for table, name, definition in fks:
        session.execute(text(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition} NOT VALID'))
    if session.scalar(text(_ORPHANS), {"p": poll_id}):
        raise RuntimeError("sealing found participations of unknown members")


_SQLITE_TABLES = {
    "ballot": ("tracker, poll_id, choice, cipher", "tracker"),
    "participation": (
        "poll_id, member_id, cast_by_member_id, cast_by_user_id, channel",
        "member_id",
    ),
    "named_vote": ("poll_id, member_id, choice", "member_id"),
}


def _rewrite_sqlite(session: Session, *, poll_id: int) -> None:
    conn = session.connection()
    # Freed pages are overwritten with zeros, not left with the old rows in the file.
    conn.exec_driver_sql("PRAGMA secure_delete = ON")
    for table, (cols, order) in _SQLITE_TABLES.items():
        tmp = f"temp.seal_{table}"
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS {tmp}")
        conn.exec_driver_sql(
            f"CREATE TABLE {tmp} AS SELECT {cols} FROM {table} WHERE poll_id = ?", (poll_id,)
        )
        conn.exec_driver_sql(f"DELETE FROM {table} WHERE poll_id = ?", (poll_id,))
        conn.exec_driver_sql(
            f"INSERT INTO {table} ({cols}) SELECT {cols} FROM {tmp} ORDER BY {order}"
        )
        conn.exec_driver_sql(f"DROP TABLE {tmp}")


def _scrub_after_commit(session: Session) -> None:
    """Right after the seal's commit: one quick scrub attempt (the worker does the rest)."""
    bind = session.get_bind()
    poll_ids = session.info.pop(_SCRUB_KEY, [])
    try_now(bind if isinstance(bind, Engine) else bind.engine, poll_ids=poll_ids)
