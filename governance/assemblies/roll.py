"""The frozen voter roll (Stimmberechtigtenverzeichnis): freezing, hashing, corrections.

The roll hash is SHA-256 over a canonical text: one line per roll entry, `<member number>:<weight>`,
sorted by member number, lines joined with "\\n" (no trailing newline), UTF-8. An empty roll hashes
the empty string. Anyone holding the roll can recompute it; the hash is recorded in
`assembly.roll_hash` and in the audit chain when the roll is frozen and after each correction.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from datetime import date, datetime

from sqlalchemy import exists, func, select
from sqlmodel import Session

from governance.assemblies.documents import RollAction, RollCorrection
from governance.assemblies.models import Assembly, AssemblyState, RollEntry
from governance.assemblies.models_mandates import Mandate
from governance.auditlog import record_event
from governance.db import utcnow
from governance.errors import DomainError
from governance.i18n import _l
from governance.register.models import Member

MAX_WEIGHT = 3


def canonical_roll(entries: Iterable[tuple[str, int]]) -> str:
    """The canonical text of a roll: sorted `number:weight` lines."""
    return "\n".join(f"{number}:{weight}" for number, weight in sorted(entries))


def hash_roll(entries: Iterable[tuple[str, int]]) -> str:
    """SHA-256 (hex) of the canonical roll text."""
    return hashlib.sha256(canonical_roll(entries).encode("utf-8")).hexdigest()


def roll_rows(session: Session, *, assembly_id: int) -> list[tuple[str, int]]:
    """(member number, weight) of every roll entry."""
    rows = session.execute(
        select(Member.number, RollEntry.weight)
        .join(Member, Member.id == RollEntry.member_id)
        .where(RollEntry.assembly_id == assembly_id)
    )
    return [(str(n), int(w)) for n, w in rows]


def roll_hash(session: Session, *, assembly_id: int) -> str:
    """Recompute the roll hash from the RollEntry rows (compare with `assembly.roll_hash`)."""
    return hash_roll(roll_rows(session, assembly_id=assembly_id))


def roll_entry(session: Session, *, assembly_id: int, member_id: int) -> RollEntry | None:
    """The member's entry on the assembly's roll, or None when they are not on it."""
    return session.execute(
        select(RollEntry).where(
            RollEntry.assembly_id == assembly_id, RollEntry.member_id == member_id
        )
    ).scalar_one_or_none()


def roll_entry_as_proxy(
    session: Session, *, assembly_id: int, member_id: int
) -> tuple[RollEntry | None, bool]:
    """The member's entry on the assembly's roll (None when not on it) and whether they hold a
    member's proxy for the assembly: one statement for the live page (issue #19)."""
    represents = exists().where(
        Mandate.assembly_id == RollEntry.assembly_id, Mandate.proxy_id == RollEntry.member_id
    )
    row = session.execute(
        select(RollEntry, represents.label("represents")).where(
            RollEntry.assembly_id == assembly_id, RollEntry.member_id == member_id
        )
    ).first()
    return (None, False) if row is None else (row[0], bool(row[1]))


def roll_size(session: Session, *, assembly_id: int) -> int:
    """Number of members on the roll."""
    return int(
        session.execute(
            select(func.count(RollEntry.id)).where(RollEntry.assembly_id == assembly_id)
        ).scalar_one()
    )


def roll_members(session: Session, *, assembly_id: int) -> list[tuple[RollEntry, Member]]:
    """The roll with its members, ordered by member number."""
    rows = session.execute(
        select(RollEntry, Member)
        .join(Member, Member.id == RollEntry.member_id)
        .where(RollEntry.assembly_id == assembly_id)
        .order_by(Member.number)
    )
    return [(e, m) for e, m in rows]


def expelled_on_roll(session: Session, *, assembly_id: int) -> list[Member]:
    """Roll members whose expulsion letter has been sent (§68(2) GenG), by member number: the
    frozen roll keeps them (and its hash), the door refuses them from the letter's date."""
    rows = session.execute(
        select(Member)
        .join(RollEntry, RollEntry.member_id == Member.id)
        .where(RollEntry.assembly_id == assembly_id, Member.expulsion_letter_date.is_not(None))
        .order_by(Member.number)
    )
    return list(rows.scalars())


def freeze_roll(
    session: Session,
    *,
    assembly: Assembly,
    record_date: date,
    min_shares: int,
    multiple_votes: bool = False,
    actor: object | None = None,
) -> str:
    """Copy the eligible members at `record_date` into RollEntry rows and record the hash."""
    from governance.register.services import eligible_members

    eligible = eligible_members(session, at=record_date, min_shares=min_shares)
    # One member, one vote (§43(3)); with multiple votes the secretary sets weights later.
    entries = [
        RollEntry(assembly_id=assembly.id, member_id=member.id, shares=shares, weight=1)
        for member, shares in eligible
    ]
    return freeze_entries(
        session,
        assembly=assembly,
        record_date=record_date,
        entries=entries,
        multiple_votes=multiple_votes,
        actor=actor,
    )


