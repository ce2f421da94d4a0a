"""Mail outbox: messages are queued in the request's transaction and delivered by a worker.

A message is never lost while SMTP is down (it stays queued with a growing backoff, however long
the outage). It is delivered at least once: a worker claims a message with a conditional UPDATE
before sending it (two workers never send it at once) and records the result right after; a
worker that dies between the two sends it again after CLAIM_TIMEOUT, with the same Message-ID,
so the receiving side can recognise the duplicate. The worker is `governance.jobs` (kind "mail").

A pass sends over one SMTP connection, opened for its first message and opened again when the
server drops it; each message keeps its own result (a refused recipient fails that message
only). When the server cannot be reached the pass ends: the other messages wait for the next.
Messages of one run (an invitation, a reminder run) share a `mailing_id` (governance/mailing.py).
"""

from __future__ import annotations

import enum
import logging
import smtplib
import ssl
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    func,
    select,
    update,
)
from sqlalchemy.engine import Engine
from sqlmodel import Field, Session, SQLModel

from governance import jobs
from governance.db import UTCDateTime, immediate, new_session, str_enum, utcnow

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5  # for messages the server refuses (5xx); unreachable servers are retried forever
MAX_BACKOFF_SECONDS = 3600
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
        Index("ix_outbox_mailing", "mailing_id", "status"),
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
    # The run this message belongs to (governance/mailing.py), for the delivery counts.
    mailing_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("mailing.id", ondelete="SET NULL"), nullable=True),
    )


class OutboxAttachment(SQLModel, table=True):
    """A file sent with an outbox message (e.g. the assembly's calendar entry)."""

    __tablename__ = "outbox_attachment"

    id: int | None = Field(default=None, primary_key=True)
    message_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("outbox_message.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    filename: str = Field(sa_column=Column(String(200), nullable=False))
    content_type: str = Field(sa_column=Column(String(100), nullable=False))
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


@dataclass(frozen=True)
class Attachment:
    """A file to send with a message: name, MIME type (``maintype/subtype``), content."""

    filename: str
    content_type: str
    data: bytes


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
    attachments: Sequence[Attachment] = (),
    mailing_id: int | None = None,
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
        mailing_id=mailing_id,
    )
    session.add(msg)
    session.flush()
    for att in attachments:
        session.add(
            OutboxAttachment(
                message_id=msg.id,
                filename=att.filename,
                content_type=att.content_type,
                data=att.data,
            )
        )
    if attachments:
        session.flush()
    return msg


def _due_ids(session: Session, now: datetime, limit: int) -> list[int]:
    ids = list(
        session.execute(
            select(OutboxMessage.id)
            .where(OutboxMessage.status.in_([MailStatus.QUEUED, MailStatus.SENDING]))
            .where(OutboxMessage.next_attempt_at <= now)
            .order_by(OutboxMessage.id)
            .limit(limit)
        ).scalars()
    )
    session.commit()
    return ids


def _claim(session: Session, msg_id: int, now: datetime, sender: str) -> EmailMessage | None:
    """Claim one message for this worker; the email to send, or None if another worker has it.

    The conditional UPDATE is the claim: of two workers only one changes the row. A message
    left in SENDING by a crashed worker is claimed again after CLAIM_TIMEOUT.
    """
    with immediate():  # SQLite: take the write lock first, so the UPDATE sees the newest row
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
            .execution_options(synchronize_session=False)
        )
        claimed = result.rowcount == 1  # type: ignore[attr-defined]
        msg = session.get(OutboxMessage, msg_id, populate_existing=True) if claimed else None
        email = _build(msg, sender) if msg is not None else None
        session.commit()
    return email


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
    _attach(email, msg)
    return email


def _attach(email: EmailMessage, msg: OutboxMessage) -> None:
    session = Session.object_session(msg)
    if session is None:
        return
    rows = session.execute(
        select(OutboxAttachment)
        .where(OutboxAttachment.message_id == msg.id)
        .order_by(OutboxAttachment.id)
    ).scalars()
    for att in rows:
        maintype, _slash, subtype = att.content_type.partition("/")
        email.add_attachment(att.data, maintype=maintype, subtype=subtype, filename=att.filename)


