"""Bodies and their seats: who sits where, in which function, since when and until when.

A body is the board, the supervisory board, a committee or working group (usually of the
supervisory board or the board: `parent_id`), or the representative assembly (§43a GenG,
its seats are the delegates). A seat is one person's term in one body: a member (board,
supervisory board and delegates must be members, §9(2) GenG) or, in a committee or working
group, a user who is not a member. Seats are history: a term ends by setting `ends_on` (the
last day of the term, inclusive), never by deleting. The database refuses overlapping seats
of one person in one body and a person on the board and the supervisory board on the same
day (§37 GenG); see bodies/ddl.py.
"""

import enum
from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    text,
)
from sqlmodel import Field, SQLModel

from governance.db import UTCDateTime, str_enum, utcnow


class BodyKind(enum.StrEnum):
    BOARD = "BOARD"
    SUPERVISORY_BOARD = "SUPERVISORY_BOARD"
    COMMITTEE = "COMMITTEE"
    WORKING_GROUP = "WORKING_GROUP"
    REPRESENTATIVE_ASSEMBLY = "REPRESENTATIVE_ASSEMBLY"


# Bodies of which a cooperative has at most one; their seats must be held by members.
SINGLE_BODIES = (
    BodyKind.BOARD,
    BodyKind.SUPERVISORY_BOARD,
    BodyKind.REPRESENTATIVE_ASSEMBLY,
)
MEMBERS_ONLY = SINGLE_BODIES


class CircularRule(enum.StrEnum):
    """When a circular resolution (Umlaufbeschluss) is adopted."""

    # No seat objects to the written procedure and more than half of all seats vote yes.
    NO_OBJECTION_MAJORITY_OF_SEATS = "NO_OBJECTION_MAJORITY_OF_SEATS"
    # No seat objects and every seat votes yes.
    UNANIMOUS = "UNANIMOUS"


class SeatFunction(enum.StrEnum):
    CHAIR = "CHAIR"
    DEPUTY = "DEPUTY"
    MEMBER = "MEMBER"


class SeatOrigin(enum.StrEnum):
    ELECTED = "ELECTED"  # by a general assembly's election (`poll_id`)
    APPOINTED = "APPOINTED"  # by the body the statute names
    CO_OPTED = "CO_OPTED"  # by the body itself


def _in(kinds: tuple[BodyKind, ...]) -> str:
    return ", ".join(f"'{k.value}'" for k in kinds)


class Body(SQLModel, table=True):
    """A body of the cooperative, with its own rules for meetings and circulars."""

    __tablename__ = "body"
    __table_args__ = (
        CheckConstraint(
            "quorum_percent >= 0 AND quorum_percent < 100", name="ck_body_quorum_percent"
        ),
        CheckConstraint("notice_days >= 0 AND notice_days <= 60", name="ck_body_notice_days"),
        CheckConstraint("length(name) > 0", name="ck_body_name"),
        CheckConstraint("parent_id IS NULL OR parent_id <> id", name="ck_body_parent"),
        Index("uq_body_name", "name", unique=True),
        # One board, one supervisory board, one representative assembly.
        Index(
            "uq_body_single_kind",
            "kind",
            unique=True,
            sqlite_where=text(f"kind IN ({_in(SINGLE_BODIES)})"),
            postgresql_where=text(f"kind IN ({_in(SINGLE_BODIES)})"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: BodyKind = Field(sa_column=Column(str_enum(BodyKind, "body_kind"), nullable=False))
    name: str = Field(sa_column=Column(String(200), nullable=False))
    description: str = Field(default="", sa_column=Column(String(2000), nullable=False))
    # A committee's or working group's parent body (the supervisory board's audit committee).
    parent_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("body.id", ondelete="RESTRICT"), nullable=True),
    )
    # Quorum of a meeting: present seats must be MORE than this share of all seats (50: half).
    quorum_percent: int = Field(
        default=50, sa_column=Column(Integer, nullable=False, server_default="50")
    )
    # Notice period of a meeting of this body, in days (the general assembly's is the law's).
    notice_days: int = Field(
        default=7, sa_column=Column(Integer, nullable=False, server_default="7")
    )
    circular_rule: CircularRule = Field(
        default=CircularRule.NO_OBJECTION_MAJORITY_OF_SEATS,
        sa_column=Column(
            str_enum(CircularRule, "circular_rule"),
            nullable=False,
            server_default=CircularRule.NO_OBJECTION_MAJORITY_OF_SEATS.value,
        ),
    )
    # A committee or working group that was dissolved; its seats and papers stay as history.
    dissolved_on: date | None = Field(default=None, sa_column=Column(Date, nullable=True))
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )

    @property
    def members_only(self) -> bool:
        return self.kind in MEMBERS_ONLY


class Seat(SQLModel, table=True):
    """One person's term in one body: `starts_on` to `ends_on` (inclusive; None: open)."""

    __tablename__ = "seat"
    __table_args__ = (
        CheckConstraint("(member_id IS NULL) <> (user_id IS NULL)", name="ck_seat_one_person"),
        CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="ck_seat_term"),
        CheckConstraint("origin <> 'ELECTED' OR poll_id IS NOT NULL", name="ck_seat_elected_poll"),
        Index("ix_seat_body", "body_id", "starts_on"),
        Index("ix_seat_member", "member_id"),
        Index("ix_seat_user", "user_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    body_id: int = Field(
        sa_column=Column(Integer, ForeignKey("body.id", ondelete="RESTRICT"), nullable=False)
    )
    member_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("member.id", ondelete="RESTRICT"), nullable=True),
    )
    # Only for a person who is not a member (committees, working groups); members sit by
    # `member_id` and their login is the user linked to that member.
    user_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("user.id", ondelete="RESTRICT"), nullable=True),
    )
    function: SeatFunction = Field(
        default=SeatFunction.MEMBER,
        sa_column=Column(str_enum(SeatFunction, "seat_function"), nullable=False),
    )
    origin: SeatOrigin = Field(
        sa_column=Column(str_enum(SeatOrigin, "seat_origin"), nullable=False)
    )
    # The general assembly's election poll this seat came from (ballots' poll table).
    poll_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("poll.id", ondelete="RESTRICT"), nullable=True),
    )
    starts_on: date = Field(sa_column=Column(Date, nullable=False))
    ends_on: date | None = Field(default=None, sa_column=Column(Date, nullable=True))
    note: str = Field(default="", sa_column=Column(String(500), nullable=False))
    created_by_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("user.id", ondelete="RESTRICT"), nullable=True),
    )
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )

    def holds_on(self, day: date) -> bool:
        """Whether the term covers `day`."""
        return self.starts_on <= day and (self.ends_on is None or day <= self.ends_on)
