"""What the seat offers ask of the domains above them, and what they announce.

An offer is made from an election's published result, which the ballots domain keeps; the
bodies never import ballots (the layers, docs/DEVELOPING.md), so ballots answers these
questions in governance/ballots/provides_seats.py. Notify listens to `seat_offered`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from governance.hooks import Provider, signals


@dataclass(frozen=True)
class Election:
    """A published election of a general (or representative) assembly, as the bodies see it."""

    poll_id: int
    title: str
    assembly_title: str
    held_on: date  # the assembly's day (Europe/Berlin)
    seats: int
    elected: tuple[str, ...]  # the elected candidates' labels, best first
    tied: tuple[str, ...] = ()


# --- answered by ballots (governance/ballots/provides_seats.py) -----------------------------
# (session) -> list[Election]: the published elections of the member assemblies, newest first
published_elections: Provider = Provider("published_elections")
# (session, *, poll_id) -> Election | None: the poll, if it is such a published election
published_election: Provider = Provider("published_election")

# Sent with the new offer and `session=` once it is made (notify tells the member).
seat_offered = signals.signal("seat-offered")
