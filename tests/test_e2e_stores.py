"""End to end with the durable and shared dedup stores: the real receiver under gunicorn
with several worker processes, on a real SQLite file or a real Redis (field cases B32,
B34 and B41).

Effects cannot be counted from outside the receiver's processes, so "exactly one effect"
is read from the responses: exactly one delivery is answered "processed".
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
import redis

from contract_tests.target import BundledReceiver
from mock_rimo.factory import encode
from mock_rimo.signing import signature
from schemas import published_example

pytestmark = pytest.mark.e2e

SECRET = "e2e_store_secret_" + "y" * 8
SHARED_REDIS = "redis://127.0.0.1:6379/0"
KEY_PREFIX = "rimo:dedup:"
"""The receiver's own key prefix; tests keep to ids of their own and delete them after."""
WORKERS = 3
FAST_ENOUGH_SECONDS = 3.0
MEMORY_WARNING = "the in-memory dedup store is per process"

Outcome = tuple[int, str]
"""A response as (status, body "status" or error "code")."""
PROCESSED: Outcome = (200, "processed")
DUPLICATE: Outcome = (200, "duplicate")
IN_PROGRESS: Outcome = (409, "delivery_in_progress")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def new_event_id(case: str) -> str:
    return f"evt_{case}_{secrets.token_hex(6)}"


def event_body(event_id: str) -> bytes:
    return encode({**published_example("treatment.created"), "id": event_id})


def signed_headers(body: bytes, timestamp: int | None = None) -> dict[str, str]:
    ts = int(time.time()) if timestamp is None else timestamp
    return {
        "Content-Type": "application/json",
        "X-Rimo-Timestamp": str(ts),
        "X-Rimo-Signature": signature(SECRET, ts, body),
    }


def deliver(
    receiver: BundledReceiver, body: bytes, headers: dict[str, str] | None = None
) -> httpx.Response:
    """POST ``body``, signed now unless ``headers`` are given (a copy of an earlier delivery)."""
    return httpx.post(
        receiver.base_url + "/webhooks/rimo",
        content=body,
        headers=headers if headers is not None else signed_headers(body),
        timeout=10,
    )


def outcome(response: httpx.Response) -> Outcome:
    payload = response.json()
    return response.status_code, payload.get("status") or payload.get("code")


def fire_concurrently(
    receivers: list[BundledReceiver], body: bytes, headers: dict[str, str], copies: int
) -> Counter[Outcome]:
    """``copies`` identical deliveries from 20 threads, spread over ``receivers`` in turn.

    Each receiver gets one pooled client whose 20 connections are opened first (behind a
    barrier), so the deliveries really overlap instead of queueing behind connection set-up.
    """
    threads = 20
    limits = httpx.Limits(max_connections=threads, max_keepalive_connections=threads)
    clients = [
        httpx.Client(base_url=receiver.base_url, timeout=10, limits=limits)
        for receiver in receivers
    ]
    try:
        ready = threading.Barrier(threads)

        def warm(_: int) -> None:
            ready.wait(timeout=30)
            for client in clients:
                client.get("/webhooks/rimo/health").raise_for_status()

        def post(n: int) -> Outcome:
            client = clients[n % len(clients)]
            return outcome(client.post("/webhooks/rimo", content=body, headers=headers))

        with ThreadPoolExecutor(max_workers=threads) as pool:
            list(pool.map(warm, range(threads)))
            return Counter(pool.map(post, range(copies)))
    finally:
        for client in clients:
            client.close()


@dataclass
class SharedStore:
    """The store a test's receivers share, and the event ids the test used on it."""

    url: str
    ids: list[str] = field(default_factory=list)

    def new_id(self, case: str) -> str:
        event_id = new_event_id(case)
        self.ids.append(event_id)
        return event_id


