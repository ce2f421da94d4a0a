"""A paper of an agenda item that lives in a body's room: a link, never a copy.

The link names the room's paper and either one version (that version stays the item's paper)
or none (the paper's current version, whatever is newest). The database keeps a linked
version to its own paper (assemblies/ddl_papers.py); the paper is served through the
meeting's gate (who may see the assembly's documents), see assemblies/papers.py.
"""

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Index, Integer
from sqlmodel import Field, SQLModel

from governance.db import UTCDateTime, utcnow


class AgendaPaper(SQLModel, table=True):
    """A room paper (one version, or the current one) linked as an agenda item's paper."""

    __tablename__ = "agenda_paper"
    __table_args__ = (Index("uq_agenda_paper", "agenda_item_id", "room_file_id", unique=True),)

    id: int | None = Field(default=None, primary_key=True)
    agenda_item_id: int = Field(
        sa_column=Column(Integer, ForeignKey("agenda_item.id", ondelete="CASCADE"), nullable=False)
    )
    room_file_id: int = Field(
        sa_column=Column(Integer, ForeignKey("room_file.id", ondelete="RESTRICT"), nullable=False)
    )
    # None: always the paper's current version.
    version_id: int | None = Field(
        default=None,
        sa_column=Column(
            Integer, ForeignKey("room_file_version.id", ondelete="RESTRICT"), nullable=True
        ),
    )
    linked_by_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("user.id", ondelete="RESTRICT"), nullable=True),
    )
    linked_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
