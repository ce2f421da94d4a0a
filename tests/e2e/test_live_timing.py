"""The live page's requests (static/js/live.js): one per tick. Every wait is the interval the
server told, stretched or shortened by up to a fifth at random, so that pages answered
together do not ask together again; the heartbeat takes the place of the first live-state
request once it is due (its answer carries the state), never later than LATEST_BEAT after the
last one. The page's clock is Playwright's (the page's timers and Date); the server's is real.
The subject is the page's script: one backend (SQLite)."""

from __future__ import annotations

import time
from itertools import pairwise
from typing import Any

import pytest

from governance.assemblies.models import AssemblyForm
from tests.e2e.helpers import password_login

pytestmark = pytest.mark.e2e

# Records every request of the page's script ([page ms, "beat" | "live"]) and how many are
# under way; draws Math.random from window.__draw when it is set.
RECORD = """
window.__sent = [];
window.__pending = 0;
const send = window.fetch.bind(window);
window.fetch = async (url, options) => {
  const kind = String(url).endsWith("/heartbeat") ? "beat" : String(url).endsWith("/live.json") ? "live" : "other";
  window.__sent.push([Date.now(), kind]);
  window.__pending += 1;
  try { return await send(url, options); } finally { window.__pending -= 1; }
};
const draw = Math.random;
Math.random = () => (window.__draw === undefined ? draw() : window.__draw);
"""
START = 1_000_000  # the page's clock at the start (Unix seconds), paused there


def _settled(page: Any) -> None:
    """Wait (in real time) until the page's requests are answered and its script went on."""
    deadline = time.monotonic() + 10
    while page.evaluate("() => window.__pending") and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.05)  # the answer's handling, up to the next setTimeout


def _open(
    browser: Any, url: str, base: str, email: str, draw: float | None, answers: Any = None
) -> Any:
    """The live page, logged in, on a paused clock; `answers` rewrites the server's answers."""
    page = password_login(browser, base, email)
    if answers is not None:
        page.route("**/heartbeat", answers)
        page.route("**/live.json", answers)
    # Installed a minute before START and paused at START: a clock installed at START runs on
    # in real time until pause_at, which cannot go back to START ("fast-forward to the past").
    page.clock.install(time=START - 60)
    page.clock.pause_at(START)
    page.add_init_script(RECORD + ("" if draw is None else f"window.__draw = {draw};"))
    page.goto(url)
    page.wait_for_function("() => window.__sent.length >= 1")
    _settled(page)
    return page


