"""The worker's part of notifications: the due reminders, then each pending notification's mail,
written in the recipient's language (their own, else the cooperative's) with a plain-text and
an HTML part, and queued in the outbox under its mailing.

Runs with an app context (the worker command has one): the mails are Jinja templates
`notify/mail_<kind>.subject.txt` and `.txt`, their links built on BASE_URL. Each batch is one
transaction: a notification is moved on by a conditional UPDATE (two workers never both win)
and its mail is queued in the same commit, so it is queued exactly once.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import current_app, render_template
from flask_babel import force_locale
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from governance.accounts.models import User
from governance.assemblies.documents import AgendaAttachment
from governance.assemblies.models import Assembly
from governance.assemblies.models_agenda import AgendaItem
from governance.ballots.models import Poll
from governance.bodies.models import Body
from governance.bodies.models_offers import SeatOffer
from governance.db import immediate, utcnow
from governance.mail import queue_mail
from governance.mailing import text_to_html
from governance.minutes.models import MinutesVersion
from governance.notify import services
from governance.notify.models import Kind, MailState, Notification
from governance.notify.provides import target
from governance.proposals.models import Proposal
from governance.register.models import Member
from governance.web import external_url

BATCH = 200


def queue_reminders(session: Session) -> int:
    """Record the due reminders (idempotent); a worker that lost a race tries again later."""
    try:
        with immediate():
            count = services.queue_reminders(session, now=utcnow())
            session.commit()
    except IntegrityError:  # another worker recorded the same reminders meanwhile
        session.rollback()
        return 0
    return count


def write_pending(session: Session) -> int:
    """Write and queue the mails of pending notifications, batch by batch; how many were
    handled (mailed, or settled as switched off or without an address)."""
    done = 0
    while ids := services.pending_ids(session, limit=BATCH):
        with immediate():
            for notification_id in ids:
                done += _write(session, notification_id)
            session.commit()
        if len(ids) < BATCH:
            break
    return done


def _write(session: Session, notification_id: int) -> int:
    n = session.get(Notification, notification_id, populate_existing=True)
    if n is None or n.state != MailState.PENDING:
        return 0
    member = session.get(Member, n.member_id) if n.member_id else None
    user = session.get(User, n.user_id) if n.user_id else None
    address = _address(member, user)
    prefs = services.preferences(session, user_id=user.id if user else None)
    if not services.wants_mail(prefs, n.kind):
        state = MailState.OFF
    else:
        state = MailState.MAILED if address else MailState.NO_ADDRESS
    if not services.claim(session, notification_id=notification_id, state=state):
        return 0
    if state != MailState.MAILED:
        return 1
    locale = _locale(user)
    with force_locale(locale):
        subject, body = _render(session, n, member, user)
    msg = queue_mail(
        session,
        to=address or "",
        subject=subject,
        body_text=body,
        body_html=text_to_html(body, lang=locale),
        category=f"notify_{n.kind.value.lower()}",
        mailing_id=n.mailing_id,
    )
    n.outbox_message_id = msg.id
    n.state = MailState.MAILED
    session.add(n)
    return 1


def _address(member: Member | None, user: User | None) -> str | None:
    if member is not None and member.email:
        return member.email
    if user is not None and user.active and user.email:
        return user.email
    return None


def _locale(user: User | None) -> str:
    chosen = getattr(user, "locale", None)
    if chosen in current_app.config["LANGUAGES"]:
        return str(chosen)
    return str(current_app.config["BABEL_DEFAULT_LOCALE"])


def _render(
    session: Session, n: Notification, member: Member | None, user: User | None
) -> tuple[str, str]:
    endpoint, values = target(n)
    context: dict[str, Any] = {
        "n": n,
        "member": member,
        "user": user,
        "assembly": session.get(Assembly, n.assembly_id) if n.assembly_id else None,
        "link": external_url(endpoint, **values),
        "live_url": external_url("assemblies.live", assembly_id=n.assembly_id or 0),
        "settings_url": external_url("notify.settings"),
        **_objects(session, n),
    }
    name = f"notify/mail_{n.kind.value.lower()}"
    subject = render_template(f"{name}.subject.txt", **context).strip()
    body = render_template(f"{name}.txt", **context)
    return subject, body


def _objects(session: Session, n: Notification) -> Mapping[str, Any]:
    """What the mail of `n` is about, loaded for its template."""
    if n.kind in (Kind.PROPOSAL_RECEIVED, Kind.PROPOSAL_DECIDED, Kind.PROPOSAL_NEW):
        return {"proposal": session.get(Proposal, n.object_id)}
    if n.kind == Kind.RESULTS:
        return {"poll": session.get(Poll, n.object_id)}
    if n.kind == Kind.MINUTES:
        return {"version": session.get(MinutesVersion, n.object_id)}
    if n.kind == Kind.SEAT_OFFERED:
        offer = session.get(SeatOffer, n.object_id)
        body = session.get(Body, offer.body_id) if offer else None
        poll = session.get(Poll, offer.poll_id) if offer else None
        return {"offer": offer, "body": body, "poll": poll}
    if n.kind == Kind.DOCUMENTS:
        attachment = session.get(AgendaAttachment, n.object_id)
        item = session.get(AgendaItem, attachment.agenda_item_id) if attachment else None
        return {"attachment": attachment, "item": item}
    return {}
