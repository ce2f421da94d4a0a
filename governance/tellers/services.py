"""The key ceremony as the chair and the tellers run it: reading it, starting it, voiding it
and a teller's report of a failure (the tellers' steps are in steps.py).

The server only relays (docs/coopvote.md "The key ceremony"): it checks every round-1 proof,
computes the round-1 fingerprint once all n entries are in, keeps the boxed shares it cannot
open, and declares the key READY only when every teller confirmed the same fingerprint that
their own page computed and that they compared with each other. Any failure voids the ceremony
with whose step failed, and a restart is a new ceremony (the chair may name other tellers).
Each teller's post locks the ceremony row first, so that the last of n concurrent posts sees
the others and moves the state on. Every transition is an event of the audit chain.
"""

from __future__ import annotations

import enum
import json
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from governance.accounts.models import User
from governance.assemblies.models import Assembly, AssemblyState
from governance.auditlog import record_event
from governance.errors import DomainError
from governance.i18n import _l
from governance.tellers import hooks
from governance.tellers.models import (
    MAX_TELLERS,
    CeremonyState,
    KeyCeremony,
    Teller,
    TellerShare,
)

IN_PROGRESS = (CeremonyState.ROUND1, CeremonyState.SHARES, CeremonyState.CONFIRM)


class Step(enum.StrEnum):
    """The teller's step that failed (named in the void reason)."""

    ROUND1 = "round1"
    SHARES = "shares"
    CONFIRM = "confirm"


STEP_LABELS = {
    Step.ROUND1: _l("round 1 (key part and proof)"),
    Step.SHARES: _l("sending the shares"),
    Step.CONFIRM: _l("checking the shares and confirming"),
}


class CeremonyVoided(DomainError):
    """The post failed a check and voided the ceremony: the view commits the void."""


# --- reading ----------------------------------------------------------------------------------


def live_ceremony(session: Session, *, assembly_id: int) -> KeyCeremony | None:
    """The assembly's ceremony that is not void (in progress or READY), if any."""
    return session.scalars(
        select(KeyCeremony).where(
            KeyCeremony.assembly_id == assembly_id, KeyCeremony.state != CeremonyState.VOID
        )
    ).first()


def ceremonies(session: Session, *, assembly_id: int) -> list[KeyCeremony]:
    """Every ceremony of the assembly, the newest first."""
    query = select(KeyCeremony).where(KeyCeremony.assembly_id == assembly_id)
    return list(session.scalars(query.order_by(KeyCeremony.id.desc())))


def tellers_of(session: Session, *, ceremony_id: int) -> list[Teller]:
    """The tellers of a ceremony by their number."""
    query = select(Teller).where(Teller.ceremony_id == ceremony_id).order_by(Teller.idx)
    return list(session.scalars(query))


def teller_of(session: Session, *, assembly_id: int, user_id: int) -> Teller | None:
    """The user's teller row in the assembly's live ceremony, or (none live) its newest one."""
    query = (
        select(Teller)
        .join(KeyCeremony, KeyCeremony.id == Teller.ceremony_id)
        .where(KeyCeremony.assembly_id == assembly_id, Teller.user_id == user_id)
        .order_by(KeyCeremony.id.desc())
    )
    return session.scalars(query.limit(1)).first()


def entries_of(session: Session, *, ceremony_id: int) -> dict[int, dict[str, Any]]:
    """The round-1 entries posted so far, by teller number."""
    return {
        t.idx: json.loads(t.round1)
        for t in tellers_of(session, ceremony_id=ceremony_id)
        if t.round1 is not None
    }


def boxes_to(session: Session, *, ceremony_id: int, idx: int) -> list[dict[str, Any]]:
    """The boxed shares addressed to teller `idx` (only that teller's page can open them)."""
    query = select(TellerShare).where(
        TellerShare.ceremony_id == ceremony_id, TellerShare.to_idx == idx
    )
    return [
        {"from": s.from_idx, "to": s.to_idx, "nonce": s.nonce, "box": s.box}
        for s in session.scalars(query.order_by(TellerShare.from_idx))
    ]


