"""The tellers' steps of the key ceremony: round 1, the shares, the confirmation.

Each post locks the ceremony row first, so that the last of n concurrent posts sees the others
and moves the state on (the database refuses a state before every teller did the step,
tellers/ddl.py). A check that fails voids the ceremony, naming whose step failed, and refuses
the post with `services.CeremonyVoided` (the view commits the void). The server checks what it
can: every round-1 proof, that each teller's page computed the same fingerprint as the server
and that the stored entries still give it, and the shape of the boxes it cannot open.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from sqlmodel import Session

from governance import coopvote as cv
from governance.errors import DomainError
from governance.i18n import _l
from governance.tellers import services
from governance.tellers.models import CeremonyState, KeyCeremony, Teller, TellerShare

_HEX = re.compile(r"^[0-9a-f]+$")
BOX_HEX = 2 * (32 + 16)  # a 32-byte scalar in a nacl box (16 bytes of MAC)


def post_round1(
    session: Session, *, teller: Teller, ceremony_uuid: str, entry: Any, now: datetime, actor: Any
) -> KeyCeremony:
    """Teller i's round-1 entry: checked (proof of knowledge) and stored; the last one moves
    the ceremony to SHARES with the fingerprint of the whole round-1 transcript."""
    ceremony = _current(session, teller, ceremony_uuid, CeremonyState.ROUND1)
    if teller.round1 is not None:
        raise DomainError(_l("Your round-1 entry is already in."))
    try:
        cv.check_round1(ceremony.uuid, teller.idx, ceremony.t, entry)
    except cv.Invalid as exc:
        _fail(session, ceremony, teller, services.Step.ROUND1, teller.idx, str(exc), now, actor)
    teller.round1, teller.round1_at = cv.entry_json(entry), now
    session.flush()
    services.ceremony_event(
        session, ceremony, "ceremony.round1", actor, {"index": teller.idx, "entry": entry}
    )
    entries = services.entries_of(session, ceremony_id=ceremony.id or 0)
    if len(entries) == ceremony.n:
        ceremony.fingerprint = cv.fingerprint(ceremony.uuid, ceremony.n, ceremony.t, entries)
        ceremony.state = CeremonyState.SHARES
        session.flush()
        services.ceremony_event(
            session, ceremony, "ceremony.shares", None, {"fingerprint": ceremony.fingerprint}
        )
    return ceremony


def post_shares(
    session: Session,
    *,
    teller: Teller,
    ceremony_uuid: str,
    fingerprint: str,
    boxes: list[dict[str, Any]],
    now: datetime,
    actor: Any,
) -> KeyCeremony:
    """Teller i's boxed shares for every other teller, sent with the fingerprint its page
    computed and the teller compared; a different fingerprint voids the ceremony."""
    ceremony = _current(session, teller, ceremony_uuid, CeremonyState.SHARES)
    if teller.shares_at is not None:
        raise DomainError(_l("Your shares are already in."))
    _same_fingerprint(session, ceremony, teller, services.Step.SHARES, fingerprint, now, actor)
    _check_boxes(ceremony, teller, boxes)
    session.add_all(
        TellerShare(
            ceremony_id=ceremony.id,
            from_idx=teller.idx,
            to_idx=b["to"],
            nonce=b["nonce"],
            box=b["box"],
        )
        for b in boxes
    )
    teller.shares_at = now
    session.flush()
    services.ceremony_event(
        session,
        ceremony,
        "ceremony.shares_sent",
        actor,
        {"index": teller.idx, "fingerprint": fingerprint},
    )
    if all(
        t.shares_at is not None for t in services.tellers_of(session, ceremony_id=ceremony.id or 0)
    ):
        ceremony.state = CeremonyState.CONFIRM
        session.flush()
        services.ceremony_event(
            session, ceremony, "ceremony.confirm", None, {"fingerprint": ceremony.fingerprint}
        )
    return ceremony


def confirm(
    session: Session,
    *,
    teller: Teller,
    ceremony_uuid: str,
    fingerprint: str,
    now: datetime,
    actor: Any,
) -> KeyCeremony:
    """Teller j checked every share sent to it and holds its key file; when all n confirmed the
    same fingerprint the poll key is READY."""
    ceremony = _current(session, teller, ceremony_uuid, CeremonyState.CONFIRM)
    if teller.confirmed_at is not None:
        raise DomainError(_l("Your confirmation is already in."))
    _same_fingerprint(session, ceremony, teller, services.Step.CONFIRM, fingerprint, now, actor)
    teller.confirmed_fingerprint, teller.confirmed_at = fingerprint, now
    session.flush()
    services.ceremony_event(
        session,
        ceremony,
        "ceremony.confirmed",
        actor,
        {"index": teller.idx, "fingerprint": fingerprint},
    )
    tellers = services.tellers_of(session, ceremony_id=ceremony.id or 0)
    if all(t.confirmed_fingerprint == ceremony.fingerprint for t in tellers):
        y = cv.poll_key(services.entries_of(session, ceremony_id=ceremony.id or 0))
        ceremony.public_key, ceremony.key_fingerprint = y, cv.key_fingerprint(y)
        ceremony.state, ceremony.ready_at = CeremonyState.READY, now
        session.flush()
        services.ceremony_event(
            session,
            ceremony,
            "ceremony.ready",
            None,
            {
                "fingerprint": ceremony.fingerprint,
                "public_key": y,
                "key_fingerprint": ceremony.key_fingerprint,
            },
        )
    return ceremony


# --- helpers ----------------------------------------------------------------------------------


def _current(
    session: Session, teller: Teller, ceremony_uuid: str, state: CeremonyState
) -> KeyCeremony:
    """The teller's ceremony, locked, if the page means it and it waits for this step."""
    ceremony = services.locked(session, services.ceremony_of(session, teller))
    session.refresh(teller)
    if ceremony.uuid != ceremony_uuid:
        raise DomainError(_l("This page belongs to another key ceremony: reload it."))
    if ceremony.state == CeremonyState.VOID:
        raise DomainError(_l("The key ceremony has been voided: %(r)s", r=ceremony.void_reason))
    if ceremony.state != state:
        raise DomainError(_l("The key ceremony is not at this step."))
    return ceremony


