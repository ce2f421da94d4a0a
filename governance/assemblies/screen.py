"""The screen in the room (projector view) and the chair's cockpit state.

The screen needs no login: it shows what everyone in the room sees anyway (the item, the
speakers, the open poll's turnout, the last declared result). It opens with a display token
that the chair creates on the cockpit; only its SHA-256 is stored, so the token is shown once
and a new one replaces it (the old screen link stops working).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime
from typing import Any

from sqlmodel import Session

from governance.accounts.models import User
from governance.assemblies import hooks
from governance.assemblies.attendance import present_counts
from governance.assemblies.live import live_payload
from governance.assemblies.models import Assembly
from governance.assemblies.speakers import floor_state
from governance.auditlog import record_event

TOKEN_BYTES = 24


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def rotate_screen_token(session: Session, *, assembly: Assembly, actor: User | None) -> str:
    """A new display token for the screen (the previous one stops working)."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    assembly.screen_token_hash = _digest(token)
    session.add(assembly)
    session.flush()
    record_event(
        session,
        event_type="assembly.screen_token_rotated",
        actor=actor,
        object_type="assembly",
        object_id=assembly.id,
        assembly_id=assembly.id,
        payload={},
    )
    return token


def screen_token_valid(assembly: Assembly, token: str | None) -> bool:
    """Whether `token` opens the assembly's screen."""
    if not token or assembly.screen_token_hash is None or len(token) > 100:
        return False
    return hmac.compare_digest(_digest(token), assembly.screen_token_hash)


def screen_payload(session: Session, *, assembly: Assembly, now: datetime) -> dict[str, Any]:
    """What the screen shows: the live state, the speakers, the open poll's turnout."""
    payload = live_payload(session, assembly=assembly, now=now)
    payload.pop("poll_seconds", None)
    payload["speakers"] = floor_state(session, assembly=assembly)
    payload["turnout"] = turnout(session, assembly=assembly, now=now)
    return payload


def turnout(session: Session, *, assembly: Assembly, now: datetime) -> dict[str, Any] | None:
    """The open poll's turnout against the members present: votes cast, present (in the room,
    online, by proxy), and how many votes came by proxy. None without an open poll."""
    overview = hooks.poll_overview(session, assembly_id=assembly.id)
    current = overview["open"]
    if current is None:
        return None
    counts = present_counts(session, assembly_id=assembly.id, now=now)
    return {
        "poll": current["id"],
        "title": current["title"],
        "cast": current["cast"],
        "by_proxy": current["by_proxy"],
        "present": sum(counts.values()),
    }
