"""Invalid encrypted ballots are rate-limited per login (each costs a full proof check):
beyond the limit the cast answers 429 with a message; other logins, and refusals that are not
invalid ballots ("already voted"), do not count."""

from __future__ import annotations

import pytest

from governance import coopvote as cv
from tests.ballots.test_encrypted_cast import encrypted_poll, post


@pytest.fixture
def app_config():
    return {"RATELIMIT_ENABLED": True, "INVALID_BALLOT_LIMIT_PER_LOGIN": "3 per minute"}


def test_invalid_ballots_are_limited_per_login(vote_world, make_poll, login):
    world = vote_world(members=3)
    poll, key = encrypted_poll(world, make_poll)
    bad = cv.encrypt(key, [[1, 0, 0]]).wire.replace('"alpha":"', '"alpha":"0', 1)
    member = login(world.users[0])
    for _ in range(3):
        assert post(member, poll, world.member_ids[0], bad).status_code == 422
    refused = post(member, poll, world.member_ids[0], cv.encrypt(key, [[1, 0, 0]]).wire)
    assert refused.status_code == 429 and "Too many invalid ballots" in refused.json["error"]
    # Another login is not limited; its repeated "already voted" answers never count.
    other = login(world.users[1])
    assert (
        post(other, poll, world.member_ids[1], cv.encrypt(key, [[0, 1, 0]]).wire).status_code == 200
    )
    for _ in range(5):
        again = post(other, poll, world.member_ids[1], cv.encrypt(key, [[0, 1, 0]]).wire)
        assert again.status_code == 409


def test_a_plain_cast_is_not_held_by_the_invalid_ballot_limit(vote_world, make_poll, login):
    """The limit guards the proof checks: once a login is beyond it, a poll without a key (no
    proofs to check) still takes that login's vote."""
    world = vote_world(members=1)
    plain = make_poll(world, title="Entlastung des Vorstands")  # before the key: plain
    poll, key = encrypted_poll(world, make_poll)
    bad = cv.encrypt(key, [[1, 0, 0]]).wire.replace('"alpha":"', '"alpha":"0', 1)
    member = login(world.users[0])
    for _ in range(3):
        assert post(member, poll, world.member_ids[0], bad).status_code == 422
    assert post(member, poll, world.member_ids[0], bad).status_code == 429
    answer = member.post(
        f"/polls/{plain.id}/cast",
        data={"voter": world.member_ids[0], "choice": "YES"},
        headers={"Accept": "application/json"},
    )
    assert answer.status_code == 200 and answer.json["trackers"]
