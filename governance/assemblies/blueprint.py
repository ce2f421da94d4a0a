"""The assemblies blueprint and what its view modules share (they import this, never each other).

Views: views.py (list, detail, create/edit, opening and closing), views_agenda.py,
views_convening.py, views_records.py (roll, attendance, proxies), views_live.py (the live page).
Loading an assembly goes through the one gate: `governance.assemblies.access`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import redis
from flask import Blueprint, current_app, redirect, render_template, url_for
from flask_babel import force_locale

from governance.accounts.models import User
from governance.assemblies import body_meetings, convening
from governance.assemblies.agenda import agenda
from governance.assemblies.floor import SpeakerKind
from governance.assemblies.forms import (
    RELATIONSHIP_LABELS,
    SPEAKER_KIND_LABELS,
    RelativeProxyForm,
    options,
)
from governance.assemblies.grants import Relationship
from governance.assemblies.ics import CalendarSettings, assembly_ics
from governance.assemblies.live import LiveCache, SharedLiveCache
from governance.assemblies.models import Assembly
from governance.assemblies.relatives import allowed_relationships
from governance.db import utcnow
from governance.i18n import _, per_locale
from governance.mail import Attachment, queue_mail
from governance.mailing import text_to_html
from governance.register.blueprint import mail_locale
from governance.web import db, external_url

bp = Blueprint("assemblies", __name__, url_prefix="/assemblies")


def to_detail(assembly: Assembly, anchor: str | None = None) -> Any:
    """Redirect to the assembly's page."""
    return redirect(url_for("assemblies.detail", assembly_id=assembly.id, _anchor=anchor))


def convening_settings() -> convening.ConveningSettings:
    """The statute's convening settings from the app config."""
    cfg = current_app.config
    return convening.ConveningSettings(
        notice_days=int(cfg["CONVENING_NOTICE_DAYS"]),
        agenda_notice_days=int(cfg["AGENDA_NOTICE_DAYS"]),
        min_shares=int(cfg["MIN_SHARES"]),
        multiple_votes=bool(cfg["MULTIPLE_VOTES"]),
    )


def calendar_settings() -> CalendarSettings:
    """The calendar entry's time zone, UID host, organizer and default duration."""
    cfg = current_app.config
    return CalendarSettings(
        timezone=cfg["BABEL_DEFAULT_TIMEZONE"],
        host=urlsplit(cfg["BASE_URL"]).hostname or "localhost",
        organizer=cfg["COOP_NAME"],
        duration=timedelta(hours=int(cfg["ASSEMBLY_DURATION_HOURS"])),
    )


def proxy_relatives() -> list[Relationship]:
    """The relatives the statute allows as proxy holders (setting PROXY_RELATIVES); [] = none."""
    return allowed_relationships(current_app.config.get("PROXY_RELATIVES", ()))


def relative_form() -> RelativeProxyForm | None:
    """The form for a proxy to a relative, offering what the statute names; None when off."""
    allowed = proxy_relatives()
    if not allowed:
        return None
    form = RelativeProxyForm()
    form.relationship.choices = options((r.value, RELATIONSHIP_LABELS[r]) for r in allowed)
    return form


def proposal_deadline_days() -> int:
    """Default days before the assembly by which members' proposals must arrive."""
    return int(current_app.config.get("PROPOSAL_DEADLINE_DAYS", 10))


def live_cache() -> LiveCache | SharedLiveCache:
    """The cache of live states: in Redis when CACHE_URL is set, else one per process."""
    cache = current_app.extensions.get("assemblies.live_cache")
    if cache is None:
        url = current_app.config.get("CACHE_URL")
        if url:
            client = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
            cache = SharedLiveCache(
                client, prefix=current_app.config.get("CACHE_PREFIX", "governance")
            )
        else:
            cache = LiveCache()
        current_app.extensions["assemblies.live_cache"] = cache
    return cache


def forget_live(assembly_id: int) -> None:
    """Drop the cached live state: the next watcher sees the change at once."""
    live_cache().forget(assembly_id)


@per_locale
def room_labels() -> dict[str, str]:
    """Texts for static/js/room.js ("%(cast)d" and the like filled in there)."""
    return {
        "turnout": _("%(cast)d of %(present)d present have voted"),
        "by_proxy": _("%(n)d by proxy"),
        "nobody": _("nobody"),
        "none": _("none"),
        "POINT_OF_ORDER": str(SPEAKER_KIND_LABELS[SpeakerKind.POINT_OF_ORDER]),
        "minutes": _("%(n)d min"),
    }


def _remote_access(assembly: Assembly) -> str | None:
    """The access data for remote participation, for the copies of those entitled to it."""
    if not assembly.is_remote:
        return None
    live = external_url("assemblies.live", assembly_id=assembly.id)
    return "\n".join(p for p in (f"{_('Live page')}: {live}", assembly.remote_access) if p)


def calendar_attachment(assembly: Assembly, *, entitled: bool) -> Attachment:
    """The assembly as a calendar entry (.ics); the access data for those entitled to take part."""
    data = assembly_ics(
        db(),
        assembly=assembly,
        settings=calendar_settings(),
        detail_url=external_url("assemblies.detail", assembly_id=assembly.id),
        remote_access=_remote_access(assembly) if entitled else None,
        now=utcnow(),
    )
    return Attachment(f"assembly-{assembly.id}.ics", "text/calendar", data)


def calendar_per_locale(assembly: Assembly) -> Callable[[str], Attachment]:
    """The calendar entry with the access data in each language asked for (its "Live page"
    label is translated), built once per language: the invitations' attachment."""
    built: dict[str, Attachment] = {}

    def in_locale(locale: str) -> Attachment:
        if locale not in built:
            with force_locale(locale):
                built[locale] = calendar_attachment(assembly, entitled=True)
        return built[locale]

    return in_locale


def mail_guests(assembly: Assembly, users: list[User]) -> None:
    """The guests of a body's meeting hear of it by mail once it is convened (those on the list
    then, with the seats' invitations; those invited later, at once): in their language, the
    meeting's date, form, place and agenda, its page and, for a remote meeting, the live page,
    with the calendar entry. Guests have no vote and no roll entry: no login link."""
    if not users:
        return
    ctx = {
        "assembly": assembly,
        "body_name": getattr(body_meetings.body_of(db(), assembly), "name", ""),
        "items": agenda(db(), assembly_id=assembly.id),
        "detail_url": external_url("assemblies.detail", assembly_id=assembly.id),
        "live_url": external_url("assemblies.live", assembly_id=assembly.id),
    }
    ics = calendar_per_locale(assembly)
    for user in users:
        locale = mail_locale(user)
        with force_locale(locale):
            name = user.display_name or user.email
            subject = render_template("assemblies/mail_guest.subject.txt", **ctx).strip()
            body = render_template("assemblies/mail_guest.txt", name=name, **ctx)
        queue_mail(
            db(),
            to=user.email,
            subject=subject,
            body_text=body,
            body_html=text_to_html(body, lang=locale),
            category="meeting_guest",
            attachments=(ics(locale),),
        )
