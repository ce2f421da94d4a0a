"""Members and their share ledger (Mitgliederliste, §30 GenG).

The ledger is append-only. The database itself enforces its rules (see `ddl.py`): share
count ≠ 0, the sign by type, reversals (exact negative of one earlier transaction of the same
member, at most one each), a member's total never negative at any value date, no update but
the comment, no delete. `member.shares` is the booked total, maintained by a trigger and
refused when set by hand.
"""

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    event,
)
from sqlmodel import Field, Relationship, SQLModel

from governance.db import UTCDateTime, str_enum, utcnow
from governance.errors import IllegalTransition
from governance.i18n import _l, enum_label
from governance.register.names import sort_name


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


class TransactionKind(enum.StrEnum):
    SUBSCRIPTION = "SUBSCRIPTION"  # share count > 0
    CANCELLATION = "CANCELLATION"  # share count < 0
    REVERSAL = "REVERSAL"  # exact negative of the transaction it reverses


# Which status may follow which (a member who gave notice may still die, be expelled, ...).
TRANSITIONS: dict[MemberStatus, frozenset[MemberStatus]] = {
    MemberStatus.ACTIVE: frozenset(set(MemberStatus) - {MemberStatus.ACTIVE}),
    MemberStatus.CANCELLED: frozenset(
        {
            MemberStatus.TRANSFERRED,
            MemberStatus.DECEASED,
            MemberStatus.LIQUIDATED,
            MemberStatus.EXPELLED,
        }
    ),
}

_LEFT = "'CANCELLED', 'TRANSFERRED', 'DECEASED', 'LIQUIDATED', 'EXPELLED'"


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
        CheckConstraint("shares >= 0", name="ck_member_shares"),
        CheckConstraint(
            f"status NOT IN ({_LEFT}) OR exit_date IS NOT NULL", name="ck_member_exit_status"
        ),
        CheckConstraint(
            "status <> 'CANCELLED' OR notice_date IS NOT NULL", name="ck_member_notice"
        ),
        CheckConstraint(
            "status <> 'EXPELLED' OR expulsion_letter_date IS NOT NULL", name="ck_member_expelled"
        ),
        CheckConstraint("status <> 'DECEASED' OR death_date IS NOT NULL", name="ck_member_death"),
        Index("ix_member_sort_name", "sort_name", "id"),
        Index("ix_member_status_name", "status", "sort_name", "id"),
        # Covers the eligibility rule: counting a voter roll never reads the table.
        Index(
            "ix_member_eligibility",
            "entry_date",
            "exit_date",
            "expulsion_letter_date",
            "death_date",
            "status",
            "shares",
            "id",
        ),
        Index("ix_member_shares", "shares", "id"),
        Index("ix_member_email", "email"),
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
    # Lower-case, accent-folded name for sorting and searching (kept by the services).
    sort_name: str = Field(default="", sa_column=Column(String(520), nullable=False))
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
    # The last day of membership (inclusive); None while no exit is recorded.
    exit_date: date | None = Field(default=None, sa_column=Column(Date, nullable=True))
    # From this day on the member may not attend or vote (§68(2) GenG).
    expulsion_letter_date: date | None = Field(default=None, sa_column=Column(Date, nullable=True))
    death_date: date | None = Field(default=None, sa_column=Column(Date, nullable=True))
    # Booked total of the ledger (all value dates); maintained by a trigger, never set by hand.
    shares: int = Field(
        default=0, sa_column=Column(Integer, nullable=False, default=0, server_default="0")
    )
    note: str = Field(default="", sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )

    transactions: list["ShareTransaction"] = Relationship(
        back_populates="member",
        sa_relationship_kwargs={
            "order_by": "[ShareTransaction.value_date, ShareTransaction.id]",
            "viewonly": True,
        },
    )

    @property
    def display_name(self) -> str:
        if self.kind == PersonKind.LEGAL:
            return self.firm
        return f"{self.last_name}, {self.first_names}".strip(", ")

    def transition(self, to: MemberStatus) -> None:
        """Change the status, or raise IllegalTransition."""
        if to not in TRANSITIONS.get(self.status, frozenset()):
            raise IllegalTransition(
                _l(
                    "A member with status %(old)s cannot become %(new)s.",
                    old=enum_label(self.status),
                    new=enum_label(to),
                ),
                field="status",
            )
        self.status = to


@event.listens_for(Member, "before_insert")
@event.listens_for(Member, "before_update")
def _keep_sort_name(_mapper: Any, _conn: Any, member: Member) -> None:
    member.sort_name = sort_name(member.kind, member.last_name, member.first_names, member.firm)


class ShareTransaction(SQLModel, table=True):
    """One booking in a member's share ledger; append-only (only the comment may change)."""

    __tablename__ = "share_transaction"
    __table_args__ = (
        CheckConstraint("share_count <> 0", name="ck_share_tx_nonzero"),
        CheckConstraint(
            "(kind = 'SUBSCRIPTION' AND share_count > 0) "
            "OR (kind = 'CANCELLATION' AND share_count < 0) OR kind = 'REVERSAL'",
            name="ck_share_tx_sign",
        ),
        CheckConstraint(
            "(kind = 'REVERSAL') = (reverses_id IS NOT NULL)", name="ck_share_tx_reversal"
        ),
        CheckConstraint(
            "length(reference) BETWEEN 6 AND 48 AND reference = trim(reference)",
            name="ck_share_tx_reference",
        ),
        Index("ix_share_tx_member_date", "member_id", "value_date", "share_count"),
        Index("ix_share_tx_date", "value_date", "member_id", "share_count"),
    )

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(
        sa_column=Column(Integer, ForeignKey("member.id", ondelete="RESTRICT"), nullable=False)
    )
    kind: TransactionKind = Field(
        sa_column=Column(str_enum(TransactionKind, "share_tx_kind"), nullable=False)
    )
    value_date: date = Field(sa_column=Column(Date, nullable=False))
    share_count: int = Field(sa_column=Column(Integer, nullable=False))
    reference: str = Field(sa_column=Column(String(48), nullable=False))
    # Unique: at most one reversal per transaction.
    reverses_id: int | None = Field(
        default=None,
        sa_column=Column(
            Integer,
            ForeignKey("share_transaction.id", ondelete="RESTRICT"),
            nullable=True,
            unique=True,
        ),
    )
    comment: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
    created_by: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("user.id", ondelete="RESTRICT"), nullable=True),
    )

    member: Member = Relationship(back_populates="transactions")
