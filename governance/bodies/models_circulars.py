"""Circular resolutions (Umlaufbeschluss): a body decides in writing, between its meetings.

The chair sends a motion with a deadline; the body's seats on the sending day are its
electorate, frozen in `circular_seat`. Each of them answers once, by name: yes, no, abstain,
or an objection to the written procedure itself (`circular_vote`; a declared vote is binding
once cast, as in German practice, so it is never changed). An objection stops the procedure at
once: the body must then decide in a meeting. Otherwise the body's rule decides, when every
seat has answered or the deadline has passed: more than half of ALL seats yes (default), or
every seat yes (unanimous). The concluded circular's record is a PDF in the body's minutes
book (`circular_record`, its SHA-256 kept). Everything here is append-only; see ddl_circulars.
"""

import enum
from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel

from governance.bodies.models import CircularRule
from governance.db import UTCDateTime, str_enum, utcnow


class CircularState(enum.StrEnum):
    OPEN = "OPEN"  # sent, waiting for answers until the deadline
    ADOPTED = "ADOPTED"
    REJECTED = "REJECTED"  # not enough yes votes (or not all, under the unanimous rule)
    STOPPED = "STOPPED"  # a seat objected to the written procedure


class CircularChoice(enum.StrEnum):
    YES = "YES"
    NO = "NO"
    ABSTAIN = "ABSTAIN"
    OBJECTION = "OBJECTION"  # to the written procedure, not to the motion


def _fk(target: str, *, nullable: bool = False) -> Column:
    return Column(Integer, ForeignKey(target, ondelete="RESTRICT"), nullable=nullable)


class Circular(SQLModel, table=True):
    """One circular resolution of a body: the motion, its deadline and, once concluded, the
    result (counts over the frozen seats)."""

    __tablename__ = "circular"
    __table_args__ = (
        CheckConstraint("length(title) > 0", name="ck_circular_title"),
        CheckConstraint("length(motion) > 0", name="ck_circular_motion"),
        CheckConstraint("deadline > sent_at", name="ck_circular_deadline"),
        CheckConstraint("seat_count > 0", name="ck_circular_seat_count"),
        CheckConstraint("(state = 'OPEN') = (concluded_at IS NULL)", name="ck_circular_concluded"),
        CheckConstraint(
            "yes_count >= 0 AND no_count >= 0 AND abstain_count >= 0 AND objection_count >= 0 "
            "AND yes_count + no_count + abstain_count + objection_count <= seat_count",
            name="ck_circular_counts",
        ),
        Index("ix_circular_body", "body_id", "sent_at"),
        Index("ix_circular_open", "state", "deadline"),
    )

    id: int | None = Field(default=None, primary_key=True)
    body_id: int = Field(sa_column=_fk("body.id"))
    title: str = Field(sa_column=Column(String(200), nullable=False))
    motion: str = Field(sa_column=Column(Text, nullable=False))
    reasoning: str = Field(default="", sa_column=Column(Text, nullable=False))
    # The body's rule when the circular was sent (a later change of the statute does not
    # change a procedure under way).
    rule: CircularRule = Field(
        sa_column=Column(str_enum(CircularRule, "circular_rule"), nullable=False)
    )
    state: CircularState = Field(
        default=CircularState.OPEN,
        sa_column=Column(str_enum(CircularState, "circular_state"), nullable=False),
    )
    sent_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    sent_by_id: int = Field(sa_column=_fk("user.id"))
    deadline: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    seat_count: int = Field(sa_column=Column(Integer, nullable=False))
    concluded_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime, nullable=True)
    )
    yes_count: int = Field(default=0, sa_column=Column(Integer, nullable=False))
    no_count: int = Field(default=0, sa_column=Column(Integer, nullable=False))
    abstain_count: int = Field(default=0, sa_column=Column(Integer, nullable=False))
    objection_count: int = Field(default=0, sa_column=Column(Integer, nullable=False))

    @property
    def is_open(self) -> bool:
        return self.state == CircularState.OPEN


class CircularSeat(SQLModel, table=True):
    """A seat of the circular's electorate: the body's seats on the sending day."""

    __tablename__ = "circular_seat"
    __table_args__ = (UniqueConstraint("circular_id", "seat_id", name="uq_circular_seat"),)

    id: int | None = Field(default=None, primary_key=True)
    circular_id: int = Field(sa_column=_fk("circular.id"))
    seat_id: int = Field(sa_column=_fk("seat.id"))


class CircularVote(SQLModel, table=True):
    """A seat's answer, by name: final once cast, one per seat, only within the deadline."""

    __tablename__ = "circular_vote"
    __table_args__ = (
        # One answer per seat; and only a seat of the frozen electorate answers.
        UniqueConstraint("circular_id", "seat_id", name="uq_circular_vote"),
        ForeignKeyConstraint(
            ["circular_id", "seat_id"],
            ["circular_seat.circular_id", "circular_seat.seat_id"],
            name="fk_circular_vote_seat",
            ondelete="RESTRICT",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    circular_id: int = Field(sa_column=_fk("circular.id"))
    seat_id: int = Field(sa_column=Column(Integer, nullable=False))
    # The login that cast it (the seat's member's user, or the seat's user).
    user_id: int = Field(sa_column=_fk("user.id"))
    choice: CircularChoice = Field(
        sa_column=Column(str_enum(CircularChoice, "circular_choice"), nullable=False)
    )
    cast_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))


class CircularRecord(SQLModel, table=True):
    """The concluded circular in the body's minutes book: the PDF, never changed."""

    __tablename__ = "circular_record"
    __table_args__ = (
        CheckConstraint("length(pdf_sha256) = 64", name="ck_circular_record_sha"),
        CheckConstraint("page_count > 0", name="ck_circular_record_pages"),
    )

    id: int | None = Field(default=None, primary_key=True)
    circular_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("circular.id", ondelete="RESTRICT"), nullable=False, unique=True
        )
    )
    pdf: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    pdf_sha256: str = Field(sa_column=Column(String(64), nullable=False))
    page_count: int = Field(sa_column=Column(Integer, nullable=False))
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
