"""The audit log: the append-only chain of administrative events and `record_event`.

The bottom layer of the house: every domain records its events here, and this module depends
only on the database layer. Each event's hash covers its predecessor's hash and its canonical
JSON body, so no event in the middle of the chain can change unnoticed; triggers refuse UPDATE
and DELETE. Verifying the chain and reading it for pages live above, in `governance.audit`.
"""

import hashlib
import json
import logging
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import Column, ForeignKey, Index, Integer, String, Text, select, text
from sqlmodel import Field, Session, SQLModel

from governance.db import UTCDateTime, utcnow
from governance.ddl import register_append_only

GENESIS = "0" * 64
log = logging.getLogger(__name__)


class AuditEvent(SQLModel, table=True):
    """One administrative event. Never updated or deleted (triggers refuse it)."""

    __tablename__ = "audit_event"
    __table_args__ = (
        Index("ix_audit_event_type", "event_type"),
        Index("ix_audit_event_assembly", "assembly_id"),
        Index("ix_audit_event_actor", "actor_user_id"),
        Index("ix_audit_event_occurred", "occurred_at"),
        Index("ix_audit_event_object", "object_type", "object_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    # seq and prev_hash are unique: the chain cannot fork, even under concurrent appends.
    seq: int = Field(sa_column=Column(Integer, nullable=False, unique=True))
    occurred_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
    actor_user_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("user.id", ondelete="RESTRICT"), nullable=True),
    )
    actor_label: str = Field(sa_column=Column(String(254), nullable=False))
    event_type: str = Field(sa_column=Column(String(64), nullable=False))
    object_type: str | None = Field(default=None, sa_column=Column(String(64), nullable=True))
    object_id: str | None = Field(default=None, sa_column=Column(String(64), nullable=True))
    assembly_id: int | None = Field(default=None, sa_column=Column(Integer, nullable=True))
    payload: str = Field(sa_column=Column(Text, nullable=False))
    prev_hash: str = Field(sa_column=Column(String(64), nullable=False, unique=True))
    hash: str = Field(sa_column=Column(String(64), nullable=False, unique=True))


register_append_only("audit_event")


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


# Built once: every audited write runs them (issue #19: the members' joining beat is one).
_HEAD = select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)
_APPEND = AuditEvent.__table__.insert().returning(AuditEvent.__table__.c.id)
_SERIALIZE = text("SELECT pg_advisory_xact_lock(7283001)")


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
    """Append one event to the chain. `actor` is a User or None (the system). The event is
    inserted with Core (no unit of work for it) after what the session holds is flushed; the
    returned event carries its id, sequence number and hashes but is not in the session."""
    if session.get_bind().dialect.name == "postgresql":
        # Serialize appends: concurrent transactions would read the same last hash.
        session.execute(_SERIALIZE)
    last = session.execute(_HEAD).first()  # flushes the session's pending changes first
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
    values = {c: getattr(event, c) for c in _COLUMNS}
    event.id = session.connection().execute(_APPEND, values).scalar_one()
    # Type, number and object only: payloads are for the chain, not for log files.
    log.info("audit #%s %s %s %s", seq, event_type, object_type or "-", event.object_id or "-")
    return event


_COLUMNS = tuple(c.name for c in AuditEvent.__table__.columns if c.name != "id")
