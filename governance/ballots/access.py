"""Who may do what with polls (model predicates the views check)."""

from __future__ import annotations

from typing import Any

from governance.accounts.models import Role
from governance.assemblies.models import Assembly


def can_run(user: Any, assembly: Assembly) -> bool:
    """Open, close, declare: the assembly's chair, or the board."""
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(user.id == assembly.chair_user_id or user.has_role(Role.BOARD))


def can_prepare(user: Any, assembly: Assembly) -> bool:
    """Create polls, exclusions, paper counts (tellers): chair, board, secretary."""
    if can_run(user, assembly):
        return True
    return bool(getattr(user, "is_authenticated", False) and user.has_role(Role.SECRETARY))


def is_staff(user: Any) -> bool:
    """Board, supervisory board and secretaries see every poll and every result."""
    return bool(
        getattr(user, "is_authenticated", False)
        and user.has_any_role(Role.BOARD, Role.SUPERVISORY_BOARD, Role.SECRETARY)
    )
