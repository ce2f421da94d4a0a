"""A proxy a member gives themselves (§43(5) GenG), before the holder accepts it.

The grant is the member's declaration in text form; only when the holder accepts does it
become a `Mandate`, so the limit of two principals and the roll checks stay where they are
(the mandate table's constraints). The database allows one live grant (granted or accepted)
per member and assembly and ties an accepted grant to its mandate.
"""

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, Column, ForeignKey, Index, Integer, String, Text, text
from sqlmodel import Field, SQLModel

from governance.db import UTCDateTime, str_enum, utcnow


class GrantState(enum.StrEnum):
    GRANTED = "GRANTED"  # declared by the member, waiting for the holder
    ACCEPTED = "ACCEPTED"  # the holder accepted: a mandate exists
    REVOKED = "REVOKED"  # withdrawn by the member (or the mandate revoked by the secretary)
    REJECTED = "REJECTED"  # refused by the secretary (with a reason) or declined by the holder


LIVE_STATES = (GrantState.GRANTED, GrantState.ACCEPTED)
_LIVE_SQL = text("state IN ('GRANTED', 'ACCEPTED')")


class ProxyGrant(SQLModel, table=True):
    """A member's proxy for an assembly, given on their own page."""

    __tablename__ = "proxy_grant"
    __table_args__ = (
        CheckConstraint("principal_id <> holder_id", name="ck_grant_not_self"),
        CheckConstraint(
            "(state = 'ACCEPTED') = (mandate_id IS NOT NULL)", name="ck_grant_accepted_mandate"
        ),
        CheckConstraint(
            "state IN ('GRANTED', 'ACCEPTED') OR closed_at IS NOT NULL", name="ck_grant_closed"
        ),
        Index(
            "uq_grant_live_principal",
            "assembly_id",
            "principal_id",
            unique=True,
            sqlite_where=_LIVE_SQL,
            postgresql_where=_LIVE_SQL,
        ),
        Index("ix_grant_holder", "assembly_id", "holder_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    assembly_id: int = Field(
        sa_column=Column(Integer, ForeignKey("assembly.id", ondelete="CASCADE"), nullable=False)
    )
    principal_id: int = Field(
        sa_column=Column(Integer, ForeignKey("member.id", ondelete="RESTRICT"), nullable=False)
    )
    holder_id: int = Field(
        sa_column=Column(Integer, ForeignKey("member.id", ondelete="RESTRICT"), nullable=False)
    )
    # The declaration in text form as the member confirmed it (§43(5) GenG, §126b BGB).
    declaration: str = Field(sa_column=Column(Text, nullable=False))
    # False: a standing proxy, carried to the next assemblies of the body until revoked.
    this_assembly_only: bool = Field(default=True, nullable=False)
    state: GrantState = Field(
        default=GrantState.GRANTED,
        sa_column=Column(str_enum(GrantState, "grant_state"), nullable=False),
    )
    mandate_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("mandate.id", ondelete="RESTRICT"), nullable=True),
    )
    granted_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
    granted_by_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("user.id", ondelete="RESTRICT"), nullable=True),
    )
    accepted_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    closed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    closed_by_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("user.id", ondelete="RESTRICT"), nullable=True),
    )
    reason: str = Field(default="", sa_column=Column(String(500), nullable=False))
