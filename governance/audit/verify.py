"""The secretary's audit: the hash chain, the frozen roll and every poll (ballots.md).

Every check reports pass, fail or skip, and on failure what differs. Nothing here writes
(except `record_audit`). Texts stay lazy: they are rendered in the reader's language by the
page, or by the CLI under `force_locale`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from governance.audit.checks import Report, Section, Status, check
from governance.audit.verify_polls import assembly_sections
from governance.auditlog import GENESIS, AuditEvent, chain_hash, event_body
from governance.i18n import _l, ngettext

# --- the hash chain -----------------------------------------------------------------------


def _events(session: Session) -> Iterator[AuditEvent]:
    stmt = select(AuditEvent).order_by(AuditEvent.seq).execution_options(yield_per=500)
    yield from session.execute(stmt).scalars()


def _recomputed(event: AuditEvent) -> str | None:
    try:
        return chain_hash(event.prev_hash, event_body(event))
    except (ValueError, TypeError, AttributeError):
        return None  # the payload is no longer valid JSON, or a column lost its type


def _short(value: str | None) -> str:
    return (value or "-")[:16] + "…"


def _gap(expected: int, got: int) -> Any:
    if got < expected:
        return _l("event %(got)d follows event %(prev)d", got=got, prev=expected - 1)
    if got == expected + 1:
        return _l("event %(n)d is missing", n=expected)
    return _l("events %(a)d to %(b)d are missing", a=expected, b=got - 1)


def _hash_difference(event: AuditEvent) -> Any | None:
    recomputed = _recomputed(event)
    if recomputed == event.hash:
        return None
    if recomputed is None:
        return _l(
            "event %(n)d (%(t)s): its content cannot be read", n=event.seq, t=event.event_type
        )
    return _l(
        "event %(n)d (%(t)s) was changed: stored hash %(s)s, recomputed %(r)s",
        n=event.seq,
        t=event.event_type,
        s=_short(event.hash),
        r=_short(recomputed),
    )


def _link_difference(event: AuditEvent, prev_hash: str) -> Any | None:
    if event.prev_hash == prev_hash:
        return None
    return _l(
        "event %(n)d names predecessor %(s)s, but the preceding event's hash is %(p)s",
        n=event.seq,
        s=_short(event.prev_hash),
        p=_short(prev_hash),
    )


def verify_chain(session: Session) -> Section:
    """Recompute every hash, follow every link, and find gaps in the sequence."""
    gaps: list[Any] = []
    links: list[Any] = []
    hashes: list[Any] = []
    expected_seq, prev_hash, count = 1, GENESIS, 0
    for event in _events(session):
        count += 1
        if event.seq != expected_seq:
            gaps.append(_gap(expected_seq, event.seq))
        if (diff := _link_difference(event, prev_hash)) is not None:
            links.append(diff)
        if (diff := _hash_difference(event)) is not None:
            hashes.append(diff)
        expected_seq, prev_hash = event.seq + 1, event.hash
    events = ngettext("%(num)d event", "%(num)d events", count)
    title = _l("Audit chain (%(n)s, head %(h)s)", n=events, h=_short(prev_hash))
    return Section(
        key="chain",
        title=title,
        checks=[
            check("chain.sequence", _l("No event is missing from the sequence"), gaps),
            check("chain.links", _l("Each event names its predecessor's hash"), links),
            check("chain.hashes", _l("Every event's hash recomputes"), hashes),
        ],
    )


def verify(session: Session, *, assembly_id: int | None = None) -> Report:
    """The chain, then the roll and polls of one assembly (or of every assembly)."""
    report = Report(sections=[verify_chain(session)])
    report.sections.extend(assembly_sections(session, assembly_id=assembly_id))
    return report


def record_audit(
    session: Session, *, report: Report, actor: Any | None, assembly_id: int | None
) -> AuditEvent:
    """Write the outcome of an audit into the chain; the head it saw is anchored there."""
    from governance.audit.services import chain_head
    from governance.auditlog import record_event

    head = chain_head(session)
    return record_event(
        session,
        event_type="audit.verified",
        actor=actor,
        assembly_id=assembly_id,
        payload={
            "passed": report.ok,
            "failed": sorted(report.codes(Status.FAIL)),
            "head_seq": head.seq if head else 0,
            "head_hash": head.hash if head else GENESIS,
        },
    )
