"""The worker's job kind "notify": the due reminders, then the pending notifications' mails."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from governance import jobs
from governance.db import new_session
from governance.notify.mails import queue_reminders, write_pending
from governance.notify.models import MailState, Notification


def run_pass(engine: Engine, _config: Mapping[str, Any]) -> int:
    """One pass: record due reminders, write the mails; how many notifications were handled."""
    with new_session(engine) as session:
        queue_reminders(session)
        return write_pending(session)


def health(session: Session, now: datetime) -> dict[str, Any]:
    oldest = session.scalar(
        select(func.min(Notification.created_at)).where(Notification.state == MailState.PENDING)
    )
    pending = session.scalar(
        select(func.count())
        .select_from(Notification)
        .where(Notification.state == MailState.PENDING)
    )
    return {
        "queued": int(pending or 0),
        "oldest_queued_s": None if oldest is None else int((now - oldest).total_seconds()),
    }


jobs.register(jobs.JobKind("notify", run_pass, health))
