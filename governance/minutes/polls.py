"""What the minutes take from the ballots domain: polls, sealed results, who took part.

Results are read, never typed: the published result (`Poll.result_json`, what the chair
declared) when there is one, else the tally of the sealed box (`ballots.tally.compute_result`);
an encrypted poll has none until t tellers decrypted it (`awaiting` says how far).
Participations give the channel of each member (room, online, proxy) and never the choice.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from governance.accounts.models import User
from governance.ballots.decrypt import AwaitingDecryption, waiting_text
from governance.ballots.decrypt import status as decryption_status
from governance.ballots.models import Participation, Poll, PollState
from governance.ballots.tally import PollResult, compute_result
from governance.i18n import _, name_key
from governance.register.models import Member

SEALED = (PollState.SEALED, PollState.PUBLISHED)


@dataclass(frozen=True)
class PollRecord:
    """A poll as the minutes state it: type, rule, result, declaration, seal root."""

    id: int
    agenda_item_id: int | None
    title: str
    kind: str
    election_mode: str | None
    secret: bool
    majority: str
    weighted: bool
    seats: int
    state: str
    seal_root: str | None
    sealed_at: datetime | None
    declaration: str
    declared_at: datetime | None
    result: dict[str, Any] | None  # PollResult as a dict; None until the box is sealed
    # An encrypted poll before t tellers decrypted it: "waiting for decryption … 1 of 2".
    awaiting: str = ""

    @property
    def sealed(self) -> bool:
        return self.state in {s.value for s in SEALED}


@dataclass(frozen=True)
class ParticipantRecord:
    """A member who took part in at least one resolution, and how (channels, proxies)."""

    number: str
    name: str
    channels: tuple[str, ...]
    proxies: tuple[str, ...]  # "M-… Name" of whoever cast for them by proxy


def poll_result(session: Session, poll: Poll) -> PollResult | None:
    """The poll's result: the published one if any, else the tally of the sealed box."""
    if poll.state not in SEALED:
        return None
    if poll.result_json:
        return PollResult.from_json(poll.result_json)
    try:
        return compute_result(session, poll=poll)
    except AwaitingDecryption:
        return None


def poll_records(session: Session, *, assembly_id: int) -> list[PollRecord]:
    """Every poll of the assembly that was opened, in order of opening."""
    polls = session.scalars(
        select(Poll)
        .where(Poll.assembly_id == assembly_id, Poll.state != PollState.DRAFT)
        .order_by(Poll.opened_at, Poll.id)
    ).all()
    return [_record(session, poll) for poll in polls]


def _record(session: Session, poll: Poll) -> PollRecord:
    result = poll_result(session, poll)
    assert poll.id is not None
    awaiting = ""
    if result is None and poll.state in SEALED and poll.is_encrypted:
        state = decryption_status(session, poll=poll)
        awaiting = str(waiting_text(len(state.posted), state.needed))
    return PollRecord(
        id=poll.id,
        agenda_item_id=poll.agenda_item_id,
        title=poll.title,
        kind=poll.kind.value,
        election_mode=poll.election_mode.value if poll.election_mode else None,
        secret=poll.secret,
        majority=poll.majority.value,
        weighted=poll.weighted,
        seats=poll.seats,
        state=poll.state.value,
        seal_root=poll.seal_root,
        sealed_at=poll.sealed_at,
        declaration=poll.declaration or "",
        declared_at=poll.declared_at,
        result=asdict(result) if result is not None else None,
        awaiting=awaiting,
    )


def polls_of_item(session: Session, *, agenda_item_id: int) -> list[Poll]:
    """The opened polls of one agenda item (for choosing the resolution an objection concerns)."""
    return list(
        session.scalars(
            select(Poll)
            .where(Poll.agenda_item_id == agenda_item_id, Poll.state != PollState.DRAFT)
            .order_by(Poll.id)
        )
    )


def participants(session: Session, *, assembly_id: int) -> list[ParticipantRecord]:
    """Members who took part in the sealed polls, sorted by name, with their channels."""
    sealed = select(Poll.id).where(Poll.assembly_id == assembly_id, Poll.state.in_(SEALED))
    rows = session.execute(
        select(
            Participation.member_id,
            Participation.channel,
            Participation.cast_by_member_id,
            Participation.cast_by_user_id,
        )
        .where(Participation.poll_id.in_(sealed))
        .distinct()
    ).all()
    channels: dict[int, set[str]] = {}
    proxies: dict[int, set[int]] = {}
    relatives: dict[int, set[int]] = {}  # member → logins of relatives who voted for them
    for member_id, channel, cast_by, cast_by_user in rows:
        channels.setdefault(member_id, set()).add(channel.value)
        if cast_by_user is not None:
            relatives.setdefault(member_id, set()).add(cast_by_user)
        elif channel.value == "PROXY":
            proxies.setdefault(member_id, set()).add(cast_by)
    names = _member_labels(session, set(channels) | {p for s in proxies.values() for p in s})
    others = _relative_labels(session, {u for s in relatives.values() for u in s})
    records = [
        ParticipantRecord(
            number=names[mid][0],
            name=names[mid][1],
            channels=tuple(sorted(chs, key=CHANNEL_ORDER.index)),
            proxies=tuple(
                sorted(
                    [f"{names[p][0]} {names[p][1]}" for p in proxies.get(mid, ())]
                    + [others[u] for u in relatives.get(mid, ())]
                )
            ),
        )
        for mid, chs in channels.items()
    ]
    records.sort(key=lambda r: (name_key(r.name), r.number))
    return records


CHANNEL_ORDER = ["ROOM", "ONLINE", "PROXY"]


def _relative_labels(session: Session, user_ids: set[int]) -> dict[int, str]:
    """Relatives who are not members and voted as proxies: their name, marked as such."""
    rows = session.execute(select(User.id, User.display_name).where(User.id.in_(user_ids)))
    return {int(i): str(_("%(name)s (relative, not a member)", name=n)) for i, n in rows}


def _member_labels(session: Session, ids: set[int]) -> dict[int, tuple[str, str]]:
    labels: dict[int, tuple[str, str]] = {}
    id_list = sorted(ids)
    for start in range(0, len(id_list), 5000):  # stay below bind-parameter limits
        chunk = id_list[start : start + 5000]
        for member in session.scalars(select(Member).where(Member.id.in_(chunk))):
            assert member.id is not None
            labels[member.id] = (member.number, member.display_name)
    return labels
