"""The minutes of an assembly (Niederschrift, §47 GenG): draft, renderings, approvals, versions.

The draft is the secretary's text per agenda item; every edit raises `Minutes.revision`. A
rendering (`RenderJob`) turns one revision into PDF bytes; approvals are given over the SHA-256
of exactly those bytes, so an edit (new revision, new rendering) leaves earlier approvals behind.
Publication copies the approved bytes into `MinutesVersion`, which the database never lets
change or disappear (triggers on SQLite and PostgreSQL; PostgreSQL also checks the hash).
"""

import enum
from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel

from governance.db import UTCDateTime, str_enum, utcnow


def _fk(target: str, *, ondelete: str = "RESTRICT", nullable: bool = False) -> Column:
    return Column(Integer, ForeignKey(target, ondelete=ondelete), nullable=nullable)


class Minutes(SQLModel, table=True):
    """The draft minutes of one assembly; `revision` counts every change of the draft."""

    __tablename__ = "minutes"
    __table_args__ = (CheckConstraint("revision >= 1", name="ck_minutes_revision"),)

    id: int | None = Field(default=None, primary_key=True)
    assembly_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("assembly.id", ondelete="RESTRICT"), nullable=False, unique=True
        )
    )
    revision: int = Field(default=1, sa_column=Column(Integer, nullable=False))
    # Opening (welcome, quorum, formalities) and closing remarks of the secretary.
    preamble: str = Field(default="", sa_column=Column(Text, nullable=False))
    closing: str = Field(default="", sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
    created_by_id: int | None = Field(default=None, sa_column=_fk("user.id", nullable=True))
    updated_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
    updated_by_id: int | None = Field(default=None, sa_column=_fk("user.id", nullable=True))


class MinutesItem(SQLModel, table=True):
    """The secretary's record of one agenda item: discussion and motions from the floor."""

    __tablename__ = "minutes_item"
    __table_args__ = (UniqueConstraint("minutes_id", "agenda_item_id", name="uq_minutes_item"),)

    id: int | None = Field(default=None, primary_key=True)
    minutes_id: int = Field(sa_column=_fk("minutes.id", ondelete="CASCADE"))
    agenda_item_id: int = Field(sa_column=_fk("agenda_item.id"))
    discussion: str = Field(default="", sa_column=Column(Text, nullable=False))
    motions: str = Field(default="", sa_column=Column(Text, nullable=False))
    updated_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )


