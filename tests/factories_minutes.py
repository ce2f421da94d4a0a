"""Shared test factories of the minutes domain (pytest plugin).

`make_held_assembly(participants=4, form=AssemblyForm.HYBRID, polls=1, declared=True,
evidence=True, state=AssemblyState.CLOSED)` builds an assembly as it stands after the meeting:
members on the roll, attendance, one information item and one resolution item per poll, sealed
polls with participations (room, online, proxy) and ballots, the convening evidence, and the
users who keep the minutes. Returns a `HeldAssembly` of ids and users (detached).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlmodel import Session

from governance.accounts.models import Role, User
from governance.assemblies.models import (
    Assembly,
    AssemblyForm,
    AssemblyState,
    Attendance,
    Channel,
    ConveningEvidence,
    RollEntry,
)
from governance.assemblies.models_agenda import AgendaItem, ItemKind
from governance.assemblies.models_mandates import Mandate
from governance.ballots.models import Ballot, Participation, Poll
from governance.ballots.seal import seal_poll
from governance.db import new_session
from governance.register.models import Member

STARTS = datetime(2025, 6, 14, 8, 0, tzinfo=UTC)
CHOICES = ("YES", "YES", "NO", "ABSTAIN")


@dataclass
class HeldAssembly:
    assembly_id: int
    item_ids: list[int]
    poll_ids: list[int]
    member_ids: list[int]
    chair: User
    board: User
    secretary: User
    supervisor: User
    extra: dict[str, Any] = field(default_factory=dict)


def _assembly(s: Session, form: AssemblyForm, chair: User, secretary: User) -> Assembly:
    assembly = Assembly(
        title="Ordentliche Generalversammlung 2025",
        form=form,
        starts_at=STARTS,
        place="" if form in (AssemblyForm.VIRTUAL, AssemblyForm.STRETCHED) else "Gemeindesaal",
        record_date=date(2025, 5, 1),
        chair_user_id=chair.id,
        secretary_user_id=secretary.id,
        state=AssemblyState.IN_SESSION,
        opened_at=STARTS,
        voting_starts_at=STARTS + timedelta(days=1) if form == AssemblyForm.STRETCHED else None,
        voting_ends_at=STARTS + timedelta(days=8) if form == AssemblyForm.STRETCHED else None,
    )
    s.add(assembly)
    s.flush()
    return assembly


def _items(s: Session, assembly_id: int, polls: int) -> list[AgendaItem]:
    items = [
        AgendaItem(
            assembly_id=assembly_id,
            position=1,
            title="Bericht des Vorstands",
            kind=ItemKind.INFORMATION,
        )
    ]
    for i in range(polls):
        items.append(
            AgendaItem(
                assembly_id=assembly_id,
                position=i + 2,
                title=f"Beschluss {i + 1}",
                kind=ItemKind.RESOLUTION,
            )
        )
    s.add_all(items)
    s.flush()
    return items


def _channel(i: int) -> Channel:
    return (Channel.ROOM, Channel.ONLINE, Channel.PROXY)[i % 3]


def _proxy_of(members: list[Member], i: int) -> Member:
    """Who casts for member i by proxy: member 0 for the first two, then the member before."""
    return members[0] if i < 6 else members[i - 1]


def _mandates(s: Session, assembly_id: int, members: list[Member]) -> None:
    """The mandates behind the proxy casts (the database refuses a proxy cast without one)."""
    slots: dict[int, int] = {}
    for i, member in enumerate(members):
        if i and _channel(i) == Channel.PROXY:
            proxy = _proxy_of(members, i)
            slots[proxy.id] = slots.get(proxy.id, 0) + 1
            s.add(
                Mandate(
                    assembly_id=assembly_id,
                    principal_id=member.id,
                    proxy_id=proxy.id,
                    slot=slots[proxy.id],
                )
            )
    s.flush()


def _poll(
    s: Session, assembly_id: int, item: AgendaItem, members: list[Member], declared: bool
) -> Poll:
    poll = Poll(assembly_id=assembly_id, agenda_item_id=item.id, title=f"Antrag zu {item.title}")
    poll.open(now=STARTS + timedelta(hours=1))
    s.add(poll)
    s.flush()
    for i, member in enumerate(members):
        channel = _channel(i) if i else Channel.ROOM
        cast_by = _proxy_of(members, i).id if channel == Channel.PROXY else member.id
        s.add(
            Participation(
                poll_id=poll.id, member_id=member.id, cast_by_member_id=cast_by, channel=channel
            )
        )
        s.add(
            Ballot(
                tracker=secrets.token_bytes(16), poll_id=poll.id, choice=CHOICES[i % len(CHOICES)]
            )
        )
    s.flush()
    poll.close(now=STARTS + timedelta(hours=1, minutes=10))
    s.add(poll)
    s.flush()
    seal_poll(s, poll=poll, actor=None)
    if declared:
        poll.declaration = f"Der {poll.title} ist angenommen."
        poll.declared_at = STARTS + timedelta(hours=1, minutes=15)
        s.add(poll)
        s.flush()
    return poll


def _presence(s: Session, assembly_id: int, members: list[Member]) -> None:
    for i, member in enumerate(members):
        channel = Channel.ONLINE if _channel(i) == Channel.ONLINE else Channel.ROOM
        if i == 0 or _channel(i) != Channel.PROXY:
            s.add(Attendance(assembly_id=assembly_id, member_id=member.id, channel=channel))
        s.add(RollEntry(assembly_id=assembly_id, member_id=member.id, shares=2))
    s.flush()


def _evidence(s: Session, assembly_id: int, recipients: int) -> None:
    s.add(
        ConveningEvidence(
            assembly_id=assembly_id,
            sent_at=STARTS - timedelta(days=21),
            recipient_count=recipients,
            subject="Einladung zur Generalversammlung",
            text="Wir laden Sie herzlich ein. Tagesordnung: 1. Bericht 2. Beschluss",
        )
    )
    s.flush()


def _close(s: Session, assembly: Assembly) -> None:
    assembly.transition(AssemblyState.CLOSED)
    assembly.closed_at = STARTS + timedelta(hours=3)
    s.add(assembly)


@pytest.fixture
def make_held_assembly(
    app: Flask, make_member: Callable[..., Member], make_user: Callable[..., User]
) -> Callable[..., HeldAssembly]:
    """make_held_assembly(participants=4, form=..., polls=1, declared=True, evidence=True)."""

    def _make(
        participants: int = 4,
        form: AssemblyForm = AssemblyForm.HYBRID,
        polls: int = 1,
        declared: bool = True,
        evidence: bool = True,
        state: AssemblyState = AssemblyState.CLOSED,
    ) -> HeldAssembly:
        members = [
            make_member(email=f"m{i}-{secrets.token_hex(3)}@example.org")
            for i in range(participants)
        ]
        chair = make_user(roles=[Role.MEMBER], member_id=members[0].id)
        board = make_user(roles=[Role.BOARD, Role.MEMBER], member_id=members[1].id)
        secretary = make_user(roles=[Role.SECRETARY])
        supervisor = make_user(roles=[Role.SUPERVISORY_BOARD])
        with new_session(app.extensions["governance.engine"]) as s:
            members = [s.get(Member, m.id) for m in members]
            assembly = _assembly(s, form, chair, secretary)
            items = _items(s, assembly.id, polls)
            _presence(s, assembly.id, members)
            _mandates(s, assembly.id, members)
            poll_rows = [_poll(s, assembly.id, item, members, declared) for item in items[1:]]
            if evidence:
                _evidence(s, assembly.id, participants)
            if state != AssemblyState.IN_SESSION:
                _close(s, assembly)
            s.commit()
            ids = ([i.id for i in items], [p.id for p in poll_rows], [m.id for m in members])
            return HeldAssembly(assembly.id, *ids, chair, board, secretary, supervisor)

    return _make
