"""The lean limits' counts (governance/ratelimit.py): several processes share one storage and
tell it their counts in batches; a refusal is always decided on the shared count."""

from __future__ import annotations

import time

from limits.storage import MemoryStorage

from governance import ratelimit
from governance.ratelimit import Counts


def test_one_process_is_exact_whatever_the_batch():
    counts = Counts(MemoryStorage(), batch=4)
    assert [counts.hit("k", 10, 60) for _ in range(13)] == [True] * 10 + [False] * 3


def test_processes_sharing_a_storage_exceed_the_limit_by_less_than_a_batch_each():
    storage = MemoryStorage()
    processes = [Counts(storage, batch=4) for _ in range(3)]
    taken = [0, 0, 0]
    for i in range(90):
        if processes[i % 3].hit("k", 30, 60):
            taken[i % 3] += 1
    assert 30 <= sum(taken) <= 30 + 3 * (4 - 1), taken
    # Every request let through was told to the storage before a refusal was decided.
    assert storage.get("k") >= sum(taken)


def test_a_refusal_is_decided_on_the_shared_count():
    storage = MemoryStorage()
    busy, quiet = Counts(storage, batch=4), Counts(storage, batch=4)
    assert all(busy.hit("k", 8, 60) for _ in range(8))  # told: 8 of 8
    assert quiet.hit("k", 8, 60)  # within its batch, not yet told
    assert not busy.hit("k", 8, 60)  # the storage counts 9 now
    assert [quiet.hit("k", 8, 60) for _ in range(3)] == [True, True, False]  # told at 4: 13 > 8


def test_a_window_ends_and_the_count_starts_again():
    counts = Counts(MemoryStorage(), batch=4)
    assert [counts.hit("k", 2, 1) for _ in range(3)] == [True, True, False]
    time.sleep(1.1)
    assert counts.hit("k", 2, 1)


def test_allows_counts_nothing():
    counts = Counts(MemoryStorage(), batch=1)
    assert all(counts.allows("k", 2, 60) for _ in range(5))
    assert counts.hit("k", 2, 60) and counts.allows("k", 2, 60)
    assert counts.hit("k", 2, 60) and not counts.allows("k", 2, 60)


def test_ended_windows_are_swept(monkeypatch):
    monkeypatch.setattr(ratelimit, "SWEEP_EVERY", 10)
    counts = Counts(MemoryStorage(), batch=4)
    for i in range(9):
        counts.hit(f"old-{i}", 5, 1)
    time.sleep(1.1)
    counts.hit("new", 5, 60)  # the tenth new window: the sweep
    assert set(counts.tallies) == {"new"}
