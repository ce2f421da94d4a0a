"""Appending to and reading the audit chain (free of Flask)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any, Generic, TypeVar

from sqlalchemy import func, select
from sqlmodel import Session

from governance.auditlog import AuditEvent

T = TypeVar("T")


# --- reading the log ------------------------------------------------------------------------


@dataclass(frozen=True)
class LogFilter:
    """What the audit log browser filters on; None means no filter."""

    actor: str | None = None
    event_type: str | None = None
    since: date | None = None
    until: date | None = None
    assembly_id: int | None = None


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a result: `items`, page `number` (from 1), `pages` and `total`."""

    items: list[T]
    number: int
    pages: int
    total: int


def _day_start(day: date, tz: tzinfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=tz).astimezone(UTC)


def _conditions(filters: LogFilter, tz: tzinfo) -> list[Any]:
    conds: list[Any] = []
    if filters.actor:
        pattern = "%" + filters.actor.strip().lower().replace("%", r"\%").replace("_", r"\_") + "%"
        conds.append(func.lower(AuditEvent.actor_label).like(pattern, escape="\\"))
    if filters.event_type:
        conds.append(AuditEvent.event_type == filters.event_type)
    if filters.since:
        conds.append(AuditEvent.occurred_at >= _day_start(filters.since, tz))
    if filters.until:
        conds.append(AuditEvent.occurred_at < _day_start(filters.until + timedelta(days=1), tz))
    if filters.assembly_id is not None:
        conds.append(AuditEvent.assembly_id == filters.assembly_id)
    return conds


def search_events(
    session: Session,
    *,
    filters: LogFilter,
    tz: tzinfo = UTC,
    page: int = 1,
    per_page: int = 50,
) -> Page[AuditEvent]:
    """Events matching `filters`, newest first, one page; dates are days in `tz`."""
    conds = _conditions(filters, tz)
    total = int(session.execute(select(func.count(AuditEvent.id)).where(*conds)).scalar_one())
    pages = max(1, -(-total // per_page))
    number = min(max(1, page), pages)
    items = (
        session.execute(
            select(AuditEvent)
            .where(*conds)
            .order_by(AuditEvent.seq.desc())
            .offset((number - 1) * per_page)
            .limit(per_page)
        )
        .scalars()
        .all()
    )
    return Page(items=list(items), number=number, pages=pages, total=total)


def event_types(session: Session) -> list[str]:
    """Every event type that occurs in the log, sorted."""
    rows = session.execute(select(AuditEvent.event_type).distinct().order_by(AuditEvent.event_type))
    return [row[0] for row in rows]


def event_by_seq(session: Session, seq: int) -> AuditEvent | None:
    """The event with sequence number `seq`, if any."""
    return session.execute(select(AuditEvent).where(AuditEvent.seq == seq)).scalar_one_or_none()


def chain_head(session: Session) -> AuditEvent | None:
    """The newest event: its hash covers the whole chain."""
    return session.execute(
        select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1)
    ).scalar_one_or_none()


def type_counts(session: Session, *, assembly_id: int) -> list[tuple[str, int]]:
    """How often each event type occurs for one assembly."""
    rows = session.execute(
        select(AuditEvent.event_type, func.count(AuditEvent.id))
        .where(AuditEvent.assembly_id == assembly_id)
        .group_by(AuditEvent.event_type)
        .order_by(AuditEvent.event_type)
    )
    return [(str(t), int(n)) for t, n in rows]


def payload_of(event: AuditEvent) -> dict[str, Any]:
    """The event's payload as a dict ({} when it is not valid JSON)."""
    try:
        data = json.loads(event.payload)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}
