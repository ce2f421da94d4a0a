"""Who may vote for whom now: the participation rules of a cast (ballots.md, "Casting", step 2),
shared by the online cast (casting.py), the encrypted cast and the paper votes (paper.py).

The database answers the facts in one statement (`fact_columns`: roll weight, exclusion,
mandate or grant, presence, expulsion); `judge` applies the rules to them. The online cast reads
the facts in its lock statement (casting.py `lock_with_facts`), the others with `_FACTS`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, NamedTuple

from sqlalchemy import bindparam, select
from sqlmodel import Session

from governance.assemblies.attendance import ONLINE_WINDOW, heartbeat, present_since
from governance.assemblies.grants import ProxyGrant, held_by_relative
from governance.assemblies.models import Assembly, AssemblyState, Attendance, RollEntry
from governance.assemblies.models_mandates import Mandate
from governance.ballots.models import Poll, PollExclusion
from governance.ballots.services import in_voting_phase
from governance.errors import DomainError
from governance.i18n import _l
from governance.register.models import Member


@dataclass(frozen=True)
class Caster:
    """Who casts: a member (for themselves or as proxy), or a relative's login (as proxy)."""

    member_id: int | None
    user_id: int | None = None


class Facts(NamedTuple):
    """What the participation rules ask of the database, read in one statement."""

    weight: int | None  # on the frozen roll with this weight; None: not on it
    excluded: bool  # the member or the actor excluded from the poll (§43(6))
    mandate: bool  # the actor holds the member's proxy (a mandate or a relative's grant)
    present: bool  # the actor is present (room, or online with a recent heartbeat)
    expelled: date | None  # the member's or the actor's expulsion letter (§68(2))


def caster_of(actor: Any) -> Caster:
    """The acting member, or (a login without a member) the relative's user id."""
    acting = getattr(actor, "member_id", None)
    return Caster(acting, None if acting is not None else getattr(actor, "id", None))


def fact_columns(assembly: Any, poll: Any) -> list[Any]:
    """The facts' columns; `assembly` and `poll` are bound parameters or the poll's columns
    (correlated, in the cast's lock statement)."""

    member, acting = bindparam("p_member"), bindparam("p_acting")
    weight = select(RollEntry.weight).where(
        RollEntry.assembly_id == assembly, RollEntry.member_id == member
    )
    excluded = select(PollExclusion.member_id).where(
        PollExclusion.poll_id == poll, PollExclusion.member_id.in_([member, acting])
    )
    mandate = select(Mandate.id).where(
        Mandate.assembly_id == assembly, Mandate.principal_id == member, Mandate.proxy_id == acting
    )
    # A relative who is not a member holds the proxy by their accepted grant (relatives.py).
    grant = held_by_relative(assembly, bindparam("p_user")).where(ProxyGrant.principal_id == member)
    present = select(Attendance.id).where(
        Attendance.assembly_id == assembly,
        Attendance.member_id == acting,
        present_since(bindparam("p_since")),
    )
    # §68(2): the member or the acting proxy expelled by a letter sent on or before today.
    expelled = (
        select(Member.expulsion_letter_date)
        .where(Member.id.in_([member, acting]), Member.expulsion_letter_date <= bindparam("p_day"))
        .order_by(Member.expulsion_letter_date)
        .limit(1)
    )
    return [
        weight.scalar_subquery(),
        excluded.exists(),
        mandate.exists() | grant.exists(),
        present.exists(),
        expelled.scalar_subquery(),
    ]


_FACTS = select(*fact_columns(bindparam("p_assembly"), bindparam("p_poll")))  # built once


def fact_params(member_id: int, acting: Caster, now: datetime) -> dict[str, Any]:

    return {
        "p_member": member_id,
        "p_acting": acting.member_id,
        "p_user": acting.user_id,
        "p_since": now - ONLINE_WINDOW,
        "p_day": now.date(),
    }


