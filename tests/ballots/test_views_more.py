"""The ballot page for elections, named polls, paper ballots in a hybrid assembly, and a
ballot box published as trackers only — through the UI."""

from __future__ import annotations

import re

from governance.assemblies.models import AssemblyForm
from governance.ballots.models import ElectionMode, Poll, PollKind, PollState
from governance.ballots.services import options_of
from tests.factories_ballots import cast

TRACKER = re.compile(r'<code class="tracker">([0-9A-Z-]+)</code>')


def _confirm_and_cast(client, poll_id, data):
    r = client.post(f"/polls/{poll_id}/vote", data=data)
    assert "Confirm your vote" in r.text, r.text[:3000]
    choice = re.search(r'name="choice" type="hidden" value="([^"]*)"', r.text).group(1)
    r = client.post(f"/polls/{poll_id}/cast", data={"voter": data["voter"], "choice": choice})
    return r, choice


def _publish(chair, poll_id):
    assert chair.post(f"/polls/{poll_id}/close").status_code == 302
    r = chair.post(f"/polls/{poll_id}/declare", data={"declaration": "Erklärt.", "confirm": "y"})
    assert r.status_code == 302, r.text[:3000]


def test_election_ballots_through_the_ui(vote_world, make_poll, login):
    world = vote_world(members=3)
    per = make_poll(
        world,
        kind=PollKind.ELECTION,
        seats=1,
        candidates=["Anna", "Ben"],
        election_mode=ElectionMode.YES_NO_ABSTAIN_PER_CANDIDATE,
    )
    choose = make_poll(
        world,
        kind=PollKind.ELECTION,
        seats=1,
        candidates=["Anna", "Ben"],
        election_mode=ElectionMode.CHOOSE_UP_TO_N,
    )
    with world.session() as s:
        a, b = [o.id for o in options_of(s, poll_id=per.id)]
        ca, cb = [o.id for o in options_of(s, poll_id=choose.id)]
    member = login(world.users[0])
    page = member.get(f"/polls/{per.id}/vote").text
    assert 'type="radio"' in page and "<legend>Anna</legend>" in page and "<label" in page
    r, choice = _confirm_and_cast(
        member, per.id, {"voter": world.member_ids[0], f"c{a}": "Y", f"c{b}": "N"}
    )
    assert r.status_code == 200 and choice == f"{a}=Y;{b}=N" and TRACKER.search(r.text)
    too_many = member.post(
        f"/polls/{choose.id}/vote", data={"voter": world.member_ids[0], "chosen": [ca, cb]}
    )
    assert "Choose at most 1" in too_many.text
    r, choice = _confirm_and_cast(member, choose.id, {"voter": world.member_ids[0], "chosen": [cb]})
    assert r.status_code == 200 and choice == str(cb)
    chair = login(world.chair)
    _publish(chair, choose.id)
    results = member.get(f"/polls/{choose.id}/results").text
    assert "Elected: Ben" in results and "<svg" in results


def test_named_poll_lists_who_voted_what(vote_world, make_poll, login):
    world = vote_world(members=2)
    poll = make_poll(world, secret=False)
    cast(world, poll.id, 0, "YES")
    cast(world, poll.id, 1, "NO")
    _publish(login(world.chair), poll.id)
    text = login(world.users[0]).get(f"/polls/{poll.id}/results").text
    assert 'id="named"' in text
    assert re.search(r"Wähler\d+, Eva</td><td>Yes", text) and re.search(r"Eva</td><td>No", text)


def test_trackers_only_box_hides_choices(vote_world, make_poll, login):
    world = vote_world(members=2)
    poll = make_poll(world, publish_choices=False)
    [tracker] = [cast(world, poll.id, 0, "YES").trackers[0]]
    _publish(login(world.chair), poll.id)
    from governance.ballots.trackers import format_tracker

    member = login(world.users[1])
    box = member.get(f"/polls/{poll.id}/box").text
    assert format_tracker(tracker) in box and "<th>Choice</th>" not in box
    found = member.post(f"/polls/{poll.id}/box", data={"tracker": format_tracker(tracker)}).text
    assert "is in the box" in found and "<strong>" not in found.split("lookup-result")[1][:200]


def test_hybrid_paper_flow_through_the_ui(vote_world, make_poll, login):
    world = vote_world(members=3, form=AssemblyForm.HYBRID)
    poll = make_poll(world)
    chair = login(world.chair)
    assert f"member={world.member_ids[0]}" in chair.get(f"/polls/{poll.id}/room").text
    r = chair.post(f"/polls/{poll.id}/room", data={"member_id": world.member_ids[0]})
    assert r.status_code == 302
    member = login(world.users[0])
    assert "You have voted" in member.get(f"/polls/{poll.id}/vote").text
    cast(world, poll.id, 1, "NO")
    assert chair.post(f"/polls/{poll.id}/close").status_code == 302
    wrong = chair.post(
        f"/polls/{poll.id}/paper",
        data={"i_YES": 2, "i_NO": 0, "i_ABSTAIN": 0, "i_INVALID": 0},
        follow_redirects=True,
    )
    assert "counted 2 paper ballots, but 1 votes were registered" in wrong.text
    ok = chair.post(
        f"/polls/{poll.id}/paper", data={"i_YES": 1, "i_NO": 0, "i_ABSTAIN": 0, "i_INVALID": 0}
    )
    assert ok.status_code == 302
    declare = chair.get(f"/polls/{poll.id}/declare").text
    assert "Tie" in declare or "not adopted (tie)" in declare
    chair.post(
        f"/polls/{poll.id}/declare", data={"declaration": "Stimmengleichheit.", "confirm": "y"}
    )
    with world.session() as s:
        assert s.get(Poll, poll.id).state == PollState.PUBLISHED
    results = member.get(f"/polls/{poll.id}/results").text
    assert re.search(
        r"<th scope=\"row\">Yes</th><td class=\"num\">1</td><td class=\"num\">0"
        r"</td><td class=\"num\">1</td>",
        results,
    )
