"""The audit chain: appends, the append-only triggers, and the chain checks."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError
from sqlmodel import Session

from governance.audit.services import chain_head
from governance.audit.verify import Status, verify, verify_chain
from governance.auditlog import GENESIS, record_event


def _append(session: Session, n: int) -> None:
    for i in range(n):
        record_event(session, event_type="test.event", actor=None, payload={"i": i, "ä": "ß"})
    session.commit()


def test_empty_chain_passes(session: Session) -> None:
    section = verify_chain(session)
    assert section.ok
    assert [c.code for c in section.checks] == ["chain.sequence", "chain.links", "chain.hashes"]


def test_chain_links_and_verifies(session: Session) -> None:
    _append(session, 5)
    head = chain_head(session)
    assert head is not None and head.seq == 5
    section = verify_chain(session)
    assert section.ok, section.checks
    assert all(c.status == Status.PASS for c in section.checks)


def test_first_event_follows_genesis(session: Session) -> None:
    event = record_event(session, event_type="test.event", actor=None)
    assert (event.seq, event.prev_hash) == (1, GENESIS)


def test_chain_verifies_from_a_fresh_session(app: Any, session: Session) -> None:
    """Timestamps and payloads round-trip through the database unchanged."""
    from governance.db import new_session

    _append(session, 3)
    with new_session(app.extensions["governance.engine"]) as fresh:
        assert verify(fresh).ok


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE audit_event SET payload = '{}' WHERE seq = 1",
        "UPDATE audit_event SET hash = hash WHERE seq = 1",
        "DELETE FROM audit_event WHERE seq = 1",
    ],
)
def test_raw_sql_cannot_change_events(engine: Any, session: Session, sql: str) -> None:
    """The triggers refuse UPDATE and DELETE on both databases, past any Python code."""
    _append(session, 1)
    with pytest.raises(DatabaseError, match="append-only"), engine.begin() as conn:
        conn.execute(text(sql))


def test_duplicate_sequence_is_refused(engine: Any, session: Session) -> None:
    """seq and prev_hash are unique: the chain cannot fork."""
    _append(session, 1)
    head = chain_head(session)
    assert head is not None
    with pytest.raises(DatabaseError), engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO audit_event (seq, occurred_at, actor_label, event_type, payload,"
                " prev_hash, hash) VALUES (1, :t, 'x', 'fork', '{}', :p, :h)"
            ),
            {"t": head.occurred_at, "p": GENESIS, "h": "f" * 64},
        )
