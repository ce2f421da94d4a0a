"""The content of the minutes as plain data, gathered from the database in one place.

`MinutesDocument` holds everything the PDF shows, free of the interface language (enum values,
numbers, UTC datetimes; labels are added by the templates). Its `fingerprint` is the SHA-256 of
its canonical JSON: the same draft gives the same fingerprint and, rendered, the same bytes.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from governance.accounts.models import User
from governance.assemblies import body_meetings
from governance.assemblies.agenda import agenda
from governance.assemblies.convening import letter_post
from governance.assemblies.models import Assembly, AssemblyForm, Attendance, ConveningEvidence
from governance.assemblies.roll import roll_size
from governance.assemblies.speakers import spoken_by_item
from governance.auditlog import canonical
from governance.ballots.models import Poll
from governance.bodies.models import BodyKind
from governance.bodies.queries import seated_users
from governance.coopvote import group4
from governance.i18n import local_tz
from governance.mailing import Delivery, delivery
from governance.markup import render_markdown
from governance.minutes.models import Minutes, MinutesItem, Objection
from governance.minutes.polls import ParticipantRecord, PollRecord, participants, poll_records
from governance.register.models import Member
from governance.tellers import services as tellers
from governance.tellers.models import CeremonyState

SEAT_FORMS = (AssemblyForm.VIRTUAL, AssemblyForm.STRETCHED)


@dataclass(frozen=True)
class ObjectionRecord:
    member_number: str
    member_name: str
    statement: str
    poll_title: str


@dataclass(frozen=True)
class ItemRecord:
    id: int
    number: str
    depth: int
    title: str
    kind: str
    announced_late: bool
    discussion_html: str
    motions_html: str
    polls: tuple[PollRecord, ...]
    objections: tuple[ObjectionRecord, ...]
    speakers: tuple[str, ...] = ()  # who spoke on the item, in order (list of speakers)


@dataclass(frozen=True)
class EvidenceRecord:
    kind: str
    sent_at: datetime
    recipient_count: int
    letter_count: int
    subject: str
    text: str
    # What became of the mails when the minutes were rendered (governance/mailing.py).
    delivered: int = 0
    queued: int = 0
    failed: int = 0
    failure_answers: tuple[tuple[str, int], ...] = ()  # (the server's answer, how many)
    letters: tuple[str, ...] = ()  # "number name" of the members written to by letter post


@dataclass(frozen=True)
class MinutesDocument:
    """Everything the printed minutes state (§47 GenG)."""

    assembly_id: int
    revision: int
    coop_name: str
    coop_seat: str
    title: str
    body: str
    kind: str
    form: str
    place: str
    place_is_seat: bool
    starts_at: datetime
    voting_starts_at: datetime | None
    voting_ends_at: datetime | None
    opened_at: datetime | None
    closed_at: datetime | None
    chair: str
    secretary: str
    board_present: tuple[str, ...]
    preamble_html: str
    closing_html: str
    items: tuple[ItemRecord, ...]
    other_polls: tuple[PollRecord, ...]  # polls not attached to an agenda item
    evidence: tuple[EvidenceRecord, ...]
    participants: tuple[ParticipantRecord, ...]
    # The tellers' key of the encrypted secret polls (grouped fingerprint), if it was ready.
    key_fingerprint: str = ""
    key_threshold: int = 0
    key_tellers: tuple[str, ...] = ()
    # A meeting of a body: its name, and its quorum (seats present of all seats, more than
    # `quorum_percent` % needed); `board_present` then names the seats present.
    body_name: str = ""
    quorum_seats: int = 0
    quorum_present: int = 0
    quorum_percent: int = 0

    @property
    def quorate(self) -> bool:
        return self.quorum_seats > 0 and self.quorum_present * 100 > (
            self.quorum_percent * self.quorum_seats
        )

    @property
    def polls(self) -> list[PollRecord]:
        return [p for item in self.items for p in item.polls] + list(self.other_polls)


def fingerprint(doc: MinutesDocument) -> str:
    """SHA-256 of the document's canonical JSON."""
    return hashlib.sha256(canonical(asdict(doc)).encode("utf-8")).hexdigest()


def place_of(assembly: Assembly, *, seat: str) -> tuple[str, bool]:
    """The place the minutes state: the registered seat for a virtual or stretched assembly."""
    if assembly.form in SEAT_FORMS:
        return seat.strip(), True
    return assembly.place.strip(), False


def _user_name(session: Session, user_id: int | None) -> str:
    user = session.get(User, user_id) if user_id else None
    if user is None:
        return ""
    return (user.display_name or "").strip() or user.email


def board_members_present(session: Session, *, assembly_id: int) -> list[User]:
    """Users who sat on the board on the assembly's day and whose member record attended it
    (room or online); the role follows the seat (issue #15)."""
    assembly = session.get(Assembly, assembly_id)
    if assembly is None:
        return []
    day = assembly.starts_at.astimezone(local_tz()).date()
    query = (
        select(User)
        .join(Attendance, Attendance.member_id == User.member_id)
        .where(seated_users([BodyKind.BOARD], day), Attendance.assembly_id == assembly_id)
        .order_by(User.display_name, User.id)
    )
    return list(session.scalars(query).unique())


def _objections(session: Session, minutes_id: int) -> dict[int, list[ObjectionRecord]]:
    rows = session.execute(
        select(Objection, Member, Poll.title)
        .join(Member, Member.id == Objection.member_id)
        .outerjoin(Poll, Poll.id == Objection.poll_id)
        .where(Objection.minutes_id == minutes_id)
        .order_by(Objection.agenda_item_id, Member.number)
    ).all()
    by_item: dict[int, list[ObjectionRecord]] = {}
    for objection, member, poll_title in rows:
        record = ObjectionRecord(
            member.number, member.display_name, objection.statement, poll_title or ""
        )
        by_item.setdefault(objection.agenda_item_id, []).append(record)
    return by_item


