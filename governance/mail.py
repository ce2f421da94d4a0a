"""Mail outbox: messages are queued in the request's transaction and delivered by a worker.

A message is never lost while SMTP is down (it stays queued with a growing backoff) and never
sent twice (a worker claims a message with a conditional UPDATE before sending it).
"""

from __future__ import annotations

import enum
import logging
import smtplib
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate
from typing import Any

from sqlalchemy import CheckConstraint, Column, Index, Integer, String, Text, select, update
from sqlmodel import Field, Session, SQLModel

from governance.db import UTCDateTime, str_enum, utcnow

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
CLAIM_TIMEOUT = timedelta(minutes=10)


class MailStatus(enum.StrEnum):
    QUEUED = "QUEUED"
    SENDING = "SENDING"
    SENT = "SENT"
    FAILED = "FAILED"


class OutboxMessage(SQLModel, table=True):
    """One email waiting to be sent, or the record that it was sent."""

    __tablename__ = "outbox_message"
    __table_args__ = (
        Index("ix_outbox_due", "status", "next_attempt_at"),
        CheckConstraint("attempts >= 0", name="ck_outbox_attempts"),
    )

    id: int | None = Field(default=None, primary_key=True)
    message_id: str = Field(sa_column=Column(String(200), nullable=False, unique=True))
    to_addr: str = Field(sa_column=Column(String(254), nullable=False))
    subject: str = Field(sa_column=Column(String(300), nullable=False))
    body_text: str = Field(sa_column=Column(Text, nullable=False))
    body_html: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    # Bodies carrying login links are wiped once delivered: no secret stays in the database.
    sensitive: bool = Field(default=False, nullable=False)
    category: str = Field(default="general", sa_column=Column(String(40), nullable=False))
    status: MailStatus = Field(
        default=MailStatus.QUEUED,
        sa_column=Column(str_enum(MailStatus, "mail_status"), nullable=False),
    )
    attempts: int = Field(default=0, sa_column=Column(Integer, nullable=False))
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
    next_attempt_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
    claimed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    sent_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    last_error: str | None = Field(default=None, sa_column=Column(String(500), nullable=True))


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    sender: str
    user: str | None = None
    password: str | None = None
    starttls: bool = False
    timeout: float = 10.0


def queue_mail(
    session: Session,
    *,
    to: str,
    subject: str,
    body_text: str,
    body_html: str | None = None,
    sensitive: bool = False,
    category: str = "general",
) -> OutboxMessage:
    """Queue one message inside the caller's transaction; it is sent only if that commits."""
    msg = OutboxMessage(
        message_id=f"<{uuid.uuid4().hex}@governance>",
        to_addr=to,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        sensitive=sensitive,
        category=category,
    )
    session.add(msg)
    session.flush()
    return msg


def _claim(session: Session, msg_id: int) -> bool:
    now = utcnow()
    result = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == msg_id)
        .where(
            (OutboxMessage.status == MailStatus.QUEUED)
            | (
                (OutboxMessage.status == MailStatus.SENDING)
                & (OutboxMessage.claimed_at < now - CLAIM_TIMEOUT)
            )
        )
        .values(status=MailStatus.SENDING, claimed_at=now)
    )
    session.commit()
    return result.rowcount == 1  # type: ignore[attr-defined]


def _build(msg: OutboxMessage, sender: str) -> EmailMessage:
    email = EmailMessage()
    email["From"] = sender
    email["To"] = msg.to_addr
    email["Subject"] = msg.subject
    email["Message-ID"] = msg.message_id
    email["Date"] = formatdate(localtime=False)
    email.set_content(msg.body_text)
    if msg.body_html:
        email.add_alternative(msg.body_html, subtype="html")
    return email


def _deliver(email: EmailMessage, smtp: SmtpSettings) -> None:
    with smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout) as conn:
        if smtp.starttls:
            conn.starttls()
        if smtp.user and smtp.password:
            conn.login(smtp.user, smtp.password)
        conn.send_message(email)


def send_due(session: Session, smtp: SmtpSettings, *, limit: int = 100) -> tuple[int, int]:
    """One pass: send due messages. Returns (sent, failed attempts). Commits per message."""
    due_ids = list(
        session.execute(
            select(OutboxMessage.id)
            .where(OutboxMessage.status.in_([MailStatus.QUEUED, MailStatus.SENDING]))
            .where(OutboxMessage.next_attempt_at <= utcnow())
            .order_by(OutboxMessage.id)
            .limit(limit)
        ).scalars()
    )
    session.commit()
    sent = failed = 0
    for msg_id in due_ids:
        if not _claim(session, msg_id):
            continue
        msg = session.get(OutboxMessage, msg_id)
        assert msg is not None
        try:
            _deliver(_build(msg, smtp.sender), smtp)
        except (OSError, smtplib.SMTPException) as exc:
            failed += 1
            msg.attempts += 1
            msg.last_error = f"{type(exc).__name__}: {exc}"[:500]
            msg.status = MailStatus.FAILED if msg.attempts >= MAX_ATTEMPTS else MailStatus.QUEUED
            msg.next_attempt_at = utcnow() + timedelta(seconds=min(3600, 30 * 2**msg.attempts))
            log.warning(
                "mail %s to recipient #%s not delivered: %s", msg.id, msg.id, msg.last_error
            )
        else:
            sent += 1
            msg.attempts += 1
            msg.status = MailStatus.SENT
            msg.sent_at = utcnow()
            msg.last_error = None
            if msg.sensitive:
                msg.body_text = "(removed after delivery)"
                msg.body_html = None
        session.commit()
    return sent, failed


def run_worker(
    session_factory: Callable[[], Session], smtp: SmtpSettings, *, interval: float = 5.0
) -> None:
    """Send due messages forever, sleeping `interval` seconds between passes."""
    while True:
        with session_factory() as session:
            send_due(session, smtp)
        time.sleep(interval)


def smtp_settings(config: Mapping[str, Any]) -> SmtpSettings:
    """SMTP settings from the app configuration."""
    return SmtpSettings(
        host=config["SMTP_HOST"],
        port=int(config["SMTP_PORT"]),
        sender=config["MAIL_FROM"],
        user=config.get("SMTP_USER"),
        password=config.get("SMTP_PASSWORD"),
        starttls=bool(config.get("SMTP_STARTTLS")),
    )
