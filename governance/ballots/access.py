"""Who may do what with polls, and the views' loaders (all through the one gate).

The predicates are pure (user, assembly); `load_poll` and `may_see_box` serve the views: a poll
of an assembly the user may not see (`Assembly.can_see`) answers 403 on every page.
"""

from __future__ import annotations

from typing import Any

from flask import abort
from flask_login import current_user
from sqlalchemy import select

from governance.accounts.models import Role
from governance.assemblies.access import gate
from governance.assemblies.models import Assembly, RollEntry
from governance.ballots.models import Poll, PollState
from governance.ballots.voters import Entitlement, entitlement
from governance.web import db


def can_run(user: Any, assembly: Assembly) -> bool:
    """Open, close, declare: the assembly's chair, or the board (a body's: its leaders)."""
    if not getattr(user, "is_authenticated", False):
        return False
    if assembly.of_body:  # a body's meeting: its chair and leaders, no role from outside
        return assembly.can_chair(user) or assembly.can_manage(user)
    return bool(user.id == assembly.chair_user_id or user.has_role(Role.BOARD))


def can_prepare(user: Any, assembly: Assembly) -> bool:
    """Create polls, exclusions, paper counts (tellers): chair, board, secretary."""
    if can_run(user, assembly):
        return True
    if assembly.of_body:
        return assembly.can_keep_records(user)
    return bool(getattr(user, "is_authenticated", False) and user.has_role(Role.SECRETARY))


def can_prepare_for(assembly: Assembly, user: Any) -> bool:
    """`can_prepare` in the argument order of the assemblies' loader (assembly, user)."""
    return can_prepare(user, assembly)


def is_staff(user: Any) -> bool:
    """Board, supervisory board and secretaries see every poll and every result."""
    return bool(
        getattr(user, "is_authenticated", False)
        and user.has_any_role(Role.BOARD, Role.SUPERVISORY_BOARD, Role.SECRETARY)
    )


def load_poll(poll_id: int) -> tuple[Poll, Assembly]:
    """The poll and its assembly through the gate (404, 403); drafts are invisible (404) to
    those who neither prepare polls nor belong to the staff."""
    row = (
        db()
        .execute(
            select(Poll, Assembly)
            .join(Assembly, Assembly.id == Poll.assembly_id)
            .where(Poll.id == poll_id)
        )
        .first()
    )
    if row is None:
        abort(404)
    poll, assembly = row
    if poll.state == PollState.DRAFT and not (
        can_prepare(current_user, assembly) or is_staff(current_user)
    ):
        abort(404)
    return poll, gate(assembly)


def gate_cast(poll_id: int, voter: int | None) -> Entitlement:
    """The cast's gate and entitlement in one query: 404 without the poll, 403 for an
    assembly behind the gate or a user who may vote for nobody in it."""
    found = entitlement(
        db(),
        poll_id=poll_id,
        member_id=current_user.member_id,
        user_id=current_user.id,
        voter=voter,
    )
    if found is None:
        abort(404)
    gate(found.assembly)
    if not found.anyone:
        abort(403)
    return found


def on_roll(assembly_id: int, member_id: int | None) -> bool:
    """Whether the member is on the assembly's frozen roll."""
    if member_id is None:
        return False
    query = select(RollEntry.id).where(
        RollEntry.assembly_id == assembly_id, RollEntry.member_id == member_id
    )
    return db().execute(query).first() is not None


def may_see_box(assembly: Assembly) -> bool:
    """Eligible members (on the roll), relatives holding a member's proxy (to check the
    trackers of the votes they cast) and staff see the sealed ballot box."""
    return (
        is_staff(current_user)
        or on_roll(assembly.id, current_user.member_id)
        or assembly.is_relative_holder(current_user)
    )
