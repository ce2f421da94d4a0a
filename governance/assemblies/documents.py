"""Records kept for an assembly: convening evidence, agenda attachments, roll corrections."""

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, Column, ForeignKey, Index, Integer, String, Text
from sqlmodel import Field, SQLModel

from governance.db import UTCDateTime, str_enum, utcnow


class NoticeKind(enum.StrEnum):
    INVITATION = "INVITATION"  # the convening itself (§46(1))
    SUPPLEMENT = "SUPPLEMENT"  # agenda items announced later (§46(2))


class ConveningEvidence(SQLModel, table=True):
    """Evidence of a notice to the members, attached to the minutes (§47)."""

    __tablename__ = "convening_evidence"
    __table_args__ = (
        CheckConstraint("recipient_count >= 0", name="ck_evidence_recipients"),
        Index("ix_evidence_assembly", "assembly_id", "sent_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    assembly_id: int = Field(
        sa_column=Column(Integer, ForeignKey("assembly.id", ondelete="CASCADE"), nullable=False)
    )
    kind: NoticeKind = Field(
        default=NoticeKind.INVITATION,
        sa_column=Column(str_enum(NoticeKind, "notice_kind"), nullable=False),
    )
    sent_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
    sent_by_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("user.id", ondelete="RESTRICT"), nullable=True),
    )
    # Messages queued in the outbox (members with an email address).
    recipient_count: int = Field(sa_column=Column(Integer, nullable=False))
    subject: str = Field(sa_column=Column(String(300), nullable=False))
    # The text as sent, with the personal login link replaced by a placeholder.
    text: str = Field(sa_column=Column(Text, nullable=False))
    # JSON list of {number, name, address} of members without email: invited by letter post.
    letter_post: str = Field(default="[]", sa_column=Column(Text, nullable=False))
    letter_count: int = Field(default=0, sa_column=Column(Integer, nullable=False))
    # The run of mails that carried this notice (governance/mailing.py): its delivery counts.
    mailing_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("mailing.id", ondelete="RESTRICT"), nullable=True),
    )


class AgendaAttachment(SQLModel, table=True):
    """A document attached to an agenda item; the file lives in UPLOAD_DIR."""

    __tablename__ = "agenda_attachment"
    __table_args__ = (
        CheckConstraint("size > 0", name="ck_attachment_size"),
        Index("ix_attachment_item", "agenda_item_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    agenda_item_id: int = Field(
        sa_column=Column(Integer, ForeignKey("agenda_item.id", ondelete="CASCADE"), nullable=False)
    )
    filename: str = Field(sa_column=Column(String(255), nullable=False))
    stored_name: str = Field(sa_column=Column(String(64), nullable=False, unique=True))
    content_type: str = Field(sa_column=Column(String(100), nullable=False))
    size: int = Field(sa_column=Column(Integer, nullable=False))
    sha256: str = Field(sa_column=Column(String(64), nullable=False))
    uploaded_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
    uploaded_by_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("user.id", ondelete="RESTRICT"), nullable=True),
    )


class RollAction(enum.StrEnum):
    ADD = "ADD"
    REMOVE = "REMOVE"
    WEIGHT = "WEIGHT"


class RollCorrection(SQLModel, table=True):
    """A correction of a frozen voter roll by the secretary, with the reason and the new hash."""

    __tablename__ = "roll_correction"
    __table_args__ = (
        CheckConstraint("length(reason) >= 3", name="ck_roll_correction_reason"),
        Index("ix_roll_correction_assembly", "assembly_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    assembly_id: int = Field(
        sa_column=Column(Integer, ForeignKey("assembly.id", ondelete="CASCADE"), nullable=False)
    )
    member_id: int = Field(
        sa_column=Column(Integer, ForeignKey("member.id", ondelete="RESTRICT"), nullable=False)
    )
    action: RollAction = Field(
        sa_column=Column(str_enum(RollAction, "roll_action"), nullable=False)
    )
    weight: int | None = Field(default=None, sa_column=Column(Integer, nullable=True))
    reason: str = Field(sa_column=Column(Text, nullable=False))
    hash_after: str = Field(sa_column=Column(String(64), nullable=False))
    corrected_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
    corrected_by_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("user.id", ondelete="RESTRICT"), nullable=True),
    )