def _run(page: Any, seconds: float, every: float = 1) -> list[tuple[float, str]]:
    """Let `seconds` of the page's time pass, `every` seconds at a time (a request sent within
    a step is answered, and the next wait begins, at the step's end); the requests the page
    sent, in seconds from START."""
    for _ in range(round(seconds / every)):
        page.clock.run_for(round(every * 1000))
        _settled(page)
    return [(at / 1000 - START, kind) for at, kind in page.evaluate("() => window.__sent")]


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_the_beat_takes_the_place_of_a_live_state_request(
    live_server, browser, vote_world, make_poll
):
    world = vote_world(members=1, form=AssemblyForm.VIRTUAL, present=False)  # beats online
    url = f"{live_server.url}/assemblies/{world.assembly_id}/live"
    page = _open(browser, url, live_server.url, world.users[0].email, draw=0.5)  # no jitter
    told = page.evaluate(
        "() => { const d = document.querySelector('[data-poll-seconds]').dataset;"
        " return [Number(d.pollSeconds), Number(d.heartbeatSeconds)]; }"
    )
    assert told == [5, 45]  # one watcher: the live state every 5 s, a beat every 45 s
    sent = _run(page, 40)
    assert sent == [(0, "beat")] + [(5.0 * i, "live") for i in range(1, 9)]
    poll = make_poll(world, title="Entlastung des Vorstands")
    assert poll.title not in page.locator("#live-poll").inner_text()
    # The poll opened on the server; the page's next tick is its beat, and the beat's answer
    # shows the poll: no live-state request in that tick.
    time.sleep(3.2)  # the server's live state is cached for 3 s
    sent = _run(page, 5)
    assert sent[-1] == (45.0, "beat") and sent[-2] == (40.0, "live")
    assert page.locator("#live-poll").inner_text() == poll.title
    sent = _run(page, 50)
    assert [at for at, kind in sent if kind == "beat"] == [0, 45.0, 90.0]
    after = [at for at, kind in sent if kind == "live" and at > 45]
    assert after == [50.0, 55.0, 60.0, 65.0, 70.0, 75.0, 80.0, 85.0, 95.0]
    page.context.close()


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_the_live_page_spreads_its_requests_around_the_told_intervals(
    live_server, browser, vote_world
):
    world = vote_world(members=1, form=AssemblyForm.VIRTUAL, present=False)
    url = f"{live_server.url}/assemblies/{world.assembly_id}/live"
    email = world.users[0].email
    # Math.random at its lowest and high: every wait a fifth shorter, or a tenth longer; the
    # beat is due after 36 s or 49.5 s and comes with the first tick from then on.
    for draw, factor in ((0.0, 0.8), (0.75, 1.1)):
        page = _open(browser, url, live_server.url, email, draw)
        sent = _run(page, 125, every=5 * factor)  # each step ends as a wait ends
        page.context.close()
        times = [at for at, _kind in sent]
        assert all(b - a == pytest.approx(5 * factor, abs=0.01) for a, b in pairwise(times))
        beats = [at for at, kind in sent if kind == "beat"]
        assert len(beats) >= 3 and beats[0] == 0
        assert all(45 * factor - 0.01 <= b - a <= 50 * factor + 0.01 for a, b in pairwise(beats))
    # Drawn at random: one request per tick, every wait within the bounds, every beat within
    # 36 s (45 s less a fifth) and 54 s + a tick of the one before.
    page = _open(browser, url, live_server.url, email, None)
    sent = _run(page, 300, every=2)
    page.context.close()
    times = [at for at, _kind in sent]
    assert all(4.0 - 0.01 <= b - a <= 6.0 + 2.01 for a, b in pairwise(times))
    beats = [at for at, kind in sent if kind == "beat"]
    assert len(beats) >= 5 and all(36 <= b - a <= 60 + 2.01 for a, b in pairwise(beats))


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_a_long_interval_never_delays_the_beat_beyond_its_latest(live_server, browser, vote_world):
    """Told to ask for the live state only every 100 s (more than a busy server tells), the page
    still beats within LATEST_BEAT (96 s) of its last beat: presence lasts 120 s."""
    world = vote_world(members=1, form=AssemblyForm.VIRTUAL, present=False)
    url = f"{live_server.url}/assemblies/{world.assembly_id}/live"

    def stretched(route: Any) -> None:
        answer = route.fetch()
        if answer.status != 200:  # a 304: the page keeps what it has
            route.fulfill(response=answer)
            return
        body = answer.json()
        for state in (body, body.get("live")):
            if isinstance(state, dict) and "poll_seconds" in state:
                state["poll_seconds"] = 100
        route.fulfill(response=answer, json=body)

    page = _open(browser, url, live_server.url, world.users[0].email, 0.999, stretched)
    sent = _run(page, 300, every=4)
    page.context.close()
    assert [kind for _at, kind in sent] == ["beat"] * 4  # every tick is due for a beat
    assert [at for at, _kind in sent] == pytest.approx([0, 96, 192, 288], abs=0.01)


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_a_failed_beat_is_followed_by_the_live_state_and_retried(live_server, browser, vote_world):
    """A beat the server does not answer (503): the page asks for the live state in the same
    tick, so it stays current, and tries the beat again after RETRY (10 s), also after
    LATEST_BEAT has passed: never in a tight loop."""
    world = vote_world(members=1, form=AssemblyForm.VIRTUAL, present=False)
    url = f"{live_server.url}/assemblies/{world.assembly_id}/live"

    def failing(route: Any) -> None:
        if route.request.url.endswith("/heartbeat"):
            route.fulfill(status=503, body="")
            return
        answer = route.fetch()
        if answer.status != 200:
            route.fulfill(response=answer)
            return
        route.fulfill(response=answer, json=answer.json() | {"poll_seconds": 100})

    page = _open(browser, url, live_server.url, world.users[0].email, 0.5, failing)
    sent = _run(page, 150, every=10)
    page.context.close()
    assert [kind for _at, kind in sent] == ["beat", "live"] * 16  # ticks at 0, 10, …, 150 s
    assert [at for at, _kind in sent[::2]] == [10.0 * i for i in range(16)]
