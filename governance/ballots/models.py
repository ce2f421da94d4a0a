"""Polls, who took part, and the ballot box (see /work/shared/design/ballots.md).

`Participation` says who voted, `Ballot` what was voted; nothing links the two. A ballot has no
member, no user, no timestamp and no auto-increment id; on SQLite its table is WITHOUT ROWID.
Triggers (below) keep the box closed: ballots are inserted only while a poll is open or being
sealed, removed only by the seal's rewrite, and never updated. A poll's question and
candidates change only while it is a draft.
"""

import enum
import uuid
from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel

from governance.assemblies.models import Channel
from governance.db import UTCDateTime, str_enum, utcnow
from governance.errors import IllegalTransition
from governance.i18n import _l, enum_label

TRACKER_BYTES = 16


class PollKind(enum.StrEnum):
    MOTION = "MOTION"
    ELECTION = "ELECTION"


class ElectionMode(enum.StrEnum):
    YES_NO_ABSTAIN_PER_CANDIDATE = "YES_NO_ABSTAIN_PER_CANDIDATE"
    CHOOSE_UP_TO_N = "CHOOSE_UP_TO_N"


class Majority(enum.StrEnum):
    """Of the votes cast (yes + no); abstentions and invalid ballots do not count."""

    SIMPLE = "SIMPLE"  # §43(2)
    THREE_QUARTERS = "THREE_QUARTERS"  # §16(2), §36(3), §78, §79a
    NINE_TENTHS = "NINE_TENTHS"  # §16(3)
    RELATIVE = "RELATIVE"  # elections: most votes win the seats


# §43(3): multiple votes never count where the law requires 3/4 or a larger majority.
QUALIFIED = frozenset({Majority.THREE_QUARTERS, Majority.NINE_TENTHS})


class PollState(enum.StrEnum):
    DRAFT = "DRAFT"
    OPEN = "OPEN"
    CLOSED = "CLOSED"
    SEALED = "SEALED"
    PUBLISHED = "PUBLISHED"


POLL_TRANSITIONS: dict[PollState, PollState | None] = {
    PollState.DRAFT: PollState.OPEN,
    PollState.OPEN: PollState.CLOSED,
    PollState.CLOSED: PollState.SEALED,
    PollState.SEALED: PollState.PUBLISHED,
    PollState.PUBLISHED: None,
}


def _user_fk() -> Column:
    return Column(Integer, ForeignKey("user.id", ondelete="RESTRICT"), nullable=True)


