"""Assemblies and what belongs to one: voter roll, attendance (the agenda: models_agenda.py,
mandates: models_mandates.py)."""

import enum
import uuid
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
    UniqueConstraint,
)
from sqlalchemy.orm import object_session
from sqlmodel import Field, SQLModel

from governance.accounts.models import Role
from governance.assemblies import closed
from governance.db import UTCDateTime, str_enum, utcnow
from governance.errors import IllegalTransition
from governance.i18n import _l, enum_label


class Body(enum.StrEnum):
    GENERAL_ASSEMBLY = "GENERAL_ASSEMBLY"
    REPRESENTATIVE_ASSEMBLY = "REPRESENTATIVE_ASSEMBLY"
    SUPERVISORY_BOARD = "SUPERVISORY_BOARD"
    BOARD = "BOARD"
    COMMITTEE = "COMMITTEE"


class AssemblyKind(enum.StrEnum):
    ORDINARY = "ORDINARY"
    EXTRAORDINARY = "EXTRAORDINARY"


class AssemblyForm(enum.StrEnum):
    """§43b GenG."""

    IN_PERSON = "IN_PERSON"
    VIRTUAL = "VIRTUAL"
    HYBRID = "HYBRID"
    STRETCHED = "STRETCHED"


# The forms in which members take part remotely (the live page's presence online, §43b(1)).
REMOTE_FORMS = (AssemblyForm.VIRTUAL, AssemblyForm.HYBRID, AssemblyForm.STRETCHED)


class AssemblyState(enum.StrEnum):
    DRAFT = "DRAFT"
    CONVENED = "CONVENED"
    IN_SESSION = "IN_SESSION"
    CLOSED = "CLOSED"
    MINUTES_PUBLISHED = "MINUTES_PUBLISHED"


STAFF_ROLES = (Role.BOARD, Role.SUPERVISORY_BOARD, Role.SECRETARY)
# The bodies whose meetings every member may follow; the others meet behind closed doors.
MEMBER_BODIES = (Body.GENERAL_ASSEMBLY, Body.REPRESENTATIVE_ASSEMBLY)
# A relative holding a member's proxy sees the assembly while it is convened or in session.
LIVE_ASSEMBLY = (AssemblyState.CONVENED, AssemblyState.IN_SESSION)

TRANSITIONS: dict[AssemblyState, set[AssemblyState]] = {
    AssemblyState.DRAFT: {AssemblyState.CONVENED},
    AssemblyState.CONVENED: {AssemblyState.IN_SESSION},
    AssemblyState.IN_SESSION: {AssemblyState.CLOSED},
    AssemblyState.CLOSED: {AssemblyState.MINUTES_PUBLISHED},
    AssemblyState.MINUTES_PUBLISHED: set(),
}


