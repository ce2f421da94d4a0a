"""Whom a user may vote for in a poll: themselves (on the frozen roll) and their principals
(a mandate, or a relative's accepted grant).

`voters_of` lists them for the ballot pages; `entitlement_statement` answers the cast's
question in the same query as the gate's assembly (ballots/access.py `gate_cast`): may the user
vote for anyone here, and for this member? Both are answer-shaping checks before the lock, so
that a cast for a member the user does not represent gets one answer whatever that member's
roll entry or turnout; the cast's transaction checks the roll and the mandate again under the
lock (casting.py), authoritatively.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, func, select, union_all
from sqlalchemy.orm import load_only
from sqlmodel import Session

from governance.assemblies.grants import ProxyGrant, held_by_relative
from governance.assemblies.models import Assembly, RollEntry
from governance.assemblies.models_mandates import Mandate
from governance.ballots.models import Participation, Poll
from governance.register.models import Member


@dataclass(frozen=True)
class Voter:
    """A member the user may vote for in a poll: themselves (on the roll) or a principal."""

    member: Member
    by_proxy: bool
    done: bool  # a vote has been cast for them already


def _entitled(assembly: Any, member_id: Any, user_id: Any) -> tuple[Any, Any, Any]:
    """The member ids the user may vote for: own (on the roll), by mandate, by a grant."""
    own = select(RollEntry.member_id).where(
        RollEntry.assembly_id == assembly, RollEntry.member_id == member_id
    )
    principals = select(Mandate.principal_id).where(
        Mandate.assembly_id == assembly, Mandate.proxy_id == member_id
    )
    return own, principals, held_by_relative(assembly, user_id)


def _build_voters() -> Any:
    poll_id, member_id = bindparam("p_poll"), bindparam("p_member")
    assembly = select(Poll.assembly_id).where(Poll.id == poll_id).scalar_subquery()
    own, principals, held = _entitled(assembly, member_id, bindparam("p_user"))
    slot = func.coalesce(
        select(Mandate.slot)
        .where(Mandate.assembly_id == assembly, Mandate.principal_id == Member.id)
        .scalar_subquery(),
        held.with_only_columns(ProxyGrant.slot)
        .where(ProxyGrant.principal_id == Member.id)
        .scalar_subquery(),
    )
    done = select(Participation.member_id).where(
        Participation.poll_id == poll_id, Participation.member_id == Member.id
    )
    # IN over a union of index lookups: the member table is read by primary key, not scanned.
    return (
        select(Member, done.exists())
        .where(Member.id.in_(union_all(own, principals, held)))
        .order_by(Member.id != member_id, slot)
    )


_VOTERS = _build_voters()  # built once: every ballot page and confirmation runs it


def voters_of(
    session: Session, *, poll_id: int, member_id: int | None, user_id: int | None = None
) -> list[Voter]:
    """In one query: the user's own member if on the poll's roll, then the members they hold
    a mandate for (by slot), each with whether they voted already. Empty: not entitled.
    A login without a member (`user_id`: a relative, relatives.py) votes only for the members
    whose accepted grants it holds."""
    if member_id is None and user_id is None:
        return []
    params = {"p_poll": poll_id, "p_member": member_id, "p_user": None if member_id else user_id}
    rows = session.execute(_VOTERS, params).all()
    return [Voter(m, m.id != member_id, bool(d)) for m, d in rows]


# What the gate (`Assembly.can_see`, assemblies/closed.py) reads of the assembly: the cast's
# read loads these columns only, not all 27 (issue #19). Another attribute read later loads the
# rest in one more query, correctly.
GATE_COLUMNS = (
    Assembly.id,
    Assembly.body,
    Assembly.body_id,
    Assembly.state,
    Assembly.chair_user_id,
    Assembly.secretary_user_id,
)


def _build_entitlement() -> Any:
    member_id, user_id = bindparam("p_member"), bindparam("p_user")
    own, principals, held = _entitled(Poll.assembly_id, member_id, user_id)
    anyone = union_all(own, principals, held)
    voter = bindparam("p_voter")
    this_one = union_all(
        own.where(RollEntry.member_id == voter),
        principals.where(Mandate.principal_id == voter),
        held.where(ProxyGrant.principal_id == voter),
    )
    return (
        select(Assembly, Poll.ceremony_id, anyone.exists(), this_one.exists())
        .join(Poll, Poll.assembly_id == Assembly.id)
        .where(Poll.id == bindparam("p_poll"))
        .options(load_only(*GATE_COLUMNS))
    )


_ENTITLEMENT = _build_entitlement()  # built once: every cast runs it


@dataclass(frozen=True)
class Entitlement:
    """The cast's read before the lock: the poll's assembly (for the gate), whether the poll
    takes encrypted ballots, whether the user may vote for anyone in it and for the member."""

    assembly: Assembly
    encrypted: bool
    anyone: bool
    voter: bool


def entitlement(
    session: Session, *, poll_id: int, member_id: int | None, user_id: int | None, voter: int
) -> Entitlement | None:
    """In one query, for a cast of `user` for member `voter`; None: there is no such poll."""
    params = {
        "p_poll": poll_id,
        "p_member": member_id,
        "p_user": None if member_id else user_id,
        "p_voter": voter,
    }
    row = session.execute(_ENTITLEMENT, params).first()
    if row is None:
        return None
    anyone = (member_id is not None or user_id is not None) and bool(row[2])
    return Entitlement(row[0], row[1] is not None, anyone, anyone and bool(row[3]))