def freeze_entries(
    session: Session,
    *,
    assembly: Assembly,
    record_date: date,
    entries: Sequence[RollEntry],
    multiple_votes: bool = False,
    actor: object | None = None,
    now: datetime | None = None,
) -> str:
    """Freeze the roll as these entries: store them, the record date and the hash; audit it.

    `freeze_roll` chooses the entries from the register; the test factories choose their own.
    """
    if assembly.roll_frozen_at is not None:
        raise DomainError(_l("The voter roll of this assembly is frozen already."))
    session.add_all(entries)
    session.flush()
    assembly.record_date = record_date
    assembly.roll_frozen_at = now or utcnow()
    assembly.roll_hash = roll_hash(session, assembly_id=assembly.id)
    session.add(assembly)
    record_event(
        session,
        event_type="assembly.roll_frozen",
        actor=actor,
        object_type="assembly",
        object_id=assembly.id,
        assembly_id=assembly.id,
        payload={
            "record_date": record_date,
            "entries": len(entries),
            "roll_hash": assembly.roll_hash,
            "multiple_votes": multiple_votes,
        },
    )
    return assembly.roll_hash


def _check_correctable(assembly: Assembly, reason: str) -> None:
    if assembly.roll_frozen_at is None:
        raise DomainError(_l("The voter roll is frozen when the assembly is convened."))
    if assembly.state not in (AssemblyState.CONVENED, AssemblyState.IN_SESSION):
        raise DomainError(_l("The voter roll can only be corrected before the assembly closes."))
    if len(reason.strip()) < 3:
        raise DomainError(_l("Give the reason for the correction."), field="reason")


def _record_correction(
    session: Session,
    *,
    assembly: Assembly,
    member: Member,
    action: RollAction,
    reason: str,
    actor: object | None,
    weight: int | None = None,
) -> RollCorrection:
    session.flush()
    new_hash = roll_hash(session, assembly_id=assembly.id)
    before = assembly.roll_hash
    assembly.roll_hash = new_hash
    session.add(assembly)
    correction = RollCorrection(
        assembly_id=assembly.id,
        member_id=member.id,
        action=action,
        weight=weight,
        reason=reason.strip(),
        hash_after=new_hash,
        corrected_by_id=getattr(actor, "id", None),
    )
    session.add(correction)
    session.flush()
    _audit_correction(session, assembly, correction, member.number, before, actor)
    return correction


def _audit_correction(
    session: Session,
    assembly: Assembly,
    correction: RollCorrection,
    number: str,
    before: str | None,
    actor: object | None,
) -> None:
    record_event(
        session,
        event_type="assembly.roll_corrected",
        actor=actor,
        object_type="assembly",
        object_id=assembly.id,
        assembly_id=assembly.id,
        payload={
            "action": correction.action,
            "member": number,
            "weight": correction.weight,
            "reason": correction.reason,
            "hash_before": before,
            "hash_after": correction.hash_after,
        },
    )


def add_to_roll(
    session: Session,
    *,
    assembly: Assembly,
    member: Member,
    shares: int,
    reason: str,
    actor: object | None,
    weight: int = 1,
) -> RollEntry:
    """Add a member the register missed to the frozen roll (audit-logged, new hash)."""
    _check_correctable(assembly, reason)
    if not 1 <= weight <= MAX_WEIGHT:
        raise DomainError(_l("A member has between 1 and 3 votes."), field="weight")
    if roll_entry(session, assembly_id=assembly.id, member_id=member.id) is not None:
        raise DomainError(
            _l("%(number)s is on the voter roll already.", number=member.number), field="member"
        )
    entry = RollEntry(
        assembly_id=assembly.id, member_id=member.id, shares=max(shares, 0), weight=weight
    )
    session.add(entry)
    _record_correction(
        session,
        assembly=assembly,
        member=member,
        action=RollAction.ADD,
        reason=reason,
        actor=actor,
        weight=weight,
    )
    return entry


def remove_from_roll(
    session: Session, *, assembly: Assembly, member: Member, reason: str, actor: object | None
) -> None:
    """Strike a member from the frozen roll (audit-logged, new hash)."""
    _check_correctable(assembly, reason)
    entry = roll_entry(session, assembly_id=assembly.id, member_id=member.id)
    if entry is None:
        raise DomainError(
            _l("%(number)s is not on the voter roll.", number=member.number), field="member"
        )
    session.delete(entry)
    _record_correction(
        session,
        assembly=assembly,
        member=member,
        action=RollAction.REMOVE,
        reason=reason,
        actor=actor,
    )


def set_roll_weight(
    session: Session,
    *,
    assembly: Assembly,
    member: Member,
    weight: int,
    reason: str,
    actor: object | None,
    multiple_votes: bool,
) -> RollEntry:
    """Give a member up to three votes where the statute allows it (MULTIPLE_VOTES)."""
    if not multiple_votes and weight != 1:
        raise DomainError(
            _l("The statute grants one vote per member (§43(3) GenG)."), field="weight"
        )
    if not 1 <= weight <= MAX_WEIGHT:
        raise DomainError(_l("A member has between 1 and 3 votes."), field="weight")
    _check_correctable(assembly, reason)
    entry = roll_entry(session, assembly_id=assembly.id, member_id=member.id)
    if entry is None:
        raise DomainError(
            _l("%(number)s is not on the voter roll.", number=member.number), field="member"
        )
    entry.weight = weight
    session.add(entry)
    _record_correction(
        session,
        assembly=assembly,
        member=member,
        action=RollAction.WEIGHT,
        reason=reason,
        actor=actor,
        weight=weight,
    )
    return entry


def corrections(session: Session, *, assembly_id: int) -> list[tuple[RollCorrection, Member]]:
    """The roll's corrections, oldest first."""
    rows = session.execute(
        select(RollCorrection, Member)
        .join(Member, Member.id == RollCorrection.member_id)
        .where(RollCorrection.assembly_id == assembly_id)
        .order_by(RollCorrection.id)
    )
    return [(c, m) for c, m in rows]
