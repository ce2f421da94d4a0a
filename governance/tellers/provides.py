"""What the tellers domain answers for the domains below it (registered on import)."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from governance import coopvote as cv
from governance.assemblies import hooks
from governance.tellers import services
from governance.tellers.models import CeremonyState


@hooks.key_ceremony.register
def key_ceremony(session: Session, *, assembly_id: int) -> dict[str, Any] | None:
    """The assembly's live key ceremony: state, n of t, the grouped key fingerprint, tellers."""
    ceremony = services.live_ceremony(session, assembly_id=assembly_id)
    if ceremony is None or ceremony.id is None:
        return None
    tellers = services.tellers_of(session, ceremony_id=ceremony.id)
    names = services.user_names(session, tellers)
    ready = ceremony.state == CeremonyState.READY and ceremony.key_fingerprint
    return {
        "state": ceremony.state.value,
        "n": ceremony.n,
        "t": ceremony.t,
        "key_fingerprint": cv.group4(ceremony.key_fingerprint) if ready else None,
        "tellers": [names[t.idx] for t in tellers],
    }
