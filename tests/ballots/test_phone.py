"""Phone first on the ballot pages: a choice is a row to tap as a whole (its label wraps the
input), the result chart keeps readable text at a phone's width, and the seal (Merkle root)
stands in a collapsed "Technical verification data" section on members' pages, open for
the staff who run the poll."""

from __future__ import annotations

import re

from governance.ballots.charts import bar_chart
from governance.ballots.models import ElectionMode, Poll, PollKind
from governance.ballots.publishing import publish_poll
from governance.ballots.services import close_poll
from governance.db import utcnow
from tests.factories_ballots import cast

PHONE_CONTENT = 358  # px: a 390 px phone less the page's margins


def _font_on_a_phone(svg: str) -> float:
    """The smallest text of the chart in px when shown at a phone's content width."""
    width = float(re.search(r'<svg[^>]* width="([\d.]+)"', svg).group(1))
    box = float(re.search(r'viewBox="0 0 ([\d.]+) ', svg).group(1))
    fonts = [float(f) for f in re.findall(r'font-size="([\d.]+)"', svg)]
    return min(fonts) * min(width, PHONE_CONTENT) / box


def test_the_chart_keeps_text_readable_on_a_phone():
    long = "Dr. Hanna Berger-Schmidt (Kandidatin des Aufsichtsrats): Ja"
    svg = str(bar_chart([("Ja", 41, "yes"), ("Nein", 10, "no"), (long, 3, "other")], title="T"))
    assert _font_on_a_phone(svg) >= 12
    # Each label stands above its bar, wrapped to the chart's width, not beside it.
    rect_y = [int(y) for y in re.findall(r'<rect x="0" y="(\d+)"', svg)]
    label_y = [int(y) for y in re.findall(r'<text x="0" y="(\d+)"', svg)]
    assert len(rect_y) == 3 and len(label_y) == 4  # the long label takes two lines
    assert label_y[0] < rect_y[0] < label_y[1] < rect_y[1] < label_y[2] < label_y[3] < rect_y[2]
    assert "Dr. Hanna Berger-Schmidt (Kandidatin des" in svg


def test_a_choice_is_a_label_wrapping_its_input(vote_world, make_poll, login):
    world = vote_world(members=2)
    motion = make_poll(world, title="Satzungsänderung")
    member = login(world.users[0])
    page = member.get(f"/polls/{motion.id}/vote").text
    for name, value in (("voter", world.member_ids[0]), ("choice", "YES"), ("choice", "NO")):
        row = re.search(
            rf'<label for="([\w-]+)"><input[^>]* name="{name}"[^>]* value="{value}"', page
        )
        assert row, f"{name}={value} is not wrapped in its label"
        assert f'id="{row.group(1)}"' in row.group(0)
    election = make_poll(
        world, title="Wahl", kind=PollKind.ELECTION, election_mode=ElectionMode.CHOOSE_UP_TO_N,
        seats=1, candidates=["Anna", "Ben"],
    )  # fmt: skip
    page = member.get(f"/polls/{election.id}/vote").text
    # Two candidates and "Abstain", each a row to tap.
    assert len(re.findall(r'<label for="[\w-]+"><input[^>]* name="chosen"', page)) == 3


def _tech(page: str) -> str:
    found = re.search(r'<details class="tech"( open)?>(.*?)</details>', page, re.S)
    assert found, "no technical verification data"
    return found.group(0)


def test_the_seal_is_collapsed_for_members_and_open_for_the_chair(vote_world, make_poll, login):
    world = vote_world(members=2)
    poll = make_poll(world, title="Satzungsänderung")
    cast(world, poll.id, 0, "YES")
    with world.session() as s:
        closed = close_poll(s, poll=s.get(Poll, poll.id), actor=world.chair, now=utcnow())
        publish_poll(s, poll=closed, actor=world.chair, declaration="Angenommen.", now=utcnow())
        s.commit()
        root = s.get(Poll, poll.id).seal_root
    member = login(world.users[1])
    for path in ("", "/results", "/box"):
        page = member.get(f"/polls/{poll.id}{path}").text
        section = _tech(page)
        assert root in section and 'class="tech" open' not in section, path
        assert page.count(root) == 1, f"{path}: the seal stands outside the collapsed section"
        assert "Technical verification data" in section
    chair = login(world.chair).get(f"/polls/{poll.id}").text
    assert '<details class="tech" open>' in chair and root in _tech(chair)
