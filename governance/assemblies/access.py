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

from governance.assemblies.models import Assembly
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
