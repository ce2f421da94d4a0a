"""A full poll through the UI: prepare, open, 20 members and a proxy vote, close, publish,
a member finds their tracker in the sealed ballot box."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from governance.ballots.models import Ballot, Participation, Poll, PollState
from tests.factories_ballots import add_mandate

TRACKER = re.compile(r'<code class="tracker">([0-9A-Z-]+)</code>')


def _vote(client, poll_id, voter, choice):
    r = client.post(f"/polls/{poll_id}/vote", data={"voter": voter, "choice": choice})
    assert r.status_code == 200 and "Confirm your vote" in r.text, r.text[:2000]
    r = client.post(f"/polls/{poll_id}/cast", data={"voter": voter, "choice": choice})
    assert r.status_code == 200, r.text[:2000]
    return TRACKER.findall(r.text)


def _open_poll(world, login):
    chair = login(world.chair)
    r = chair.post(
        f"/polls/assembly/{world.assembly_id}/new",
        data={
            "title": "Entlastung des Aufsichtsrats",
            "kind": "MOTION",
            "majority": "SIMPLE",
            "election_mode": "CHOOSE_UP_TO_N",
            "seats": 1,
            "agenda_item_id": 0,
            "secret": "y",
            "publish_choices": "y",
        },
    )
    assert r.status_code == 302, r.text
    poll_id = int(r.headers["Location"].rstrip("/").rsplit("/", 1)[-1])
    assert chair.post(f"/polls/{poll_id}/open").status_code == 302
    return chair, poll_id


def test_full_poll_through_the_ui(vote_world, login):
    world = vote_world(members=22)
    world_absent = world.member_ids[21]
    add_mandate(world, principal=21, proxy=20)
    chair, poll_id = _open_poll(world, login)
    assert "is open" in chair.get(f"/polls/{poll_id}", follow_redirects=True).text
    trackers = {}
    for i in range(20):
        member = login(world.users[i])
        assert member.get(f"/polls/{poll_id}/vote").status_code == 200
        found = _vote(member, poll_id, world.member_ids[i], "YES" if i < 12 else "NO")
        assert len(found) == 1
        trackers[i] = found[0]
        again = member.post(
            f"/polls/{poll_id}/cast", data={"voter": world.member_ids[i], "choice": "NO"}
        )
        assert again.status_code == 302  # "already voted", back to the ballot
    proxy = login(world.users[20])
    page = proxy.get(f"/polls/{poll_id}/vote").text
    assert "(proxy)" in page and "Myself" in page
    assert len(_vote(proxy, poll_id, world.member_ids[20], "ABSTAIN")) == 1
    assert len(_vote(proxy, poll_id, world_absent, "NO")) == 1
    assert "You have voted" in proxy.get(f"/polls/{poll_id}/vote").text
    third = proxy.post(f"/polls/{poll_id}/cast", data={"voter": world_absent, "choice": "YES"})
    assert third.status_code == 302
    poll_page = chair.get(f"/polls/{poll_id}").text
    assert "22 members have voted" in poll_page and "result-figures" not in poll_page

    assert chair.post(f"/polls/{poll_id}/close").status_code == 302
    with world.session() as s:
        poll = s.get(Poll, poll_id)
        assert poll.state == PollState.SEALED
        assert s.scalar(select(func.count()).select_from(Ballot)) == 22
        assert s.scalar(select(func.count()).select_from(Participation)) == 22
    declare = chair.get(f"/polls/{poll_id}/declare")
    assert declare.status_code == 200 and "<svg" in declare.text
    r = chair.post(
        f"/polls/{poll_id}/declare",
        data={"declaration": "Der Antrag ist angenommen.", "confirm": "y"},
    )
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/polls/{poll_id}/results")

    member = login(world.users[3])
    results = member.get(f"/polls/{poll_id}/results").text
    assert "<svg" in results and "Adopted" in results and "Der Antrag ist angenommen." in results
    assert "Simple majority of votes cast" in results  # the rule's label, not its code
    # Checked in in the room, they voted on their devices: online; "in the room" is paper.
    assert "online 21, by proxy 1, on paper in the room 0" in results
    assert re.search(r"<th scope=\"row\">Yes</th><td class=\"num\">12</td>", results)
    assert re.search(r"<th scope=\"row\">No</th><td class=\"num\">9</td>", results)
    box = member.get(f"/polls/{poll_id}/box").text
    assert all(t in box for t in trackers.values())
    lookup = member.post(f"/polls/{poll_id}/box", data={"tracker": trackers[3].lower()})
    assert "is in the box" in lookup.text and "<strong>Yes</strong>" in lookup.text
    wrong = member.post(f"/polls/{poll_id}/box", data={"tracker": "0" * 26})
    assert "is not in the box" in wrong.text
    audit = chair.get(f"/polls/{poll_id}/audit").text
    assert "failed" not in audit


def test_tracker_never_in_session_or_logs(vote_world, login, caplog):
    world = vote_world(members=2)
    _chair, poll_id = _open_poll(world, login)
    member = login(world.users[0])
    caplog.set_level("DEBUG")
    [tracker] = _vote(member, poll_id, world.member_ids[0], "YES")
    with member.session_transaction() as sess:
        assert tracker not in repr(dict(sess))
    raw = tracker.replace("-", "")
    assert raw not in caplog.text and tracker not in caplog.text
