"""Guests of a body's meeting: people outside the body whom the body invites to one meeting.

A board, supervisory board or committee meets behind closed doors: only its current seats
see the meeting (`Assembly.can_see`). A guest row opens that one meeting (from its convening
on) to one more user — an auditor, an employee reporting on an item, the minutes keeper. The
database allows guests only at meetings of a body (assemblies/ddl.py "meeting_guest").
"""

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Integer, UniqueConstraint
from sqlmodel import Field, SQLModel

from governance.db import UTCDateTime, utcnow


class MeetingGuest(SQLModel, table=True):
    """A user the body invited to one of its meetings (read and take part, no vote)."""

    __tablename__ = "meeting_guest"
    __table_args__ = (UniqueConstraint("assembly_id", "user_id", name="uq_meeting_guest"),)

    id: int | None = Field(default=None, primary_key=True)
    assembly_id: int = Field(
        sa_column=Column(Integer, ForeignKey("assembly.id", ondelete="CASCADE"), nullable=False)
    )
    user_id: int = Field(
        sa_column=Column(Integer, ForeignKey("user.id", ondelete="RESTRICT"), nullable=False)
    )
    invited_by_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("user.id", ondelete="RESTRICT"), nullable=True),
    )
    invited_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
