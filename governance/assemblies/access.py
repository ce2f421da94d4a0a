"""Loading an assembly for a view: through the one gate (`Assembly.can_see`), 404 or 403.

Every domain's loaders (ballots/access.py, proposals/access.py, minutes/access.py, the audit
pages) call `load_assembly` or `gate`, so an assembly that a user may not see stays closed on
every page that belongs to it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort
from flask_login import current_user

from governance.assemblies.grants import ProxyGrant
from governance.assemblies.models import MEMBER_BODIES, Assembly, AssemblyState
from governance.web import get_or_404


def gate(assembly: Assembly, user: Any = None) -> Assembly:
    """The assembly, if the user (default: the current user) may see it; else 403."""
    if not assembly.can_see(current_user if user is None else user):
        abort(403)
    return assembly


def load_assembly(
    assembly_id: int, allowed: Callable[[Assembly, Any], bool] | None = None
) -> Assembly:
    """The assembly through the gate; with `allowed`, also that predicate (else 403)."""
    assembly = gate(get_or_404(Assembly, assembly_id))
    if allowed is not None and not allowed(assembly, current_user):
        abort(403)
    return assembly


def load_held_grant(assembly_id: int, grant_id: int) -> tuple[Assembly, ProxyGrant]:
    """A proxy given to a relative who is not a member, for its holder (relatives.py): the
    assembly must be one its members see (a member body, convened) and the grant the current
    user's; else 404 or 403. Staff see such grants on the mandates page, not here."""
    assembly = get_or_404(Assembly, assembly_id)
    grant = get_or_404(ProxyGrant, grant_id)
    if grant.assembly_id != assembly.id:
        abort(404)
    mine = grant.holder_user_id is not None and grant.holder_user_id == current_user.id
    open_to_members = assembly.body in MEMBER_BODIES and not assembly.of_body
    if not (mine and assembly.state != AssemblyState.DRAFT and open_to_members):
        abort(403)
    return assembly, grant