def _same_fingerprint(
    session: Session,
    ceremony: KeyCeremony,
    teller: Teller,
    step: services.Step,
    fingerprint: str,
    now: datetime,
    actor: Any,
) -> None:
    """The teller's fingerprint is the server's, and the stored entries still give it."""
    entries = services.entries_of(session, ceremony_id=ceremony.id or 0)
    try:
        stored = cv.fingerprint(ceremony.uuid, ceremony.n, ceremony.t, entries)
    except cv.Invalid as exc:
        stored = str(exc)
    if stored != ceremony.fingerprint:
        _fail(
            session,
            ceremony,
            teller,
            step,
            None,
            "the stored round-1 entries no longer give the fingerprint",
            now,
            actor,
        )
    if fingerprint != ceremony.fingerprint:
        _fail(
            session,
            ceremony,
            teller,
            step,
            teller.idx,
            "the fingerprint of the teller's page differs from the server's",
            now,
            actor,
        )


def _check_boxes(ceremony: KeyCeremony, teller: Teller, boxes: list[dict[str, Any]]) -> None:
    """Exactly one well-formed box from this teller to every other teller."""
    wanted = {j for j in range(1, ceremony.n + 1) if j != teller.idx}
    seen = set()
    for b in boxes:
        ok = (
            isinstance(b, dict)
            and sorted(b) == ["box", "from", "nonce", "to"]
            and b["from"] == teller.idx
            and b["to"] in wanted
            and isinstance(b["nonce"], str)
            and len(b["nonce"]) == 48
            and _HEX.match(b["nonce"])
            and isinstance(b["box"], str)
            and len(b["box"]) == BOX_HEX
            and _HEX.match(b["box"])
        )
        if not ok or b["to"] in seen:
            raise DomainError(_l("The shares are malformed."))
        seen.add(b["to"])
    if seen != wanted:
        raise DomainError(_l("A share for every other teller is needed."))


def _fail(
    session: Session,
    ceremony: KeyCeremony,
    teller: Teller,
    step: services.Step,
    culprit: int | None,
    reason: str,
    now: datetime,
    actor: Any,
) -> None:
    """Void the ceremony for a failed check of a teller's post and refuse the post."""
    names = services.user_names(session, services.tellers_of(session, ceremony_id=ceremony.id or 0))
    who = culprit or teller.idx
    text = str(
        _l(
            "Teller %(i)d (%(name)s), %(step)s: %(reason)s",
            i=who,
            name=names[who],
            step=services.STEP_LABELS[step],
            reason=reason,
        )
    )
    services.record_void(
        session,
        ceremony,
        actor,
        text,
        now,
        {
            "by": "server",
            "index": teller.idx,
            "step": step.value,
            "culprit": culprit,
            "reason": reason,
        },
    )
    raise services.CeremonyVoided(str(_l("Refused, and the key ceremony is void: %(r)s", r=text)))
