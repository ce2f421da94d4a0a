"""The whole general assembly in a real browser, as the people concerned do it.

The board adds a member by hand and imports twenty, prepares a hybrid assembly 15 days ahead,
has three tellers (the secretary, the supervisory board member and a board member) make the
key of its secret polls in their own browsers (issue #20), and convenes it; the invitations arrive at aiosmtpd and the members log in through their
emailed links. A fortnight later (helpers.fortnight_passes) the chair opens the assembly; the
secretary checks members in and sees the proxy an absent member gave on their own page
(and the holder accepted); the members follow the live page, which
offers the ballot when the chair opens the poll. Twenty members cast in twenty browser contexts
at once (one with the keyboard alone; the proxy twice), each ballot encrypted in the page. The
chair closes and seals; two of the three tellers decrypt the sums with their key files; the
chair declares; a member finds their tracker in the ballot box; the secretary's audit passes
and the downloaded bundle verifies outside the app (PyNaCl and pure Python); the minutes are
drafted, signed by the chair and a board member, published by the supervisory board and
downloaded as PDF by a member. Screenshots of every step: test-artifacts/e2e/<test>/.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from governance import coopvote as cv
from governance.accounts.models import Role
from governance.ballots.models import Ballot, Participation, Poll
from governance.db import new_session
from tests.e2e import records, story, tellers
from tests.e2e.conftest import axe_violations
from tests.e2e.helpers import fortnight_passes, new_page, password_login
from tests.e2e.story import CHOICES, VOTERS, Voter
from tests.e2e.voting import vote_in_parallel

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.xdist_group("browser-story")]


@pytest.fixture
def people(make_user: Any, make_member: Any) -> dict[str, Any]:
    """The cooperative's officers: two board members (members themselves), the secretary and
    a member of the supervisory board. Everyone else is created in the browser."""
    chair_member = make_member(
        email="vorstand@e2e.example", last_name="Vorstand", first_names="Vera"
    )
    board_member = make_member(email="vorstand2@e2e.example", last_name="Berg", first_names="Bernd")
    return {
        "chair": make_user(
            roles=[Role.BOARD, Role.MEMBER], email=chair_member.email, member_id=chair_member.id
        ),
        "board": make_user(
            roles=[Role.BOARD, Role.MEMBER], email=board_member.email, member_id=board_member.id
        ),
        "chair_member": chair_member,
        "board_member": board_member,
        "secretary": make_user(roles=[Role.SECRETARY], email="schrift@e2e.example"),
        "supervisor": make_user(roles=[Role.SUPERVISORY_BOARD], email="ar@e2e.example"),
    }


def _voters() -> list[Voter]:
    emails = ["erika.neu@e2e.example"] + [f"m{i:02d}@e2e.example" for i in range(1, VOTERS)]
    return [Voter(email=e, choice=CHOICES[i % len(CHOICES)]) for i, e in enumerate(emails)]


TELLERS = ("secretary", "supervisor", "board")  # teller 1, 2, 3


def _board_prepares(
    browser: Any, url: str, people: dict[str, Any], shots: Any, keys: Path
) -> tuple:
    login = new_page(browser)
    login.goto(url + "/login")
    assert axe_violations(login) == [], "the login page"
    shots(login, "login-page")
    login.context.close()
    board = password_login(browser, url, people["chair"].email)
    story.add_member_by_form(board, url, shots)
    story.import_members(board, url, shots)
    ids = (people["chair"].id, people["secretary"].id)
    assembly_id = story.prepare_assembly(board, url, *ids, shots)
    # Before convening, three tellers make the key of the assembly's secret polls (#20).
    emails = [people[p].email for p in TELLERS]
    key_files = tellers.key_ceremony(browser, url, board, assembly_id, emails, keys, shots)
    story.convene(board, url, assembly_id, shots)
    return board, assembly_id, key_files


def _count(engine: Any, model: Any, poll_id: int) -> int:
    with new_session(engine) as s:
        return int(s.scalar(select(func.count()).where(model.poll_id == poll_id)) or 0)


@dataclass
class Run:
    """What the story's phases share."""

    url: str
    browser: Any
    smtp: Any
    engine: Any
    shots: Any
    people: dict[str, Any]
    voters: list[Voter] = field(default_factory=_voters)
    pages: dict[str, Any] = field(default_factory=dict)
    assembly_id: int = 0
    poll_id: int = 0
    notify: Any = None  # the worker writes the notifications' mails, then they are delivered
    folder: Path = Path()  # the tellers' key files, the auditor's downloads
    keys: dict[int, Path] = field(default_factory=dict)  # teller index → key file


