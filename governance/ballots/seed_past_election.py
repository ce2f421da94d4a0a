"""Demo: last year's ordinary general assembly, held and closed, whose election to the
supervisory board was declared and published (three seats, four candidates, the demo member
among the elected). The bodies' seat offers (governance/bodies/seed_offers.py) offer its seats.

Built directly, as a year-old assembly is: its roll frozen at the record date, the members
present in the room, the election opened, cast, closed, sealed and published through the
ballots' services, the assembly closed. Runs after the register's seeder (it needs members).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlmodel import Session

from governance.accounts.models import Role
from governance.assemblies.models import (
    Assembly,
    AssemblyForm,
    AssemblyKind,
    AssemblyState,
    Attendance,
    Channel,
    RollEntry,
)
from governance.assemblies.models_agenda import AgendaItem, ItemKind
from governance.assemblies.roll import freeze_entries
from governance.assemblies.services import close_session
from governance.ballots.casting import cast_vote
from governance.ballots.choices import encode_choose
from governance.ballots.models import ElectionMode, PollKind, PollOption
from governance.ballots.publishing import publish_poll
from governance.ballots.services import PollData, close_poll, create_poll, open_poll
from governance.bodies.models import Seat
from governance.register.models import Member, MemberStatus, PersonKind

VOTERS = 14
AGENDA = (
    ("Eröffnung und Feststellung der ordnungsgemäßen Einberufung", ItemKind.INFORMATION),
    ("Wahl zum Aufsichtsrat", ItemKind.ELECTION),
)
# Each voter's choice among the candidates (indexes), so that the first three are elected.
BALLOTS = ((0, 1, 2), (0, 1, 2), (0, 2, 3), (0, 1), (1, 2), (0, 1, 3), (2,))


def _candidates(session: Session, ctx: Any) -> list[Member]:
    """Three register members (persons, not the demo users, without a seat in any body), and
    the demo member as the third."""
    demo_members = [u.member_id for u in ctx.users.values() if u.member_id is not None]
    seated = select(Seat.member_id).where(Seat.member_id.is_not(None))  # type: ignore[union-attr]
    spare = session.scalars(
        select(Member)
        .where(Member.status == MemberStatus.ACTIVE, Member.kind == PersonKind.NATURAL)
        .where(Member.id.not_in(seated), Member.id.not_in(demo_members))  # type: ignore[union-attr]
        .order_by(Member.id.desc())  # type: ignore[union-attr]
        .limit(3)
    ).all()
    demo = ctx.users.get(Role.MEMBER)
    me = session.get(Member, demo.member_id) if demo is not None and demo.member_id else None
    people = list(spare)
    if me is not None:
        people.insert(2, me)
    return people[:4]


def _assembly(session: Session, ctx: Any, day: date, roll: list[int]) -> Assembly:
    starts = datetime.combine(day, time(18), tzinfo=ZoneInfo("Europe/Berlin")).astimezone(UTC)
    assembly = Assembly(
        title=f"Ordentliche Generalversammlung {day.year}", kind=AssemblyKind.ORDINARY,
        form=AssemblyForm.IN_PERSON, starts_at=starts, record_date=day - timedelta(days=21),
        place="Gemeinschaftssaal, Hauptstraße 1, Berlin", state=AssemblyState.IN_SESSION,
        opened_at=starts, chair_user_id=getattr(ctx.users.get(Role.SUPERVISORY_BOARD), "id", None),
        secretary_user_id=getattr(ctx.users.get(Role.SECRETARY), "id", None),
    )  # fmt: skip
    session.add(assembly)
    session.flush()
    announced = starts - timedelta(days=28)
    session.add_all(
        AgendaItem(
            assembly_id=assembly.id,
            position=n,
            title=title,
            kind=kind,
            announced_at=announced,
            created_at=announced,
        )
        for n, (title, kind) in enumerate(AGENDA, start=1)
    )
    entries = [RollEntry(assembly_id=assembly.id, member_id=m, shares=1, weight=1) for m in roll]
    freeze_entries(
        session, assembly=assembly, record_date=assembly.record_date, entries=entries,
        multiple_votes=False, now=starts - timedelta(days=7),
    )  # fmt: skip
    session.add_all(
        Attendance(assembly_id=assembly.id, member_id=m, channel=Channel.ROOM) for m in roll
    )
    session.flush()
    return assembly


def seed_demo(session: Session, ctx: Any) -> None:
    """Last year's general assembly with its published election to the supervisory board."""
    people = _candidates(session, ctx)
    if len(people) < 4:
        return
    day = date(date.today().year - 1, 6, 12)
    voters = [m for m in ctx.extra.get("register_member_ids", []) if m][:VOTERS]
    roll = list(dict.fromkeys([*voters, *(p.id for p in people)]))
    assembly = _assembly(session, ctx, day, [int(m) for m in roll if m is not None])
    chair = ctx.users.get(Role.SUPERVISORY_BOARD)
    data = PollData(
        title="Wahl zum Aufsichtsrat", kind=PollKind.ELECTION, seats=3,
        election_mode=ElectionMode.CHOOSE_UP_TO_N,
        candidates=[f"{p.first_names} {p.last_name}".strip() for p in people],
    )  # fmt: skip
    poll = create_poll(session, assembly=assembly, data=data, actor=chair)
    at = assembly.starts_at + timedelta(hours=1)
    open_poll(session, poll=poll, actor=chair, now=at)
    options = session.scalars(
        select(PollOption.id).where(PollOption.poll_id == poll.id).order_by(PollOption.position)
    ).all()
    for i, member_id in enumerate(roll):
        chosen = BALLOTS[i % len(BALLOTS)]
        cast_vote(
            session, poll_id=poll.id, member_id=member_id, now=at + timedelta(minutes=1),
            actor=SimpleNamespace(id=None, member_id=member_id),
            choice=encode_choose([options[k] for k in chosen]),
        )  # fmt: skip
    close_poll(session, poll=poll, actor=chair, now=at + timedelta(minutes=10))
    publish_poll(
        session, poll=poll, actor=chair, now=at + timedelta(minutes=15),
        declaration="Die Versammlungsleitung stellt fest: Gewählt sind die drei Kandidierenden "
        "mit den meisten Stimmen.",
    )  # fmt: skip
    close_session(session, assembly=assembly, actor=chair, now=at + timedelta(hours=1))
