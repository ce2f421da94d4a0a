"""The scrub job of a sealed poll: removing what still records the order of casting (see
ballots/scrub.py)."""

import enum
from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, Column, ForeignKey, Index, Integer, String
from sqlmodel import Field, SQLModel

from governance.db import UTCDateTime, str_enum, utcnow


class ScrubState(enum.StrEnum):
    QUEUED = "QUEUED"
    RUNNING = "RUNNING"
    WAITING = "WAITING"
    VERIFIED = "VERIFIED"


class ScrubJob(SQLModel, table=True):
    """Removing what still records the order of casting after a seal (see ballots/scrub.py).

    Queued in the seal's transaction, claimed by a worker with a conditional UPDATE and run
    until the result is proven: then VERIFIED (final), else WAITING with what blocks it.
    """

    __tablename__ = "poll_scrub"
    __table_args__ = (
        CheckConstraint(
            "(state = 'VERIFIED') = (verified_at IS NOT NULL)", name="ck_poll_scrub_verified"
        ),
        CheckConstraint("state <> 'WAITING' OR reason IS NOT NULL", name="ck_poll_scrub_reason"),
        CheckConstraint("state <> 'RUNNING' OR claimed_at IS NOT NULL", name="ck_poll_scrub_claim"),
        CheckConstraint("attempts >= 0", name="ck_poll_scrub_attempts"),
        Index("ix_poll_scrub_state", "state"),
    )

    id: int | None = Field(default=None, primary_key=True)
    poll_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("poll.id", ondelete="RESTRICT"), nullable=False, unique=True
        )
    )
    state: ScrubState = Field(
        default=ScrubState.QUEUED,
        sa_column=Column(str_enum(ScrubState, "scrub_state"), nullable=False),
    )
    # What blocks the proof (a code of scrub.REASONS) and its particulars (a pid, a table).
    reason: str | None = Field(default=None, sa_column=Column(String(40), nullable=True))
    detail: str = Field(default="", sa_column=Column(String(300), nullable=False))
    # PostgreSQL: the seal's transaction id (xid8); older snapshots still see the old rows.
    seal_xid: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    attempts: int = Field(default=0, sa_column=Column(Integer, nullable=False))
    queued_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
    claimed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    checked_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    verified_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