def _members_log_in(run: Run, deliver_mail: Any) -> None:
    deliver_mail()  # the invitations: to aiosmtpd
    story.board_sees_delivery(run.pages["chair"], run.url, run.assembly_id, run.smtp, run.shots)
    story.invitation_read(run.smtp, run.voters[0], run.assembly_id)
    principal = story.resolve_voters(run.engine, run.voters)
    story.first_member_logs_in(run.browser, run.url, run.smtp, run.voters[0], run.shots)
    story.all_log_in_by_mail(run.browser, run.url, run.smtp, run.voters[1:])
    run.shots.lap("members-logged-in")
    run.voters[1].principal = principal  # voter 1 holds the absent member's proxy
    story.give_proxy_on_own_page(
        run.browser, run.url, run.smtp, run.assembly_id, principal, run.voters[1], run.shots
    )
    story.mails_before_the_day(run, run.voters[0])


def _hold_the_vote(run: Run) -> None:
    url, a, shots, voters = run.url, run.assembly_id, run.shots, run.voters
    fortnight_passes(run.engine, a)
    story.open_assembly(run.pages["chair"], url, a, shots)
    secretary = run.pages["secretary"] = password_login(
        run.browser, url, run.people["secretary"].email
    )
    room = [run.people["chair_member"].number, run.people["board_member"].number]
    story.check_in(secretary, url, a, room + [v.number for v in voters[1:4]], shots)
    story.proxy_listed(secretary, url, a, voters[1].principal.number)
    shots(secretary, "secretary-sees-proxy")
    story.join_live(voters, url, a)
    shots.lap("members-on-live-page")
    run.poll_id = story.prepare_and_open_poll(run.pages["chair"], url, a, shots)
    vote_in_parallel(voters, shots)
    trackers = [t for v in voters for t in v.trackers]
    assert len(set(trackers)) == VOTERS + 1
    counted = (
        _count(run.engine, Participation, run.poll_id),
        _count(run.engine, Ballot, run.poll_id),
    )
    assert counted == (VOTERS + 1, VOTERS + 1)


def _count_and_check(run: Run) -> Counter[str]:
    url, a, poll_id, shots = run.url, run.assembly_id, run.poll_id, run.shots
    story.close_poll(run.pages["chair"], url, poll_id, shots)
    # Two of the three tellers decrypt the sums of the sealed box with their key files.
    first = tellers.decrypt(
        run.browser, url, run.people[TELLERS[0]].email, poll_id, run.keys[1], shots
    )
    assert "1 von 2" in first
    last = tellers.decrypt(
        run.browser, url, run.people[TELLERS[2]].email, poll_id, run.keys[3], shots
    )
    assert "abgeschlossen" in last
    story.declare(run.pages["chair"], url, poll_id, shots)
    # A member who voted on the live page and stayed there sees the result arrive on it.
    watcher = run.voters[3].page
    expect(watcher.locator("#live-result")).to_contain_text("Angenommen", timeout=30_000)
    expect(watcher.locator("#live-result a")).to_have_attribute("href", f"/polls/{poll_id}/results")
    shots(watcher, "member-live-result")
    counts = Counter(v.choice for v in run.voters) + Counter({run.voters[1].choice: 1})
    member = run.voters[0].page
    records.results_seen_by_member(member, url, poll_id, counts)
    shots(member, "member-results")
    records.find_tracker(member, url, poll_id, run.voters[0].trackers[0], shots)
    records.audit_passes(run.pages["secretary"], url, a, poll_id, shots)
    records.bundle_verifies(run.pages["secretary"], url, poll_id, run.folder)
    records.close_assembly(run.pages["chair"], url, a)
    return counts


def _minutes(run: Run, counts: Counter[str]) -> None:
    url, a, shots = run.url, run.assembly_id, run.shots
    records.draft_minutes(run.pages["secretary"], url, a, shots)
    records.sign_minutes(run.pages["chair"], url, a, shots, "chair-signed")
    board = password_login(run.browser, url, run.people["board"].email)
    records.sign_minutes(board, url, a, shots, "board-member-signed")
    supervisor = password_login(run.browser, url, run.people["supervisor"].email)
    records.publish_minutes(supervisor, url, a, shots)
    text = records.download_minutes(run.voters[0].page, url, shots)
    with new_session(run.engine) as s:
        seal_root = s.get(Poll, run.poll_id).seal_root
    assert story.TITLE in text and str(counts["YES"]) in text
    assert seal_root in "".join(text.split()), "the minutes carry the seal of the ballot box"
    poll_key = json.loads(run.keys[1].read_text())["Y"]
    assert cv.key_fingerprint(poll_key) in "".join(text.split()), "and the key's fingerprint"
    records.seal_in_minutes_passes(run.pages["secretary"], url, a)


def test_a_general_assembly_in_the_browser(
    one_backend, app, serve, browser, smtp, deliver_mail, people, shots, engine, tmp_path
):
    run = Run(serve(workers=4).url, browser, smtp, engine, shots, people)
    run.notify = story.notifier(app, engine, deliver_mail)
    run.folder = tmp_path
    run.pages["chair"], run.assembly_id, run.keys = _board_prepares(
        browser, run.url, people, shots, tmp_path
    )
    _members_log_in(run, deliver_mail)
    _hold_the_vote(run)
    counts = _count_and_check(run)
    _minutes(run, counts)
    story.mails_after_the_vote(run, run.voters[0])  # started, results, minutes published
