"""Convening (§44–§46 GenG): notice period, frozen roll, personal invitations, evidence."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from governance.accounts.models import Role, User
from governance.accounts.services import create_user, user_by_email
from governance.assemblies import body_meetings, hooks
from governance.assemblies.agenda import announce_items, unannounced_count
from governance.assemblies.documents import ConveningEvidence, NoticeKind
from governance.assemblies.models import Assembly, AssemblyForm, AssemblyState
from governance.assemblies.models_agenda import AgendaItem
from governance.assemblies.proxies import carry_standing
from governance.assemblies.roll import freeze_roll, roll_members
from governance.assemblies.services import assembly_event
from governance.errors import DomainError
from governance.i18n import _l, lazy_date
from governance.mail import Attachment, queue_mail
from governance.mailing import start_mailing, text_to_html
from governance.register.models import Member
from governance.register.services import eligible_members, linked_user


@dataclass(frozen=True)
class Notice:
    """One member's notice as they receive it: subject, text, HTML, attached files."""

    subject: str
    text: str
    html: str | None = None
    attachments: tuple[Attachment, ...] = ()

    @property
    def html_body(self) -> str:
        """The content of the HTML version's body, to show the HTML inside a page."""
        html = self.html or ""
        start, end = html.find("<body>"), html.rfind("</body>")
        return html[start + len("<body>") : end] if 0 <= start < end else html


# render(member or None for the evidence copy, personal login link or None) -> the notice
Renderer = Callable[[Member | None, str | None], Notice]
LinkMaker = Callable[[User], str]


@dataclass(frozen=True)
class ConveningSettings:
    """The statute's settings for convening (the view reads them from the app config)."""

    notice_days: int = 14
    agenda_notice_days: int = 7
    min_shares: int = 1
    multiple_votes: bool = False


def earliest_start(now: datetime, notice_days: int) -> datetime:
    """The earliest start of an assembly convened at `now`."""
    return now + timedelta(days=notice_days)


def check_notice(
    assembly: Assembly, *, now: datetime, notice_days: int, of_body: bool = False
) -> None:
    """Refuse when the assembly is less than the notice period away (§46(1) GenG; a body's
    meeting: the body's notice period)."""
    if assembly.starts_at - now >= timedelta(days=notice_days):
        return
    earliest = lazy_date(earliest_start(now, notice_days).date())
    message = (
        _l(
            "The meeting is less than %(days)d days away, the notice period of this body: "
            "move it to %(earliest)s or later.",
            days=notice_days,
            earliest=earliest,
        )
        if of_body
        else _l(
            "The assembly is less than %(days)d days away. The notice period of %(days)d days "
            "(§46(1) GenG) does not allow convening it now: move it to %(earliest)s or later.",
            days=notice_days,
            earliest=earliest,
        )
    )
    raise DomainError(message, field="starts_at")


def meeting_settings(
    session: Session, *, assembly: Assembly, settings: ConveningSettings
) -> ConveningSettings:
    """The settings for this assembly: a body's meeting has the body's notice period, for its
    agenda too, and one vote per seat."""
    body = body_meetings.body_of(session, assembly)
    if body is None:
        return settings
    days = body.notice_days
    return replace(settings, notice_days=days, agenda_notice_days=days, multiple_votes=False)


def _check_ready(session: Session, assembly: Assembly, *, today: date) -> None:
    if assembly.state != AssemblyState.DRAFT:
        raise DomainError(_l("This assembly has been convened already."))
    has_items = session.execute(
        select(AgendaItem.id).where(AgendaItem.assembly_id == assembly.id).limit(1)
    ).first()
    if has_items is None:
        raise DomainError(_l("The invitation states the agenda: add agenda items first."))
    if assembly.form in (AssemblyForm.IN_PERSON, AssemblyForm.HYBRID) and not assembly.place:
        raise DomainError(_l("Give the place of the assembly."), field="place")
    if assembly.record_date is not None and assembly.record_date > today:
        raise DomainError(
            _l("The record date of the voter roll cannot lie after the day of convening."),
            field="record_date",
        )


