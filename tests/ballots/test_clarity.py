"""Voting clarity (issue #16, part 6): the majority line, explicit abstention, "you have voted"
without the inverted proxy text, the tracker's tools, one call to action on the live page."""

from __future__ import annotations

import re

import pytest
from flask_babel import force_locale

from governance.assemblies.models import AssemblyForm
from governance.ballots.models import ElectionMode, Majority, Poll, PollKind
from governance.ballots.paper import register_room_voter
from governance.ballots.services import options_of
from governance.ballots.tally import ADOPTED, REJECTED, TIE, PollResult
from governance.ballots.wording import majority_line
from governance.db import utcnow
from tests.factories_ballots import add_mandate, cast


def _motion(majority: Majority, yes: int, no: int, outcome: str, required: int) -> PollResult:
    return PollResult(
        poll_id=1, kind="MOTION", election_mode=None, majority=majority.value, weighted=False,
        seats=1, counts={"YES": yes, "NO": no, "ABSTAIN": 2}, outcome=outcome, required=required,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("majority", "yes", "no", "outcome", "required", "line"),
    [
        (Majority.SIMPLE, 3, 1, ADOPTED, 2, "Ja (3) übersteigt Nein (1)"),
        (Majority.SIMPLE, 1, 3, REJECTED, 4, "Ja (1) übersteigt Nein (3) nicht"),
        (Majority.SIMPLE, 2, 2, TIE, 3, "Ja (2) übersteigt Nein (2) nicht"),
        (
            Majority.THREE_QUARTERS, 8, 0, ADOPTED, 6,
            "Ja (8) erreicht drei Viertel der abgegebenen Stimmen (mindestens 6)",
        ),
        (
            Majority.THREE_QUARTERS, 5, 3, REJECTED, 6,
            "Ja (5) erreicht drei Viertel der abgegebenen Stimmen (mindestens 6) nicht",
        ),
        (
            Majority.NINE_TENTHS, 9, 1, ADOPTED, 9,
            "Ja (9) erreicht neun Zehntel der abgegebenen Stimmen (mindestens 9)",
        ),
    ],
)  # fmt: skip
def test_the_majority_line_states_the_rule(majority, yes, no, outcome, required, line):
    with force_locale("de"):
        assert majority_line(_motion(majority, yes, no, outcome, required)) == line


def test_the_result_page_says_yes_exceeds_no(vote_world, make_poll, login):
    world = vote_world(members=4)
    poll = make_poll(world, title="Satzung")
    for i, choice in enumerate(["YES", "YES", "YES", "NO"]):
        cast(world, poll.id, i, choice)
    chair = login(world.chair)
    assert chair.post(f"/polls/{poll.id}/close").status_code == 302
    page = chair.get(f"/polls/{poll.id}/declare").text
    assert re.search(r'id="majority-line">\s*Yes \(3\) exceeds No \(1\)\s*<', page), page
    assert "Yes votes required / reached" not in page


def _election(world, make_poll, seats=1):
    poll = make_poll(
        world, kind=PollKind.ELECTION, election_mode=ElectionMode.CHOOSE_UP_TO_N, seats=seats,
        candidates=["Anna", "Ben"], title="Wahl",
    )  # fmt: skip
    with world.session() as s:
        return poll, [o.id for o in options_of(s, poll_id=poll.id)]


def test_an_election_ballot_with_nothing_ticked_is_refused(vote_world, make_poll, login):
    world = vote_world(members=1)
    poll, (anna, _ben) = _election(world, make_poll)
    member = login(world.users[0])
    voter = world.member_ids[0]
    empty = member.post(f"/polls/{poll.id}/vote", data={"voter": voter})
    assert "Confirm your vote" not in empty.text
    assert "Tick the candidates you choose, or “Abstain”." in empty.text
    both = member.post(f"/polls/{poll.id}/vote", data={"voter": voter, "chosen": [anna, 0]})
    assert "Tick either candidates or “Abstain”, not both." in both.text
    abstain = member.post(f"/polls/{poll.id}/vote", data={"voter": voter, "chosen": [0]})
    assert "Confirm your vote" in abstain.text
    assert re.search(r'name="choice" type="hidden" value="ABSTAIN"', abstain.text)
    assert re.search(r'id="choice"><strong>Abstain</strong>', abstain.text)


