"""Loading for the ceremony's views: the chair's page through the one gate, the teller's page
for the teller alone.

A teller may be any active account (a member before the assembly is convened, for one): the
teller's page shows only that ceremony's public values, so being named its teller is what
opens it. Everyone else is sent to the gate (403 or 404 as on every page of the assembly) and
refused there or after it.
"""

from __future__ import annotations

from flask import abort
from flask_login import current_user

from governance.assemblies.access import gate, load_assembly
from governance.assemblies.models import Assembly
from governance.tellers import services
from governance.tellers.models import Teller
from governance.web import db, get_or_404


def load_for_chair(assembly_id: int) -> Assembly:
    """The assembly, for its chair (as the cockpit decides: the appointed chair, else the board)."""
    return load_assembly(assembly_id, lambda a, u: bool(a.can_chair(u)))


def load_teller(assembly_id: int) -> tuple[Assembly, Teller]:
    """The assembly and the current user's teller row in its newest ceremony naming them."""
    assembly = get_or_404(Assembly, assembly_id)
    teller = services.teller_of(db(), assembly_id=assembly.id, user_id=current_user.id)
    if teller is None:
        gate(assembly)
        abort(403)
    return assembly, teller