def convene(
    session: Session,
    *,
    assembly: Assembly,
    actor: User | None,
    now: datetime,
    today: date,
    settings: ConveningSettings,
    render: Renderer,
    make_link: LinkMaker,
) -> ConveningEvidence:
    """Convene: check the notice, freeze the roll, announce the agenda, invite every member
    (a body's meeting: the body's notice, its seats on the record date as the roll)."""
    _check_ready(session, assembly, today=today)
    settings = meeting_settings(session, assembly=assembly, settings=settings)
    body = body_meetings.body_of(session, assembly)
    record_date = assembly.record_date or today
    check_notice(assembly, now=now, notice_days=settings.notice_days, of_body=body is not None)
    if body is not None:
        body_meetings.freeze_seats(session, assembly=assembly, record_date=record_date, actor=actor)
    else:
        freeze_roll(
            session,
            assembly=assembly,
            record_date=record_date,
            min_shares=settings.min_shares,
            multiple_votes=settings.multiple_votes,
            actor=actor,
        )
    _mark_convened(session, assembly, actor=actor, now=now, settings=settings)
    carry_standing(session, assembly=assembly, actor=actor, now=now)
    evidence = send_notices(
        session,
        assembly=assembly,
        kind=NoticeKind.INVITATION,
        actor=actor,
        now=now,
        render=render,
        make_link=make_link,
    )
    assembly_event(
        session,
        assembly,
        "assembly.convened",
        actor,
        starts_at=assembly.starts_at,
        form=assembly.form,
        record_date=assembly.record_date,
        roll_hash=assembly.roll_hash,
        invitations=evidence.recipient_count,
        letters=evidence.letter_count,
    )
    return evidence


def _mark_convened(
    session: Session, assembly: Assembly, *, actor: Any, now: datetime, settings: ConveningSettings
) -> None:
    announce_items(session, assembly=assembly, now=now, notice_days=settings.agenda_notice_days)
    assembly.transition(AssemblyState.CONVENED)
    assembly.convened_at = now
    assembly.convened_by_id = getattr(actor, "id", None)
    session.add(assembly)


def announce_supplement(
    session: Session,
    *,
    assembly: Assembly,
    actor: User | None,
    now: datetime,
    settings: ConveningSettings,
    render: Renderer,
    make_link: LinkMaker,
) -> ConveningEvidence:
    """Announce items added after convening to every member (§46(2): late ones are flagged)."""
    if assembly.state != AssemblyState.CONVENED:
        raise DomainError(_l("Supplements to the agenda are announced before the assembly opens."))
    if unannounced_count(session, assembly_id=assembly.id) == 0:
        raise DomainError(_l("There are no new agenda items to announce."))
    settings = meeting_settings(session, assembly=assembly, settings=settings)
    items = announce_items(
        session, assembly=assembly, now=now, notice_days=settings.agenda_notice_days
    )
    evidence = send_notices(
        session,
        assembly=assembly,
        kind=NoticeKind.SUPPLEMENT,
        actor=actor,
        now=now,
        render=render,
        make_link=make_link,
    )
    assembly_event(
        session,
        assembly,
        "assembly.agenda_supplemented",
        actor,
        items=[i.id for i in items],
        late=[i.id for i in items if i.announced_late],
        notices=evidence.recipient_count,
    )
    return evidence


@dataclass(frozen=True)
class Preview:
    """What convening now would send: a sample notice and the recipients by channel."""

    notice: Notice
    by_email: int
    by_post: int


def preview(
    session: Session,
    *,
    assembly: Assembly,
    today: date,
    min_shares: int,
    render: Renderer,
    link_placeholder: str,
) -> Preview:
    """The invitation as the members will receive it, and how many by email and by post.

    Reads only: the roll is frozen, users created and mails queued by `convene` alone.
    """
    day = assembly.record_date or today
    if assembly.body_id is not None:
        members = body_meetings.seat_members(session, body_id=assembly.body_id, day=day)
    else:
        members = [m for m, _s in eligible_members(session, at=day, min_shares=min_shares)]
    with_email = [m for m in members if m.email]
    sample = with_email[0] if with_email else None
    return Preview(
        notice=render(sample, link_placeholder if sample else None),
        by_email=len(with_email),
        by_post=len(members) - len(with_email),
    )


