"""Proposals (Anträge) to an assembly and §45 minority demands with their online support."""

import enum
from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel

from governance.db import UTCDateTime, str_enum, utcnow
from governance.errors import IllegalTransition
from governance.i18n import _l, enum_label


class SubmitterKind(enum.StrEnum):
    BOARD = "BOARD"
    SUPERVISORY_BOARD = "SUPERVISORY_BOARD"
    MEMBER = "MEMBER"


class Majority(enum.StrEnum):
    """The majority of votes cast a resolution needs (domain.md, Majorities)."""

    SIMPLE = "SIMPLE"
    THREE_QUARTERS = "THREE_QUARTERS"
    NINE_TENTHS = "NINE_TENTHS"


class ProposalState(enum.StrEnum):
    SUBMITTED = "SUBMITTED"
    ADMITTED = "ADMITTED"
    IN_VOTE = "IN_VOTE"
    ADOPTED = "ADOPTED"
    REJECTED = "REJECTED"
    WITHDRAWN = "WITHDRAWN"
    REFERRED = "REFERRED"


PROPOSAL_TRANSITIONS: dict[ProposalState, set[ProposalState]] = {
    # REJECTED from SUBMITTED: not admitted to the agenda (with a note saying why).
    ProposalState.SUBMITTED: {
        ProposalState.ADMITTED,
        ProposalState.WITHDRAWN,
        ProposalState.REJECTED,
        ProposalState.REFERRED,
    },
    ProposalState.ADMITTED: {
        ProposalState.IN_VOTE,
        ProposalState.WITHDRAWN,
        ProposalState.REFERRED,
    },
    ProposalState.IN_VOTE: {ProposalState.ADOPTED, ProposalState.REJECTED},
    ProposalState.ADOPTED: set(),
    ProposalState.REJECTED: set(),
    ProposalState.WITHDRAWN: set(),
    ProposalState.REFERRED: set(),
}


class Proposal(SQLModel, table=True):
    """A motion to an assembly from the board, the supervisory board or a member."""

    __tablename__ = "proposal"
    __table_args__ = (
        CheckConstraint(
            "submitter_kind <> 'MEMBER' OR member_id IS NOT NULL", name="ck_proposal_member"
        ),
        CheckConstraint("length(title) > 0", name="ck_proposal_title"),
        Index("ix_proposal_assembly", "assembly_id", "state"),
        Index("ix_proposal_member", "member_id"),
        Index("ix_proposal_item", "agenda_item_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    assembly_id: int = Field(
        sa_column=Column(Integer, ForeignKey("assembly.id", ondelete="CASCADE"), nullable=False)
    )
    agenda_item_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("agenda_item.id", ondelete="SET NULL"), nullable=True),
    )
    submitter_kind: SubmitterKind = Field(
        sa_column=Column(str_enum(SubmitterKind, "submitter_kind"), nullable=False)
    )
    member_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("member.id", ondelete="RESTRICT"), nullable=True),
    )
    submitted_by_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("user.id", ondelete="RESTRICT"), nullable=True),
    )
    title: str = Field(sa_column=Column(String(300), nullable=False))
    text: str = Field(sa_column=Column(Text, nullable=False))
    rationale: str = Field(default="", sa_column=Column(Text, nullable=False))
    statute_change: bool = Field(default=False, nullable=False)
    majority: Majority = Field(
        default=Majority.SIMPLE, sa_column=Column(str_enum(Majority, "majority"), nullable=False)
    )
    state: ProposalState = Field(
        default=ProposalState.SUBMITTED,
        sa_column=Column(str_enum(ProposalState, "proposal_state"), nullable=False),
    )
    submitted_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
    decided_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    decision_note: str = Field(default="", sa_column=Column(Text, nullable=False))

    def transition(self, target: ProposalState) -> None:
        """Move to `target` or raise IllegalTransition."""
        if target not in PROPOSAL_TRANSITIONS[self.state]:
            raise IllegalTransition(
                _l(
                    "A proposal cannot go from %(a)s to %(b)s.",
                    a=enum_label(self.state),
                    b=enum_label(target),
                )
            )
        self.state = target

    @property
    def is_final(self) -> bool:
        return not PROPOSAL_TRANSITIONS[self.state]


class DemandKind(enum.StrEnum):
    """§45 GenG: members may demand an assembly, or items on the agenda of one."""

    ASSEMBLY = "ASSEMBLY"
    AGENDA_ITEMS = "AGENDA_ITEMS"


class DemandState(enum.StrEnum):
    OPEN = "OPEN"  # collecting support
    REACHED = "REACHED"  # the quorum was reached; the board must act
    HANDLED = "HANDLED"  # the board recorded what it did
    WITHDRAWN = "WITHDRAWN"


class MinorityDemand(SQLModel, table=True):
    """A §45 demand of a minority, stating purpose and reasons, collecting online support."""

    __tablename__ = "minority_demand"
    __table_args__ = (
        CheckConstraint(
            "kind <> 'AGENDA_ITEMS' OR assembly_id IS NOT NULL", name="ck_demand_assembly"
        ),
        Index("ix_demand_state", "state"),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: DemandKind = Field(sa_column=Column(str_enum(DemandKind, "demand_kind"), nullable=False))
    assembly_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("assembly.id", ondelete="SET NULL"), nullable=True),
    )
    title: str = Field(sa_column=Column(String(300), nullable=False))
    purpose: str = Field(sa_column=Column(Text, nullable=False))
    initiator_member_id: int = Field(
        sa_column=Column(Integer, ForeignKey("member.id", ondelete="RESTRICT"), nullable=False)
    )
    created_by_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("user.id", ondelete="RESTRICT"), nullable=True),
    )
    state: DemandState = Field(
        default=DemandState.OPEN,
        sa_column=Column(str_enum(DemandState, "demand_state"), nullable=False),
    )
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
    reached_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    handled_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    handled_note: str = Field(default="", sa_column=Column(Text, nullable=False))


class DemandSupport(SQLModel, table=True):
    """One member's support of a minority demand; a member supports a demand once."""

    __tablename__ = "demand_support"
    __table_args__ = (UniqueConstraint("demand_id", "member_id", name="uq_demand_support"),)

    id: int | None = Field(default=None, primary_key=True)
    demand_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("minority_demand.id", ondelete="CASCADE"), nullable=False
        )
    )
    member_id: int = Field(
        sa_column=Column(Integer, ForeignKey("member.id", ondelete="RESTRICT"), nullable=False)
    )
    supported_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
