"""Shared test factories of the assemblies domain (pytest plugin).

`make_assembly(state=AssemblyState.DRAFT, form=AssemblyForm.IN_PERSON, starts_at=None,
members=None, items=(...), chair=None, secretary=None, **fields)` creates and commits an
assembly, fast and directly through the models:
- DRAFT: starts in 30 days; its agenda items are not yet announced.
- CONVENED: starts in 30 days, convened now; IN_SESSION: started an hour ago, convened three
  weeks before; CLOSED: like IN_SESSION, closed now. Items are announced at convening.
- From CONVENED on the voter roll is frozen: `members` (a list of Member) go on it with weight 1;
  with `members=None` the roll is frozen from the register (`eligible_members` at the record
  date). The roll hash is recorded, and the `assembly.roll_frozen` audit event, by the real
  freeze (`governance.assemblies.roll.freeze_entries`).
`items` is a sequence of (title, ItemKind) pairs, or of AgendaItem keyword dicts.
Returns the assembly detached (`assembly.items` holds its AgendaItem rows).

`check_in(assembly, member, channel=Channel.ROOM, at=None)`: present in the room (checked in
by the service) or online (seen at `at`, default now). `make_mandate(assembly, principal, proxy,
evidence=...)`: a proxy through the service (the §43(5) limit applies). `make_proposal(assembly,
state=ProposalState.ADMITTED, item=None, **fields)`: a board proposal, admitted onto `item`
(or a new item) when the state is past SUBMITTED.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from governance.assemblies.attendance import check_in as service_check_in
from governance.assemblies.mandates import register_mandate
from governance.assemblies.models import (
    Assembly,
    AssemblyForm,
    AssemblyState,
    Attendance,
    Channel,
    RollEntry,
)
from governance.assemblies.models_agenda import AgendaItem, ItemKind
from governance.assemblies.models_mandates import Mandate
from governance.assemblies.roll import freeze_entries
from governance.db import new_session, utcnow
from governance.proposals.models import Majority, Proposal, ProposalState, SubmitterKind
from governance.register.models import Member

DEFAULT_ITEMS: tuple[tuple[str, ItemKind], ...] = (
    ("Eröffnung", ItemKind.INFORMATION),
    ("Beschluss über den Jahresabschluss", ItemKind.RESOLUTION),
)
ORDER = [
    AssemblyState.DRAFT,
    AssemblyState.CONVENED,
    AssemblyState.IN_SESSION,
    AssemblyState.CLOSED,
    AssemblyState.MINUTES_PUBLISHED,
]


def _times(state: AssemblyState, starts_at: datetime | None, now: datetime) -> dict[str, Any]:
    in_session = ORDER.index(state) >= ORDER.index(AssemblyState.IN_SESSION)
    starts = starts_at or (now - timedelta(hours=1) if in_session else now + timedelta(days=30))
    times: dict[str, Any] = {"starts_at": starts}
    if state != AssemblyState.DRAFT:
        times["convened_at"] = min(now, starts - timedelta(days=21))
        times["record_date"] = times["convened_at"].date()
    if in_session:
        times["opened_at"] = starts
    if ORDER.index(state) >= ORDER.index(AssemblyState.CLOSED):
        times["closed_at"] = now
    return times


def _add_items(s: Any, assembly: Assembly, items: Sequence[Any]) -> list[AgendaItem]:
    rows = []
    for position, spec in enumerate(items, start=1):
        fields = spec if isinstance(spec, dict) else {"title": spec[0], "kind": spec[1]}
        fields = {"position": position, "announced_at": assembly.convened_at, **fields}
        row = AgendaItem(assembly_id=assembly.id, **fields)
        s.add(row)
        rows.append(row)
    s.flush()
    return rows


def _freeze(s: Any, assembly: Assembly, members: Sequence[Member] | None) -> None:
    """Freeze the roll as `freeze_roll` does (entries, hash, audit event), at convening."""
    if members is None:
        from governance.register.services import eligible_members

        chosen = eligible_members(s, at=assembly.record_date, min_shares=1)
    else:
        chosen = [(m, getattr(m, "shares", 1) or 1) for m in members]
    entries = [
        RollEntry(assembly_id=assembly.id, member_id=member.id, shares=shares, weight=1)
        for member, shares in chosen
    ]
    freeze_entries(
        s,
        assembly=assembly,
        record_date=assembly.record_date,
        entries=entries,
        now=assembly.convened_at,
    )


@pytest.fixture
def make_assembly(app: Flask) -> Callable[..., Assembly]:
    """make_assembly(state=..., form=..., starts_at=..., members=[...], items=...)."""

    def _make(
        state: AssemblyState = AssemblyState.DRAFT,
        form: AssemblyForm = AssemblyForm.IN_PERSON,
        starts_at: datetime | None = None,
        members: Sequence[Member] | None = None,
        items: Sequence[Any] = DEFAULT_ITEMS,
        chair: Any = None,
        secretary: Any = None,
        **fields: Any,
    ) -> Assembly:
        now = utcnow()
        state = AssemblyState(state)
        values: dict[str, Any] = {
            "title": "Generalversammlung",
            "form": form,
            "place": "Gemeinschaftssaal",
            "state": state,
            "chair_user_id": getattr(chair, "id", None),
            "secretary_user_id": getattr(secretary, "id", None),
            **_times(state, starts_at, now),
        }
        if form == AssemblyForm.STRETCHED:
            values.setdefault("voting_starts_at", values["starts_at"] + timedelta(hours=1))
            values.setdefault("voting_ends_at", values["starts_at"] + timedelta(days=2))
        values.update(fields)
        with new_session(app.extensions["governance.engine"]) as s:
            assembly = Assembly(**values)
            s.add(assembly)
            s.flush()
            rows = _add_items(s, assembly, items)
            if state != AssemblyState.DRAFT:
                _freeze(s, assembly, members)
            s.add(assembly)
            s.commit()
            object.__setattr__(assembly, "items", rows)  # a convenience for tests
            return assembly

    return _make


@pytest.fixture
def check_in(app: Flask) -> Callable[..., Attendance]:
    """check_in(assembly, member, channel=Channel.ROOM, at=None): the member is present."""

    def _check_in(
        assembly: Assembly, member: Member, channel: Channel = Channel.ROOM, at: Any = None
    ) -> Attendance:
        when = at or utcnow()
        with new_session(app.extensions["governance.engine"]) as s:
            fresh = s.get(Assembly, assembly.id)
            if channel == Channel.ROOM:
                att = service_check_in(
                    s, assembly=fresh, member=s.get(Member, member.id), actor=None, now=when
                )
            else:
                att = Attendance(
                    assembly_id=assembly.id,
                    member_id=member.id,
                    channel=Channel.ONLINE,
                    checked_in_at=when,
                    last_seen_at=when,
                )
                s.add(att)
            s.commit()
            return att

    return _check_in


@pytest.fixture
def make_mandate(app: Flask) -> Callable[..., Mandate]:
    """make_mandate(assembly, principal, proxy, evidence=...): a proxy (limit of two applies)."""

    def _make(
        assembly: Assembly, principal: Member, proxy: Member, evidence: str = "Vollmacht (Textform)"
    ) -> Mandate:
        with new_session(app.extensions["governance.engine"]) as s:
            mandate = register_mandate(
                s,
                assembly=s.get(Assembly, assembly.id),
                principal=s.get(Member, principal.id),
                proxy=s.get(Member, proxy.id),
                evidence=evidence,
                actor=None,
            )
            s.commit()
            return mandate

    return _make


@pytest.fixture
def make_proposal(app: Flask) -> Callable[..., Proposal]:
    """make_proposal(assembly, state=ADMITTED, item=None, **fields): a board proposal."""

    def _make(
        assembly: Assembly,
        state: ProposalState = ProposalState.ADMITTED,
        item: AgendaItem | None = None,
        **fields: Any,
    ) -> Proposal:
        with new_session(app.extensions["governance.engine"]) as s:
            item_id = item.id if item is not None else None
            if item_id is None and state != ProposalState.SUBMITTED:
                last = s.execute(
                    select(func.max(AgendaItem.position)).where(
                        AgendaItem.assembly_id == assembly.id, AgendaItem.parent_id.is_(None)
                    )
                ).scalar_one()
                row = AgendaItem(
                    assembly_id=assembly.id,
                    position=(last or 0) + 1,
                    title=fields.get("title", "Antrag"),
                    kind=ItemKind.RESOLUTION,
                    announced_at=assembly.convened_at,
                )
                s.add(row)
                s.flush()
                item_id = row.id
            values: dict[str, Any] = {
                "assembly_id": assembly.id,
                "agenda_item_id": item_id,
                "submitter_kind": SubmitterKind.BOARD,
                "title": "Antrag",
                "text": "Die Generalversammlung beschließt …",
                "majority": Majority.SIMPLE,
                "state": state,
                **fields,
            }
            proposal = Proposal(**values)
            s.add(proposal)
            s.commit()
            return proposal

    return _make
