"""Encrypted polls for the counting tests, without the casting endpoint.

`encrypted_poll(world, **PollData)` prepares a secret poll on the world's assembly with the
assembly's ready key ceremony (2 of 3 tellers unless `n`/`t` say otherwise; one ceremony per
assembly, made on first use by tests/factories_tellers.py) and opens it.
`cast_encrypted(world, ep, i, choices)` encrypts `choices` with `coopvote.encrypt` and writes
the participation of member i and the ballot row straight into the database (the triggers
accept them: the poll is open and has a key). `decrypt_share(ep, j)` is teller j's partial
decryption of the sealed sums, computed from its key file as the teller's page would.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from governance import coopvote
from governance.assemblies.models import Assembly, Channel
from governance.ballots.encryption import attach_key, poll_key
from governance.ballots.models import Ballot, Participation, Poll
from governance.ballots.services import PollData, close_poll, create_poll, open_poll
from governance.db import utcnow
from governance.tellers.models import Teller
from tests.factories_ballots import World
from tests.factories_tellers import ready_ceremony

MOTION = {"YES": [[1, 0, 0]], "NO": [[0, 1, 0]], "ABSTAIN": [[0, 0, 1]]}


@dataclass
class EncryptedPoll:
    poll_id: int
    key: coopvote.PollKey
    ready: Any  # tests.factories_tellers.ReadyCeremony

    @property
    def t(self) -> int:
        return int(self.ready.ceremony.t)


def ceremony_for(world: World, *, n: int = 3, t: int = 2, tellers: list[int] | None = None) -> Any:
    """The world's assembly's ready key ceremony (made once; `tellers`: their user ids)."""
    if "ceremony" not in world.extra:
        with world.session() as s:
            world.extra["ceremony"] = ready_ceremony(
                s, world.assembly_id, n=n, t=t, user_ids=tellers
            )
            s.commit()
    return world.extra["ceremony"]


def encrypted_poll(
    world: World,
    *,
    n: int = 3,
    t: int = 2,
    tellers: list[int] | None = None,
    open: bool = True,
    multiple_votes: bool = False,
    **kw: Any,
) -> EncryptedPoll:
    """A secret poll with the assembly's key, opened unless `open=False`."""
    ready = ceremony_for(world, n=n, t=t, tellers=tellers)
    kw.setdefault("title", "Verschlüsselte Abstimmung")
    with world.session() as s:
        assembly = s.get(Assembly, world.assembly_id)
        poll = create_poll(s, assembly=assembly, data=PollData(**kw), actor=world.chair)
        attach_key(s, poll)
        if open:
            poll = open_poll(
                s, poll=poll, actor=world.chair, now=utcnow(), multiple_votes=multiple_votes
            )
        key = poll_key(s, poll)
        s.commit()
        return EncryptedPoll(poll.id or 0, key, ready)


def insert_ballot(
    world: World,
    poll_id: int,
    *,
    tracker: str,
    cipher: str,
    member: int | None = None,
    channel: Channel = Channel.ONLINE,
) -> None:
    """Write a ballot row (and member i's participation, if given) straight into the box."""
    with world.session() as s:
        if member is not None:
            m = world.member_ids[member]
            s.add(Participation(poll_id=poll_id, member_id=m, cast_by_member_id=m, channel=channel))
        s.add(Ballot(tracker=bytes.fromhex(tracker), poll_id=poll_id, choice="", cipher=cipher))
        s.commit()


def cast_encrypted(
    world: World,
    ep: EncryptedPoll,
    i: int,
    choices: list[list[int]] | str,
    *,
    votes: int = 1,
    **kw: Any,
) -> Any:
    """Member i's encrypted ballot (choices per question, or a motion's YES/NO/ABSTAIN); with
    `votes`, that many ballots (a member's multiple votes) for the one participation."""
    if isinstance(choices, str):
        choices = MOTION[choices]
    for k in range(votes):
        enc = coopvote.encrypt(ep.key, choices, **kw)
        member = i if k == 0 else None
        insert_ballot(world, ep.poll_id, tracker=_hex(enc.tracker), cipher=enc.wire, member=member)
    return enc


def _hex(value: Any) -> str:
    return value.hex() if isinstance(value, bytes) else str(value)


def seal(world: World, ep: EncryptedPoll) -> Poll:
    """Close and seal the poll as the chair."""
    with world.session() as s:
        poll = close_poll(s, poll=s.get(Poll, ep.poll_id), actor=world.chair, now=utcnow())
        s.commit()
        return poll


def sealed_sums(world: World, ep: EncryptedPoll) -> Any:
    with world.session() as s:
        poll = s.get(Poll, ep.poll_id)
        assert poll is not None and poll.sums is not None
        return coopvote.sums_from_json(poll.sums)


def decrypt_share(world: World, ep: EncryptedPoll, j: int, sums: Any = None) -> list[dict]:
    """Teller j's partial decryptions of the sealed sums (as the teller's page posts them)."""
    sums = sums if sums is not None else sealed_sums(world, ep)
    return coopvote.partial_decrypt(ep.key, j, ep.ready.x(j), sums)


def teller(world: World, ep: EncryptedPoll, j: int) -> Teller:
    """Teller j of the poll's ceremony (detached)."""
    with world.session() as s:
        row = s.scalars(
            select(Teller).where(Teller.ceremony_id == ep.ready.ceremony.id, Teller.idx == j)
        ).one()
        s.expunge(row)
        return row
