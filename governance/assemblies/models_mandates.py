"""A proxy in the voter roll's terms (Vollmacht, §43(5) GenG): whom a member represents at one
assembly; the database limits a proxy to two principals (slots 1 and 2)."""

from datetime import datetime

from sqlalchemy import CheckConstraint, Column, ForeignKey, Integer, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from governance.db import UTCDateTime, utcnow


class Mandate(SQLModel, table=True):
    """A proxy (Vollmacht, §43(5)): the database limits a proxy to two principals."""

    __tablename__ = "mandate"
    __table_args__ = (
        UniqueConstraint("assembly_id", "principal_id", name="uq_mandate_principal"),
        UniqueConstraint("assembly_id", "proxy_id", "slot", name="uq_mandate_proxy_slot"),
        CheckConstraint("slot IN (1, 2)", name="ck_mandate_slot"),
        CheckConstraint("principal_id <> proxy_id", name="ck_mandate_not_self"),
    )

    id: int | None = Field(default=None, primary_key=True)
    assembly_id: int = Field(
        sa_column=Column(Integer, ForeignKey("assembly.id", ondelete="CASCADE"), nullable=False)
    )
    principal_id: int = Field(
        sa_column=Column(Integer, ForeignKey("member.id", ondelete="RESTRICT"), nullable=False)
    )
    proxy_id: int = Field(
        sa_column=Column(Integer, ForeignKey("member.id", ondelete="RESTRICT"), nullable=False)
    )
    slot: int = Field(sa_column=Column(Integer, nullable=False))
    evidence: str = Field(default="", sa_column=Column(Text, nullable=False))
    registered_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
    registered_by_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("user.id", ondelete="RESTRICT"), nullable=True),
    )
