"""Demo polls in the assembly that is in session: a published ¾ vote on the statute change
(cast by the members present and a proxy), and an open election (a by-election to the
supervisory board). Runs after the assemblies' seeder."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from governance.accounts.models import Role
from governance.assemblies.models import Assembly, Attendance
from governance.assemblies.models_agenda import AgendaItem, ItemKind
from governance.assemblies.models_mandates import Mandate
from governance.ballots.casting import cast_vote
from governance.ballots.models import ElectionMode, Majority, PollKind
from governance.ballots.publishing import publish_poll
from governance.ballots.services import PollData, close_poll, create_poll, open_poll
from governance.db import utcnow
from governance.proposals.models import Proposal

CHOICES = ("YES", "YES", "YES", "YES", "NO", "ABSTAIN")


def _voters(session: Session, assembly_id: int) -> list[tuple[int, int]]:
    """(member, acting member): everyone checked in, then the principals of proxies."""
    present = session.scalars(
        select(Attendance.member_id).where(Attendance.assembly_id == assembly_id)
    ).all()
    proxied = session.execute(
        select(Mandate.principal_id, Mandate.proxy_id).where(Mandate.assembly_id == assembly_id)
    ).all()
    return [(m, m) for m in present] + [(p, q) for p, q in proxied]


def _statute_poll(session: Session, assembly: Assembly, ctx: Any) -> None:
    chair = ctx.users.get(Role.SUPERVISORY_BOARD)
    proposal = session.scalars(
        select(Proposal).where(Proposal.assembly_id == assembly.id, Proposal.statute_change)
    ).first()
    data = PollData(
        title=proposal.title if proposal else "Satzungsänderung",
        majority=Majority.THREE_QUARTERS,
        proposal_id=proposal.id if proposal else None,
        publish_choices=bool(ctx.config.get("PUBLISH_CHOICES_DEFAULT", True)),
    )
    poll = create_poll(session, assembly=assembly, data=data, actor=chair)
    now = utcnow() - timedelta(minutes=20)
    open_poll(session, poll=poll, actor=chair, now=now)
    for i, (member_id, acting) in enumerate(_voters(session, assembly.id)):
        actor = SimpleNamespace(id=None, member_id=acting)
        cast_vote(
            session,
            poll_id=poll.id,
            member_id=member_id,
            actor=actor,
            choice=CHOICES[i % len(CHOICES)],
            now=now,
        )
    close_poll(session, poll=poll, actor=chair, now=now + timedelta(minutes=5))
    publish_poll(
        session,
        poll=poll,
        actor=chair,
        now=now + timedelta(minutes=8),
        declaration="Die Versammlungsleitung stellt fest: Die Satzungsänderung ist "
        "mit der erforderlichen Dreiviertelmehrheit angenommen.",
    )


def _election(session: Session, assembly: Assembly, ctx: Any) -> None:
    chair = ctx.users.get(Role.SUPERVISORY_BOARD)
    item = session.scalars(
        select(AgendaItem).where(
            AgendaItem.assembly_id == assembly.id, AgendaItem.kind == ItemKind.ELECTION
        )
    ).first()
    data = PollData(
        title="Nachwahl zum Aufsichtsrat",
        kind=PollKind.ELECTION,
        election_mode=ElectionMode.CHOOSE_UP_TO_N,
        seats=1,
        candidates=["Dr. Hanna Berger", "Yusuf Demir"],
        agenda_item_id=item.id if item else None,
        publish_choices=bool(ctx.config.get("PUBLISH_CHOICES_DEFAULT", True)),
    )
    poll = create_poll(session, assembly=assembly, data=data, actor=chair)
    open_poll(
        session, poll=poll, actor=chair, now=utcnow(), auto_close_at=utcnow() + timedelta(hours=2)
    )


def seed_demo(session: Session, ctx: Any) -> None:
    """Create the demo polls."""
    assembly_id = ctx.extra.get("assembly_ids", {}).get("in_session")
    assembly = session.get(Assembly, assembly_id) if assembly_id else None
    if assembly is None:
        return
    _statute_poll(session, assembly, ctx)
    _election(session, assembly, ctx)
