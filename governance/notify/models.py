"""What members are told: the notifications (the start page's list and the mails' queue) and
each user's choice of the optional ones."""

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, Column, ForeignKey, Index, Integer, String
from sqlmodel import Field, SQLModel

from governance.db import UTCDateTime, str_enum, utcnow
from governance.i18n import _l, register_labels


class Kind(enum.StrEnum):
    """One kind of notification; each has its mail templates notify/mail_<kind>.*."""

    INVITATION = "INVITATION"
    SUPPLEMENT = "SUPPLEMENT"
    REMINDER = "REMINDER"
    STARTED = "STARTED"
    PROPOSAL_RECEIVED = "PROPOSAL_RECEIVED"
    PROPOSAL_DECIDED = "PROPOSAL_DECIDED"
    PROPOSAL_NEW = "PROPOSAL_NEW"
    DOCUMENTS = "DOCUMENTS"
    RESULTS = "RESULTS"
    MINUTES = "MINUTES"
    SEAT_OFFERED = "SEAT_OFFERED"


class Topic(enum.StrEnum):
    """What a user switches on or off; INVITATION (invitation and supplement) and SEATS (a seat
    offered to the member, which they must answer) cannot be."""

    INVITATION = "INVITATION"
    REMINDER = "REMINDER"
    STARTED = "STARTED"
    PROPOSALS = "PROPOSALS"
    BOARD_PROPOSALS = "BOARD_PROPOSALS"
    DOCUMENTS = "DOCUMENTS"
    RESULTS = "RESULTS"
    MINUTES = "MINUTES"
    SEATS = "SEATS"


TOPIC_OF: dict[Kind, Topic] = {
    Kind.INVITATION: Topic.INVITATION,
    Kind.SUPPLEMENT: Topic.INVITATION,
    Kind.REMINDER: Topic.REMINDER,
    Kind.STARTED: Topic.STARTED,
    Kind.PROPOSAL_RECEIVED: Topic.PROPOSALS,
    Kind.PROPOSAL_DECIDED: Topic.PROPOSALS,
    Kind.PROPOSAL_NEW: Topic.BOARD_PROPOSALS,
    Kind.DOCUMENTS: Topic.DOCUMENTS,
    Kind.RESULTS: Topic.RESULTS,
    Kind.MINUTES: Topic.MINUTES,
    Kind.SEAT_OFFERED: Topic.SEATS,
}
# The notice of the assembly and of a supplement to its agenda is required by law (§46 GenG);
# a member offered a seat must learn of it to answer (it is theirs alone, never a mass mail).
REQUIRED = (Topic.INVITATION, Topic.SEATS)
OPTIONAL = tuple(t for t in Topic if t not in REQUIRED)
# On unless switched off, except the mail that an assembly has started: only who asks for it.
DEFAULT_ON = {t: t != Topic.STARTED for t in OPTIONAL}

TOPIC_LABELS = {
    Topic.INVITATION: _l("Invitations and supplements to the agenda"),
    Topic.REMINDER: _l("Reminder the day before an assembly"),
    Topic.STARTED: _l("The assembly has started, voting is open (for online participants)"),
    Topic.PROPOSALS: _l("My proposals: received, admitted or rejected"),
    Topic.BOARD_PROPOSALS: _l("New proposals to an assembly (board)"),
    Topic.DOCUMENTS: _l("Documents added after the invitation"),
    Topic.RESULTS: _l("Results declared"),
    Topic.MINUTES: _l("Minutes published"),
    Topic.SEATS: _l("A seat in a body offered to me after an election"),
}
KIND_LABELS = {
    Kind.INVITATION: _l("Invitation"),
    Kind.SUPPLEMENT: _l("Supplement to the agenda"),
    Kind.REMINDER: _l("Reminder: the assembly is tomorrow"),
    Kind.STARTED: _l("The assembly has started"),
    Kind.PROPOSAL_RECEIVED: _l("Your proposal was received"),
    Kind.PROPOSAL_DECIDED: _l("Decision on your proposal"),
    Kind.PROPOSAL_NEW: _l("New proposal"),
    Kind.DOCUMENTS: _l("New document"),
    Kind.RESULTS: _l("Result declared"),
    Kind.MINUTES: _l("Minutes published"),
    Kind.SEAT_OFFERED: _l("Seat offered"),
}
register_labels(TOPIC_LABELS, KIND_LABELS)


class MailState(enum.StrEnum):
    PENDING = "PENDING"  # the worker writes the mail in the recipient's language
    MAILED = "MAILED"  # queued in the outbox
    OFF = "OFF"  # the recipient switched this topic off
    NO_ADDRESS = "NO_ADDRESS"  # no email address: shown on the start page only


class Notification(SQLModel, table=True):
    """One thing one member (or user) is told: on the start page, and by mail unless off."""

    __tablename__ = "notification"
    __table_args__ = (
        CheckConstraint(
            "member_id IS NOT NULL OR user_id IS NOT NULL", name="ck_notification_recipient"
        ),
        Index("ix_notification_member", "member_id", "created_at"),
        Index("ix_notification_user", "user_id", "created_at"),
        Index("ix_notification_pending", "state", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: Kind = Field(sa_column=Column(str_enum(Kind, "notification_kind"), nullable=False))
    mailing_id: int = Field(
        sa_column=Column(Integer, ForeignKey("mailing.id", ondelete="CASCADE"), nullable=False)
    )
    member_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("member.id", ondelete="CASCADE"), nullable=True),
    )
    user_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("user.id", ondelete="CASCADE"), nullable=True),
    )
    assembly_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("assembly.id", ondelete="CASCADE"), nullable=True),
    )
    # The proposal, poll, attachment or minutes version the notification is about.
    object_id: int | None = Field(default=None, sa_column=Column(Integer, nullable=True))
    title: str = Field(sa_column=Column(String(300), nullable=False))
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
    state: MailState = Field(
        default=MailState.PENDING,
        sa_column=Column(str_enum(MailState, "notification_state"), nullable=False),
    )
    outbox_message_id: int | None = Field(
        default=None,
        sa_column=Column(
            Integer, ForeignKey("outbox_message.id", ondelete="SET NULL"), nullable=True
        ),
    )
    # Set where a notification must never be repeated: the reminder, once per member and
    # assembly ("reminder:<assembly>:<member>").
    once_key: str | None = Field(
        default=None, sa_column=Column(String(100), nullable=True, unique=True)
    )


class Preference(SQLModel, table=True):
    """A user's choice for one optional topic (no row: the default)."""

    __tablename__ = "notification_preference"
    __table_args__ = (
        # The required notices can never be switched off, not even by a raw write.
        CheckConstraint(
            "topic IN (" + ", ".join(f"'{t.value}'" for t in OPTIONAL) + ")",
            name="ck_preference_optional",
        ),
    )

    user_id: int = Field(
        sa_column=Column(Integer, ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    )
    topic: str = Field(sa_column=Column(String(32), primary_key=True))
    enabled: bool = Field(nullable=False)
