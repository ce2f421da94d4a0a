"""Logging (governance/logs.py): a request id on every line and in the response, JSON on
request, and nothing secret in the log of a whole vote."""

from __future__ import annotations

import io
import json
import logging

from sqlalchemy import select

from governance import logs
from governance.ballots.models import Poll
from governance.ballots.publishing import publish_poll
from governance.ballots.services import close_poll
from governance.ballots.trackers import format_tracker
from governance.db import new_session, utcnow
from tests.factories_ballots import add_mandate

JSON = {"Accept": "application/json"}


def test_every_response_carries_a_request_id(client):
    first, second = client.get("/login"), client.get("/login")
    assert len(first.headers["X-Request-ID"]) == 16
    assert first.headers["X-Request-ID"] != second.headers["X-Request-ID"]
    offered = client.get("/login", headers={"X-Request-ID": "proxy-1234-abcd"})
    assert offered.headers["X-Request-ID"] == "proxy-1234-abcd"
    forged = client.get("/login", headers={"X-Request-ID": "<script>alert(1)</script>"})
    assert forged.headers["X-Request-ID"] != "<script>alert(1)</script>"
    assert len(forged.headers["X-Request-ID"]) == 16


def test_json_lines_carry_the_request_id(app):
    stream = io.StringIO()
    logs.configure(fmt="json", level="INFO")
    root = logging.getLogger()
    handler = next(h for h in root.handlers if h.get_name() == logs.HANDLER_NAME)
    handler.setStream(stream)  # type: ignore[attr-defined]
    try:
        with app.test_request_context("/"):
            app.preprocess_request()
            logging.getLogger("governance.test").info("Einladung an %s", "alle")
            request_id = logs.g.request_id
        logging.getLogger("governance.test").warning("outside")
    finally:
        root.removeHandler(handler)
    inside, outside = (json.loads(line) for line in stream.getvalue().splitlines())
    assert inside["message"] == "Einladung an alle" and inside["request_id"] == request_id
    assert inside["level"] == "INFO" and inside["logger"] == "governance.test"
    assert outside["request_id"] == "-"


def test_configure_twice_keeps_one_handler():
    logs.configure(fmt="plain", level="WARNING")
    logs.configure(fmt="plain", level="WARNING")
    root = logging.getLogger()
    ours = [h for h in root.handlers if h.get_name() == logs.HANDLER_NAME]
    assert len(ours) == 1
    assert logging.getLogger("sqlalchemy.engine").level == logging.WARNING
    root.removeHandler(ours[0])


def test_nothing_secret_in_the_log_of_a_whole_vote(vote_world, make_poll, login, caplog):
    """Every record of every logger at DEBUG, over casting (form and live page, own vote and
    a proxy's), sealing and publishing: no tracker, no choice, no password."""
    caplog.set_level(logging.DEBUG)
    world = vote_world(members=4)
    add_mandate(world, principal=3, proxy=2)
    poll = make_poll(world, title="Feststellung des Jahresabschlusses")
    trackers = []
    for i, choice in enumerate(("ABSTAIN", "NO")):
        client = login(world.users[i])
        r = client.post(
            f"/polls/{poll.id}/cast", data={"voter": world.member_ids[i], "choice": choice}
        )
        assert r.status_code == 200
        trackers += [t for t in r.get_data(as_text=True).split() if len(t) >= 26 and "-" in t]
    proxy = login(world.users[2])
    for voter in (world.member_ids[2], world.member_ids[3]):
        r = proxy.post(
            f"/polls/{poll.id}/cast", data={"voter": voter, "choice": "ABSTAIN"}, headers=JSON
        )
        assert r.status_code == 200, r.get_data(as_text=True)
        trackers += r.json["trackers"]
    with new_session(world.engine) as s:
        row = s.get(Poll, poll.id)
        close_poll(s, poll=row, actor=None, now=utcnow())
        publish_poll(s, poll=row, actor=None, declaration="Angenommen.", now=utcnow())
        s.commit()
        raw = [format_tracker(t) for t in s.scalars(select_trackers(poll.id))]
    assert len(raw) == 4
    text = "\n".join(
        f"{r.name} {r.getMessage()} {r.exc_text or ''} {getattr(r, 'args', '')}"
        for r in caplog.records
    )
    assert caplog.records, "the vote logged nothing at all: the test would prove nothing"
    for secret in {*raw, *(t.replace("-", "") for t in raw)}:
        assert secret not in text
    for choice in ("ABSTAIN", "'NO'", "choice="):
        assert choice not in text
    assert "password" not in text.lower()


def select_trackers(poll_id: int):
    from governance.ballots.models import Ballot

    return select(Ballot.tracker).where(Ballot.poll_id == poll_id)
