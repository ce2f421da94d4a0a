"""The list of speakers (Redeliste): who asked for the floor on which agenda item.

A member asks to speak on the item being discussed (on the live page, or the secretary adds
them in the room); the chair calls the next. Points of order (Geschäftsordnungsanträge) go
before everyone else. The database holds the rules: one open request per member and item, one
speaker at a time per assembly, and states only move forward (ddl.py).
"""

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, Column, ForeignKey, Index, Integer, text
from sqlmodel import Field, SQLModel

from governance.db import UTCDateTime, str_enum, utcnow


class SpeakerKind(enum.StrEnum):
    NORMAL = "NORMAL"
    POINT_OF_ORDER = "POINT_OF_ORDER"


class SpeakerState(enum.StrEnum):
    WAITING = "WAITING"
    SPEAKING = "SPEAKING"
    DONE = "DONE"
    WITHDRAWN = "WITHDRAWN"


OPEN_STATES = (SpeakerState.WAITING, SpeakerState.SPEAKING)
MAX_SPEAKING_SECONDS = 3600


class Speaker(SQLModel, table=True):
    """One request to speak on an agenda item, from asking to the end of the speech."""

    __tablename__ = "speaker"
    __table_args__ = (
        CheckConstraint(
            "state = 'WAITING' OR state = 'WITHDRAWN' OR started_at IS NOT NULL",
            name="ck_speaker_started",
        ),
        CheckConstraint("state <> 'DONE' OR ended_at IS NOT NULL", name="ck_speaker_ended"),
        CheckConstraint(
            f"speaking_time_s IS NULL OR speaking_time_s BETWEEN 1 AND {MAX_SPEAKING_SECONDS}",
            name="ck_speaker_time",
        ),
        # One open request per member and item; one speaker at a time per assembly.
        Index(
            "uq_speaker_open",
            "agenda_item_id",
            "member_id",
            unique=True,
            sqlite_where=text("state IN ('WAITING', 'SPEAKING')"),
            postgresql_where=text("state IN ('WAITING', 'SPEAKING')"),
        ),
        Index(
            "uq_speaker_speaking",
            "assembly_id",
            unique=True,
            sqlite_where=text("state = 'SPEAKING'"),
            postgresql_where=text("state = 'SPEAKING'"),
        ),
        Index("ix_speaker_item", "assembly_id", "agenda_item_id", "state"),
    )

    id: int | None = Field(default=None, primary_key=True)
    assembly_id: int = Field(
        sa_column=Column(Integer, ForeignKey("assembly.id", ondelete="CASCADE"), nullable=False)
    )
    agenda_item_id: int = Field(
        sa_column=Column(Integer, ForeignKey("agenda_item.id", ondelete="CASCADE"), nullable=False)
    )
    member_id: int = Field(
        sa_column=Column(Integer, ForeignKey("member.id", ondelete="RESTRICT"), nullable=False)
    )
    kind: SpeakerKind = Field(
        default=SpeakerKind.NORMAL,
        sa_column=Column(str_enum(SpeakerKind, "speaker_kind"), nullable=False),
    )
    state: SpeakerState = Field(
        default=SpeakerState.WAITING,
        sa_column=Column(str_enum(SpeakerState, "speaker_state"), nullable=False),
    )
    requested_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
    started_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    ended_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    speaking_time_s: int | None = Field(default=None, sa_column=Column(Integer, nullable=True))
    # Who put the request on the list: the member themselves, or the secretary in the room.
    added_by_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("user.id", ondelete="RESTRICT"), nullable=True),
    )
