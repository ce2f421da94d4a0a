"""Shared test factories of the ballots domain (pytest plugin).

`vote_world(members=5, form=..., present=True, weights=None)` builds, directly through the
models and fast: an assembly in session with a roll of `members` members, frozen by the real
freeze (`freeze_entries`, so the `assembly.roll_frozen` audit event is recorded), each with a
login (MEMBER role) and, if `present`, checked in in the room. `make_poll(world, **PollData)`
prepares and (with `open=True`, the default) opens a poll. `cast(world, poll_id, i, choice)`
casts for member i as themselves (or `proxy=j`: member j casts for member i) and commits.
`add_mandate(world, principal=i, proxy=j)` registers a proxy.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from flask import Flask

from governance.accounts.models import Role, User
from governance.assemblies.models import (
    Assembly,
    AssemblyForm,
    AssemblyState,
    Attendance,
    Channel,
    RollEntry,
)
from governance.assemblies.models_mandates import Mandate
from governance.assemblies.roll import freeze_entries
from governance.ballots.casting import Receipt, cast_vote
from governance.ballots.models import Poll
from governance.ballots.services import PollData, create_poll, open_poll
from governance.db import new_session, utcnow
from governance.register.models import Member

_numbers = itertools.count(1)


@dataclass
class World:
    assembly_id: int
    member_ids: list[int]
    users: list[User]
    chair: User
    engine: Any
    extra: dict[str, Any] = field(default_factory=dict)

    def session(self) -> Any:
        return new_session(self.engine)


def build_world(
    app: Flask,
    make_user: Callable[..., User],
    *,
    members: int = 5,
    form: AssemblyForm = AssemblyForm.IN_PERSON,
    present: bool = True,
    weights: list[int] | None = None,
    with_users: bool = True,
) -> World:
    """An assembly in session with a frozen roll (see the module docstring)."""
    engine = app.extensions["governance.engine"]
    now = utcnow()
    with new_session(engine) as s:
        assembly = _assembly(form, now)
        s.add(assembly)
        s.flush()
        ids = _members(s, members)
        entries = [
            RollEntry(assembly_id=assembly.id, member_id=m, shares=1, weight=w)
            for m, w in zip(ids, weights or [1] * len(ids), strict=True)
        ]
        freeze_entries(
            s,
            assembly=assembly,
            record_date=assembly.record_date,
            entries=entries,
            multiple_votes=bool(weights),
            now=now,
        )
        if present:
            s.add_all(
                Attendance(assembly_id=assembly.id, member_id=m, channel=Channel.ROOM) for m in ids
            )
        s.commit()
        assembly_id = assembly.id
    users = [make_user(roles=[Role.MEMBER], member_id=m) for m in ids] if with_users else []
    chair = make_user(roles=[Role.BOARD, Role.MEMBER])
    with new_session(engine) as s:
        a = s.get(Assembly, assembly_id)
        a.chair_user_id = chair.id
        s.commit()
    return World(assembly_id, ids, users, chair, engine)


def _assembly(form: AssemblyForm, now: datetime) -> Assembly:
    stretched = form == AssemblyForm.STRETCHED
    return Assembly(
        title="Generalversammlung 2026",
        form=form,
        starts_at=now - timedelta(hours=1),
        voting_starts_at=now - timedelta(minutes=30) if stretched else None,
        voting_ends_at=now + timedelta(days=2) if stretched else None,
        record_date=date.today() - timedelta(days=30),
        state=AssemblyState.IN_SESSION,
        opened_at=now - timedelta(minutes=50),
    )


def _members(s: Any, n: int) -> list[int]:
    rows = []
    for _ in range(n):
        k = next(_numbers)
        rows.append(
            Member(
                number=f"M-{k:07d}",
                last_name=f"Wähler{k}",
                first_names="Eva",
                entry_date=date(2020, 1, 1),
            )
        )
    s.add_all(rows)
    s.flush()
    return [m.id for m in rows]


@pytest.fixture
def vote_world(app: Flask, make_user: Callable[..., User]) -> Callable[..., World]:
    """vote_world(members=5, form=AssemblyForm.IN_PERSON, present=True, weights=None)."""

    def _build(**kw: Any) -> World:
        return build_world(app, make_user, **kw)

    return _build


@pytest.fixture
def make_poll() -> Callable[..., Poll]:
    """make_poll(world, title=..., open=True, multiple_votes=False, **PollData fields)."""

    def _make(world: World, *, open: bool = True, multiple_votes: bool = False, **kw: Any) -> Poll:
        kw.setdefault("title", "Feststellung des Jahresabschlusses")
        with world.session() as s:
            assembly = s.get(Assembly, world.assembly_id)
            poll = create_poll(s, assembly=assembly, data=PollData(**kw), actor=world.chair)
            if open:
                poll = open_poll(
                    s, poll=poll, actor=world.chair, now=utcnow(), multiple_votes=multiple_votes
                )
            s.commit()
            return poll

    return _make


def cast(world: World, poll_id: int, i: int, choice: str, *, proxy: int | None = None) -> Receipt:
    """Member i votes `choice` (as themselves, or through member `proxy`) and commits."""
    actor = world.users[proxy if proxy is not None else i]
    with world.session() as s:
        receipt = cast_vote(
            s,
            poll_id=poll_id,
            member_id=world.member_ids[i],
            actor=actor,
            choice=choice,
            now=datetime.now(UTC),
        )
        s.commit()
        return receipt


def add_mandate(world: World, *, principal: int, proxy: int, slot: int = 1) -> None:
    """Member `proxy` holds a mandate for member `principal`."""
    with world.session() as s:
        s.add(
            Mandate(
                assembly_id=world.assembly_id,
                principal_id=world.member_ids[principal],
                proxy_id=world.member_ids[proxy],
                slot=slot,
            )
        )
        s.commit()


def open_existing(world: World, poll_id: int, *, multiple_votes: bool = False) -> Poll:
    """Open a prepared (draft) poll as the chair and commit."""
    with world.session() as s:
        poll = open_poll(
            s,
            poll=s.get(Poll, poll_id),
            actor=world.chair,
            now=utcnow(),
            multiple_votes=multiple_votes,
        )
        s.commit()
        return poll
