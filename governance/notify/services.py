"""Notifications: who is told what, the reminders, and each user's choice of optional mails.

An event of a lower domain (governance/notify/provides.py) becomes one mailing (a run,
governance/mailing.py) and one Notification per recipient, PENDING, in the transaction of the
event: it is on the recipients' start pages at once. The worker (notify/worker.py) then writes
each mail in its recipient's language (notify/mails.py) and queues it in the outbox, unless the
recipient switched the topic off; the notice of an assembly and of a supplement (§46 GenG)
cannot be switched off.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlmodel import Session

from governance.accounts.models import User
from governance.assemblies.models import Assembly, AssemblyState, RollEntry
from governance.auditlog import record_event
from governance.bodies.models import BodyKind
from governance.bodies.queries import seated_users
from governance.errors import DomainError
from governance.i18n import _l, today
from governance.mailing import start_mailing
from governance.notify.models import (
    DEFAULT_ON,
    OPTIONAL,
    TOPIC_OF,
    Kind,
    MailState,
    Notification,
    Preference,
    Topic,
)

REMINDER_AHEAD = timedelta(hours=24)


@dataclass(frozen=True)
class Recipient:
    member_id: int | None
    user_id: int | None


def announce(
    session: Session,
    *,
    kind: Kind,
    title: str,
    recipients: Iterable[Recipient],
    assembly_id: int | None = None,
    object_id: int | None = None,
    state: MailState = MailState.PENDING,
    mailing_id: int | None = None,
    once_key: str | None = None,
    now: datetime,
) -> int:
    """Record one notification per recipient (in one new mailing unless given); the count."""
    chosen = list(dict.fromkeys(recipients))
    if not chosen:
        return 0
    if mailing_id is None:
        mailing_id = start_mailing(
            session, kind=kind.value.lower(), assembly_id=assembly_id, title=title, now=now
        ).id
    session.add_all(
        Notification(
            kind=kind,
            mailing_id=mailing_id,
            member_id=r.member_id,
            user_id=r.user_id,
            assembly_id=assembly_id,
            object_id=object_id,
            title=title[:300],
            created_at=now,
            state=state,
            once_key=once_key.format(member=r.member_id) if once_key else None,
        )
        for r in chosen
    )
    session.flush()
    return len(chosen)


def linked_users(session: Session, member_ids: Iterable[int]) -> dict[int, int]:
    """member id → id of the member's login, for the members that have one."""
    ids = list(member_ids)
    if not ids:
        return {}
    rows = session.execute(select(User.member_id, User.id).where(User.member_id.in_(ids)))
    return {member_id: user_id for member_id, user_id in rows}


def roll_recipients(session: Session, *, assembly_id: int) -> list[Recipient]:
    """Every member on the assembly's voter roll, with their login if they have one."""
    member_ids = list(
        session.scalars(
            select(RollEntry.member_id)
            .where(RollEntry.assembly_id == assembly_id)
            .order_by(RollEntry.member_id)
        )
    )
    users = linked_users(session, member_ids)
    return [Recipient(m, users.get(m)) for m in member_ids]


def members_recipients(session: Session, member_ids: Iterable[int]) -> list[Recipient]:
    ids = list(member_ids)
    users = linked_users(session, ids)
    return [Recipient(m, users.get(m)) for m in ids]


def board_recipients(session: Session) -> list[Recipient]:
    """The users seated on the board today (active accounts)."""
    ids = session.scalars(
        select(User.id)
        .where(seated_users([BodyKind.BOARD], today()), User.active.is_(True))
        .order_by(User.id)
    )
    return [Recipient(None, uid) for uid in ids]


# --- preferences -------------------------------------------------------------------------------


def preferences(session: Session, *, user_id: int | None) -> dict[Topic, bool]:
    """The user's choice per optional topic (the defaults where none is stored)."""
    chosen = dict(DEFAULT_ON)
    if user_id is not None:
        for row in session.scalars(select(Preference).where(Preference.user_id == user_id)):
            chosen[Topic(row.topic)] = row.enabled
    return chosen


def wants_mail(prefs: Mapping[Topic, bool], kind: Kind) -> bool:
    """Whether a mail of `kind` goes out under these choices (required ones always)."""
    topic = TOPIC_OF[kind]
    return topic not in OPTIONAL or prefs.get(topic, DEFAULT_ON[topic])


def set_preferences(
    session: Session, *, user: Any, choices: Mapping[Topic, bool]
) -> dict[Topic, bool]:
    """Store the user's choices; the required notices (§46 GenG) cannot be switched off."""
    for topic in choices:
        if topic not in OPTIONAL:
            raise DomainError(_l("Invitations and supplements to the agenda are required by law."))
    current = preferences(session, user_id=user.id)
    for topic, enabled in choices.items():
        row = session.get(Preference, (user.id, topic.value))
        if row is None:
            row = Preference(user_id=user.id, topic=topic.value, enabled=enabled)
        row.enabled = bool(enabled)
        session.add(row)
    session.flush()
    changed = {t.value: v for t, v in choices.items() if current.get(t) != v}
    if changed:
        record_event(
            session,
            event_type="notify.preferences_changed",
            actor=user,
            object_type="user",
            object_id=user.id,
            payload=changed,
        )
    return preferences(session, user_id=user.id)


# --- the start page ----------------------------------------------------------------------------


def recent(session: Session, *, user: Any, limit: int = 8) -> list[Notification]:
    """The user's latest notifications: to them, or to their member."""
    who = Notification.user_id == user.id
    if getattr(user, "member_id", None):
        who = who | (Notification.member_id == user.member_id)
    return list(
        session.scalars(
            select(Notification)
            .where(who)
            .order_by(Notification.created_at.desc(), Notification.id.desc())
            .limit(limit)
        )
    )


# --- the worker's part ---------------------------------------------------------------------------


def queue_reminders(session: Session, *, now: datetime, ahead: timedelta = REMINDER_AHEAD) -> int:
    """Reminders for convened assemblies starting within `ahead`: once per member, ever.

    Idempotent: a member who has the reminder is skipped, and `once_key` is unique, so two
    workers racing insert it once (the loser's transaction fails and is retried).
    """
    due = session.scalars(
        select(Assembly)
        .where(Assembly.state == AssemblyState.CONVENED)
        .where(Assembly.starts_at > now, Assembly.starts_at <= now + ahead)
        .order_by(Assembly.id)
    ).all()
    count = 0
    for assembly in due:
        key = f"reminder:{assembly.id}:"
        done = set(
            session.scalars(
                select(Notification.member_id).where(Notification.once_key.startswith(key))
            )
        )
        todo = [
            r for r in roll_recipients(session, assembly_id=assembly.id) if r.member_id not in done
        ]
        count += announce(
            session,
            kind=Kind.REMINDER,
            title=assembly.title,
            recipients=todo,
            assembly_id=assembly.id,
            once_key=key + "{member}",
            now=now,
        )
    return count


def pending_ids(session: Session, *, limit: int) -> list[int]:
    return list(
        session.scalars(
            select(Notification.id)
            .where(Notification.state == MailState.PENDING)
            .order_by(Notification.id)
            .limit(limit)
        )
    )


def claim(session: Session, *, notification_id: int, state: MailState) -> bool:
    """Move a pending notification on; False when another worker did it first."""
    result = session.execute(
        update(Notification)
        .where(Notification.id == notification_id, Notification.state == MailState.PENDING)
        .values(state=state)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1  # type: ignore[attr-defined]
