"""Demo minutes: the draft of the assembly in session, with opening remarks and item texts."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from governance.accounts.models import Role
from governance.assemblies.agenda import agenda
from governance.assemblies.models import Assembly
from governance.minutes.services import start_minutes, update_general, update_item

PREAMBLE = (
    "Die Versammlungsleiterin eröffnet die Versammlung, begrüßt die Mitglieder und stellt die "
    "form- und fristgerechte Einberufung sowie die Beschlussfähigkeit fest."
)
DISCUSSION = "Der Vorstand erläutert den Bericht. Zwei Mitglieder fragen nach den Baukosten."


def seed_demo(session: Session, ctx: Any) -> None:
    """Start the minutes of the assembly in session (run after the ballots' seeder)."""
    assembly_id = ctx.extra.get("assembly_ids", {}).get("in_session")
    assembly = session.get(Assembly, assembly_id) if assembly_id else None
    secretary = ctx.users.get(Role.SECRETARY)
    if assembly is None or secretary is None:
        return
    minutes = start_minutes(session, assembly=assembly, actor=secretary)
    update_general(session, minutes=minutes, preamble=PREAMBLE, closing="", actor=secretary)
    items = agenda(session, assembly_id=assembly.id or 0)
    if items:
        update_item(
            session, minutes=minutes, item_id=items[0].item.id or 0, discussion=DISCUSSION,
            motions="", actor=secretary,
        )  # fmt: skip
