"""Prometheus metrics (/metrics): off by default, behind a token when one is set, and every
figure read from the database (any worker answers the same)."""

from __future__ import annotations

import pytest

from tests.factories_ballots import cast


def test_metrics_are_off_by_default(client):
    assert client.get("/metrics").status_code == 404


@pytest.mark.parametrize("app_config", [{"METRICS_ENABLED": True, "METRICS_TOKEN": "s3cret-token"}])
def test_metrics_tell_votes_presence_and_queues(app, vote_world, make_poll):
    client = app.test_client()
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    world = vote_world(members=3)
    poll = make_poll(world)
    cast(world, poll.id, 0, "YES")
    cast(world, poll.id, 1, "NO")
    r = client.get("/metrics", headers={"Authorization": "Bearer s3cret-token"})
    assert r.status_code == 200 and r.mimetype == "text/plain"
    text = r.get_data(as_text=True)
    assert "governance_votes_cast_total 2.0" in text
    assert "governance_polls_open 1.0" in text
    assert 'governance_jobs_waiting{kind="mail"}' in text
    assert 'governance_members_present{channel="ONLINE"}' in text
    assert "governance_minutes_render_seconds_count 0.0" in text
    # Counts only: no choice, no tracker, no name leaves through the metrics.
    assert "YES" not in text and "NO " not in text
