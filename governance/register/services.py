"""Members and share bookings (free of Flask). Every change is audit-logged.

Audit events about the register carry object_type "member" and the member's id, so a
member's history is one query. `eligible_members` (queries.py) is re-exported here.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from governance.accounts.models import Role, User
from governance.accounts.services import (
    ADMIN_NOT_MEMBER,
    create_user,
    grant_role,
    normalize_email,
    user_by_email,
)
from governance.auditlog import record_event
from governance.errors import DomainError
from governance.i18n import _l
from governance.register.models import Member, MemberStatus, PersonKind, ShareTransaction
from governance.register.models import TransactionKind as Kind
from governance.register.queries import eligible_members, ledger_of, shares_held
from governance.register.rules import Booking, check_booking, is_member_at

__all__ = [
    "EDITABLE_FIELDS",
    "book_cancellation",
    "book_reversal",
    "book_subscription",
    "check_linkable",
    "create_member",
    "eligible_members",
    "invite_member",
    "link_user",
    "next_member_number",
    "set_transaction_comment",
    "shares_held",
    "update_member",
]

NUMBER_RE = re.compile(r"^M-\d{7}$")
FIRST_NUMBER = 1_000_001
NUMBER_ATTEMPTS = 5
EDITABLE_FIELDS = (
    "kind",
    "last_name",
    "first_names",
    "firm",
    "street",
    "postal_code",
    "city",
    "country",
    "email",
    "entry_date",
    "note",
)


def _audit(
    session: Session, member: Member, event_type: str, actor: User | None, **payload: Any
) -> None:
    record_event(
        session,
        event_type=event_type,
        actor=actor,
        object_type="member",
        object_id=member.id,
        payload={"number": member.number, **payload},
    )


def next_member_number(session: Session) -> str:
    """The next free member number (`M-` + 7 digits)."""
    highest = session.execute(select(func.max(Member.number))).scalar_one()
    return f"M-{int(highest[2:]) + 1 if highest else FIRST_NUMBER:07d}"


def _check_member(member: Member) -> None:
    if not NUMBER_RE.match(member.number):
        raise DomainError(_l("A member number looks like M-1000100."), field="number")
    if member.kind == PersonKind.NATURAL and not member.last_name.strip():
        raise DomainError(_l("A natural person needs a surname."), field="last_name")
    if member.kind == PersonKind.LEGAL and not member.firm.strip():
        raise DomainError(_l("A legal person needs a firm name."), field="firm")
    if member.exit_date is not None and member.entry_date > member.exit_date:
        raise DomainError(_l("The entry date is after the exit date."), field="entry_date")


def _snapshot(member: Member) -> dict[str, Any]:
    return {name: getattr(member, name) for name in EDITABLE_FIELDS}


def create_member(
    session: Session,
    *,
    actor: User | None,
    entry_date: date,
    number: str | None = None,
    **fields: Any,
) -> Member:
    """Add a member to the register (number assigned when not given).

    An assigned number may be taken by a concurrent request between reading the highest
    number and inserting (PostgreSQL; SQLite serializes writers): the insert then runs again
    with the next free number, a few times, before the user is asked to try again.
    """
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"unknown member fields: {sorted(unknown)}")
    if fields.get("email"):
        fields["email"] = normalize_email(fields["email"])
    for _attempt in range(NUMBER_ATTEMPTS):
        member = Member(number=_member_number(session, number), entry_date=entry_date, **fields)
        _check_member(member)
        if _inserted(session, member):
            _audit(session, member, "member.created", actor, after=_snapshot(member))
            return member
        if number:
            raise _number_taken()
    raise DomainError(
        _l("Another member was added at the same moment. Please submit the form again.")
    )


def _number_taken() -> DomainError:
    return DomainError(_l("This member number is taken."), field="number")


def _member_number(session: Session, given: str | None) -> str:
    """The given number (refused when taken) or the next free one."""
    if not given:
        return next_member_number(session)
    number = given.strip().upper()
    if session.execute(select(Member.id).where(Member.number == number)).first():
        raise _number_taken()
    return number


def _inserted(session: Session, member: Member) -> bool:
    """Insert `member` in a savepoint; False when its number was taken concurrently."""
    try:
        with session.begin_nested():
            session.add(member)
            session.flush()
    except IntegrityError:
        taken = session.execute(select(Member.id).where(Member.number == member.number))
        if taken.first() is None:
            raise  # another rule of the schema refused the row: a programming error
        return False
    return True


def update_member(
    session: Session, *, member: Member, actor: User | None, **changes: Any
) -> Member:
    """Change a member's name, address, email, entry date or note."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    if changes.get("email"):
        changes["email"] = normalize_email(changes["email"])
    before = _snapshot(member)
    for name, value in changes.items():
        setattr(member, name, value)
    _check_member(member)
    if "entry_date" in changes and changes["entry_date"] != before["entry_date"]:
        _check_entry_date(session, member)
    after = _snapshot(member)
    diff = {k for k in after if after[k] != before[k]}
    if diff:
        session.add(member)
        session.flush()
        _audit(
            session,
            member,
            "member.updated",
            actor,
            before={k: before[k] for k in sorted(diff)},
            after={k: after[k] for k in sorted(diff)},
        )
    return member


def _check_entry_date(session: Session, member: Member) -> None:
    first = session.execute(
        select(func.min(ShareTransaction.value_date)).where(ShareTransaction.member_id == member.id)
    ).scalar_one()
    if first is not None and first < member.entry_date:
        raise DomainError(_l("The ledger has bookings before this entry date."), field="entry_date")


# --- share ledger ----------------------------------------------------------------------------