def user_names(session: Session, tellers: list[Teller]) -> dict[int, str]:
    """Teller number → the teller's name (for pages and void reasons)."""
    users = {
        u.id: u
        for u in session.scalars(select(User).where(User.id.in_([t.user_id for t in tellers])))
    }
    return {t.idx: users[t.user_id].display_name or users[t.user_id].email for t in tellers}


def users_by_email(session: Session, *, emails: list[str]) -> list[int]:
    """The ids of the active accounts with these addresses, in their order."""
    found = {u.email: u for u in session.scalars(select(User).where(User.email.in_(emails)))}
    for email in emails:
        if email not in found or not found[email].active:
            raise DomainError(
                _l("No active account has the address %(e)s.", e=email), field="tellers"
            )
    return [found[e].id or 0 for e in emails]


def teller_emails(session: Session, *, ceremony_id: int) -> list[str]:
    """The tellers' account addresses by their number (to restart with the same tellers)."""
    query = (
        select(User.email)
        .join(Teller, Teller.user_id == User.id)
        .where(Teller.ceremony_id == ceremony_id)
        .order_by(Teller.idx)
    )
    return list(session.scalars(query))


# --- starting and voiding -----------------------------------------------------------------------


def start(
    session: Session, *, assembly: Assembly, tellers: list[int], t: int, actor: Any
) -> KeyCeremony:
    """The chair names n tellers (user ids, in the order of their numbers) and the threshold t."""
    _check_start(session, assembly, tellers, t)
    n = len(tellers)
    ceremony = KeyCeremony(
        assembly_id=assembly.id, n=n, t=t, created_by_id=getattr(actor, "id", None)
    )
    session.add(ceremony)
    session.flush()
    assert ceremony.id is not None
    session.add_all(
        Teller(ceremony_id=ceremony.id, idx=i, user_id=uid) for i, uid in enumerate(tellers, 1)
    )
    session.flush()
    ceremony_event(
        session,
        ceremony,
        "ceremony.started",
        actor,
        {
            "n": n,
            "t": t,
            "tellers": [{"index": i, "user_id": u} for i, u in enumerate(tellers, 1)],
        },
    )
    return ceremony


def _check_start(session: Session, assembly: Assembly, tellers: list[int], t: int) -> None:
    """Who may be named, how many, and whether the assembly can still take a new key."""
    n = len(tellers)
    if not 1 <= n <= MAX_TELLERS:
        raise DomainError(
            _l("Name between 1 and %(max)d tellers.", max=MAX_TELLERS), field="tellers"
        )
    if len(set(tellers)) != n:
        raise DomainError(_l("Each teller can be named only once."), field="tellers")
    if not 1 <= t <= n:
        raise DomainError(
            _l("The threshold must lie between 1 and the number of tellers."), field="t"
        )
    if assembly.state in (AssemblyState.CLOSED, AssemblyState.MINUTES_PUBLISHED):
        raise DomainError(_l("The assembly is closed."))
    live = live_ceremony(session, assembly_id=assembly.id)
    if live is not None and live.state == CeremonyState.READY:
        raise DomainError(_l("The assembly's key is ready; it serves every secret poll."))
    if live is not None:
        raise DomainError(_l("A key ceremony is under way: void it before starting a new one."))
    if hooks.secret_poll_opened(session, assembly_id=assembly.id):
        raise DomainError(
            _l("A secret poll of this assembly has been opened: the key must be ready before.")
        )
    active = set(
        session.scalars(select(User.id).where(User.id.in_(tellers), User.active.is_(True)))
    )
    if active != set(tellers):
        raise DomainError(_l("Every teller needs an active user account."), field="tellers")


def outstanding(session: Session, ceremony: KeyCeremony) -> list[tuple[Teller, Step]]:
    """The tellers whose step the ceremony is waiting for, with that step."""
    tellers = tellers_of(session, ceremony_id=ceremony.id or 0)
    if ceremony.state == CeremonyState.ROUND1:
        return [(t, Step.ROUND1) for t in tellers if t.round1 is None]
    if ceremony.state == CeremonyState.SHARES:
        return [(t, Step.SHARES) for t in tellers if t.shares_at is None]
    if ceremony.state == CeremonyState.CONFIRM:
        return [(t, Step.CONFIRM) for t in tellers if t.confirmed_at is None]
    return []