class Assembly(SQLModel, table=True):
    """A meeting of a body; the general assembly is the one that votes."""

    __tablename__ = "assembly"
    __table_args__ = (
        CheckConstraint(
            "form <> 'STRETCHED' OR (voting_starts_at IS NOT NULL AND voting_ends_at IS NOT NULL"
            " AND voting_ends_at > voting_starts_at)",
            name="ck_assembly_voting_phase",
        ),
        CheckConstraint("record_date IS NOT NULL OR state = 'DRAFT'", name="ck_assembly_record"),
        Index("ix_assembly_starts_at", "starts_at"),
        Index("uq_assembly_uuid", "uuid", unique=True),
    )

    id: int | None = Field(default=None, primary_key=True)
    # The assembly's id in the transcripts of encrypted ballots (docs/coopvote.md, H_poll);
    # required by a trigger (assemblies/ddl.py): the column was added to existing tables.
    uuid: str = Field(
        default_factory=lambda: str(uuid.uuid4()),
        sa_column=Column(String(36), nullable=True),
    )
    body: Body = Field(
        default=Body.GENERAL_ASSEMBLY, sa_column=Column(str_enum(Body, "body"), nullable=False)
    )
    # The body (bodies.models.Body) whose meeting this is; None for a general assembly. Its
    # kind and `body` agree, only the general assembly has none, and it never changes (a
    # trigger, assemblies/ddl.py "assembly_body": SQLite adds no CHECK without a table copy).
    # No ON DELETE clause: a body is never deleted (trigger body_no_delete), and SQLite keeps no
    # clause of a column-level REFERENCES added by ALTER TABLE (revision 0010).
    body_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("body.id"), nullable=True)
    )
    title: str = Field(sa_column=Column(String(300), nullable=False))
    kind: AssemblyKind = Field(
        default=AssemblyKind.ORDINARY,
        sa_column=Column(str_enum(AssemblyKind, "assembly_kind"), nullable=False),
    )
    form: AssemblyForm = Field(
        default=AssemblyForm.IN_PERSON,
        sa_column=Column(str_enum(AssemblyForm, "assembly_form"), nullable=False),
    )
    starts_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    voting_starts_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime, nullable=True)
    )
    voting_ends_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime, nullable=True)
    )
    place: str = Field(default="", sa_column=Column(String(500), nullable=False))
    remote_access: str = Field(default="", sa_column=Column(Text, nullable=False))
    record_date: date | None = Field(default=None, sa_column=Column(Date, nullable=True))
    chair_user_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("user.id", ondelete="RESTRICT"), nullable=True),
    )
    secretary_user_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("user.id", ondelete="RESTRICT"), nullable=True),
    )
    state: AssemblyState = Field(
        default=AssemblyState.DRAFT,
        sa_column=Column(str_enum(AssemblyState, "assembly_state"), nullable=False),
    )
    convened_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    convened_by_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("user.id", ondelete="RESTRICT"), nullable=True),
    )
    opened_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    closed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    # The chair's record that all members are present (§46(2): late items may then be resolved).
    all_present_declared_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime, nullable=True)
    )
    roll_hash: str | None = Field(default=None, sa_column=Column(String(64), nullable=True))
    roll_frozen_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime, nullable=True)
    )
    current_item_id: int | None = Field(default=None, sa_column=Column(Integer, nullable=True))
    # Members' proposals (Anträge) must arrive by then; None: the default from the settings.
    proposal_deadline: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime, nullable=True)
    )
    # SHA-256 of the token of the screen in the room (projector view); the chair rotates it.
    screen_token_hash: str | None = Field(default=None, sa_column=Column(String(64), nullable=True))
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )

    def transition(self, target: AssemblyState) -> None:
        """Move to `target` or raise IllegalTransition."""
        if target not in TRANSITIONS[self.state]:
            raise IllegalTransition(
                _l(
                    "An assembly cannot go from %(a)s to %(b)s.",
                    a=enum_label(self.state),
                    b=enum_label(target),
                )
            )
        self.state = target

    @property
    def is_remote(self) -> bool:
        return self.form in REMOTE_FORMS

    @property
    def is_draft(self) -> bool:
        return self.state == AssemblyState.DRAFT

    @property
    def roll_frozen(self) -> bool:
        return self.roll_frozen_at is not None

    # --- access predicates (views check these; `user` is an accounts User) ---------------
    # `can_see` is the one gate: every domain's loader (polls, ballot box, results, proposals,
    # attachments, minutes, live page, audit pages) asks it before anything else.

    @property
    def of_body(self) -> bool:
        """A meeting of a body (board, supervisory board, committee, delegates)."""
        return self.body_id is not None

    def can_see(self, user: Any) -> bool:
        """May `user` see this assembly and everything in it?

        A general assembly: staff and the meeting's chair and secretary in every state, members
        once it is convened; a relative who is not a member and holds a member's accepted
        proxy (relatives.py) sees that one assembly while it is convened or in session, to
        vote for the member. A meeting of a body (`body_id`) is closed to everyone outside the
        body: its current seats see it in every state, the guests the body invited see it
        once it is convened — nobody else, whatever their role: a board member does not see
        the supervisory board's meetings nor the other way round, and a secretary, chair or
        minutes keeper who is neither seat nor guest does not see it (the body invites its
        minutes keeper as a guest). A representative assembly is the delegates' meeting.
        An administrator manages accounts only and sees none.
        """
        if self.of_body:
            return closed.seat_today(self, user) is not None or (
                self.state != AssemblyState.DRAFT and closed.is_guest(self, user)
            )
        if self.is_staff(user):
            return True
        if not (
            user.is_authenticated
            and self.state != AssemblyState.DRAFT
            and self.body in MEMBER_BODIES
        ):
            return False
        if user.has_role(Role.MEMBER):
            return True
        return self.is_relative_holder(user)

    def is_relative_holder(self, user: Any) -> bool:
        """`user` is a login without a member holding an accepted proxy for this assembly,
        convened or in session (the grant's slot is freed when it is revoked or rejected)."""
        session = object_session(self)
        if session is None or user.member_id is not None or self.state not in LIVE_ASSEMBLY:
            return False
        held = held_by_relative(self.id, user.id).limit(1)
        return session.execute(held).first() is not None

    def can_manage(self, user: Any) -> bool:
        """The board prepares the assembly: data, agenda, attachments, proposals; a body's
        meeting is prepared by its chair or deputy (on the board: every board seat)."""
        if self.of_body:
            return closed.leads(self, user)
        return bool(user.is_authenticated and user.has_role(Role.BOARD))

    def can_convene(self, user: Any) -> bool:
        """The board convenes; the supervisory board may too (§38(2) GenG); a body's meeting
        is convened by whom prepares it."""
        if self.of_body:
            return closed.leads(self, user)
        return bool(user.is_authenticated and user.has_any_role(Role.BOARD, Role.SUPERVISORY_BOARD))

    def can_chair(self, user: Any) -> bool:
        """The appointed chair; while none is appointed, the board (a body's: its leaders)."""
        if not user.is_authenticated:
            return False
        if self.chair_user_id is None:
            return closed.leads(self, user) if self.of_body else bool(user.has_role(Role.BOARD))
        return bool(user.id == self.chair_user_id and self.can_see(user))

    def can_keep_records(self, user: Any) -> bool:
        """Roll, attendance and proxies: the appointed secretary or any SECRETARY user; at a
        body's meeting the appointed secretary (a seat or guest) or the body's leaders."""
        if not user.is_authenticated:
            return False
        if self.of_body:
            mine = user.id == self.secretary_user_id and self.can_see(user)
            return bool(mine or closed.leads(self, user))
        return bool(user.id == self.secretary_user_id or user.has_role(Role.SECRETARY))

    def is_staff(self, user: Any) -> bool:
        """Board, supervisory board, secretaries, chair: they see drafts and all records; at a
        body's meeting its current seats and the appointed chair and secretary (if guests)."""
        if not user.is_authenticated:
            return False
        if self.of_body:
            named = user.id in (self.chair_user_id, self.secretary_user_id)
            return closed.seat_today(self, user) is not None or (named and self.can_see(user))
        return bool(
            user.has_any_role(*STAFF_ROLES)
            or user.id in (self.chair_user_id, self.secretary_user_id)
        )


