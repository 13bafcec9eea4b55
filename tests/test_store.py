"""MemoryDedupStore: claim / commit / release, expiry, the size cap, and atomic claims."""

from __future__ import annotations

import threading

import pytest
from receiver_helpers import FrozenClock

from receiver.store import (
    DEFAULT_CLAIM_TIMEOUT_SECONDS,
    DEFAULT_RETENTION_SECONDS,
    ClaimOutcome,
    MemoryDedupStore,
)

CLAIMED = ClaimOutcome.CLAIMED
IN_PROGRESS = ClaimOutcome.IN_PROGRESS
ALREADY_PROCESSED = ClaimOutcome.ALREADY_PROCESSED


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(1000.0)


@pytest.fixture
def store(clock: FrozenClock) -> MemoryDedupStore:
    return MemoryDedupStore(
        retention_seconds=3600, claim_timeout_seconds=60, max_entries=100, clock=clock
    )


def test_first_claim_wins_and_a_second_sees_it_in_progress(store: MemoryDedupStore) -> None:
    assert store.claim("evt_1") is CLAIMED
    assert store.claim("evt_1") is IN_PROGRESS
    assert store.claim("evt_1") is IN_PROGRESS
    assert len(store) == 1


def test_committed_id_is_already_processed(store: MemoryDedupStore) -> None:
    assert store.claim("evt_1") is CLAIMED
    store.commit("evt_1")
    assert store.claim("evt_1") is ALREADY_PROCESSED
    assert store.claim("evt_1") is ALREADY_PROCESSED
    assert len(store) == 1


def test_released_claim_lets_the_next_delivery_claim_again(store: MemoryDedupStore) -> None:
    assert store.claim("evt_1") is CLAIMED
    store.release("evt_1")
    assert len(store) == 0
    assert store.claim("evt_1") is CLAIMED


def test_release_never_forgets_a_committed_id(store: MemoryDedupStore) -> None:
    store.claim("evt_1")
    store.commit("evt_1")
    store.release("evt_1")  # e.g. a late release from a request that lost a takeover
    assert store.claim("evt_1") is ALREADY_PROCESSED


def test_release_of_an_unknown_id_is_harmless(store: MemoryDedupStore) -> None:
    store.release("evt_never_seen")
    assert len(store) == 0
    assert store.claim("evt_never_seen") is CLAIMED


def test_ids_are_independent(store: MemoryDedupStore) -> None:
    assert store.claim("evt_1") is CLAIMED
    assert store.claim("evt_2") is CLAIMED
    store.commit("evt_2")
    assert store.claim("evt_1") is IN_PROGRESS
    assert store.claim("evt_2") is ALREADY_PROCESSED
    assert store.claim("evt_3") is CLAIMED


def test_an_abandoned_claim_can_be_taken_over_after_the_claim_timeout(
    store: MemoryDedupStore, clock: FrozenClock
) -> None:
    assert store.claim("evt_1") is CLAIMED
    clock.advance(59.9)
    assert store.claim("evt_1") is IN_PROGRESS
    clock.advance(0.1)  # exactly the timeout: presumed abandoned
    assert store.claim("evt_1") is CLAIMED
    # The taker-over now holds a fresh claim of its own.
    clock.advance(30)
    assert store.claim("evt_1") is IN_PROGRESS


def test_a_processed_id_is_remembered_for_the_retention_period(
    store: MemoryDedupStore, clock: FrozenClock
) -> None:
    store.claim("evt_1")
    clock.advance(30)
    store.commit("evt_1")  # retention counts from the commit, not the claim
    clock.advance(3600 - 1)
    assert store.claim("evt_1") is ALREADY_PROCESSED
    clock.advance(1)
    assert store.claim("evt_1") is CLAIMED
    assert len(store) == 1  # only the new claim


def test_expired_entries_are_dropped_from_memory(
    store: MemoryDedupStore, clock: FrozenClock
) -> None:
    for n in range(10):
        store.claim(f"evt_{n}")
        store.commit(f"evt_{n}")
    assert len(store) == 10
    clock.advance(3600)
    store.claim("evt_new")
    assert len(store) == 1


def test_a_processed_id_outlives_the_claim_timeout(
    store: MemoryDedupStore, clock: FrozenClock
) -> None:
    store.claim("evt_1")
    store.commit("evt_1")
    clock.advance(600)
    assert store.claim("evt_1") is ALREADY_PROCESSED


def test_default_retention_outlasts_a_senders_retry_horizon() -> None:
    # Field case B31: hours to days, not the 5-minute signature window.
    assert DEFAULT_RETENTION_SECONDS >= 3 * 24 * 3600
    assert DEFAULT_CLAIM_TIMEOUT_SECONDS < DEFAULT_RETENTION_SECONDS
    clock = FrozenClock(0.0)
    store = MemoryDedupStore(clock=clock)
    store.claim("evt_1")
    store.commit("evt_1")
    clock.advance(2 * 24 * 3600)
    assert store.claim("evt_1") is ALREADY_PROCESSED


def test_the_size_cap_evicts_the_least_recently_changed_entries(clock: FrozenClock) -> None:
    store = MemoryDedupStore(max_entries=3, clock=clock)
    for event_id in ["evt_a", "evt_b", "evt_c"]:
        store.claim(event_id)
        store.commit(event_id)
    store.claim("evt_d")
    assert len(store) == 3
    assert store.claim("evt_d") is IN_PROGRESS
    assert store.claim("evt_c") is ALREADY_PROCESSED
    assert store.claim("evt_b") is ALREADY_PROCESSED
    assert store.claim("evt_a") is CLAIMED  # the oldest was evicted (and now evicts evt_b)
    assert len(store) == 3
    assert store.claim("evt_b") is CLAIMED


@pytest.mark.parametrize(
    "kwargs",
    [
        {"retention_seconds": 0},
        {"retention_seconds": -1},
        {"claim_timeout_seconds": 0},
        {"max_entries": 0},
    ],
)
def test_non_positive_limits_are_refused(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError, match="positive"):
        MemoryDedupStore(**kwargs)  # type: ignore[arg-type]


def test_concurrent_claims_of_one_id_have_exactly_one_winner() -> None:
    store = MemoryDedupStore()
    threads_count = 64
    start = threading.Barrier(threads_count)
    outcomes: list[ClaimOutcome] = []
    lock = threading.Lock()

    def claim() -> None:
        start.wait()
        outcome = store.claim("evt_race")
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=claim) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)

    assert len(outcomes) == threads_count
    assert outcomes.count(CLAIMED) == 1
    assert outcomes.count(IN_PROGRESS) == threads_count - 1


def test_concurrent_claims_of_distinct_ids_all_succeed() -> None:
    store = MemoryDedupStore()
    threads_count = 32
    start = threading.Barrier(threads_count)
    outcomes: list[ClaimOutcome] = []
    lock = threading.Lock()

    def claim_and_commit(n: int) -> None:
        start.wait()
        for k in range(50):
            event_id = f"evt_{n}_{k}"
            outcome = store.claim(event_id)
            store.commit(event_id)
            with lock:
                outcomes.append(outcome)

    threads = [threading.Thread(target=claim_and_commit, args=(n,)) for n in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)

    assert outcomes == [CLAIMED] * (threads_count * 50)
    assert len(store) == threads_count * 50
