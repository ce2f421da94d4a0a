"""Poll features through the services: elections, multiple votes, exclusions, stretched and
hybrid assemblies (paper ballots), automatic closing, named polls, trackers."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from governance.assemblies.models import AssemblyForm
from governance.assemblies.models_agenda import AgendaItem, ItemKind
from governance.ballots import choices as ch
from governance.ballots.models import Ballot, ElectionMode, Majority, NamedVote, Poll, PollKind
from governance.ballots.paper import register_room_voter, set_paper_counts
from governance.ballots.publishing import publish_poll
from governance.ballots.services import (
    add_exclusion,
    close_due,
    close_poll,
    options_of,
)
from governance.ballots.tally import compute_result
from governance.ballots.trackers import format_tracker, new_tracker, parse_tracker
from governance.ballots.verify import verify_poll
from governance.db import utcnow
from governance.errors import DomainError
from tests.ballots.conftest import message
from tests.factories_ballots import cast


def _close_and_count(world, poll_id):
    with world.session() as s:
        close_poll(s, poll=s.get(Poll, poll_id), actor=None, now=utcnow())
        s.commit()
        return compute_result(s, poll=s.get(Poll, poll_id))


def _ids(world, poll_id):
    with world.session() as s:
        return [o.id for o in options_of(s, poll_id=poll_id)]


def test_election_yes_no_per_candidate(vote_world, make_poll):
    world = vote_world(members=5)
    poll = make_poll(
        world,
        kind=PollKind.ELECTION,
        seats=2,
        candidates=["Anna", "Ben", "Cem"],
        election_mode=ElectionMode.YES_NO_ABSTAIN_PER_CANDIDATE,
    )
    a, b, c = _ids(world, poll.id)
    ballots = [
        {a: "Y", b: "Y", c: "N"},
        {a: "Y", b: "N", c: "Y"},
        {a: "Y", b: "Y", c: "N"},
        {a: "N", b: "A", c: "Y"},
    ]
    for i, answers in enumerate(ballots):
        cast(world, poll.id, i, ch.encode_per_candidate(answers))
    cast(world, poll.id, 4, ch.ABSTAIN)
    result = _close_and_count(world, poll.id)
    yes_no = {x.label: (x.yes, x.no, x.abstain) for x in result.candidates}
    assert yes_no == {"Anna": (3, 1, 1), "Ben": (2, 1, 2), "Cem": (2, 2, 1)}
    assert (result.outcome, result.elected, result.tied) == ("ELECTED", ["Anna", "Ben"], [])
    assert (result.valid, result.abstentions, result.votes_cast) == (5, 1, 4)


def test_election_choose_up_to_n_with_a_tie(vote_world, make_poll):
    world = vote_world(members=4)
    poll = make_poll(
        world,
        kind=PollKind.ELECTION,
        seats=2,
        candidates=["Anna", "Ben", "Cem"],
        election_mode=ElectionMode.CHOOSE_UP_TO_N,
    )
    a, b, c = _ids(world, poll.id)
    for i, chosen in enumerate([{a, b}, {a, c}, {a}, set()]):
        cast(world, poll.id, i, ch.encode_choose(chosen))
    with pytest.raises(DomainError):
        cast(world, poll.id, 3, ch.encode_choose({a, b, c}))  # more than the seats
    result = _close_and_count(world, poll.id)
    assert result.majority == Majority.RELATIVE
    assert {x.label: x.votes for x in result.candidates} == {"Anna": 3, "Ben": 1, "Cem": 1}
    assert (result.outcome, result.elected, result.tied) == ("TIE", ["Anna"], ["Ben", "Cem"])


def test_multiple_votes_count_except_for_three_quarters(vote_world, make_poll):
    world = vote_world(members=3, weights=[3, 1, 1])
    simple = make_poll(world, multiple_votes=True)
    statute = make_poll(world, multiple_votes=True, majority=Majority.THREE_QUARTERS)
    receipt = cast(world, simple.id, 0, "YES")
    assert len(receipt.trackers) == 3  # one ballot per vote, indistinguishable from others
    assert len(cast(world, statute.id, 0, "YES").trackers) == 1  # §43(3): ignored for 3/4
    for poll in (simple, statute):
        cast(world, poll.id, 1, "NO")
        cast(world, poll.id, 2, "NO")
    r1, r2 = _close_and_count(world, simple.id), _close_and_count(world, statute.id)
    assert (r1.counts["YES"], r1.counts["NO"], r1.outcome) == (3, 2, "ADOPTED")
    assert (r1.participants, r1.turnout_votes, r1.roll_votes) == (3, 5, 5)
    assert (r2.counts["YES"], r2.counts["NO"], r2.outcome) == (1, 2, "REJECTED")
    with world.session() as s:
        assert all(c.ok for c in verify_poll(s, poll=s.get(Poll, simple.id)) if c.name != "seal")


def test_excluded_member_votes_neither_in_person_nor_as_proxy(vote_world, make_poll):
    from tests.factories_ballots import add_mandate

    world = vote_world(members=3)
    add_mandate(world, principal=2, proxy=0)
    poll = make_poll(world, open=False, title="Entlastung Vorstand")
    with world.session() as s:
        add_exclusion(
            s,
            poll=s.get(Poll, poll.id),
            member_id=world.member_ids[0],
            reason="Vorstandsmitglied",
            actor=None,
        )
        s.commit()
    from tests.factories_ballots import open_existing

    open_existing(world, poll.id)
    for kwargs in ({}, {"proxy": 0}):
        with pytest.raises(DomainError) as exc:
            cast(world, poll.id, 2 if kwargs else 0, "YES", **kwargs)
        assert "§43(6)" in message(exc)
    cast(world, poll.id, 1, "YES")
    result = _close_and_count(world, poll.id)
    assert (result.roll_size, result.participants) == (2, 1)


def test_stretched_assembly_votes_without_presence(vote_world, make_poll):
    world = vote_world(members=2, form=AssemblyForm.STRETCHED, present=False)
    poll = make_poll(world)
    with world.session() as s:
        assert s.get(Poll, poll.id).auto_close_at is not None  # the end of the voting phase
    cast(world, poll.id, 0, "YES")


def test_hybrid_paper_ballots_combine_with_online(vote_world, make_poll):
    world = vote_world(members=4, form=AssemblyForm.HYBRID)
    poll = make_poll(world)
    with world.session() as s:
        for i in (0, 1):
            register_room_voter(
                s,
                poll=s.get(Poll, poll.id),
                member_id=world.member_ids[i],
                cast_by_member_id=world.member_ids[i],
                now=utcnow(),
            )
        s.commit()
    with pytest.raises(DomainError) as exc:
        cast(world, poll.id, 0, "YES")  # handed in paper: no online vote
    assert "already" in message(exc)
    cast(world, poll.id, 2, "NO")
    cast(world, poll.id, 3, "NO")
    with world.session() as s:
        close_poll(s, poll=s.get(Poll, poll.id), actor=None, now=utcnow())
        s.commit()
        with pytest.raises(DomainError):
            publish_poll(s, poll=s.get(Poll, poll.id), actor=None, declaration="x", now=utcnow())
        s.rollback()
        with pytest.raises(DomainError) as exc:
            set_paper_counts(s, poll=s.get(Poll, poll.id), counts={"YES": 3}, actor=None)
        assert "2 votes were registered" in message(exc)
        s.rollback()
        set_paper_counts(s, poll=s.get(Poll, poll.id), counts={"YES": 1, "INVALID": 1}, actor=None)
        result = publish_poll(
            s, poll=s.get(Poll, poll.id), actor=None, declaration="Abgelehnt.", now=utcnow()
        )
        s.commit()
        assert result.counts == {"YES": 1, "NO": 2, "ABSTAIN": 0}
        assert result.online_counts == {"YES": 0, "NO": 2, "ABSTAIN": 0}
        assert (result.ballots_online, result.ballots_paper, result.invalid) == (2, 2, 1)
        assert (result.participants_room, result.participants_online) == (2, 2)
        assert result.outcome == "REJECTED"
        assert all(c.ok for c in verify_poll(s, poll=s.get(Poll, poll.id)))


def test_auto_close_is_enforced_and_closed_by_the_job(vote_world, make_poll):
    world = vote_world(members=2)
    poll = make_poll(world)
    with world.session() as s:
        p = s.get(Poll, poll.id)
        p.auto_close_at = utcnow() - timedelta(seconds=1)
        s.commit()
    with pytest.raises(DomainError) as exc:
        cast(world, poll.id, 0, "YES")
    assert "closing time" in message(exc)
    with world.session() as s:
        assert close_due(s, now=utcnow()) == [poll.id]
        s.commit()
        assert s.get(Poll, poll.id).is_sealed


def test_named_poll_keeps_who_voted_what(vote_world, make_poll):
    world = vote_world(members=2)
    poll = make_poll(world, secret=False)
    cast(world, poll.id, 0, "YES")
    cast(world, poll.id, 1, "NO")
    _close_and_count(world, poll.id)
    with world.session() as s:
        named = dict(s.execute(select(NamedVote.member_id, NamedVote.choice)).all())
        assert named == {world.member_ids[0]: "YES", world.member_ids[1]: "NO"}
        assert s.scalar(select(func.count()).select_from(Ballot)) == 2
        assert {c.name: c.ok for c in verify_poll(s, poll=s.get(Poll, poll.id))}["named"]


def test_tracker_text_round_trip():
    for _ in range(200):
        t = new_tracker()
        text = format_tracker(t)
        assert len(text.replace("-", "")) == 26
        assert parse_tracker(text) == t == parse_tracker(text.lower().replace("-", " "))
        assert parse_tracker(text.replace("0", "O").replace("1", "l")) == t
    trackers = sorted(new_tracker() for _ in range(50))
    assert [format_tracker(t) for t in trackers] == sorted(format_tracker(t) for t in trackers)
    assert parse_tracker("not a tracker") is None


def test_leaf_encoding_and_merkle_root(vote_world, make_poll):
    import hashlib

    from governance.ballots.seal import box_leaves, leaf_hash, merkle_root

    tracker = bytes.fromhex("00ff" * 8)
    text = f"v1|7|{'00ff' * 8}|YES".encode()
    assert leaf_hash(7, tracker, "YES") == hashlib.sha256(text).digest()
    a, b, c = sorted(hashlib.sha256(bytes([i])).digest() for i in range(3))
    ab = hashlib.sha256(b"\x01" + a + b).digest()
    assert merkle_root([c, a, b]) == hashlib.sha256(b"\x01" + ab + c).hexdigest()
    assert merkle_root([]) == hashlib.sha256(b"").hexdigest()
    world = vote_world(members=3)
    poll = make_poll(world)
    receipts = [cast(world, poll.id, i, ch) for i, ch in enumerate(["YES", "NO", "YES"])]
    with world.session() as s:
        expected = {
            leaf_hash(poll.id, r.trackers[0], c)
            for r, c in zip(receipts, ["YES", "NO", "YES"], strict=True)
        }
        assert set(box_leaves(s, poll_id=poll.id)) == expected


def test_poll_on_a_proposal_decides_it(vote_world, make_poll):
    from governance.proposals.models import Majority as PMajority
    from governance.proposals.models import Proposal, ProposalState, SubmitterKind

    world = vote_world(members=4)
    with world.session() as s:
        item = AgendaItem(
            assembly_id=world.assembly_id,
            position=1,
            title="Satzung",
            kind=ItemKind.RESOLUTION,
            announced_at=utcnow() - timedelta(days=20),
        )
        s.add(item)
        s.flush()
        proposal = Proposal(
            assembly_id=world.assembly_id,
            agenda_item_id=item.id,
            submitter_kind=SubmitterKind.BOARD,
            title="Satzungsänderung",
            text="§ 10 neu",
            statute_change=True,
            majority=PMajority.THREE_QUARTERS,
            state=ProposalState.ADMITTED,
        )
        s.add(proposal)
        s.commit()
        proposal_id = proposal.id
    poll = make_poll(world, title="", proposal_id=proposal_id)  # majority SIMPLE is overridden
    assert poll.majority == Majority.THREE_QUARTERS and poll.title == "Satzungsänderung"
    with world.session() as s:
        assert s.get(Proposal, proposal_id).state == ProposalState.IN_VOTE
    for i, choice in enumerate(["YES", "YES", "YES", "NO"]):
        cast(world, poll.id, i, choice)
    _close_and_count(world, poll.id)
    with world.session() as s:
        publish_poll(
            s, poll=s.get(Poll, poll.id), actor=None, declaration="Angenommen.", now=utcnow()
        )
        s.commit()
        assert s.get(Proposal, proposal_id).state == ProposalState.ADOPTED
