"""The assembly as a calendar entry (RFC 5545, `icalendar`): attached to the invitation and
downloadable from the assembly's page.

The UID is stable per assembly (its id and the cooperative's host), so a calendar replaces the
entry instead of adding a second one. SEQUENCE counts the changes of time, place, form and
access data recorded in the audit chain (`assembly.changed`): it rises with every change a
calendar must pick up, without a column of its own. Times carry the cooperative's time zone
with its VTIMEZONE; the access data for remote participation only go into the copy of those
entitled to take part.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event
from sqlalchemy import select
from sqlmodel import Session

from governance.assemblies.models import Assembly
from governance.auditlog import AuditEvent

# The facts of the calendar entry; a change of one of them raises SEQUENCE.
CALENDAR_FIELDS = frozenset(
    {"starts_at", "voting_starts_at", "voting_ends_at", "place", "form", "remote_access", "title"}
)


@dataclass(frozen=True)
class CalendarSettings:
    """What the entry needs besides the assembly (the view reads it from the app config)."""

    timezone: str
    host: str  # the UID's domain: the cooperative's host name
    organizer: str  # the cooperative's name
    duration: timedelta = timedelta(hours=3)


def calendar_sequence(session: Session, *, assembly_id: int) -> int:
    """How often the entry's facts changed: the `assembly.changed` events that touch them."""
    payloads = session.execute(
        select(AuditEvent.payload).where(
            AuditEvent.assembly_id == assembly_id, AuditEvent.event_type == "assembly.changed"
        )
    ).scalars()
    return sum(1 for p in payloads if CALENDAR_FIELDS & set(json.loads(p or "{}")))


def event_uid(assembly: Assembly, host: str) -> str:
    """The entry's UID: the same for every copy and every version of the assembly."""
    return f"assembly-{assembly.id}@{host}"


def _ends_at(assembly: Assembly, duration: timedelta) -> datetime:
    if assembly.voting_ends_at is not None:  # stretched: until the end of the voting phase
        return assembly.voting_ends_at
    return assembly.starts_at + duration


def _description(assembly: Assembly, detail_url: str, access: str | None) -> str:
    lines = [detail_url]
    if access:
        lines += ["", access]
    return "\n".join(lines)


def assembly_ics(
    session: Session,
    *,
    assembly: Assembly,
    settings: CalendarSettings,
    detail_url: str,
    remote_access: str | None,
    now: datetime,
) -> bytes:
    """The assembly as an .ics file; `remote_access` only for those entitled to it."""
    tz = ZoneInfo(settings.timezone)
    event = Event()
    event.add("uid", event_uid(assembly, settings.host))
    event.add("sequence", calendar_sequence(session, assembly_id=assembly.id))
    event.add("dtstamp", now)
    event.add("summary", assembly.title)
    event.add("dtstart", assembly.starts_at.astimezone(tz))
    event.add("dtend", _ends_at(assembly, settings.duration).astimezone(tz))
    if assembly.place:
        event.add("location", assembly.place)
    event.add("description", _description(assembly, detail_url, remote_access))
    event.add("url", detail_url)
    event.add("status", "CONFIRMED" if not assembly.is_draft else "TENTATIVE")
    cal = Calendar()
    cal.add("prodid", f"-//{settings.organizer}//governance//DE")
    cal.add("version", "2.0")
    cal.add("method", "PUBLISH")
    cal.add_component(event)
    cal.add_missing_timezones()
    return cal.to_ical()