def member_user(session: Session, *, member: Member, actor: User | None) -> User | None:
    """The member's login, or a MEMBER user created for their email if there is none.

    None when the member has no email, the account is inactive, or the address belongs to an
    existing account that is not the member's: they get the invitation without a link. Only the
    account's holder links it (register/links.py), never the board by setting an address.
    """
    linked = linked_user(session, member)
    if linked is not None:
        return linked if linked.active else None
    if not member.email:
        return None
    if user_by_email(session, member.email) is not None:
        return None
    return create_user(
        session,
        email=member.email,
        roles=[Role.MEMBER],
        display_name=member.display_name,
        member_id=member.id,
        actor=actor,
    )


def _address(member: Member) -> str:
    return ", ".join(p for p in (member.street, f"{member.postal_code} {member.city}".strip()) if p)


def _letter(member: Member) -> dict[str, str]:
    return {"number": member.number, "name": member.display_name, "address": _address(member)}


def _queue_notice(
    session: Session,
    *,
    member: Member,
    kind: NoticeKind,
    actor: User | None,
    render: Renderer,
    make_link: LinkMaker,
    mailing_id: int | None,
) -> None:
    user = member_user(session, member=member, actor=actor)
    link = make_link(user) if user is not None else None
    notice = render(member, link)
    queue_mail(
        session,
        to=member.email or "",
        subject=notice.subject,
        body_text=notice.text,
        body_html=notice.html or text_to_html(notice.text, lang=getattr(user, "locale", None)),
        sensitive=link is not None,
        category=f"assembly_{kind.value.lower()}",
        attachments=notice.attachments,
        mailing_id=mailing_id,
    )


def send_notices(
    session: Session,
    *,
    assembly: Assembly,
    kind: NoticeKind,
    actor: User | None,
    now: datetime,
    render: Renderer,
    make_link: LinkMaker,
) -> ConveningEvidence:
    """Queue a personal notice to every roll member with email; list the others for post.

    The messages form one mailing (governance/mailing.py): its delivery counts are shown with
    the evidence.
    """
    mailing = start_mailing(
        session,
        kind=f"assembly_{kind.value.lower()}",
        assembly_id=assembly.id,
        title=assembly.title,
        actor_id=getattr(actor, "id", None),
        now=now,
    )
    mailed, letters = [], []
    for _entry, member in roll_members(session, assembly_id=assembly.id):
        if not member.email:
            letters.append(_letter(member))
            continue
        _queue_notice(
            session,
            member=member,
            kind=kind,
            actor=actor,
            render=render,
            make_link=make_link,
            mailing_id=mailing.id,
        )
        mailed.append(member.id)
    sent = len(mailed)
    copy = render(None, None)
    subject, text = copy.subject, copy.text
    evidence = ConveningEvidence(
        assembly_id=assembly.id,
        kind=kind,
        sent_at=now,
        sent_by_id=getattr(actor, "id", None),
        recipient_count=sent,
        subject=subject[:300],
        text=text,
        letter_post=json.dumps(letters, ensure_ascii=False),
        letter_count=len(letters),
        mailing_id=mailing.id,
    )
    session.add(evidence)
    session.flush()
    hooks.notices_queued.send(
        assembly, session=session, kind=kind, mailing_id=mailing.id, member_ids=mailed
    )
    return evidence


def evidence_list(session: Session, *, assembly_id: int) -> list[ConveningEvidence]:
    """The assembly's notices (invitation and supplements), oldest first."""
    return list(
        session.execute(
            select(ConveningEvidence)
            .where(ConveningEvidence.assembly_id == assembly_id)
            .order_by(ConveningEvidence.sent_at, ConveningEvidence.id)
        ).scalars()
    )


def letter_post(evidence: ConveningEvidence) -> list[dict[str, str]]:
    """Members without email who receive this notice by letter post."""
    data = json.loads(evidence.letter_post or "[]")
    return data if isinstance(data, list) else []
