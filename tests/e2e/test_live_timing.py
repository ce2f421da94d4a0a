"""The live page spreads its requests: every wait for the next live state and the next
heartbeat is the interval the server told, stretched or shortened by up to a fifth at random
(static/js/live.js), so that pages answered together do not ask together again. The subject is
the page's script: one backend (SQLite)."""

from __future__ import annotations

from typing import Any

import pytest

from governance.assemblies.models import AssemblyForm
from tests.e2e.helpers import password_login

pytestmark = pytest.mark.e2e

# Records the waits the page schedules (1 s or more) and draws Math.random from window.__draw.
RECORD = """
window.__waits = [];
const schedule = window.setTimeout;
window.setTimeout = (fn, ms, ...rest) => {
  if (ms >= 1000) window.__waits.push(ms);
  return schedule(fn, ms, ...rest);
};
const draw = Math.random;
Math.random = () => (window.__draw === undefined ? draw() : window.__draw);
"""


def _waits(page: Any, url: str, draw: float | None) -> tuple[list[float], float, float]:
    """The waits the live page scheduled after loading, with Math.random fixed to `draw`;
    and the intervals it was told (live state, heartbeat), in ms."""
    page.add_init_script(RECORD + ("" if draw is None else f"window.__draw = {draw};"))
    page.goto(url)
    page.wait_for_function("() => window.__waits.length >= 2")
    told = page.evaluate(
        "() => { const d = document.querySelector('[data-poll-seconds]').dataset;"
        " return [Number(d.pollSeconds) * 1000, Number(d.heartbeatSeconds) * 1000]; }"
    )
    return page.evaluate("() => window.__waits"), told[0], told[1]


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_the_live_page_spreads_its_waits_around_the_told_intervals(
    live_server, browser, vote_world
):
    world = vote_world(members=1, form=AssemblyForm.VIRTUAL, present=False)  # beats online
    url = f"{live_server.url}/assemblies/{world.assembly_id}/live"
    # Math.random at its lowest and highest: a fifth shorter and (nearly) a fifth longer.
    for draw, factor in ((0.0, 0.8), (0.999, 1.1996), (None, None)):
        page = password_login(browser, live_server.url, world.users[0].email)
        waits, poll, beat = _waits(page, url, draw)
        page.context.close()
        assert poll > 0 and beat > 0, "the page is told both intervals"
        if factor is None:  # drawn at random: within the bounds
            assert all(poll * 0.8 <= w <= beat * 1.2 for w in waits)
        else:
            assert pytest.approx(poll * factor) in waits
            assert pytest.approx(beat * factor) in waits
