"""A proxy a member gives themselves (§43(5) GenG), before the holder accepts it.

The grant is the member's declaration in text form; only when the holder accepts does it
become a `Mandate`, so the limit of two principals and the roll checks stay where they are
(the mandate table's constraints). The database allows one live grant (granted or accepted)
per member and assembly and ties an accepted grant to its mandate.

Where the statute allows it (setting PROXY_RELATIVES, §43(5) GenG), the holder may be a
relative or spouse who is not a member: then the grant names them (`holder_name`,
`holder_email`, `relationship`) and their login (`holder_user_id`, an account without a
member), and the accepted grant itself is the mandate: it takes one of the holder's two slots
(`slot`, unique per assembly and holder like the mandate's), so the limit of two holds for them
too. A trigger keeps such a holder a non-member and the member's proxy single (ddl.py).
"""

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    Select,
    String,
    Text,
    UniqueConstraint,
    select,
    text,
)
from sqlmodel import Field, SQLModel

from governance.db import UTCDateTime, str_enum, utcnow


class GrantState(enum.StrEnum):
    GRANTED = "GRANTED"  # declared by the member, waiting for the holder
    ACCEPTED = "ACCEPTED"  # the holder accepted: a mandate exists
    REVOKED = "REVOKED"  # withdrawn by the member (or the mandate revoked by the secretary)
    REJECTED = "REJECTED"  # refused by the secretary (with a reason) or declined by the holder


class Relationship(enum.StrEnum):
    """Whom besides members the statute may allow as a proxy holder (setting PROXY_RELATIVES)."""

    SPOUSE = "SPOUSE"
    PARTNER = "PARTNER"  # registered civil partner
    PARENT = "PARENT"
    CHILD = "CHILD"
    SIBLING = "SIBLING"


LIVE_STATES = (GrantState.GRANTED, GrantState.ACCEPTED)


def held_by_relative(assembly_id: Any, user_id: Any) -> Select[Any]:
    """The principals whose proxies the relative (a login without a member) holds at the
    assembly: accepted grants, which keep their slot until revoked or rejected."""
    return select(ProxyGrant.principal_id).where(
        ProxyGrant.assembly_id == assembly_id,
        ProxyGrant.holder_user_id == user_id,
        ProxyGrant.state == GrantState.ACCEPTED,
        ProxyGrant.slot.is_not(None),
    )


def relative_label(user_id: int) -> str:
    """A relative who is not a member where the audit names casters (the bundle, the checks):
    by their login's id, not by name."""
    return f"relative-{user_id}"


_LIVE_SQL = text("state IN ('GRANTED', 'ACCEPTED')")


class ProxyGrant(SQLModel, table=True):
    """A member's proxy for an assembly, given on their own page."""

    __tablename__ = "proxy_grant"
    __table_args__ = (
        CheckConstraint("principal_id <> holder_id", name="ck_grant_not_self"),
        CheckConstraint(
            "(state = 'ACCEPTED' AND holder_id IS NOT NULL) = (mandate_id IS NOT NULL)",
            name="ck_grant_accepted_mandate",
        ),
        # Either a member holds it, or a relative named with address, relationship and login.
        CheckConstraint(
            "(holder_id IS NULL) = (holder_user_id IS NOT NULL) "
            "AND (holder_user_id IS NULL) = (relationship IS NULL) "
            "AND (holder_user_id IS NULL OR (holder_name <> '' AND holder_email <> ''))",
            name="ck_grant_holder",
        ),
        # A relative's accepted grant is their mandate: it takes slot 1 or 2 (the limit of two).
        CheckConstraint(
            "(state = 'ACCEPTED' AND holder_user_id IS NOT NULL) = (slot IS NOT NULL) "
            "AND (slot IS NULL OR slot IN (1, 2))",
            name="ck_grant_relative_slot",
        ),
        UniqueConstraint("assembly_id", "holder_user_id", "slot", name="uq_grant_relative_slot"),
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
    holder_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("member.id", ondelete="RESTRICT"), nullable=True),
    )
    # A relative who is not a member (statute setting): their login, name, address, relation.
    holder_user_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("user.id", ondelete="RESTRICT"), nullable=True),
    )
    holder_name: str = Field(
        default="", sa_column=Column(String(200), nullable=False, server_default="")
    )
    holder_email: str = Field(
        default="", sa_column=Column(String(254), nullable=False, server_default="")
    )
    relationship: Relationship | None = Field(
        default=None,
        sa_column=Column(str_enum(Relationship, "proxy_relationship"), nullable=True),
    )
    slot: int | None = Field(default=None, sa_column=Column(Integer, nullable=True))
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

    @property
    def is_relative(self) -> bool:
        """The holder is a relative or spouse who is not a member."""
        return self.holder_user_id is not None