class Poll(SQLModel, table=True):
    """A question put to the vote: a motion (yes/no/abstain) or an election."""

    __tablename__ = "poll"
    __table_args__ = (
        CheckConstraint("seats >= 1", name="ck_poll_seats"),
        CheckConstraint(
            "(kind = 'MOTION' AND election_mode IS NULL"
            " AND majority IN ('SIMPLE', 'THREE_QUARTERS', 'NINE_TENTHS'))"
            " OR (kind = 'ELECTION' AND election_mode IS NOT NULL)",
            name="ck_poll_kind",
        ),
        CheckConstraint(
            "election_mode IS NULL OR election_mode <> 'CHOOSE_UP_TO_N' OR majority = 'RELATIVE'",
            name="ck_poll_choose_relative",
        ),
        CheckConstraint(
            "election_mode IS NULL OR election_mode <> 'YES_NO_ABSTAIN_PER_CANDIDATE'"
            " OR majority <> 'RELATIVE'",
            name="ck_poll_per_candidate_majority",
        ),
        CheckConstraint("state = 'DRAFT' OR opened_at IS NOT NULL", name="ck_poll_opened"),
        CheckConstraint(
            "state NOT IN ('SEALED', 'PUBLISHED') OR (seal_root IS NOT NULL AND sealed_at IS NOT NULL)",
            name="ck_poll_sealed",
        ),
        CheckConstraint(
            "state <> 'PUBLISHED' OR (result_json IS NOT NULL AND declared_at IS NOT NULL)",
            name="ck_poll_published",
        ),
        Index("uq_poll_uuid", "uuid", unique=True),
        Index("ix_poll_assembly", "assembly_id"),
        Index("ix_poll_state_close", "state", "auto_close_at"),
        Index("uq_poll_runoff", "runoff_of_id", unique=True),  # one run-off per tied election
    )

    id: int | None = Field(default=None, primary_key=True)
    # The poll's id in the transcripts of encrypted ballots (H_poll, trackers). Required by a
    # trigger (ballots/ddl.py, poll_encrypted): the column was added to existing tables.
    uuid: str = Field(
        default_factory=lambda: str(uuid.uuid4()),
        sa_column=Column(String(36), nullable=True),
    )
    assembly_id: int = Field(
        sa_column=Column(Integer, ForeignKey("assembly.id", ondelete="CASCADE"), nullable=False)
    )
    agenda_item_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("agenda_item.id", ondelete="SET NULL"), nullable=True),
    )
    # The Antrag (governance.proposals) this poll decides.
    proposal_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("proposal.id", ondelete="SET NULL"), nullable=True),
    )
    title: str = Field(sa_column=Column(String(300), nullable=False))
    description: str = Field(default="", sa_column=Column(Text, nullable=False))
    kind: PollKind = Field(
        default=PollKind.MOTION, sa_column=Column(str_enum(PollKind, "poll_kind"), nullable=False)
    )
    election_mode: ElectionMode | None = Field(
        default=None,
        sa_column=Column(str_enum(ElectionMode, "election_mode"), nullable=True),
    )
    seats: int = Field(default=1, sa_column=Column(Integer, nullable=False))
    secret: bool = Field(default=True, sa_column=Column(Boolean, nullable=False))
    # False: the ballot box is published as trackers only (no receipt, BSI-CC-PP-0037).
    publish_choices: bool = Field(default=True, sa_column=Column(Boolean, nullable=False))
    majority: Majority = Field(
        default=Majority.SIMPLE,
        sa_column=Column(str_enum(Majority, "poll_majority"), nullable=False),
    )
    state: PollState = Field(
        default=PollState.DRAFT,
        sa_column=Column(str_enum(PollState, "poll_state"), nullable=False),
    )
    # Fixed when the poll opens: roll weights count (§43(3) setting, never for 3/4 or more).
    weighted: bool = Field(default=False, sa_column=Column(Boolean, nullable=False))
    roll_hash: str | None = Field(default=None, sa_column=Column(String(64), nullable=True))
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
    created_by_id: int | None = Field(default=None, sa_column=_user_fk())
    opened_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    opened_by_id: int | None = Field(default=None, sa_column=_user_fk())
    auto_close_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime, nullable=True)
    )
    closed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    closed_by_id: int | None = Field(default=None, sa_column=_user_fk())
    sealed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    seal_root: str | None = Field(default=None, sa_column=Column(String(64), nullable=True))
    result_json: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    declaration: str = Field(default="", sa_column=Column(Text, nullable=False))
    declared_by_id: int | None = Field(default=None, sa_column=_user_fk())
    declared_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    published_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime, nullable=True)
    )
    # The assembly's key ceremony whose poll key encrypts the ballots (fixed when it opens);
    # None: plaintext ballots ("secrecy protected by the server"). No foreign key (see
    # migration 0003): the trigger poll_key_ready requires a ready ceremony of the poll's
    # assembly when the poll opens, and no ceremony is ever deleted.
    ceremony_id: int | None = Field(default=None, sa_column=Column(Integer, nullable=True))
    # The homomorphic sums per option, computed at the seal (JSON: [[[alpha, beta], ...], ...]).
    sums: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    # The tied election this poll is the run-off of (ballots/runoff.py). No foreign key, as
    # for ceremony_id (migration 0004 adds the column without copying the table): the tied
    # poll is sealed, and only drafts are ever deleted (poll_delete).
    runoff_of_id: int | None = Field(default=None, sa_column=Column(Integer, nullable=True))

    @property
    def is_encrypted(self) -> bool:
        return self.ceremony_id is not None

    def _move(self, target: PollState) -> None:
        if POLL_TRANSITIONS[self.state] != target:
            raise IllegalTransition(
                _l(
                    "A poll cannot go from %(a)s to %(b)s.",
                    a=enum_label(self.state),
                    b=enum_label(target),
                )
            )
        self.state = target

    def open(self, *, now: datetime) -> None:
        """DRAFT → OPEN."""
        self._move(PollState.OPEN)
        self.opened_at = now

    def close(self, *, now: datetime) -> None:
        """OPEN → CLOSED."""
        self._move(PollState.CLOSED)
        self.closed_at = now

    def seal(self, *, now: datetime, root: str) -> None:
        """CLOSED → SEALED with the Merkle root of the ballot box."""
        self._move(PollState.SEALED)
        self.sealed_at = now
        self.seal_root = root

    def publish(self, *, now: datetime) -> None:
        """SEALED → PUBLISHED (the declaration must be confirmed)."""
        self._move(PollState.PUBLISHED)
        self.published_at = now

    @property
    def is_election(self) -> bool:
        return self.kind == PollKind.ELECTION

    @property
    def is_open(self) -> bool:
        return self.state == PollState.OPEN

    @property
    def is_sealed(self) -> bool:
        return self.state in (PollState.SEALED, PollState.PUBLISHED)