def void(
    session: Session, *, ceremony: KeyCeremony, actor: Any, reason: str, now: datetime
) -> None:
    """The chair voids a ceremony in progress; the reason names the tellers it waits for."""
    ceremony = locked(session, ceremony)
    if ceremony.state not in IN_PROGRESS:
        raise DomainError(_l("Only a ceremony in progress can be voided."))
    waiting = outstanding(session, ceremony)
    names = user_names(session, [t for t, _s in waiting]) if waiting else {}
    missing = "; ".join(
        str(
            _l(
                "teller %(i)d (%(name)s) did not finish %(step)s",
                i=t.idx,
                name=names[t.idx],
                step=STEP_LABELS[step],
            )
        )
        for t, step in waiting
    )
    text = " — ".join(p for p in (reason.strip(), missing) if p) or str(_l("voided by the chair"))
    record_void(
        session,
        ceremony,
        actor,
        text,
        now,
        {
            "by": "chair",
            "waiting": [{"index": t.idx, "step": s.value} for t, s in waiting],
        },
    )


def report_failure(
    session: Session,
    *,
    teller: Teller,
    step: Step,
    reason: str,
    culprit: int | None,
    now: datetime,
    actor: Any,
) -> None:
    """A teller's page found a failure (a bad proof, a changed entry, a share that does not
    check): the ceremony is void, naming whose step failed."""
    ceremony = locked(session, ceremony_of(session, teller))
    if ceremony.state not in IN_PROGRESS:
        raise DomainError(_l("The ceremony is no longer in progress."))
    if culprit is not None and not 1 <= culprit <= ceremony.n:
        culprit = None
    names = user_names(session, tellers_of(session, ceremony_id=ceremony.id or 0))
    text = str(
        _l(
            "Teller %(i)d (%(name)s) reported a failure while %(step)s: %(reason)s",
            i=teller.idx,
            name=names[teller.idx],
            step=STEP_LABELS[step],
            reason=reason[:500],
        )
    )
    if culprit is not None:
        text += " " + str(
            _l("(whose step failed: teller %(j)d, %(name)s)", j=culprit, name=names[culprit])
        )
    record_void(
        session,
        ceremony,
        actor,
        text,
        now,
        {
            "by": "teller",
            "index": teller.idx,
            "step": step.value,
            "culprit": culprit,
            "reason": reason[:500],
        },
    )


# --- shared by the steps (steps.py) ----------------------------------------------------------


def ceremony_of(session: Session, teller: Teller) -> KeyCeremony:
    ceremony = session.get(KeyCeremony, teller.ceremony_id)
    assert ceremony is not None
    return ceremony


def locked(session: Session, ceremony: KeyCeremony) -> KeyCeremony:
    """The ceremony row, locked until the transaction ends (PostgreSQL; SQLite writes serially)."""
    query = (
        select(KeyCeremony)
        .where(KeyCeremony.id == ceremony.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return session.scalars(query).one()


def record_void(
    session: Session,
    ceremony: KeyCeremony,
    actor: Any,
    text: str,
    now: datetime,
    payload: dict[str, Any],
) -> None:
    ceremony.state, ceremony.void_reason, ceremony.voided_at = CeremonyState.VOID, text, now
    session.flush()
    ceremony_event(session, ceremony, "ceremony.void", actor, {**payload, "void_reason": text})


def ceremony_event(
    session: Session, ceremony: KeyCeremony, event_type: str, actor: Any, payload: dict[str, Any]
) -> None:
    record_event(
        session,
        event_type=event_type,
        actor=actor,
        object_type="key_ceremony",
        object_id=ceremony.id,
        assembly_id=ceremony.assembly_id,
        payload={"ceremony": ceremony.uuid, **payload},
    )
