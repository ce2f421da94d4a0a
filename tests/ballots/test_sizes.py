"""What a vote's pages and requests weigh tells nothing about the choice.

Response and request sizes are in access logs next to the voter's address and visible to whoever
watches the network, even through TLS. For every kind of poll, and for a member voting for
themselves and a proxy voting for one and for two members, every choice of the poll gives the
same byte length of: the confirmation page, the cast request its form sends (no JavaScript), the
receipt page, the live page's cast request and its JSON answer.
"""

from __future__ import annotations

import itertools
import re
from collections import defaultdict
from typing import Any
from urllib.parse import quote_plus, urlencode

import pytest

from governance.ballots import choices as ch
from governance.ballots.forms import ABSTAIN_ID
from governance.ballots.models import ElectionMode, Poll, PollKind
from governance.ballots.shape import shape_of
from governance.ballots.trackers import format_tracker, new_tracker, parse_tracker
from tests.factories_ballots import add_mandate

JSON = {"Accept": "application/json"}
FORM = "application/x-www-form-urlencoded"
TRACKER = re.compile(r"[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){5}-[0-9A-HJKMNP-TV-Z]{2}")

POLLS = {
    "motion": {},
    "choose_up_to_n": {
        "kind": PollKind.ELECTION,
        "election_mode": ElectionMode.CHOOSE_UP_TO_N,
        "seats": 2,
        "candidates": ["Anna", "Bartholomäus Müller-Lüdenscheidt", "Cem & Co <GbR>"],
    },
    "per_candidate": {
        "kind": PollKind.ELECTION,
        "election_mode": ElectionMode.YES_NO_ABSTAIN_PER_CANDIDATE,
        "candidates": ["Anna", "Bartholomäus & Söhne"],
    },
}


def all_choices(shape: ch.Shape) -> list[str]:
    """Every valid choice of the poll, encoded."""
    if shape.kind == PollKind.MOTION:
        return list(ch.MOTION_CHOICES)
    ids = shape.option_ids
    if shape.mode == ElectionMode.YES_NO_ABSTAIN_PER_CANDIDATE:
        answers = itertools.product(ch.ANSWERS, repeat=len(ids))
        return [ch.encode_per_candidate(dict(zip(ids, a, strict=True))) for a in answers]
    picks = (c for n in range(shape.seats + 1) for c in itertools.combinations(ids, n))
    return [ch.encode_choose(list(p)) for p in picks]


def ballot_form(shape: ch.Shape, choice: str, voter: int) -> dict[str, Any]:
    """What the ballot page's form posts for `choice`."""
    meaning = ch.decode(shape, choice)
    if shape.kind == PollKind.MOTION:
        return {"voter": voter, "choice": choice}
    if isinstance(meaning, dict):
        return {"voter": voter, **{f"c{oid}": a for oid, a in meaning.items()}}
    return {"voter": voter, "chosen": [ABSTAIN_ID] if meaning == ch.ABSTAIN else sorted(meaning)}


def cast_body(page: str) -> str:
    """The body a browser sends when the confirmation page's form is submitted."""
    form = re.search(r'<form method="post" action="/polls/\d+/cast">(.*?)</form>', page, re.S)
    inputs = re.findall(r"<input ([^>]*)>", form.group(1))
    pairs = []
    for attrs in inputs:
        name = re.search(r'name="([^"]*)"', attrs).group(1)
        value = re.search(r'value="([^"]*)"', attrs)
        pairs.append((name, value.group(1) if value else ""))
    return urlencode(pairs)


def _confirm(client: Any, poll_id: int, shape: ch.Shape, choice: str, voter: int) -> Any:
    page = client.post(f"/polls/{poll_id}/vote", data=ballot_form(shape, choice, voter))
    assert page.status_code == 200 and 'id="choice"' in page.text, choice
    return page


def _single(lengths: dict[Any, set[int]]) -> None:
    for key, found in lengths.items():
        assert len(found) == 1, f"{key}: sizes {sorted(found)} differ between choices"


@pytest.fixture(params=sorted(POLLS))
def sized_poll(request: Any, vote_world: Any, make_poll: Any) -> Any:
    """An open poll of one kind; 6 members per choice (voters, proxies, principals)."""
    spec = POLLS[request.param]
    candidates = spec.get("candidates", [])
    counted = ch.Shape(
        spec.get("kind", PollKind.MOTION),
        spec.get("election_mode"),
        spec.get("seats", 1),
        tuple(range(len(candidates))),
    )
    n = len(all_choices(counted))
    world = vote_world(members=6 * n)
    for i in range(n):
        add_mandate(world, principal=2 * n + i, proxy=n + i)
        add_mandate(world, principal=4 * n + i, proxy=3 * n + i, slot=1)
        add_mandate(world, principal=5 * n + i, proxy=3 * n + i, slot=2)
    if candidates:  # option ids of one and two digits in the poll under test
        make_poll(world, open=False, **{**spec, "candidates": list("abcdefgh")})
    poll = make_poll(world, **spec)
    with world.session() as s:
        shape = shape_of(s, s.get(Poll, poll.id))[0]
    assert len(all_choices(shape)) == n
    return world, poll.id, shape


