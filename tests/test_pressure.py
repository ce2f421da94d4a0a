"""Load shedding (issue #19): a busy process tells the live pages to ask and beat less often;
the cast is never refused or slowed for it."""

from __future__ import annotations

import os
import socket
import time

import pytest

from governance.assemblies.models import AssemblyForm, AssemblyState
from governance.pressure import Pressure, accept_queue, listening_sockets


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _busy(pressure: Pressure, clock: Clock, share: float, seconds: float = 5.0) -> None:
    """Requests fill `share` of the next `seconds`, then the window ends."""
    start = clock.now
    pressure.record(start, start + share * seconds)
    clock.now = start + seconds


def test_the_factor_follows_the_share_of_time_spent_in_requests():
    clock = Clock()
    pressure = Pressure(clock=clock)
    assert pressure.factor() == 1  # nothing measured yet
    _busy(pressure, clock, 0.5)
    assert pressure.utilisation() == pytest.approx(0.5) and pressure.factor() == 1
    _busy(pressure, clock, 0.85)
    assert pressure.factor() == 2
    _busy(pressure, clock, 1.0)
    assert pressure.factor() == 4
    clock.now += 30  # an idle stretch: the pages are told the usual interval again
    assert pressure.factor() == 1


def test_a_request_from_before_the_window_counts_from_its_start():
    clock = Clock()
    pressure = Pressure(clock=clock)
    pressure.record(clock.now, clock.now)  # opens the window
    clock.now += 3.0
    pressure.record(clock.now - 10.0, clock.now)  # began 7 s before the window: 3 s counted
    clock.now += 2.5
    assert pressure.utilisation() == pytest.approx(3.0 / 5.5)


@pytest.fixture
def app_config():
    return {"LOAD_SHEDDING": True}


@pytest.fixture
def busy(app):
    """The app's process at full load, from now on."""
    clock = Clock()
    pressure = Pressure(clock=clock)
    _busy(pressure, clock, 1.0)
    app.extensions["governance.pressure"] = pressure
    app.extensions.pop("assemblies.live_cache", None)
    return pressure


def test_a_busy_server_tells_the_live_pages_to_ask_and_beat_less_often(
    busy, vote_world, make_poll, login
):
    world = vote_world(members=1, form=AssemblyForm.VIRTUAL)
    poll = make_poll(world)
    client = login(world.users[0])
    live = client.get(f"/assemblies/{world.assembly_id}/live.json")
    assert live.json["poll"]["id"] == poll.id
    assert live.json["poll_seconds"] == 20  # 5 s × 4
    beat = client.post(f"/assemblies/{world.assembly_id}/heartbeat")
    assert beat.json["beat_seconds"] == 80  # 45 × 4, at most 80 s


def test_a_busy_server_tells_pages_waiting_for_a_poll_the_usual_interval(
    app, busy, login, make_user, make_member, make_assembly
):
    """With no poll open the pages wait for its opening: told to wait longer, they would learn
    of it late and cast all at once after the poll's first seconds. The heartbeat is shed."""
    member = make_member()
    user = make_user(member_id=member.id)
    assembly = make_assembly(
        state=AssemblyState.IN_SESSION, form=AssemblyForm.VIRTUAL, members=[member]
    )
    client = login(user)
    live = client.get(f"/assemblies/{assembly.id}/live.json")
    assert live.json["poll"] is None and live.json["poll_seconds"] == 5
    beat = client.post(f"/assemblies/{assembly.id}/heartbeat")
    assert beat.json["beat_seconds"] == 80


def test_the_cast_is_never_shed(busy, vote_world, make_poll, login):
    world = vote_world(members=1)
    poll = make_poll(world)
    r = login(world.users[0]).post(
        f"/polls/{poll.id}/cast",
        data={"voter": world.member_ids[0], "choice": "YES"},
        headers={"Accept": "application/json"},
    )
    assert r.status_code == 200 and r.json["trackers"]


def test_every_request_is_measured(app):
    pressure = app.extensions["governance.pressure"]
    app.test_client().get("/healthz")
    assert pressure._start is not None


def test_the_accept_queue_is_read_from_the_listening_socket():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    clients = [socket.create_connection(server.getsockname()) for _ in range(7)]
    found = listening_sockets()
    try:
        mine = [s for s in found if s.getsockname() == server.getsockname()]
        assert len(mine) == 1
        deadline = time.monotonic() + 5
        while accept_queue(mine) != 7 and time.monotonic() < deadline:
            time.sleep(0.01)  # the handshakes complete in the kernel
        assert accept_queue(mine) == 7
        server.accept()[0].close()
        assert accept_queue(mine) == 6
        assert accept_queue([]) is None
    finally:
        for sock in clients + found:
            sock.close()
        server.close()


def test_requests_waiting_for_a_worker_raise_the_factor_before_the_workers_look_busy():
    clock = Clock()
    waiting = {"n": 0}
    pressure = Pressure(clock=clock, queue=lambda: waiting["n"], workers=2)
    start = clock.now
    for i in range(10):  # ten requests of 10 ms: the workers look idle
        pressure.record(start + i * 0.5, start + i * 0.5 + 0.01)
    clock.now = start + 5.0
    assert pressure.utilisation() == pytest.approx(0.02) and pressure.factor() == 1
    waiting["n"] = 120  # 120 × 10 ms / 2 workers = 0.6 s
    clock.now += 1  # the queue is read again after QUEUE_READ_SECONDS
    assert pressure.wait() == pytest.approx(0.6) and pressure.factor() == 4
    waiting["n"] = 25  # 0.125 s
    clock.now += 1
    assert pressure.factor() == 2
    waiting["n"] = 15  # fewer than QUEUE_FLOOR per worker: a page's own assets, not a queue
    clock.now += 1
    assert pressure.wait() == 0 and pressure.factor() == 1
    waiting["n"] = 0
    clock.now += 1
    assert pressure.factor() == 1


def test_looking_for_listening_sockets_leaves_no_descriptor_open():
    """Only sockets are duplicated, and only the listening ones kept: a stray copy of a pipe
    would keep it open after its owner closed it (a child waiting for EOF would wait forever)."""
    reader, writer = os.pipe()
    try:
        before = set(os.listdir("/proc/self/fd"))
        found = listening_sockets()
        for sock in found:
            sock.close()
        assert set(os.listdir("/proc/self/fd")) == before
    finally:
        os.close(reader)
        os.close(writer)
