"""A synthetic but complete `MinutesDocument` (benchmark, tests, previews of the layout)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from governance.minutes.document import EvidenceRecord, ItemRecord, MinutesDocument
from governance.minutes.polls import ParticipantRecord, PollRecord

START = datetime(2025, 6, 14, 8, 0, tzinfo=UTC)
FIRST_NAMES = ("Erika", "Max", "Anna", "Jürgen", "Özlem", "Łukasz", "Marie-Luise", "Kai")
LAST_NAMES = ("Mustermann", "Schmidt", "Müller", "Yılmaz", "Nguyen", "Weiß", "Becker")


def _participant(i: int) -> ParticipantRecord:
    name = f"{LAST_NAMES[i % len(LAST_NAMES)]}-{i}, {FIRST_NAMES[i % len(FIRST_NAMES)]}"
    if i % 9 == 0:
        return ParticipantRecord(f"M-{1000000 + i}", name, ("PROXY",), (f"M-{1000001 + i} Proxy",))
    channel = ("ROOM", "ONLINE")[i % 2]
    return ParticipantRecord(f"M-{1000000 + i}", name, (channel,), ())


def _poll(i: int, item_id: int, n: int) -> PollRecord:
    yes, no = n * 6 // 10, n * 3 // 10
    abstain = n - yes - no
    result = {
        "kind": "MOTION",
        "counts": {"YES": yes, "NO": no, "ABSTAIN": abstain},
        "invalid": 0,
        "votes_cast": yes + no,
        "required": no + 1,
        "outcome": "ADOPTED",
        "participants": n,
        "roll_size": n + n // 10,
        "participants_room": n // 2,
        "participants_online": n // 3,
        "participants_proxy": n - n // 2 - n // 3,
        "valid": n,
        "abstentions": abstain,
        "candidates": [],
    }
    return PollRecord(
        id=i,
        agenda_item_id=item_id,
        title=f"Beschluss {i}",
        kind="MOTION",
        election_mode=None,
        secret=True,
        majority="SIMPLE",
        weighted=False,
        seats=1,
        state="SEALED",
        seal_root=f"{i:02d}" * 32,
        sealed_at=START + timedelta(hours=1, minutes=i),
        declaration=f"Der Antrag {i} ist mit {yes} Ja- gegen {no} Nein-Stimmen angenommen.",
        declared_at=START + timedelta(hours=1, minutes=i + 1),
        result=result,
    )


def _item(i: int, n: int) -> ItemRecord:
    polls = (_poll(i, i, n),) if i > 1 else ()
    return ItemRecord(
        id=i,
        number=str(i),
        depth=0,
        title=f"Tagesordnungspunkt {i}",
        kind="RESOLUTION" if polls else "INFORMATION",
        announced_late=False,
        discussion_html=f"<p>Aussprache zu Punkt {i}. Es sprachen mehrere Mitglieder.</p>",
        motions_html="",
        polls=polls,
        objections=(),
    )


def sample_document(participants: int, *, items: int = 5) -> MinutesDocument:
    """Minutes of a hybrid assembly with `participants` members and `items - 1` votes."""
    return MinutesDocument(
        assembly_id=1,
        revision=1,
        coop_name="Beispiel eG",
        coop_seat="Berlin",
        title="Ordentliche Generalversammlung 2025",
        body="GENERAL_ASSEMBLY",
        kind="ORDINARY",
        form="HYBRID",
        place="Gemeindesaal, Hauptstraße 1, Berlin",
        place_is_seat=False,
        starts_at=START,
        voting_starts_at=None,
        voting_ends_at=None,
        opened_at=START,
        closed_at=START + timedelta(hours=3),
        chair="Viktoria Vorstand",
        secretary="Sabine Schriftführerin",
        board_present=("Bernd Vorstand",),
        preamble_html="<p>Die Versammlungsleiterin eröffnet die Versammlung.</p>",
        closing_html="",
        items=tuple(_item(i, participants) for i in range(1, items + 1)),
        other_polls=(),
        evidence=(
            EvidenceRecord(
                "INVITATION", START - timedelta(days=21), participants, 3, "Einladung", "Text"
            ),
        ),
        participants=tuple(_participant(i) for i in range(participants)),
    )