class PollOption(SQLModel, table=True):
    """A candidate of an election."""

    __tablename__ = "poll_option"
    __table_args__ = (
        UniqueConstraint("poll_id", "position", name="uq_poll_option_position"),
        UniqueConstraint("poll_id", "label", name="uq_poll_option_label"),
        CheckConstraint("position >= 1", name="ck_poll_option_position"),
    )

    id: int | None = Field(default=None, primary_key=True)
    poll_id: int = Field(
        sa_column=Column(Integer, ForeignKey("poll.id", ondelete="CASCADE"), nullable=False)
    )
    position: int = Field(sa_column=Column(Integer, nullable=False))
    label: str = Field(sa_column=Column(String(300), nullable=False))


class PollExclusion(SQLModel, table=True):
    """A member who may not vote in this poll, neither in person nor as proxy (§43(6))."""

    __tablename__ = "poll_exclusion"

    poll_id: int = Field(
        sa_column=Column(Integer, ForeignKey("poll.id", ondelete="CASCADE"), primary_key=True)
    )
    member_id: int = Field(
        sa_column=Column(Integer, ForeignKey("member.id", ondelete="RESTRICT"), primary_key=True)
    )
    reason: str = Field(default="", sa_column=Column(String(300), nullable=False))


class Participation(SQLModel, table=True):
    """That a member voted (and how: online, by proxy, on paper in the room) — never what.

    No timestamp, no id: the primary key (poll, member) is the one-vote rule. Channel ROOM means
    a paper ballot handed in in the room (counted by the tellers); it blocks voting online.
    The vote was cast by a member (themselves or their proxy) or, by proxy only, by a relative
    who is not a member (`cast_by_user_id`, their login; assemblies/relatives.py); a trigger
    holds every vote cast for another to a mandate or an accepted grant (ddl.py).
    """

    __tablename__ = "participation"
    __table_args__ = (
        CheckConstraint(
            "(cast_by_member_id IS NULL) <> (cast_by_user_id IS NULL) "
            "AND (cast_by_user_id IS NULL OR channel = 'PROXY')",
            name="ck_participation_caster",
        ),
        CheckConstraint(
            "channel <> 'PROXY' OR cast_by_member_id <> member_id", name="ck_participation_proxy"
        ),
        CheckConstraint(
            "channel <> 'ONLINE' OR cast_by_member_id = member_id", name="ck_participation_self"
        ),
        {"sqlite_with_rowid": False},
    )

    poll_id: int = Field(
        sa_column=Column(Integer, ForeignKey("poll.id", ondelete="RESTRICT"), primary_key=True)
    )
    member_id: int = Field(
        sa_column=Column(Integer, ForeignKey("member.id", ondelete="RESTRICT"), primary_key=True)
    )
    cast_by_member_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("member.id", ondelete="RESTRICT"), nullable=True),
    )
    cast_by_user_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("user.id", ondelete="RESTRICT"), nullable=True),
    )
    channel: Channel = Field(
        sa_column=Column(str_enum(Channel, "participation_channel"), nullable=False)
    )