class Connection:
    """One SMTP connection for a pass: opened on first use, opened again after a drop."""

    def __init__(self, smtp: SmtpSettings) -> None:
        self.smtp = smtp
        self.conn: smtplib.SMTP | None = None

    def _open(self) -> smtplib.SMTP:
        smtp = self.smtp
        conn = smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout)
        try:
            if smtp.starttls:
                conn.starttls(context=ssl.create_default_context())
            if smtp.user and smtp.password:
                conn.login(smtp.user, smtp.password)
        except BaseException:
            conn.close()
            raise
        return conn

    def send(self, email: EmailMessage) -> None:
        """Send one message; a connection the server closed meanwhile is opened once more."""
        if self.conn is not None:
            try:
                self.conn.send_message(email)
                return
            except smtplib.SMTPServerDisconnected:
                self.close()
        self.conn = self._open()
        self.conn.send_message(email)

    def close(self) -> None:
        if self.conn is None:
            return
        try:
            self.conn.quit()
        except (OSError, smtplib.SMTPException):
            self.conn.close()
        self.conn = None


def _unreachable(error: Exception) -> bool:
    """The server could not be reached or talked to (rather than refusing one message)."""
    if isinstance(error, smtplib.SMTPServerDisconnected | smtplib.SMTPConnectError):
        return True
    return not isinstance(error, smtplib.SMTPException)  # a socket error (SMTPException is one)


def describe(error: Exception) -> str:
    """The error for the record: for a refusal the server's own answer (code and text)."""
    answers: list[tuple[int, bytes | str]] = []
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        answers = list(error.recipients.values())
    elif isinstance(error, smtplib.SMTPResponseException):
        answers = [(error.smtp_code, error.smtp_error)]
    text = "; ".join(
        f"{code} {msg.decode(errors='replace') if isinstance(msg, bytes) else msg}"
        for code, msg in answers
    )
    return f"{type(error).__name__}: {text or error}"[:500]


def is_permanent(error: Exception) -> bool:
    """Whether the server refused the message itself (5xx), rather than being unreachable."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _msg in error.recipients.values())
    if isinstance(error, smtplib.SMTPSenderRefused | smtplib.SMTPDataError):
        return error.smtp_code >= 500
    return False


def backoff(attempts: int) -> timedelta:
    """Wait before the next attempt: 1, 2, 4 … minutes, at most an hour."""
    return timedelta(seconds=min(MAX_BACKOFF_SECONDS, 30 * 2**attempts))


def _record(session: Session, msg_id: int, error: Exception | None, now: datetime) -> None:
    with immediate():
        msg = session.get(OutboxMessage, msg_id, populate_existing=True)
        assert msg is not None
        msg.attempts += 1
        if error is None:
            msg.status, msg.sent_at, msg.last_error = MailStatus.SENT, now, None
            if msg.sensitive:  # login and reset links: no secret stays in the database
                msg.body_text, msg.body_html = "(removed after delivery)", None
        else:
            msg.last_error = describe(error)
            # An unreachable server is retried forever (never lost); a refusal gives up.
            gave_up = is_permanent(error) and msg.attempts >= MAX_ATTEMPTS
            msg.status = MailStatus.FAILED if gave_up else MailStatus.QUEUED
            msg.next_attempt_at = now + backoff(msg.attempts)
            log.warning("mail #%s not delivered (attempt %s): %s", msg_id, msg.attempts, error)
        session.commit()


def send_due(
    session: Session, smtp: SmtpSettings, *, limit: int = 100, now: datetime | None = None
) -> tuple[int, int]:
    """One pass over one connection: send due messages. Returns (sent, failed attempts).

    Commits per message. `now` is the time of the pass (tests move it forward instead of
    waiting for backoffs).
    """
    now = now or utcnow()
    sent = failed = 0
    connection = Connection(smtp)
    try:
        for msg_id in _due_ids(session, now, limit):
            email = _claim(session, msg_id, now, smtp.sender)
            if email is None:
                continue
            try:
                connection.send(email)
            except (OSError, smtplib.SMTPException) as exc:
                failed += 1
                _record(session, msg_id, exc, now)
                if _unreachable(exc):
                    break  # the others wait for the next pass, not for one timeout each
            else:
                sent += 1
                _record(session, msg_id, None, now)
    finally:
        connection.close()
    return sent, failed


def _run_pass(engine: Engine, config: Mapping[str, Any]) -> int:
    with new_session(engine) as session:
        sent, _failed = send_due(session, smtp_settings(config))
    return sent


def _health(session: Session, now: datetime) -> dict[str, Any]:
    queued = (MailStatus.QUEUED, MailStatus.SENDING)
    oldest = session.scalar(
        select(func.min(OutboxMessage.created_at)).where(OutboxMessage.status.in_(queued))
    )
    return {
        "queued": int(
            session.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.status.in_(queued))
            )
            or 0
        ),
        "oldest_queued_s": None if oldest is None else int((now - oldest).total_seconds()),
        "failed": int(
            session.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.status == MailStatus.FAILED)
            )
            or 0
        ),
    }


jobs.register(jobs.JobKind("mail", _run_pass, _health))


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
