"""The agenda of an assembly: its items (Tagesordnungspunkte), announced with the convening or
later (§46(2) GenG)."""

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, Column, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from governance.db import UTCDateTime, str_enum, utcnow


class ItemKind(enum.StrEnum):
    INFORMATION = "INFORMATION"
    DISCUSSION = "DISCUSSION"
    RESOLUTION = "RESOLUTION"
    ELECTION = "ELECTION"


class AgendaItem(SQLModel, table=True):
    """A Tagesordnungspunkt (TOP); sub-items reference their parent."""

    __tablename__ = "agenda_item"
    __table_args__ = (
        UniqueConstraint("assembly_id", "parent_id", "position", name="uq_agenda_position"),
        CheckConstraint("position >= 1", name="ck_agenda_position"),
    )

    id: int | None = Field(default=None, primary_key=True)
    assembly_id: int = Field(
        sa_column=Column(Integer, ForeignKey("assembly.id", ondelete="CASCADE"), nullable=False)
    )
    parent_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("agenda_item.id", ondelete="CASCADE"), nullable=True),
    )
    position: int = Field(sa_column=Column(Integer, nullable=False))
    title: str = Field(sa_column=Column(String(300), nullable=False))
    description: str = Field(default="", sa_column=Column(Text, nullable=False))
    kind: ItemKind = Field(
        default=ItemKind.DISCUSSION,
        sa_column=Column(str_enum(ItemKind, "item_kind"), nullable=False),
    )
    # When the item was announced to the members (convening or a later supplement): §46(2).
    announced_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime, nullable=True)
    )
    # Announced less than the agenda notice before the assembly: no resolution (§46(2)).
    announced_late: bool = Field(default=False, nullable=False)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