def test_who_represents_nobody_is_not_told_about_members_they_represent(
    vote_world, make_poll, login
):
    world = vote_world(members=3)
    add_mandate(world, principal=2, proxy=1)
    poll = make_poll(world)
    alone, proxy = login(world.users[0]), login(world.users[1])
    ids = world.member_ids

    receipt = _cast(alone, poll.id, ids[0])
    assert 'id="vote-for-represented"' not in receipt
    voted = alone.get(f"/polls/{poll.id}/vote").text
    assert "You have voted" in voted and "represent" not in voted
    live = alone.get(f"/assemblies/{world.assembly_id}/live").text
    assert "represent" not in live

    # The proxy holder: the way back to the ballot while a vote for their principal is left.
    assert 'id="vote-for-represented"' in _cast(proxy, poll.id, ids[1])
    assert 'id="vote-for-represented"' not in _cast(proxy, poll.id, ids[2])
    voted = proxy.get(f"/polls/{poll.id}/vote").text
    assert "and for every member you represent" in voted


def _cast(client, poll_id, voter):
    r = client.post(f"/polls/{poll_id}/vote", data={"voter": voter, "choice": "YES"})
    choice = re.search(r'name="choice" type="hidden" value="([^"]*)"', r.text).group(1)
    r = client.post(f"/polls/{poll_id}/cast", data={"voter": voter, "choice": choice})
    assert r.status_code == 200 and "Your vote has been cast" in r.text
    return r.text


def test_the_receipt_offers_copy_save_and_print_and_says_why(vote_world, make_poll, login):
    world = vote_world(members=1)
    poll = make_poll(world, title="Satzung")
    page = _cast(login(world.users[0]), poll.id, world.member_ids[0])
    tools = re.search(
        r'<div class="tracker-tools" hidden data-list="trackers"(.*?)</div>', page, re.S
    )
    assert tools, page
    for action in ("copy", "save", "print"):
        assert f'data-action="{action}"' in tools.group(1)
    assert "js/tracker.js" in page
    assert "<strong>Why?</strong> After the close you find your tracker" in page


def test_after_voting_the_live_page_says_so_with_the_vote_counted(
    app, vote_world, make_poll, login
):
    world = vote_world(members=2)
    poll = make_poll(world)
    member = login(world.users[0])
    url = f"/assemblies/{world.assembly_id}/live"
    before = member.get(url).text  # fills the live cache with no vote cast
    assert re.search(r'id="live-turnout" data-poll="\d+" data-votes="0">0<', before)
    assert 'data-voted-poll=""' in before
    _cast(member, poll.id, world.member_ids[0])
    after = member.get(url).text  # the cached state is older than the vote: counted anyway
    assert f'data-voted-poll="{poll.id}"' in after
    assert re.search(r'id="live-turnout" data-poll="\d+" data-votes="1">1<', after), after
    assert "You have voted" in after


def test_the_ballot_box_explains_the_paper_ballots(vote_world, make_poll, login):

    world = vote_world(members=3, form=AssemblyForm.HYBRID)
    poll = make_poll(world)
    with world.session() as s:
        member = world.member_ids[2]
        register_room_voter(
            s, poll=s.get(Poll, poll.id), member_id=member, cast_by_member_id=member, now=utcnow()
        )
        s.commit()
    cast(world, poll.id, 0, "YES")
    cast(world, poll.id, 1, "NO")
    chair = login(world.chair)
    assert chair.post(f"/polls/{poll.id}/close").status_code == 302
    box = login(world.users[0]).get(f"/polls/{poll.id}/box").text
    assert "2 ballots." in box
    assert re.search(r'id="box-paper">1 more vote was cast on paper in the room\. Paper ballots '
                     r"are not in this box", box)  # fmt: skip


def test_a_box_without_paper_ballots_says_nothing_of_them(vote_world, make_poll, login):
    world = vote_world(members=1)
    poll = make_poll(world)
    cast(world, poll.id, 0, "YES")
    assert login(world.chair).post(f"/polls/{poll.id}/close").status_code == 302
    assert 'id="box-paper"' not in login(world.users[0]).get(f"/polls/{poll.id}/box").text