def test_confirmation_page_and_its_cast_request_have_one_size(sized_poll, login):
    world, poll_id, shape = sized_poll
    n, ids = len(all_choices(shape)), world.member_ids
    voters = {  # (who, for whom): the user, the member voted for
        "self": (0, ids[0]),
        "proxy for one": (n, ids[2 * n]),
        "proxy for two, first": (3 * n, ids[4 * n]),
        "proxy for two, second": (3 * n, ids[5 * n]),
    }
    pages, bodies = defaultdict(set), defaultdict(set)
    for who, (user, voter) in voters.items():
        client = login(world.users[user])
        for choice in all_choices(shape):
            page = _confirm(client, poll_id, shape, choice, voter)
            pages[who].add(len(page.data))
            bodies[who].add(len(cast_body(page.text)))
    german = login(world.users[1])
    german.post("/lang/de", data={"next": "/"})
    for choice in all_choices(shape):
        page = _confirm(german, poll_id, shape, choice, ids[1])
        assert "Ihre Auswahl" in page.text
        pages["self, German"].add(len(page.data))
        bodies["self, German"].add(len(cast_body(page.text)))
    _single(pages)
    _single(bodies)


def _cast_on_page(client: Any, poll_id: int, shape: ch.Shape, choice: str, voter: int) -> Any:
    """The ballot pages: ballot → confirmation → the confirmation's form posted → receipt."""
    body = cast_body(_confirm(client, poll_id, shape, choice, voter).text)
    receipt = client.post(f"/polls/{poll_id}/cast", data=body, content_type=FORM)
    assert receipt.status_code == 200 and "Your vote has been cast" in receipt.text
    return receipt


def _cast_live(client: Any, world: Any, poll_id: int, choice: str, voter: int) -> Any:
    """The live page's script: choice padded to the width live.json gives, JSON answer."""
    ballot = client.get(f"/assemblies/{world.assembly_id}/live.json").json["poll"]["ballot"]
    width = ballot["pad_to"]
    assert width >= len(quote_plus(choice))  # the padding tops up, it never cuts
    pad = "x" * (width - len(quote_plus(choice)))
    body = urlencode({"voter": voter, "choice": choice, "pad": pad})
    answer = client.post(f"/polls/{poll_id}/cast", data=body, content_type=FORM, headers=JSON)
    assert answer.status_code == 200, answer.json
    return answer


def test_receipt_and_json_answer_have_one_size(sized_poll, login):
    world, poll_id, shape = sized_poll
    ids = world.member_ids
    choices = all_choices(shape)
    n = len(choices)
    receipts, answers, trackers = defaultdict(set), defaultdict(set), []
    for i, choice in enumerate(choices):
        own = _cast_on_page(login(world.users[i]), poll_id, shape, choice, ids[i])
        receipts["self"].add(len(own.data))
        trackers += re.findall(r'<code class="tracker">([^<]*)</code>', own.text)
        proxy = login(world.users[n + i])
        answer = _cast_live(proxy, world, poll_id, choice, ids[2 * n + i])
        answers["proxy for one"].add(len(answer.data))
        trackers += answer.json["trackers"]
        proxy = login(world.users[3 * n + i])
        receipt = _cast_on_page(proxy, poll_id, shape, choice, ids[4 * n + i])
        receipts["proxy for two"].add(len(receipt.data))
        answer = _cast_live(proxy, world, poll_id, choice, ids[5 * n + i])
        answers["proxy for two"].add(len(answer.data))
        trackers += answer.json["trackers"]
        trackers += re.findall(r'<code class="tracker">([^<]*)</code>', receipt.text)
    _single(receipts)
    _single(answers)
    assert len(trackers) == 4 * n and all(TRACKER.fullmatch(t) for t in trackers)


def test_trackers_are_random_base32_of_one_length():
    edges = [bytes(16), b"\xff" * 16, b"\x00" * 15 + b"\x01", b"\x80" + bytes(15)]
    for raw in edges + [new_tracker() for _ in range(500)]:
        assert len(raw) == 16
        shown = format_tracker(raw)
        assert TRACKER.fullmatch(shown) and len(shown) == 32
        assert parse_tracker(shown) == raw
    assert len({new_tracker() for _ in range(500)}) == 500
