"""The audit chain: administrative events, each hashing its predecessor."""

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Index, Integer, String, Text
from sqlmodel import Field, SQLModel

from governance.db import UTCDateTime, utcnow
from governance.ddl import register_append_only

GENESIS = "0" * 64


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
