"""The key ceremony of an assembly: n tellers, threshold t, one poll key for every secret poll.

A ceremony moves ROUND1 (each teller posts its transport key, commitments and proof) →
SHARES (all round-1 entries are in; the tellers compare the fingerprint, then each posts its
boxed shares) → CONFIRM (every box is posted; each teller checks its shares and confirms the
fingerprint) → READY (all n confirmed the same fingerprint: the poll key is usable). Any
failure voids it (VOID, with whose step failed); a new ceremony starts from round 1.
"""

import enum
import uuid
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
    text,
)
from sqlmodel import Field, SQLModel

from governance.db import UTCDateTime, str_enum, utcnow

MAX_TELLERS = 9


class CeremonyState(enum.StrEnum):
    ROUND1 = "ROUND1"
    SHARES = "SHARES"
    CONFIRM = "CONFIRM"
    READY = "READY"
    VOID = "VOID"


class KeyCeremony(SQLModel, table=True):
    """The distributed key generation of one assembly's poll key."""

    __tablename__ = "key_ceremony"
    __table_args__ = (
        CheckConstraint(f"n >= 1 AND n <= {MAX_TELLERS}", name="ck_key_ceremony_n"),
        CheckConstraint("t >= 1 AND t <= n", name="ck_key_ceremony_t"),
        CheckConstraint(
            "state NOT IN ('SHARES', 'CONFIRM', 'READY') OR fingerprint IS NOT NULL",
            name="ck_key_ceremony_fingerprint",
        ),
        CheckConstraint(
            "state <> 'READY' OR (public_key IS NOT NULL AND key_fingerprint IS NOT NULL"
            " AND ready_at IS NOT NULL)",
            name="ck_key_ceremony_ready",
        ),
        CheckConstraint(
            "state <> 'VOID' OR (void_reason IS NOT NULL AND voided_at IS NOT NULL)",
            name="ck_key_ceremony_void",
        ),
        # One ceremony of an assembly at a time that is not void.
        Index(
            "uq_key_ceremony_live",
            "assembly_id",
            unique=True,
            sqlite_where=text("state <> 'VOID'"),
            postgresql_where=text("state <> 'VOID'"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    uuid: str = Field(
        default_factory=lambda: str(uuid.uuid4()),
        sa_column=Column(String(36), nullable=False, unique=True),
    )
    assembly_id: int = Field(
        sa_column=Column(Integer, ForeignKey("assembly.id", ondelete="RESTRICT"), nullable=False)
    )
    n: int = Field(sa_column=Column(Integer, nullable=False))
    t: int = Field(sa_column=Column(Integer, nullable=False))
    state: CeremonyState = Field(
        default=CeremonyState.ROUND1,
        sa_column=Column(str_enum(CeremonyState, "ceremony_state"), nullable=False),
    )
    # SHA-256 (hex) of the whole round-1 transcript, once every teller posted round 1.
    fingerprint: str | None = Field(default=None, sa_column=Column(String(64), nullable=True))
    # The poll key Y (hex point) and its short fingerprint, once READY.
    public_key: str | None = Field(default=None, sa_column=Column(String(64), nullable=True))
    key_fingerprint: str | None = Field(default=None, sa_column=Column(String(32), nullable=True))
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
    created_by_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("user.id", ondelete="RESTRICT"), nullable=True),
    )
    ready_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    voided_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    void_reason: str | None = Field(default=None, sa_column=Column(Text, nullable=True))

    @property
    def is_ready(self) -> bool:
        return self.state == CeremonyState.READY


class Teller(SQLModel, table=True):
    """Teller number `index` (1…n) of a ceremony, a person with a login, and what they posted."""

    __tablename__ = "teller"
    __table_args__ = (
        UniqueConstraint("ceremony_id", "user_id", name="uq_teller_user"),
        CheckConstraint(f"idx >= 1 AND idx <= {MAX_TELLERS}", name="ck_teller_index"),
        CheckConstraint("(round1 IS NULL) = (round1_at IS NULL)", name="ck_teller_round1"),
        CheckConstraint(
            "(confirmed_fingerprint IS NULL) = (confirmed_at IS NULL)", name="ck_teller_confirmed"
        ),
    )

    ceremony_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("key_ceremony.id", ondelete="RESTRICT"), primary_key=True
        )
    )
    idx: int = Field(sa_column=Column(Integer, primary_key=True))
    user_id: int = Field(
        sa_column=Column(Integer, ForeignKey("user.id", ondelete="RESTRICT"), nullable=False)
    )
    # Round 1 as canonical JSON: {"T": transport key, "A": [commitments], "c": …, "s": …}.
    round1: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    round1_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    shares_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    confirmed_fingerprint: str | None = Field(
        default=None, sa_column=Column(String(64), nullable=True)
    )
    confirmed_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime, nullable=True)
    )


class TellerShare(SQLModel, table=True):
    """The share f_i(j) from teller i to teller j, in a box only teller j can open."""

    __tablename__ = "teller_share"
    __table_args__ = (
        CheckConstraint("from_idx <> to_idx", name="ck_teller_share_other"),
        CheckConstraint("length(nonce) = 48", name="ck_teller_share_nonce"),
    )

    ceremony_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("key_ceremony.id", ondelete="RESTRICT"), primary_key=True
        )
    )
    from_idx: int = Field(sa_column=Column(Integer, primary_key=True))
    to_idx: int = Field(sa_column=Column(Integer, primary_key=True))
    nonce: str = Field(sa_column=Column(String(48), nullable=False))
    box: str = Field(sa_column=Column(String(200), nullable=False))