def _book(
    session: Session,
    *,
    member: Member,
    booking: Booking,
    reference: str,
    comment: str,
    actor: User | None,
) -> ShareTransaction:
    reference = reference.strip()
    if not 6 <= len(reference) <= 48:
        raise DomainError(_l("The reference must have 6 to 48 characters."), field="reference")
    if booking.value_date < member.entry_date:
        raise DomainError(_l("The value date is before the member's entry."), field="value_date")
    check_booking(ledger_of(session, member.id), booking)
    tx = ShareTransaction(
        member_id=member.id,
        kind=booking.kind,
        value_date=booking.value_date,
        share_count=booking.share_count,
        reverses_id=booking.reverses_id,
        reference=reference,
        comment=comment.strip(),
        created_by=getattr(actor, "id", None),
    )
    session.add(tx)
    session.flush()
    session.refresh(member, ["shares"])
    _audit(
        session,
        member,
        f"share.{booking.kind.value.lower()}",
        actor,
        transaction_id=tx.id,
        share_count=tx.share_count,
        value_date=tx.value_date,
        reference=tx.reference,
        reverses_id=tx.reverses_id,
        shares_after=member.shares,
    )
    return tx


def book_subscription(
    session: Session,
    *,
    member: Member,
    share_count: int,
    value_date: date,
    reference: str,
    comment: str = "",
    actor: User | None,
) -> ShareTransaction:
    """Book a subscription of `share_count` (> 0) shares; the member must be a member then."""
    if not is_member_at(member, value_date):
        raise DomainError(_l("The member is not a member at the value date."), field="value_date")
    booking = Booking(Kind.SUBSCRIPTION, value_date, share_count)
    return _book(
        session, member=member, booking=booking, reference=reference, comment=comment, actor=actor
    )


def book_cancellation(
    session: Session,
    *,
    member: Member,
    share_count: int,
    value_date: date,
    reference: str,
    comment: str = "",
    actor: User | None,
) -> ShareTransaction:
    """Book the cancellation of `share_count` (> 0) shares (stored as a negative count)."""
    if share_count <= 0:
        raise DomainError(_l("Enter the number of shares to cancel."), field="share_count")
    booking = Booking(Kind.CANCELLATION, value_date, -share_count)
    return _book(
        session, member=member, booking=booking, reference=reference, comment=comment, actor=actor
    )


def book_reversal(
    session: Session,
    *,
    original: ShareTransaction,
    reference: str,
    comment: str = "",
    value_date: date | None = None,
    actor: User | None,
) -> ShareTransaction:
    """Reverse a booking: its exact negative, value-dated like it unless a later date is given."""
    member = session.get(Member, original.member_id)
    assert member is not None
    booking = Booking(
        Kind.REVERSAL, value_date or original.value_date, -original.share_count, original.id
    )
    return _book(
        session, member=member, booking=booking, reference=reference, comment=comment, actor=actor
    )


def set_transaction_comment(
    session: Session, *, transaction: ShareTransaction, comment: str, actor: User | None
) -> None:
    """Change a booking's comment (the only thing about a booking that may change)."""
    before, comment = transaction.comment, comment.strip()
    if before == comment:
        return
    transaction.comment = comment
    session.add(transaction)
    session.flush()
    member = session.get(Member, transaction.member_id)
    assert member is not None
    _audit(
        session,
        member,
        "share.comment_changed",
        actor,
        transaction_id=transaction.id,
        before=before,
        after=comment,
    )


# --- accounts --------------------------------------------------------------------------------


def linked_user(session: Session, member: Member) -> User | None:
    """The user account linked to this member, if any."""
    return session.execute(select(User).where(User.member_id == member.id)).scalar_one_or_none()


def link_user(session: Session, *, member: Member, user: User, actor: User | None) -> None:
    """Link a user account to a member and give it the MEMBER role (never an administrator's:
    also a trigger)."""
    if user.member_id == member.id:
        return
    if user.member_id is not None:
        raise DomainError(_l("This account is linked to another member already."))
    if user.has_role(Role.ADMIN):
        raise DomainError(ADMIN_NOT_MEMBER)
    if linked_user(session, member) is not None:
        raise DomainError(_l("This member has an account already."))
    user.member_id = member.id
    session.add(user)
    session.flush()
    if not user.has_role(Role.MEMBER):
        grant_role(session, user=user, role=Role.MEMBER, actor=actor)
    _audit(session, member, "member.user_linked", actor, user_id=user.id, email=user.email)


def invite_member(session: Session, *, member: Member, actor: User | None, today: date) -> User:
    """The account the member's invitation goes to: the member's own, or one created for them
    (role MEMBER). An existing account with the member's address is returned unlinked: its
    holder confirms the link first (`links.py`), the board cannot link it.

    The caller sends the magic link or the link request (views need the request for the URL).
    """
    if not is_member_at(member, today) or member.status == MemberStatus.INVALID:
        raise DomainError(_l("Only current members can be invited."))
    if not member.email:
        raise DomainError(_l("The member has no email address."), field="email")
    user = linked_user(session, member)
    if user is None:
        user = user_by_email(session, member.email)
        if user is None:
            user = create_user(
                session,
                email=member.email,
                roles=[Role.MEMBER],
                display_name=member.display_name,
                member_id=member.id,
                actor=actor,
            )
        else:
            check_linkable(user)
            _audit(session, member, "member.link_requested", actor, user_id=user.id)
    _audit(session, member, "member.invited", actor, user_id=user.id, email=user.email)
    return user


def check_linkable(user: User) -> None:
    """Refuse linking an account that is another member's, an administrator's or deactivated."""
    if user.member_id is not None:
        raise DomainError(_l("This address belongs to an account linked to another member."))
    if user.has_role(Role.ADMIN):
        raise DomainError(ADMIN_NOT_MEMBER)
    if not user.active:
        raise DomainError(_l("This address belongs to a deactivated account."))
