"""The audit pages: log filters and pagination, event, verification, assembly summary."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session

from governance.accounts.models import Role
from governance.assemblies.models import Assembly
from governance.audit.services import chain_head
from governance.auditlog import record_event
from tests.audit.tamper import tamper


def _assembly(session: Session, title: str = "GV 2025") -> Assembly:
    assembly = Assembly(title=title, starts_at=datetime(2025, 6, 1, 16, tzinfo=UTC))
    session.add(assembly)
    session.commit()
    return assembly


def test_log_lists_and_filters(login: Any, session: Session) -> None:
    client = login(roles=[Role.SECRETARY])
    assembly = _assembly(session)
    record_event(session, event_type="poll.opened", actor=None, assembly_id=assembly.id)
    record_event(session, event_type="mandate.registered", actor=None)
    session.commit()
    page = client.get("/audit/").get_data(as_text=True)
    assert "poll.opened" in page and "mandate.registered" in page and "user.login" in page
    page = client.get("/audit/?event_type=poll.opened").get_data(as_text=True)
    assert "<td>vote opened</td>" in page and "<td>mandate registered</td>" not in page
    page = client.get(f"/audit/?assembly={assembly.id}").get_data(as_text=True)
    assert "<td>vote opened</td>" in page and "<td>logged in</td>" not in page
    page = client.get("/audit/?actor=SYSTEM").get_data(as_text=True)
    assert "<td>vote opened</td>" in page and "<td>logged in</td>" not in page


def test_log_filters_by_date(login: Any, session: Session) -> None:
    client = login(roles=[Role.SECRETARY])
    today = datetime.now(UTC).date().isoformat()
    assert "user.login" in client.get(f"/audit/?since={today}").get_data(as_text=True)
    page = client.get("/audit/?until=2000-01-01").get_data(as_text=True)
    assert "No events match these filters." in page
    bad = client.get("/audit/?since=2025-02-01&until=2025-01-01").get_data(as_text=True)
    assert "The end lies before the start." in bad


def test_log_paginates(login: Any, session: Session) -> None:
    client = login(roles=[Role.SUPERVISORY_BOARD])
    for i in range(60):
        record_event(session, event_type="test.bulk", actor=None, payload={"i": i})
    session.commit()
    first = client.get("/audit/?event_type=test.bulk").get_data(as_text=True)
    assert "Page 1 of 2" in first and "event_type=test.bulk&amp;page=2" in first.replace(
        "page=2&amp;event_type=test.bulk", "event_type=test.bulk&amp;page=2"
    )
    second = client.get("/audit/?event_type=test.bulk&page=2").get_data(as_text=True)
    assert "Page 2 of 2" in second and second.count("<td>test.bulk</td>") == 10


def test_event_page_shows_payload_and_hashes(login: Any, session: Session) -> None:
    client = login(roles=[Role.SECRETARY])
    event = record_event(session, event_type="poll.sealed", actor=None, payload={"root": "ab"})
    session.commit()
    page = client.get(f"/audit/events/{event.seq}").get_data(as_text=True)
    assert event.hash in page and event.prev_hash in page and "root" in page
    assert client.get("/audit/events/9999").status_code == 404


def test_verify_page_passes_then_names_tampering(login: Any, engine: Any, session: Session) -> None:
    client = login(roles=[Role.SECRETARY])
    page = client.get("/audit/verify").get_data(as_text=True)
    assert "All checks passed" in page
    tamper(engine, "UPDATE audit_event SET payload = :p WHERE seq = 1", p='{"x":1}')
    page = client.get("/audit/verify").get_data(as_text=True)
    assert "1 check failed" in page and "event 1 (user.login) was changed" in page


def test_secretary_records_the_audit(login: Any, session: Session) -> None:
    client = login(roles=[Role.SECRETARY])
    assert client.post("/audit/verify").status_code == 302
    head = chain_head(session)
    assert head is not None and head.event_type == "audit.verified"
    assert head.actor_user_id == client.user.id
    assert '"passed":true' in head.payload


def test_supervisory_board_reads_only(login: Any) -> None:
    client = login(roles=[Role.SUPERVISORY_BOARD])
    page = client.get("/audit/verify").get_data(as_text=True)
    assert "Record this audit in the chain" not in page
    assert client.post("/audit/verify").status_code == 403


def test_assembly_summary(login: Any, session: Session) -> None:
    client = login(roles=[Role.SECRETARY])
    assembly = _assembly(session, "Generalversammlung 2025")
    record_event(session, event_type="assembly.convened", actor=None, assembly_id=assembly.id)
    session.commit()
    assert "Generalversammlung 2025" in client.get("/audit/assemblies").get_data(as_text=True)
    page = client.get(f"/audit/assemblies/{assembly.id}").get_data(as_text=True)
    assert "assembly.convened" in page and "not frozen" in page
    assert client.get("/audit/assemblies/9999").status_code == 404


def test_unknown_assembly_on_verify_is_404(login: Any) -> None:
    assert login(roles=[Role.SECRETARY]).get("/audit/verify?assembly=9999").status_code == 404


def test_verifier_download_is_the_shipped_file(login: Any) -> None:
    from governance.audit.views import VERIFIER

    response = login(roles=[Role.SUPERVISORY_BOARD]).get("/audit/verify_bundle.py")
    assert response.status_code == 200
    assert response.data == VERIFIER.read_bytes()


def test_dashboard_and_nav_link_the_audit(login: Any) -> None:
    page = login(roles=[Role.SECRETARY]).get("/").get_data(as_text=True)
    assert 'href="/audit/verify"' in page and 'href="/audit/assemblies"' in page
    assert 'href="/audit/"' in login(roles=[Role.SUPERVISORY_BOARD]).get("/").get_data(as_text=True)
    assert 'href="/audit/"' not in login(roles=[Role.BOARD]).get("/").get_data(as_text=True)
