"""Mailings: one run of mails (an invitation, a reminder run, the results of a poll) and what
became of it.

Every message of a run carries the run's `mailing_id` in the outbox (governance/mail.py), so
the board sees per run how many are still queued, how many were delivered and which failed
with the server's answer, instead of "queued for sending" only. A mailing names the assembly it
belongs to as a plain number (like the audit log): infrastructure knows no domain table.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Column, ForeignKey, Index, Integer, String, func, select
from sqlmodel import Field, Session, SQLModel

from governance.db import UTCDateTime, utcnow
from governance.i18n import _l

# What a run of mails was, by its kind (the notices of convening and the notifications).
LABELS = {
    "assembly_invitation": _l("Invitation"),
    "assembly_supplement": _l("Supplement to the agenda"),
    "reminder": _l("Reminder the day before"),
    "started": _l("The assembly has started"),
    "proposal_received": _l("Proposal received (to its submitter)"),
    "proposal_new": _l("New proposal (to the board)"),
    "proposal_decided": _l("Decision on a proposal"),
    "documents": _l("Document added after the invitation"),
    "results": _l("Result declared"),
    "minutes": _l("Minutes published"),
}


class Mailing(SQLModel, table=True):
    """One run of mails of one kind, e.g. the invitations to an assembly."""

    __tablename__ = "mailing"
    __table_args__ = (Index("ix_mailing_assembly", "assembly_id", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(sa_column=Column(String(40), nullable=False))
    assembly_id: int | None = Field(default=None, sa_column=Column(Integer, nullable=True))
    title: str = Field(default="", sa_column=Column(String(300), nullable=False))
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
    created_by_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("user.id", ondelete="RESTRICT"), nullable=True),
    )


def mailings_of(session: Session, *, assembly_id: int) -> list[Mailing]:
    """The assembly's runs of mails, oldest first."""
    return list(
        session.scalars(
            select(Mailing)
            .where(Mailing.assembly_id == assembly_id)
            .order_by(Mailing.created_at, Mailing.id)
        )
    )


def start_mailing(
    session: Session,
    *,
    kind: str,
    assembly_id: int | None = None,
    title: str = "",
    actor_id: int | None = None,
    now: datetime | None = None,
) -> Mailing:
    """A new run; pass its id to every `queue_mail` of the run."""
    mailing = Mailing(
        kind=kind,
        assembly_id=assembly_id,
        title=title[:300],
        created_by_id=actor_id,
        created_at=now or utcnow(),
    )
    session.add(mailing)
    session.flush()
    return mailing


@dataclass
class Delivery:
    """What became of a run's messages: waiting, delivered, given up (with the answers)."""

    queued: int = 0  # waiting for the worker, or retried after a temporary failure
    sent: int = 0
    failed: int = 0  # given up: the server refused them
    retrying: int = 0  # of `queued`: at least one attempt failed
    failures: list[tuple[str, str]] = field(default_factory=list)  # (address, answer)

    @property
    def total(self) -> int:
        return self.queued + self.sent + self.failed


def delivery(session: Session, *, mailing_ids: list[int]) -> dict[int, Delivery]:
    """The delivery counts of each run (a run without messages counts zero)."""
    from governance.mail import MailStatus, OutboxMessage

    result = {mid: Delivery() for mid in mailing_ids}
    if not mailing_ids:
        return result
    rows = session.execute(
        select(
            OutboxMessage.mailing_id,
            OutboxMessage.status,
            OutboxMessage.last_error.is_not(None),
            func.count(),
        )
        .where(OutboxMessage.mailing_id.in_(mailing_ids))
        .group_by(
            OutboxMessage.mailing_id, OutboxMessage.status, OutboxMessage.last_error.is_not(None)
        )
    ).all()
    for mailing_id, status, had_error, count in rows:
        d = result[mailing_id]
        if status == MailStatus.SENT:
            d.sent += count
        elif status == MailStatus.FAILED:
            d.failed += count
        else:
            d.queued += count
            d.retrying += count if had_error else 0
    for mailing_id, address, error in session.execute(
        select(OutboxMessage.mailing_id, OutboxMessage.to_addr, OutboxMessage.last_error)
        .where(OutboxMessage.mailing_id.in_(mailing_ids))
        .where(OutboxMessage.status == MailStatus.FAILED)
        .order_by(OutboxMessage.to_addr)
    ):
        result[mailing_id].failures.append((address, error or ""))
    return result


_URL = re.compile(r"https?://[^\s<>\"]+")


def text_to_html(text: str, *, lang: str | None) -> str:
    """The HTML part of a mail: the plain text's paragraphs, its links clickable."""

    def line(raw: str) -> str:
        out, pos = [], 0
        for match in _URL.finditer(raw):
            out.append(html.escape(raw[pos : match.start()]))
            url = html.escape(match.group(0))
            out.append(f'<a href="{url}">{url}</a>')
            pos = match.end()
        out.append(html.escape(raw[pos:]))
        return "".join(out)

    paragraphs = [p for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    body = "\n".join(
        "<p>" + "<br>\n".join(line(raw) for raw in p.splitlines()) + "</p>" for p in paragraphs
    )
    lang_attr = f' lang="{html.escape(lang)}"' if lang else ""
    return (
        f'<!DOCTYPE html>\n<html{lang_attr}><head><meta charset="utf-8"></head>'
        f"<body>\n{body}\n</body></html>\n"
    )