class RollEntry(SQLModel, table=True):
    """One member on an assembly's frozen voter roll (Stimmberechtigtenverzeichnis)."""

    __tablename__ = "roll_entry"
    __table_args__ = (
        UniqueConstraint("assembly_id", "member_id", name="uq_roll_member"),
        CheckConstraint("weight BETWEEN 1 AND 3", name="ck_roll_weight"),
        CheckConstraint("shares >= 0", name="ck_roll_shares"),
    )

    id: int | None = Field(default=None, primary_key=True)
    assembly_id: int = Field(
        sa_column=Column(Integer, ForeignKey("assembly.id", ondelete="CASCADE"), nullable=False)
    )
    member_id: int = Field(
        sa_column=Column(Integer, ForeignKey("member.id", ondelete="RESTRICT"), nullable=False)
    )
    shares: int = Field(sa_column=Column(Integer, nullable=False))
    # One member one vote (§43(3)); a statute may grant up to 3 (setting, off by default).
    weight: int = Field(default=1, sa_column=Column(Integer, nullable=False))


class Channel(enum.StrEnum):
    ROOM = "ROOM"
    ONLINE = "ONLINE"
    PROXY = "PROXY"


class Attendance(SQLModel, table=True):
    """A member's presence at an assembly: checked in in the room, or online on the live page."""

    __tablename__ = "attendance"
    __table_args__ = (
        UniqueConstraint("assembly_id", "member_id", name="uq_attendance_member"),
        CheckConstraint("channel IN ('ROOM', 'ONLINE')", name="ck_attendance_channel"),
        Index("ix_attendance_seen", "assembly_id", "last_seen_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    assembly_id: int = Field(
        sa_column=Column(Integer, ForeignKey("assembly.id", ondelete="CASCADE"), nullable=False)
    )
    member_id: int = Field(
        sa_column=Column(Integer, ForeignKey("member.id", ondelete="RESTRICT"), nullable=False)
    )
    channel: Channel = Field(sa_column=Column(str_enum(Channel, "channel"), nullable=False))
    checked_in_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
    checked_out_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime, nullable=True)
    )
    last_seen_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
    checked_in_by_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("user.id", ondelete="RESTRICT"), nullable=True),
    )


# Documents of an assembly (convening evidence, attachments, roll corrections).
from governance.assemblies.documents import (  # noqa: E402
    AgendaAttachment,
    ConveningEvidence,
    NoticeKind,
    RollCorrection,
)
from governance.assemblies.floor import Speaker, SpeakerKind, SpeakerState  # noqa: E402
from governance.assemblies.grants import GrantState, ProxyGrant, held_by_relative  # noqa: E402
from governance.assemblies.guests import MeetingGuest  # noqa: E402

__all__ = [
    "AgendaAttachment",
    "Assembly",
    "AssemblyForm",
    "AssemblyKind",
    "AssemblyState",
    "Attendance",
    "Body",
    "Channel",
    "ConveningEvidence",
    "GrantState",
    "MeetingGuest",
    "NoticeKind",
    "ProxyGrant",
    "RollCorrection",
    "RollEntry",
    "Speaker",
    "SpeakerKind",
    "SpeakerState",
]