class Objection(SQLModel, table=True):
    """A member's objection for the minutes (Widerspruch zu Protokoll, §51 GenG)."""

    __tablename__ = "minutes_objection"
    __table_args__ = (
        UniqueConstraint(
            "minutes_id", "agenda_item_id", "member_id", name="uq_minutes_objection_member"
        ),
        Index("ix_minutes_objection_item", "minutes_id", "agenda_item_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    minutes_id: int = Field(sa_column=_fk("minutes.id", ondelete="CASCADE"))
    agenda_item_id: int = Field(sa_column=_fk("agenda_item.id"))
    # The resolution objected to, when the item had more than one poll.
    poll_id: int | None = Field(default=None, sa_column=_fk("poll.id", nullable=True))
    member_id: int = Field(sa_column=_fk("member.id"))
    statement: str = Field(default="", sa_column=Column(Text, nullable=False))
    recorded_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
    recorded_by_id: int | None = Field(default=None, sa_column=_fk("user.id", nullable=True))


class RenderStatus(enum.StrEnum):
    QUEUED = "QUEUED"
    RUNNING = "RUNNING"
    DONE = "DONE"
    FAILED = "FAILED"


class RenderJob(SQLModel, table=True):
    """One rendering of one draft revision to PDF; run in the request or by the worker."""

    __tablename__ = "minutes_render"
    __table_args__ = (
        CheckConstraint(
            "status <> 'DONE' OR (pdf IS NOT NULL AND length(pdf_sha256) = 64"
            " AND length(source_sha256) = 64 AND page_count >= 1)",
            name="ck_minutes_render_done",
        ),
        Index("ix_minutes_render_minutes", "minutes_id", "id"),
        Index("ix_minutes_render_status", "status", "requested_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    minutes_id: int = Field(sa_column=_fk("minutes.id", ondelete="CASCADE"))
    revision: int = Field(sa_column=Column(Integer, nullable=False))
    status: RenderStatus = Field(
        default=RenderStatus.QUEUED,
        sa_column=Column(str_enum(RenderStatus, "render_status"), nullable=False),
    )
    requested_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
    requested_by_id: int | None = Field(default=None, sa_column=_fk("user.id", nullable=True))
    started_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    finished_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    error: str | None = Field(default=None, sa_column=Column(String(500), nullable=True))
    participant_count: int | None = Field(default=None, sa_column=Column(Integer, nullable=True))
    page_count: int | None = Field(default=None, sa_column=Column(Integer, nullable=True))
    # SHA-256 of the canonical content the PDF was rendered from (see document.fingerprint).
    source_sha256: str | None = Field(default=None, sa_column=Column(String(64), nullable=True))
    pdf: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    pdf_sha256: str | None = Field(default=None, sa_column=Column(String(64), nullable=True))


class Capacity(enum.StrEnum):
    """In which capacity someone signs the minutes (§47(2) GenG)."""

    CHAIR = "CHAIR"
    BOARD = "BOARD"


class Approval(SQLModel, table=True):
    """A signature in the app: who approved which exact PDF bytes, and when."""

    __tablename__ = "minutes_approval"
    __table_args__ = (
        UniqueConstraint("render_id", "user_id", name="uq_minutes_approval_user"),
        CheckConstraint("length(pdf_sha256) = 64", name="ck_minutes_approval_sha"),
        Index("ix_minutes_approval_minutes", "minutes_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    minutes_id: int = Field(sa_column=_fk("minutes.id"))
    render_id: int = Field(sa_column=_fk("minutes_render.id"))
    user_id: int = Field(sa_column=_fk("user.id"))
    capacity: Capacity = Field(
        sa_column=Column(str_enum(Capacity, "approval_capacity"), nullable=False)
    )
    revision: int = Field(sa_column=Column(Integer, nullable=False))
    pdf_sha256: str = Field(sa_column=Column(String(64), nullable=False))
    approved_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )


class MinutesVersion(SQLModel, table=True):
    """A published version of the minutes: the approved PDF bytes, never changed or deleted."""

    __tablename__ = "minutes_version"
    __table_args__ = (
        UniqueConstraint("assembly_id", "number", name="uq_minutes_version_number"),
        UniqueConstraint("previous_id", name="uq_minutes_version_previous"),
        CheckConstraint(
            "(number = 1 AND previous_id IS NULL AND reason = '')"
            " OR (number > 1 AND previous_id IS NOT NULL AND length(reason) >= 3)",
            name="ck_minutes_version_chain",
        ),
        CheckConstraint("length(pdf_sha256) = 64", name="ck_minutes_version_sha"),
        CheckConstraint("page_count >= 1", name="ck_minutes_version_pages"),
    )

    id: int | None = Field(default=None, primary_key=True)
    minutes_id: int = Field(sa_column=_fk("minutes.id"))
    assembly_id: int = Field(sa_column=_fk("assembly.id"))
    number: int = Field(sa_column=Column(Integer, nullable=False))
    # A correction references the version it corrects and says why.
    previous_id: int | None = Field(
        default=None, sa_column=_fk("minutes_version.id", nullable=True)
    )
    reason: str = Field(default="", sa_column=Column(Text, nullable=False))
    render_id: int = Field(sa_column=_fk("minutes_render.id"))
    pdf: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    pdf_sha256: str = Field(sa_column=Column(String(64), nullable=False))
    page_count: int = Field(sa_column=Column(Integer, nullable=False))
    published_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
    published_by_id: int | None = Field(default=None, sa_column=_fk("user.id", nullable=True))