class Ballot(SQLModel, table=True):
    """What was voted. The tracker (16 random bytes) is the only key; nothing names the voter.

    In a poll with a key the choice stays empty and `cipher` holds the encrypted ballot with its
    proofs (docs/coopvote.md); its tracker is the hash of the ciphertexts.
    """

    __tablename__ = "ballot"
    __table_args__ = (
        CheckConstraint(f"length(tracker) = {TRACKER_BYTES}", name="ck_ballot_tracker"),
        Index("ix_ballot_poll_choice", "poll_id", "choice"),
        {"sqlite_with_rowid": False},
    )

    tracker: bytes = Field(sa_column=Column(LargeBinary(TRACKER_BYTES), primary_key=True))
    poll_id: int = Field(
        sa_column=Column(Integer, ForeignKey("poll.id", ondelete="RESTRICT"), nullable=False)
    )
    choice: str = Field(sa_column=Column(String(1000), nullable=False))
    cipher: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


class BallotAlpha(SQLModel, table=True):
    """Every α of a poll's encrypted ballots, once: the primary key refuses a ballot reusing an
    α already in the poll (docs/coopvote.md), on both databases and under concurrent casts,
    with an index lookup instead of a search through the ballots. Nothing here that the
    ballot itself does not show."""

    __tablename__ = "ballot_alpha"
    __table_args__ = (
        CheckConstraint("length(alpha) = 32", name="ck_ballot_alpha_length"),
        {"sqlite_with_rowid": False},
    )

    poll_id: int = Field(
        sa_column=Column(Integer, ForeignKey("poll.id", ondelete="RESTRICT"), primary_key=True)
    )
    alpha: bytes = Field(sa_column=Column(LargeBinary(32), primary_key=True))


class DecryptionShare(SQLModel, table=True):
    """Teller `teller_idx`'s partial decryptions of a sealed poll's sums, with their proofs.

    JSON list of {"q", "o", "d", "c", "s"} (docs/coopvote.md, "Counting"); append-only.
    """

    __tablename__ = "decryption_share"
    __table_args__ = ({"sqlite_with_rowid": False},)

    poll_id: int = Field(
        sa_column=Column(Integer, ForeignKey("poll.id", ondelete="RESTRICT"), primary_key=True)
    )
    teller_idx: int = Field(sa_column=Column(Integer, primary_key=True))
    shares: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )


class NamedVote(SQLModel, table=True):
    """Who voted what, for polls that are not secret (the ballot is kept as well)."""

    __tablename__ = "named_vote"
    __table_args__ = ({"sqlite_with_rowid": False},)

    poll_id: int = Field(
        sa_column=Column(Integer, ForeignKey("poll.id", ondelete="RESTRICT"), primary_key=True)
    )
    member_id: int = Field(
        sa_column=Column(Integer, ForeignKey("member.id", ondelete="RESTRICT"), primary_key=True)
    )
    choice: str = Field(sa_column=Column(String(1000), nullable=False))


class PaperCount(SQLModel, table=True):
    """The tellers' count of paper ballots from the room, per tally item (see tally.py)."""

    __tablename__ = "paper_count"
    __table_args__ = (CheckConstraint("votes >= 0", name="ck_paper_count_votes"),)

    poll_id: int = Field(
        sa_column=Column(Integer, ForeignKey("poll.id", ondelete="RESTRICT"), primary_key=True)
    )
    item: str = Field(sa_column=Column(String(64), primary_key=True))
    votes: int = Field(sa_column=Column(Integer, nullable=False))
