"""Members and their share ledger."""

import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Column, Date, Index, String, Text
from sqlmodel import Field, SQLModel

from governance.db import UTCDateTime, str_enum, utcnow


class MemberStatus(enum.StrEnum):
    ACTIVE = "ACTIVE"
    CANCELLED = "CANCELLED"  # notice given, still a member until the exit date (§65)
    TRANSFERRED = "TRANSFERRED"
    DECEASED = "DECEASED"
    LIQUIDATED = "LIQUIDATED"
    EXPELLED = "EXPELLED"
    INVALID = "INVALID"


class PersonKind(enum.StrEnum):
    NATURAL = "NATURAL"
    LEGAL = "LEGAL"


class Member(SQLModel, table=True):
    """A member of the cooperative as kept in the member list."""

    __tablename__ = "member"
    __table_args__ = (
        CheckConstraint(
            "length(number) = 9 AND substr(number, 1, 2) = 'M-'", name="ck_member_number"
        ),
        CheckConstraint("exit_date IS NULL OR exit_date >= entry_date", name="ck_member_exit"),
        CheckConstraint(
            "(kind = 'NATURAL' AND last_name <> '') OR (kind = 'LEGAL' AND firm <> '')",
            name="ck_member_name",
        ),
        Index("ix_member_last_name", "last_name", "first_names"),
        Index("ix_member_status", "status"),
        Index("ix_member_entry_exit", "entry_date", "exit_date"),
    )

    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(sa_column=Column(String(9), nullable=False, unique=True))
    kind: PersonKind = Field(
        default=PersonKind.NATURAL,
        sa_column=Column(str_enum(PersonKind, "person_kind"), nullable=False),
    )
    last_name: str = Field(default="", sa_column=Column(String(200), nullable=False))
    first_names: str = Field(default="", sa_column=Column(String(200), nullable=False))
    firm: str = Field(default="", sa_column=Column(String(300), nullable=False))
    street: str = Field(default="", sa_column=Column(String(200), nullable=False))
    postal_code: str = Field(default="", sa_column=Column(String(20), nullable=False))
    city: str = Field(default="", sa_column=Column(String(200), nullable=False))
    country: str = Field(default="DE", sa_column=Column(String(2), nullable=False))
    email: str | None = Field(default=None, sa_column=Column(String(254), nullable=True))
    entry_date: date = Field(sa_column=Column(Date, nullable=False))
    status: MemberStatus = Field(
        default=MemberStatus.ACTIVE,
        sa_column=Column(str_enum(MemberStatus, "member_status"), nullable=False),
    )
    status_date: date | None = Field(default=None, sa_column=Column(Date, nullable=True))
    notice_date: date | None = Field(default=None, sa_column=Column(Date, nullable=True))
    exit_date: date | None = Field(default=None, sa_column=Column(Date, nullable=True))
    expulsion_letter_date: date | None = Field(default=None, sa_column=Column(Date, nullable=True))
    note: str = Field(default="", sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )

    @property
    def display_name(self) -> str:
        if self.kind == PersonKind.LEGAL:
            return self.firm
        return f"{self.last_name}, {self.first_names}".strip(", ")
