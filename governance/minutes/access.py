"""Who may do what with the minutes (checked by the views, tested as a matrix).

- Draft (workspace, draft PDF): board, supervisory board, secretaries, and the assembly's chair
  and secretary.
- Writing the draft, rendering: SECRETARY users and the assembly's secretary.
- Approving: the chair and board members (the service checks presence at the assembly).
- Publishing: the supervisory board.
- Published versions: every member (§47(4) GenG: every member may inspect the minutes) — any
  logged-in user with the MEMBER role — and the staff roles (board, supervisory board,
  secretary), of every assembly the gate (`Assembly.can_see`) opens to them: a general
  assembly's minutes to every member, a board meeting's to the staff only. Published minutes
  are not restricted to the assembly's roll: a member who joined later may inspect them too.

A meeting of a body (`assembly.of_body`) keeps all of it inside the body: its seats see the
draft and approve (the service checks who signs: the body's chair and another seat present),
its records keeper writes, its leaders publish (`Assembly.is_staff`, `can_keep_records`,
`can_manage`); roles outside the body count for nothing there.

Every view loads its assembly through the gate first (`assemblies.access.load_assembly`).
"""

from __future__ import annotations

from typing import Any

from governance.accounts.models import Role
from governance.assemblies.models import Assembly

STAFF = (Role.BOARD, Role.SUPERVISORY_BOARD, Role.SECRETARY)
READERS = tuple(Role)


def _is_one_of(user: Any, *ids: int | None) -> bool:
    return user.id in {i for i in ids if i is not None}


def is_staff(user: Any) -> bool:
    return bool(user.is_authenticated and user.has_any_role(*STAFF))


def can_view_draft(assembly: Assembly, user: Any) -> bool:
    if not user.is_authenticated:
        return False
    if assembly.of_body:
        return assembly.is_staff(user)
    ids = (assembly.chair_user_id, assembly.secretary_user_id)
    return is_staff(user) or _is_one_of(user, *ids)


def can_write(assembly: Assembly, user: Any) -> bool:
    if not user.is_authenticated:
        return False
    if assembly.of_body:
        return assembly.can_keep_records(user)
    return bool(user.has_role(Role.SECRETARY) or _is_one_of(user, assembly.secretary_user_id))


def can_approve(assembly: Assembly, user: Any) -> bool:
    if not user.is_authenticated:
        return False
    if assembly.of_body:
        return assembly.is_staff(user)
    return bool(user.has_role(Role.BOARD) or _is_one_of(user, assembly.chair_user_id))


def can_publish(user: Any, assembly: Assembly | None = None) -> bool:
    if assembly is not None and assembly.of_body:
        return assembly.can_manage(user)
    return bool(user.is_authenticated and user.has_role(Role.SUPERVISORY_BOARD))


def can_read_published(user: Any) -> bool:
    return bool(user.is_authenticated and user.has_any_role(*READERS))
