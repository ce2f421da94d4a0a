"""Seat offers: the elected of a general assembly's election are offered their seat.

An election's published result names candidates by label (ballots' poll options are strings,
not members). The board maps each elected label to a member and offers the seat for a term
(`seat_offer`, OFFERED); the member accepts (the seat is created, origin ELECTED, linked to the
poll, and the offer points to it), declines, or the board withdraws the offer. A decided offer
never changes again and no offer is ever deleted; see ddl_offers.py.
"""

import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Column, Date, ForeignKey, Index, Integer, String, text
from sqlmodel import Field, SQLModel

from governance.bodies.models import SeatFunction
from governance.db import UTCDateTime, str_enum, utcnow


class OfferState(enum.StrEnum):
    OFFERED = "OFFERED"  # waiting for the member's answer
    ACCEPTED = "ACCEPTED"  # the seat exists (`seat_id`)
    DECLINED = "DECLINED"  # by the member
    WITHDRAWN = "WITHDRAWN"  # by the board


def _fk(target: str, *, nullable: bool = False) -> Column:
    return Column(Integer, ForeignKey(target, ondelete="RESTRICT"), nullable=nullable)


class SeatOffer(SQLModel, table=True):
    """A seat offered to an elected member for a term, and the member's answer."""

    __tablename__ = "seat_offer"
    __table_args__ = (
        CheckConstraint("length(candidate) > 0", name="ck_seat_offer_candidate"),
        CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="ck_seat_offer_term"),
        CheckConstraint("(state = 'OFFERED') = (decided_at IS NULL)", name="ck_seat_offer_decided"),
        CheckConstraint("(state = 'ACCEPTED') = (seat_id IS NOT NULL)", name="ck_seat_offer_seat"),
        # One open offer per body, member and election.
        Index(
            "uq_seat_offer_open",
            "body_id",
            "member_id",
            "poll_id",
            unique=True,
            sqlite_where=text("state = 'OFFERED'"),
            postgresql_where=text("state = 'OFFERED'"),
        ),
        Index("ix_seat_offer_member", "member_id", "state"),
        Index("ix_seat_offer_body", "body_id", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    body_id: int = Field(sa_column=_fk("body.id"))
    member_id: int = Field(sa_column=_fk("member.id"))
    # The published election (ballots' poll table) and the elected candidate's label in it.
    poll_id: int = Field(sa_column=_fk("poll.id"))
    candidate: str = Field(sa_column=Column(String(300), nullable=False))
    function: SeatFunction = Field(
        default=SeatFunction.MEMBER,
        sa_column=Column(str_enum(SeatFunction, "seat_function"), nullable=False),
    )
    starts_on: date = Field(sa_column=Column(Date, nullable=False))
    ends_on: date | None = Field(default=None, sa_column=Column(Date, nullable=True))
    state: OfferState = Field(
        default=OfferState.OFFERED,
        sa_column=Column(str_enum(OfferState, "seat_offer_state"), nullable=False),
    )
    decided_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    decided_by_id: int | None = Field(default=None, sa_column=_fk("user.id", nullable=True))
    seat_id: int | None = Field(
        default=None,
        sa_column=Column(
            Integer, ForeignKey("seat.id", ondelete="RESTRICT"), nullable=True, unique=True
        ),
    )
    created_by_id: int | None = Field(default=None, sa_column=_fk("user.id", nullable=True))
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )

    @property
    def is_open(self) -> bool:
        return self.state == OfferState.OFFERED

    def lapsed_on(self, day: date) -> bool:
        """Open, but its term ended before `day`: it can no longer be accepted (`accept`), so
        it is no longer shown as waiting for an answer; the board may still withdraw it."""
        return self.is_open and self.ends_on is not None and self.ends_on < day
