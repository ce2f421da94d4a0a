"""Appending to and reading the audit chain (free of Flask)."""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import select, text
from sqlmodel import Session

from governance.audit.models import GENESIS, AuditEvent
from governance.db import utcnow


def _default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, bytes):
        return value.hex()
    raise TypeError(f"not serialisable in the audit log: {type(value).__name__}")


def canonical(data: dict[str, Any]) -> str:
    """Canonical JSON: sorted keys, no whitespace, UTF-8 kept."""
    return json.dumps(
        data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_default
    )


def event_body(event: AuditEvent) -> str:
    """The canonical text an event's hash covers (everything but the hashes)."""
    return canonical(
        {
            "seq": event.seq,
            "occurred_at": event.occurred_at.isoformat(),
            "actor_user_id": event.actor_user_id,
            "actor": event.actor_label,
            "type": event.event_type,
            "object_type": event.object_type,
            "object_id": event.object_id,
            "assembly_id": event.assembly_id,
            "payload": json.loads(event.payload),
        }
    )


def chain_hash(prev_hash: str, body: str) -> str:
    """hash = SHA-256(previous hash + canonical payload)."""
    return hashlib.sha256((prev_hash + body).encode("utf-8")).hexdigest()


def record_event(
    session: Session,
    *,
    event_type: str,
    actor: Any | None,
    payload: dict[str, Any] | None = None,
    object_type: str | None = None,
    object_id: Any | None = None,
    assembly_id: int | None = None,
) -> AuditEvent:
    """Append one event to the chain. `actor` is a User or None (the system)."""
    if session.get_bind().dialect.name == "postgresql":
        # Serialize appends: concurrent transactions would read the same last hash.
        session.execute(text("SELECT pg_advisory_xact_lock(7283001)"))
    last = session.execute(
        select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)
    ).first()
    seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
    event = AuditEvent(
        seq=seq,
        occurred_at=utcnow(),
        actor_user_id=getattr(actor, "id", None),
        actor_label=getattr(actor, "email", None) or "system",
        event_type=event_type,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        assembly_id=assembly_id,
        payload=canonical(payload or {}),
        prev_hash=prev,
        hash="",
    )
    event.hash = chain_hash(prev, event_body(event))
    session.add(event)
    session.flush()
    return event