def to_facts(values: Any) -> Facts:
    weight, excluded, mandate, present, expelled = values
    return Facts(weight, bool(excluded), bool(mandate), bool(present), expelled)


def _facts(session: Session, poll: Poll, member_id: int, acting: Caster, now: datetime) -> Facts:
    """In one query: the member's roll weight, whether the member or the actor is excluded,
    whether the actor holds the member's proxy (mandate, or a relative's accepted grant),
    whether the actor is present, and the expulsion letter's date if the member or the actor
    is expelled (§68(2))."""
    params = {
        "p_assembly": poll.assembly_id,
        "p_poll": poll.id,
        **fact_params(member_id, acting, now),
    }
    return to_facts(session.execute(_FACTS, params).one())


def eligible_weight(
    session: Session,
    *,
    poll: Poll,
    member_id: int,
    acting_member_id: int | None,
    now: datetime,
    assembly: Assembly | None = None,
    online: bool = False,
    acting_user_id: int | None = None,
) -> int:
    """The member's vote weight if `acting_member_id` (or the relative `acting_user_id`, a
    login without a member) may vote for them now; else DomainError (see `judge`)."""
    acting = Caster(acting_member_id, None if acting_member_id else acting_user_id)
    linked(acting)
    facts = _facts(session, poll, member_id, acting, now)
    return judge(
        session,
        facts,
        assembly_id=poll.assembly_id,
        member_id=member_id,
        acting=acting,
        now=now,
        assembly=assembly,
        online=online,
    )


def linked(acting: Caster) -> None:
    if acting.member_id is None and acting.user_id is None:
        raise DomainError(_l("Your login is not linked to a member of the cooperative."))


def judge(
    session: Session,
    facts: Facts,
    *,
    assembly_id: int,
    member_id: int,
    acting: Caster,
    now: datetime,
    assembly: Assembly | None = None,
    online: bool = False,
) -> int:
    """The member's vote weight if the facts allow the actor's vote for them; else DomainError.

    `online`: the acting member votes through the app. In a remote assembly in session that is
    taking part in it (§43b GenG: remote participants count as present), so an acting member on
    the roll who is not present yet (say their live page's heartbeats did not get through)
    joins online with this vote instead of being refused. A relative is never on the roll or
    checked in: they take part only online, in a remote assembly in session or a stretched
    voting phase. The assembly is loaded only when the actor is not present.
    """
    linked(acting)
    if facts.weight is None:
        raise DomainError(_l("The member is not on the voter roll of this assembly."))
    if facts.expelled is not None:
        raise DomainError(
            _l(
                "Expelled (expulsion letter of %(date)s): from that day no vote in the general "
                "assembly, neither in person nor as proxy nor by proxy (§68(2) GenG).",
                date=facts.expelled.strftime("%d.%m.%Y"),
            )
        )
    if facts.excluded:
        raise DomainError(
            _l("Excluded from this poll (§43(6) GenG): no vote, neither in person nor as proxy.")
        )
    if acting.member_id != member_id and not facts.mandate:
        raise DomainError(_l("You hold no proxy for this member."))
    if not facts.present:
        assembly = assembly or session.get(Assembly, assembly_id)
        if not (assembly and in_voting_phase(assembly, now)):
            joined = (
                online and assembly is not None and _join_online(session, assembly, acting, now)
            )
            if not joined:
                raise DomainError(
                    _l("You are not present at the assembly: check in or join online first.")
                )
    return int(facts.weight)


def _join_online(session: Session, assembly: Assembly, acting: Caster, now: datetime) -> bool:
    """The acting member joins a remote assembly in session online; False if they cannot. A
    relative takes part online by voting there (no attendance: they are on no roll)."""

    if acting.member_id is None:
        return assembly.is_remote and assembly.state == AssemblyState.IN_SESSION
    return heartbeat(session, assembly=assembly, member_id=acting.member_id, now=now) is not None