def _items(session: Session, minutes: Minutes, polls: list[PollRecord]) -> list[ItemRecord]:
    texts = {
        row.agenda_item_id: row
        for row in session.scalars(select(MinutesItem).where(MinutesItem.minutes_id == minutes.id))
    }
    objections = _objections(session, minutes.id or 0)
    spoken = spoken_by_item(session, assembly_id=minutes.assembly_id)
    records = []
    for entry in agenda(session, assembly_id=minutes.assembly_id):
        item = entry.item
        assert item.id is not None
        text = texts.get(item.id)
        records.append(
            ItemRecord(
                id=item.id,
                number=entry.number,
                depth=entry.depth,
                title=item.title,
                kind=item.kind.value,
                announced_late=bool(getattr(item, "announced_late", False)),
                discussion_html=render_markdown(text.discussion) if text else "",
                motions_html=render_markdown(text.motions) if text else "",
                polls=tuple(p for p in polls if p.agenda_item_id == item.id),
                objections=tuple(objections.get(item.id, [])),
                speakers=tuple(spoken.get(item.id, [])),
            )
        )
    return records


def _evidence(session: Session, assembly_id: int) -> list[EvidenceRecord]:
    rows = list(
        session.scalars(
            select(ConveningEvidence)
            .where(ConveningEvidence.assembly_id == assembly_id)
            .order_by(ConveningEvidence.sent_at, ConveningEvidence.id)
        )
    )
    counts = delivery(session, mailing_ids=[e.mailing_id for e in rows if e.mailing_id])
    records = []
    for e in rows:
        d = counts.get(e.mailing_id or 0) or Delivery()
        answers = Counter(answer for _address, answer in d.failures)
        records.append(
            EvidenceRecord(
                kind=e.kind.value,
                sent_at=e.sent_at,
                recipient_count=e.recipient_count,
                letter_count=e.letter_count,
                subject=e.subject,
                text=e.text,
                delivered=d.sent,
                queued=d.queued,
                failed=d.failed,
                failure_answers=tuple(sorted(answers.items())),
                letters=tuple(f"{x['number']} {x['name']}" for x in letter_post(e)),
            )
        )
    return records


def build_document(
    session: Session, *, minutes: Minutes, coop_name: str, coop_seat: str
) -> MinutesDocument:
    """Gather the minutes' content from the draft, the assembly, the polls and the register."""
    assembly = session.get(Assembly, minutes.assembly_id)
    assert assembly is not None and assembly.id is not None
    polls = poll_records(session, assembly_id=assembly.id)
    items = _items(session, minutes, polls)
    on_agenda = {item.id for item in items}
    place, is_seat = place_of(assembly, seat=coop_seat)
    of_body = _of_body(session, assembly)
    return MinutesDocument(
        assembly_id=assembly.id,
        revision=minutes.revision,
        coop_name=coop_name,
        coop_seat=coop_seat,
        title=assembly.title,
        body=assembly.body.value,
        kind=assembly.kind.value,
        form=assembly.form.value,
        place=place,
        place_is_seat=is_seat,
        starts_at=assembly.starts_at,
        voting_starts_at=assembly.voting_starts_at,
        voting_ends_at=assembly.voting_ends_at,
        opened_at=assembly.opened_at,
        closed_at=assembly.closed_at,
        chair=_user_name(session, assembly.chair_user_id),
        secretary=_user_name(session, assembly.secretary_user_id),
        board_present=of_body.pop("board_present", None)
        or tuple(
            _user_name(session, u.id)
            for u in board_members_present(session, assembly_id=assembly.id)
        ),
        preamble_html=render_markdown(minutes.preamble),
        closing_html=render_markdown(minutes.closing),
        items=tuple(items),
        other_polls=tuple(p for p in polls if p.agenda_item_id not in on_agenda),
        evidence=tuple(_evidence(session, assembly.id)),
        participants=tuple(participants(session, assembly_id=assembly.id)),
        **_key(session, assembly_id=assembly.id),
        **of_body,
    )


def _of_body(session: Session, assembly: Assembly) -> dict[str, Any]:
    """A body's meeting: the body, its seats present and its quorum (nothing otherwise)."""
    body = body_meetings.body_of(session, assembly)
    if body is None:
        return {}
    present = body_meetings.attended(session, assembly_id=assembly.id or 0)
    return {
        "body_name": body.name,
        "board_present": tuple(m.display_name for m in present),
        "quorum_seats": roll_size(session, assembly_id=assembly.id or 0),
        "quorum_present": len(present),
        "quorum_percent": body.quorum_percent,
    }


def _key(session: Session, *, assembly_id: int) -> dict[str, Any]:
    """The assembly's ready key: its fingerprint (grouped), the threshold and the tellers."""
    ceremony = tellers.live_ceremony(session, assembly_id=assembly_id)
    if ceremony is None or ceremony.state != CeremonyState.READY or ceremony.id is None:
        return {}
    rows = tellers.tellers_of(session, ceremony_id=ceremony.id)
    names = tellers.user_names(session, rows)
    return {
        "key_fingerprint": group4(ceremony.key_fingerprint or ""),
        "key_threshold": ceremony.t,
        "key_tellers": tuple(names[t.idx] for t in rows),
    }
