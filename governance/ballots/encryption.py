"""The key of a secret poll (docs/coopvote.md): its definition, its binding and attaching it.

A secret poll opened while its assembly's key ceremony is READY takes the key: its ballots are
encrypted in the voter's browser and only the tellers can decrypt the sums. A secret poll in an
assembly without a ready key keeps plaintext ballots ("secrecy protected by the server").
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from governance import coopvote as cv
from governance.assemblies.models import Assembly
from governance.ballots.models import ElectionMode, Poll, PollKind, PollState
from governance.ballots.shape import shape_of
from governance.tellers.models import CeremonyState, KeyCeremony


def definition_for(session: Session, poll: Poll) -> dict[str, Any]:
    """The coopvote poll definition: a motion, or an election's candidates in their order."""
    if poll.kind == PollKind.MOTION:
        return cv.definition("MOTION")
    _, options = shape_of(session, poll)
    if poll.election_mode == ElectionMode.CHOOSE_UP_TO_N:
        return cv.definition("CHOOSE_UP_TO_N", len(options), min(poll.seats, len(options)))
    return cv.definition("YES_NO_ABSTAIN_PER_CANDIDATE", len(options))


def ready_ceremony(session: Session, *, assembly_id: int) -> KeyCeremony | None:
    """The assembly's ceremony whose key is ready, if any."""
    return session.scalars(
        select(KeyCeremony).where(
            KeyCeremony.assembly_id == assembly_id, KeyCeremony.state == CeremonyState.READY
        )
    ).first()


def ceremony_in_progress(session: Session, *, assembly_id: int) -> bool:
    """A key ceremony of the assembly has started and is neither ready nor void."""
    running = (CeremonyState.ROUND1, CeremonyState.SHARES, CeremonyState.CONFIRM)
    return (
        session.scalars(
            select(KeyCeremony.id).where(
                KeyCeremony.assembly_id == assembly_id, KeyCeremony.state.in_(running)
            )
        ).first()
        is not None
    )


def ceremony_of(session: Session, poll: Poll) -> KeyCeremony | None:
    return session.get(KeyCeremony, poll.ceremony_id) if poll.ceremony_id else None


def poll_key(session: Session, poll: Poll) -> cv.PollKey:
    """What every ballot of this encrypted poll is bound to (ceremony, Y, assembly, poll, shape)."""
    ceremony = ceremony_of(session, poll)
    assembly = session.get(Assembly, poll.assembly_id)
    if ceremony is None or ceremony.public_key is None or assembly is None:
        raise ValueError(f"poll {poll.id} has no key")
    return cv.PollKey(
        ceremony=ceremony.uuid,
        Y=ceremony.public_key,
        assembly=assembly.uuid,
        poll=poll.uuid,
        definition=definition_for(session, poll),
    )


def attach_key(session: Session, poll: Poll) -> bool:
    """Give a secret draft poll its assembly's ready key (when it opens); True if it has one."""
    if poll.ceremony_id is not None:
        return True
    if not poll.secret or poll.state != PollState.DRAFT:
        return False
    ceremony = ready_ceremony(session, assembly_id=poll.assembly_id)
    if ceremony is None:
        return False
    poll.ceremony_id = ceremony.id
    return True
