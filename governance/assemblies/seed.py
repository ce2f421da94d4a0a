"""Demo assemblies: an ordinary general assembly convened for three weeks from now, and an
extraordinary one in session right now (convened three weeks ago), with check-ins and proxies.

Runs after the register's seeder (it needs members). Invitations are queued to the demo
members' example.org addresses, as the real convening would.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session

from governance.accounts.models import Role
from governance.assemblies import agenda, attendance, convening, hooks, mandates, services
from governance.assemblies.models import Assembly, AssemblyForm, AssemblyKind
from governance.assemblies.models_agenda import AgendaItem, ItemKind
from governance.assemblies.roll import roll_members

ANNUAL = [
    ("Eröffnung und Feststellung der ordnungsgemäßen Einberufung", ItemKind.INFORMATION, None),
    ("Jahresabschluss {year}", ItemKind.RESOLUTION, None),
    ("Bericht des Vorstands", ItemKind.INFORMATION, 2),
    ("Bericht des Aufsichtsrats und Prüfungsbericht", ItemKind.INFORMATION, 2),
    ("Feststellung des Jahresabschlusses {year}", ItemKind.RESOLUTION, 2),
    ("Verwendung des Jahresüberschusses", ItemKind.RESOLUTION, None),
    ("Entlastung des Vorstands", ItemKind.RESOLUTION, None),
    ("Entlastung des Aufsichtsrats", ItemKind.RESOLUTION, None),
    ("Wahl zum Aufsichtsrat", ItemKind.ELECTION, None),
    ("Verschiedenes", ItemKind.DISCUSSION, None),
]


def _at(day: Any, hour: int) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=ZoneInfo("Europe/Berlin")).astimezone(UTC)


def _render(assembly: Assembly) -> convening.Renderer:
    def render(member: Any, _link: str | None) -> convening.Notice:
        name = member.display_name if member is not None else "Mitglied"
        subject = f"Einladung: {assembly.title}"
        body = (
            f"Guten Tag {name},\n\nwir laden Sie ein zur {assembly.title} am "
            f"{assembly.starts_at.astimezone(ZoneInfo('Europe/Berlin')):%d.%m.%Y %H:%M} Uhr, "
            f"{assembly.place or 'online'}.\n\nDie Tagesordnung und die Unterlagen finden Sie "
            "nach der Anmeldung in der Versammlungsübersicht.\n\nDer Vorstand\n"
        )
        return convening.Notice(subject, body)

    return render


def _agenda(session: Session, assembly: Assembly, actor: Any, year: int) -> list[AgendaItem]:
    items: list[AgendaItem] = []
    for title, kind, parent in ANNUAL:
        parent_id = items[parent - 1].id if parent else None
        items.append(
            agenda.add_item(
                session,
                assembly=assembly,
                title=title.format(year=year),
                kind=kind,
                parent_id=parent_id,
                description="Der Vorstand schlägt vor, den Jahresabschluss festzustellen."
                if title.startswith("Feststellung des")
                else "",
                actor=actor,
            )
        )
    return items


def _convene(session: Session, assembly: Assembly, ctx: Any, now: datetime) -> None:
    settings = convening.ConveningSettings(
        notice_days=int(ctx.config.get("CONVENING_NOTICE_DAYS", 14)),
        agenda_notice_days=int(ctx.config.get("AGENDA_NOTICE_DAYS", 7)),
        min_shares=int(ctx.config.get("MIN_SHARES", 1)),
    )
    convening.convene(
        session,
        assembly=assembly,
        actor=ctx.users.get(Role.BOARD),
        now=now,
        today=now.date(),
        settings=settings,
        render=_render(assembly),
        make_link=lambda _user: "",
    )


def _create(session: Session, ctx: Any, **fields: Any) -> Assembly:
    data = services.AssemblyData(
        chair_user_id=getattr(ctx.users.get(Role.SUPERVISORY_BOARD), "id", None),
        secretary_user_id=getattr(ctx.users.get(Role.SECRETARY), "id", None),
        **fields,
    )
    return services.create_assembly(
        session,
        data=data,
        actor=ctx.users.get(Role.BOARD),
        now=fields["starts_at"] - timedelta(days=30),
    )


def _upcoming(session: Session, ctx: Any, today: Any) -> Assembly:
    assembly = _create(
        session,
        ctx,
        title=f"Ordentliche Generalversammlung {today.year}",
        kind=AssemblyKind.ORDINARY,
        form=AssemblyForm.HYBRID,
        starts_at=_at(today + timedelta(days=21), 18),
        place="Gemeinschaftssaal, Hauptstraße 1, Berlin",
        remote_access="Zusätzlich per Videokonferenz: Zugangsdaten nach der Anmeldung.",
    )
    board = ctx.users.get(Role.BOARD)
    _agenda(session, assembly, board, today.year - 1)
    hooks.demo_assembly_prepared.send(assembly, session=session, actor=board, now=datetime.now(UTC))
    _convene(session, assembly, ctx, datetime.now(UTC))
    return assembly


def _in_session(session: Session, ctx: Any, today: Any) -> Assembly:
    starts = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    assembly = _create(
        session,
        ctx,
        title=f"Außerordentliche Generalversammlung {today.year}",
        kind=AssemblyKind.EXTRAORDINARY,
        form=AssemblyForm.HYBRID,
        starts_at=starts,
        place="Gemeinschaftssaal, Hauptstraße 1, Berlin",
    )
    board = ctx.users.get(Role.BOARD)
    convened_at = starts - timedelta(days=21)
    items = [
        agenda.add_item(session, assembly=assembly, title=t, kind=k, actor=board)
        for t, k in (
            ("Eröffnung und Feststellung der Beschlussfähigkeit", ItemKind.INFORMATION),
            ("Nachwahl zum Aufsichtsrat", ItemKind.ELECTION),
        )
    ]
    hooks.demo_assembly_prepared.send(assembly, session=session, actor=board, now=convened_at)
    _convene(session, assembly, ctx, convened_at)
    services.open_session(
        session, assembly=assembly, actor=ctx.users.get(Role.SUPERVISORY_BOARD), now=starts
    )
    _attend(session, assembly, ctx, starts)
    services.set_current_item(session, assembly=assembly, item_id=items[1].id, actor=None)
    return assembly


def _attend(session: Session, assembly: Assembly, ctx: Any, now: datetime) -> None:
    """Check in every fifth member, register two proxies for one of them."""
    secretary = ctx.users.get(Role.SECRETARY)
    roll = [m for _e, m in roll_members(session, assembly_id=assembly.id)]
    here = roll[::5]
    for member in here:
        attendance.check_in(session, assembly=assembly, member=member, actor=secretary, now=now)
    absent = [m for m in roll if m not in here]
    if here and len(absent) >= 2:
        for principal in absent[:2]:
            mandates.register_mandate(
                session,
                assembly=assembly,
                principal=principal,
                proxy=here[0],
                evidence="Vollmacht per E-Mail (Textform) liegt vor.",
                actor=secretary,
            )


def seed_demo(session: Session, ctx: Any) -> None:
    """Create the demo assemblies."""
    today = datetime.now(ZoneInfo("Europe/Berlin")).date()
    upcoming = _upcoming(session, ctx, today)
    current = _in_session(session, ctx, today)
    ctx.extra["assembly_ids"] = {"upcoming": upcoming.id, "in_session": current.id}