@pytest.fixture(params=["sqlite", "redis"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SharedStore]:
    """A fresh SQLite file, or the Redis on 6379 (the test's keys deleted afterwards)."""
    if request.param == "sqlite":
        yield SharedStore(f"sqlite:///{tmp_path / 'dedup.db'}")
        return
    client = redis.Redis.from_url(SHARED_REDIS, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError as error:
        client.close()
        pytest.fail(f"no Redis on 127.0.0.1:6379 ({error}); start redis-server (.ci/run does)")
    shared = SharedStore(SHARED_REDIS)
    try:
        yield shared
    finally:
        if shared.ids:
            client.delete(*(KEY_PREFIX + event_id for event_id in shared.ids))
        client.close()


def receiver_on(url: str, *, workers: int = WORKERS) -> BundledReceiver:
    return BundledReceiver(secret=SECRET, workers=workers, extra_env={"RIMO_DEDUP_STORE": url})


def test_B32_100_concurrent_copies_across_workers_are_processed_exactly_once(
    store: SharedStore,
) -> None:
    """One signed delivery fired 100 times from 20 threads at 3 workers: one "processed",
    every other a 409 (still in progress) or a 200 duplicate, never a 5xx."""
    body = event_body(store.new_id("b32"))
    headers = signed_headers(body)  # one signed delivery, copied byte for byte
    with receiver_on(store.url) as receiver:
        outcomes = fire_concurrently([receiver], body, headers, copies=100)
        afterwards = outcome(deliver(receiver, body))
        log = receiver.log_tail(200)

    assert outcomes[PROCESSED] == 1, outcomes
    assert set(outcomes) <= {PROCESSED, DUPLICATE, IN_PROGRESS}, outcomes
    assert sum(outcomes.values()) == 100
    assert afterwards == DUPLICATE
    assert MEMORY_WARNING not in log  # a shared store: no several-workers warning


def test_B34_a_restarted_receiver_on_the_same_store_remembers_processed_ids(
    store: SharedStore,
) -> None:
    """Deliver evt_b34, restart the receiver on the same store, re-deliver freshly signed."""
    body = event_body(store.new_id("b34"))
    first_headers = signed_headers(body)
    with receiver_on(store.url) as receiver:
        first = deliver(receiver, body, first_headers)
    with receiver_on(store.url) as restarted:
        retry_headers = signed_headers(body, int(time.time()) + 1)  # strictly a later second
        again = deliver(restarted, body, retry_headers)

    assert retry_headers["X-Rimo-Signature"] != first_headers["X-Rimo-Signature"]
    assert outcome(first) == PROCESSED
    assert outcome(again) == DUPLICATE


def test_B34_two_receivers_on_one_store_process_an_id_once(store: SharedStore) -> None:
    """Two receivers at once (as two replicas), the same id to each, sequentially then
    concurrently: one "processed" in total each time."""
    sequential, concurrent = store.new_id("b34_seq"), store.new_id("b34_con")
    with receiver_on(store.url) as first, receiver_on(store.url) as second:
        body = event_body(sequential)
        to_first, to_second = deliver(first, body), deliver(second, body)

        body = event_body(concurrent)
        outcomes = fire_concurrently([first, second], body, signed_headers(body), copies=40)

    assert (outcome(to_first), outcome(to_second)) == (PROCESSED, DUPLICATE)
    assert outcomes[PROCESSED] == 1, outcomes
    assert set(outcomes) <= {PROCESSED, DUPLICATE, IN_PROGRESS}, outcomes


def test_B34_memory_store_forgets_on_restart() -> None:
    """The documented limitation of the default store (docs/deployment.md): a restarted
    receiver processes a re-delivered id again."""
    body = event_body(new_event_id("b34_mem"))
    with receiver_on("memory://", workers=1) as receiver:
        first = deliver(receiver, body)
        duplicate = deliver(receiver, body)
    with receiver_on("memory://", workers=1) as restarted:
        after_restart = deliver(restarted, body)

    assert outcome(first) == PROCESSED
    assert outcome(duplicate) == DUPLICATE  # remembered while the process lives
    assert outcome(after_restart) == PROCESSED  # forgotten: the effect runs a second time


def test_memory_store_with_several_workers_starts_with_a_warning() -> None:
    with receiver_on("memory://", workers=2) as receiver:
        log = receiver.log_tail(200)
    assert f"warning: {MEMORY_WARNING}; with 2 workers" in log


# --- B41: the store goes down and comes back ----------------------------------------


class PrivateRedis:
    """A redis-server of this test's own on a free loopback port, to kill and restart."""

    def __init__(self, directory: Path) -> None:
        self.port = free_port()
        self._directory = directory
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1"]
        command += ["--save", "", "--appendonly", "no", "--daemonize", "no"]
        command += ["--dir", str(self._directory)]
        self._process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        client = redis.Redis(port=self.port, socket_connect_timeout=0.5)
        deadline = time.monotonic() + 10
        try:
            while True:
                try:
                    client.ping()
                    return
                except redis.ConnectionError:
                    if time.monotonic() > deadline or self._process.poll() is not None:
                        raise
                    time.sleep(0.05)
        finally:
            client.close()

    def kill(self) -> None:
        """SIGKILL, as a crash would: no goodbye to connected clients."""
        if self._process is not None:
            self._process.kill()
            self._process.wait(timeout=10)
            self._process = None


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[PrivateRedis]:
    server = PrivateRedis(tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.kill()


def test_B41_store_outage_is_503_fast_and_the_retry_is_processed_after_recovery(
    private_redis: PrivateRedis,
) -> None:
    """Redis killed: a new valid event gets 503 + Retry-After, store_unavailable, in under
    3 s. Redis back on the same port: the re-sent event (fresh signature) is processed."""
    with receiver_on(private_redis.url) as receiver:
        # Warm up: every worker holds pooled connections that the kill will break.
        for _ in range(2 * WORKERS):
            assert outcome(deliver(receiver, event_body(new_event_id("b41_warm")))) == PROCESSED

        private_redis.kill()
        body = event_body(new_event_id("b41"))
        during_outage = []
        for _ in range(WORKERS):  # likely reaching more than one worker
            started = time.monotonic()
            response = deliver(receiver, body)
            during_outage.append((response, time.monotonic() - started))

        private_redis.start()
        after_recovery = deliver(receiver, body)  # signed afresh, as the sender's retry is

    for response, elapsed in during_outage:
        assert outcome(response) == (503, "store_unavailable")
        assert response.headers["Retry-After"] == "1"
        assert elapsed < FAST_ENOUGH_SECONDS
    assert outcome(after_recovery) == PROCESSED


# --- start-up refusals ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("memcached://127.0.0.1:11211", "RIMO_DEDUP_STORE"),
        ("sqlite:////nonexistent-rimo-directory/dedup.db", "cannot use RIMO_DEDUP_STORE"),
        ("redis://127.0.0.1:6379/0?socket_timeout=soon", "cannot use RIMO_DEDUP_STORE"),
        ("redis://127.0.0.1:6379/99999", "refuses this receiver: DB index is out of range"),
    ],
    ids=[
        "bad-scheme",
        "unopenable-sqlite",
        "bad-redis-option",
        "redis-db-out-of-range",
    ],
)
def test_receiver_refuses_to_start_with_an_unusable_store(url: str, message: str) -> None:
    """Exit 2 with a message naming RIMO_DEDUP_STORE, before binding a port."""
    completed = subprocess.run(
        [sys.executable, "-m", "receiver", "serve", "--port", "1"],
        env={**os.environ, "RIMO_WEBHOOK_SECRET": SECRET, "RIMO_DEDUP_STORE": url},
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 2
    assert message in completed.stderr.decode()
    assert "Traceback" not in completed.stderr.decode()
