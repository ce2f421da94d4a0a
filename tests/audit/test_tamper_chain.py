"""Tampering with the audit chain past the triggers is detected and named (both databases)."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from governance.audit.verify import verify
from governance.auditlog import record_event
from tests.audit.conftest import failed
from tests.audit.tamper import tamper


def _chain(session: Session, n: int = 5) -> None:
    for i in range(n):
        record_event(session, event_type="poll.opened", actor=None, payload={"i": i})
    session.commit()


def test_untouched_chain_passes(session: Session) -> None:
    _chain(session)
    assert verify(session).ok


def test_edited_payload_is_detected(engine: Any, session: Session) -> None:
    _chain(session)
    tamper(engine, "UPDATE audit_event SET payload = :p WHERE seq = 3", p='{"i":99}')
    problems = failed(verify(session))
    assert set(problems) == {"chain:chain.hashes"}
    assert "event 3 (poll.opened) was changed" in problems["chain:chain.hashes"][0]


def test_edited_type_with_valid_looking_hash_is_detected(engine: Any, session: Session) -> None:
    """An attacker who recomputes the edited event's own hash breaks the next link."""
    from governance.audit.services import event_by_seq
    from governance.auditlog import chain_hash, event_body

    _chain(session)
    event = event_by_seq(session, 2)
    assert event is not None
    event.event_type = "poll.published"
    forged = chain_hash(event.prev_hash, event_body(event))
    session.rollback()
    tamper(
        engine,
        "UPDATE audit_event SET event_type = 'poll.published', hash = :h WHERE seq = 2",
        h=forged,
    )
    problems = failed(verify(session))
    assert set(problems) == {"chain:chain.links"}
    assert problems["chain:chain.links"][0].startswith("event 3 names predecessor")


def test_unreadable_payload_is_detected(engine: Any, session: Session) -> None:
    _chain(session)
    tamper(engine, "UPDATE audit_event SET payload = 'not json' WHERE seq = 1")
    problems = failed(verify(session))
    assert problems == {"chain:chain.hashes": ["event 1 (poll.opened): its content cannot be read"]}


def test_dropped_event_in_the_middle_is_detected(engine: Any, session: Session) -> None:
    _chain(session)
    tamper(engine, "DELETE FROM audit_event WHERE seq = 3")
    problems = failed(verify(session))
    assert problems["chain:chain.sequence"] == ["event 3 is missing"]
    assert problems["chain:chain.links"][0].startswith("event 4 names predecessor")
    assert "chain:chain.hashes" not in problems


def test_dropped_events_name_the_range(engine: Any, session: Session) -> None:
    _chain(session, 6)
    tamper(engine, "DELETE FROM audit_event WHERE seq IN (2, 3, 4)")
    assert failed(verify(session))["chain:chain.sequence"] == ["events 2 to 4 are missing"]


def test_dropped_first_event_is_detected(engine: Any, session: Session) -> None:
    _chain(session)
    tamper(engine, "DELETE FROM audit_event WHERE seq = 1")
    problems = failed(verify(session))
    assert problems["chain:chain.sequence"] == ["event 1 is missing"]
    assert "chain:chain.links" in problems
