"""`governance audit verify | export | head`: output and exit codes."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from governance.auditlog import record_event
from tests.audit.tamper import tamper


def _run(app: Any, *args: str) -> Any:
    return app.test_cli_runner().invoke(args=["audit", *args])


def test_verify_passes_with_exit_0(app: Any, session: Session) -> None:
    record_event(session, event_type="test.event", actor=None)
    session.commit()
    result = _run(app, "verify")
    assert result.exit_code == 0, result.output
    assert "[PASS] chain.hashes" in result.output and "All checks passed." in result.output


def test_verify_fails_with_exit_1_and_says_why(app: Any, engine: Any, session: Session) -> None:
    for i in range(3):
        record_event(session, event_type="test.event", actor=None, payload={"i": i})
    session.commit()
    tamper(engine, "DELETE FROM audit_event WHERE seq = 2")
    result = _run(app, "verify")
    assert result.exit_code == 1
    assert "[FAIL] chain.sequence" in result.output and "event 2 is missing" in result.output
    assert "2 check(s) FAILED." in result.output


def test_verify_unknown_assembly(app: Any) -> None:
    result = _run(app, "verify", "--assembly", "999")
    assert result.exit_code == 1 and "There is no assembly 999." in result.output


def test_export_unknown_poll(app: Any) -> None:
    result = _run(app, "export", "999")
    assert result.exit_code == 1 and "There is no poll 999." in result.output


def test_head(app: Any, session: Session) -> None:
    assert "empty" in _run(app, "head").output
    event = record_event(session, event_type="test.event", actor=None)
    session.commit()
    assert _run(app, "head").output.startswith(f"1 {event.hash} ")
