"""The DedupStore contract, run against every backend: memory, SQLite (real files in
tmp_path) and Redis (the real server on 127.0.0.1:6379, under a random key prefix).

Memory and SQLite take an injected clock, so expiry is tested to the second without
waiting; Redis expires keys on its own clock, so its timeouts are scaled down to fractions
of a second and the tests really sleep.
"""

from __future__ import annotations

import multiprocessing
import secrets
import socket
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import falcon.testing
import pytest
import redis
from receiver_helpers import REF, REF_ID, SECRET, FrozenClock, default_headers
from store_workers import claim_once

from receiver.bootstrap import app_from_env
from receiver.store import (
    ClaimOutcome,
    DedupStore,
    MemoryDedupStore,
    StoreError,
    StoreURLError,
    open_store,
    parse_store_url,
    redact_store_url,
)
from receiver.store_redis import RedisDedupStore
from receiver.store_sqlite import SqliteDedupStore

CLAIMED = ClaimOutcome.CLAIMED
IN_PROGRESS = ClaimOutcome.IN_PROGRESS
ALREADY_PROCESSED = ClaimOutcome.ALREADY_PROCESSED

REDIS_URL = "redis://127.0.0.1:6379/0"
FAST_ENOUGH_SECONDS = 3.0
"""An outage must be answered well under a sender's timeout (field case B41)."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(scope="session")
def redis_server() -> str:
    """The shared Redis on 6379, which the development and CI machines run (.ci/run)."""
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError as error:
        pytest.fail(f"no Redis on 127.0.0.1:6379 ({error}); start redis-server (.ci/run does)")
    finally:
        client.close()
    return REDIS_URL


@pytest.fixture
def redis_prefix(redis_server: str) -> Iterator[str]:
    """A key prefix of this test's own; every key under it is deleted afterwards."""
    prefix = f"rimo:test:{secrets.token_hex(6)}:"
    yield prefix
    client = redis.Redis.from_url(redis_server)
    try:
        keys = list(client.scan_iter(match=prefix + "*"))
        if keys:
            client.delete(*keys)
    finally:
        client.close()


@dataclass
class Backend:
    """One backend under test: how to open a store on it and how to let time pass."""

    name: str
    opener: Callable[[float, float], DedupStore]
    elapse: Callable[[float], None]
    scale: float
    """Seconds per unit of test time: 1 on an injected clock, a fraction on real time."""

    def open(self, *, retention: float = 3600, claim_timeout: float = 60) -> DedupStore:
        """A store whose retention and claim timeout are given in units of test time."""
        return self.opener(retention * self.scale, claim_timeout * self.scale)

    def wait(self, units: float) -> None:
        self.elapse(units * self.scale)


@pytest.fixture(params=["memory", "sqlite", "redis"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    clock = FrozenClock(1_767_225_600.0)
    opened: list[DedupStore] = []

    def remember(store: DedupStore) -> DedupStore:
        opened.append(store)
        return store

    if request.param == "memory":
        yield Backend(
            "memory",
            lambda retention, claim: remember(
                MemoryDedupStore(
                    retention_seconds=retention, claim_timeout_seconds=claim, clock=clock
                )
            ),
            clock.advance,
            1.0,
        )
    elif request.param == "sqlite":
        path = tmp_path / "dedup.db"
        yield Backend(
            "sqlite",
            lambda retention, claim: remember(
                SqliteDedupStore(
                    path, retention_seconds=retention, claim_timeout_seconds=claim, clock=clock
                )
            ),
            clock.advance,
            1.0,
        )
    else:
        prefix = request.getfixturevalue("redis_prefix")
        # 60 units of claim timeout become 0.6 s: long enough to be measured reliably,
        # short enough that the expiry tests sleep about a second each.
        yield Backend(
            "redis",
            lambda retention, claim: remember(
                RedisDedupStore.from_url(
                    REDIS_URL,
                    retention_seconds=retention,
                    claim_timeout_seconds=claim,
                    key_prefix=prefix,
                )
            ),
            time.sleep,
            0.01,
        )
    for store in opened:
        if isinstance(store, RedisDedupStore):
            store.close()


# --- claim / commit / release ----------------------------------------------------------


def test_first_claim_wins_and_a_second_sees_it_in_progress(backend: Backend) -> None:
    store = backend.open()
    assert store.claim("evt_1") is CLAIMED
    assert store.claim("evt_1") is IN_PROGRESS
    assert store.claim("evt_1") is IN_PROGRESS


def test_a_committed_id_is_already_processed(backend: Backend) -> None:
    store = backend.open()
    assert store.claim("evt_1") is CLAIMED
    store.commit("evt_1")
    assert store.claim("evt_1") is ALREADY_PROCESSED
    assert store.claim("evt_1") is ALREADY_PROCESSED


def test_a_released_claim_lets_the_next_delivery_claim_again(backend: Backend) -> None:
    store = backend.open()
    assert store.claim("evt_1") is CLAIMED
    store.release("evt_1")
    assert store.claim("evt_1") is CLAIMED
    assert store.claim("evt_1") is IN_PROGRESS  # and the new claim holds


def test_release_never_removes_a_processed_marker(backend: Backend) -> None:
    store = backend.open()
    store.claim("evt_1")
    store.commit("evt_1")
    store.release("evt_1")  # a late release, e.g. from a request whose claim was taken over
    assert store.claim("evt_1") is ALREADY_PROCESSED


def test_release_of_an_unknown_id_is_harmless(backend: Backend) -> None:
    store = backend.open()
    store.release("evt_never_seen")
    assert store.claim("evt_never_seen") is CLAIMED


def test_ids_are_independent(backend: Backend) -> None:
    store = backend.open()
    assert store.claim("evt_1") is CLAIMED
    assert store.claim("evt_2") is CLAIMED
    store.commit("evt_2")
    assert store.claim("evt_1") is IN_PROGRESS
    assert store.claim("evt_2") is ALREADY_PROCESSED
    assert store.claim("evt_3") is CLAIMED


@pytest.mark.parametrize("backend", ["sqlite", "redis"], indirect=True)
def test_two_store_objects_on_one_backend_share_what_they_know(backend: Backend) -> None:
    """What several workers see: a claim or commit by one is visible to the other.

    (Not for memory: that store is per object by design, and so per process.)
    """
    first, second = backend.open(), backend.open()
    assert first.claim("evt_1") is CLAIMED
    assert second.claim("evt_1") is IN_PROGRESS
    first.commit("evt_1")
    assert second.claim("evt_1") is ALREADY_PROCESSED


def test_check_passes_on_a_working_store(backend: Backend) -> None:
    store = backend.open()
    store.check()
    assert store.claim("evt_after_check") is CLAIMED


# --- expiry ----------------------------------------------------------------------------


def test_an_abandoned_claim_is_taken_over_after_the_claim_timeout(backend: Backend) -> None:
    store = backend.open(claim_timeout=60)
    assert store.claim("evt_1") is CLAIMED
    backend.wait(30)
    assert store.claim("evt_1") is IN_PROGRESS
    backend.wait(35)  # past the timeout: the claimer is presumed crashed
    assert store.claim("evt_1") is CLAIMED
    backend.wait(30)  # the taker-over holds a fresh claim of its own
    assert store.claim("evt_1") is IN_PROGRESS


@pytest.mark.parametrize("backend", ["memory", "sqlite"], indirect=True)
def test_a_claim_times_out_exactly_at_the_claim_timeout(backend: Backend) -> None:
    """To the tenth of a second, on the backends with an injected clock."""
    store = backend.open(claim_timeout=60)
    store.claim("evt_1")
    backend.wait(59.9)
    assert store.claim("evt_1") is IN_PROGRESS
    backend.wait(0.1)
    assert store.claim("evt_1") is CLAIMED


def test_a_processed_id_is_forgotten_after_the_retention(backend: Backend) -> None:
    store = backend.open(retention=80, claim_timeout=20)
    store.claim("evt_1")
    backend.wait(10)
    store.commit("evt_1")  # retention counts from the commit, not the claim
    backend.wait(50)
    assert store.claim("evt_1") is ALREADY_PROCESSED
    backend.wait(40)  # 90 units after the commit
    assert store.claim("evt_1") is CLAIMED


def test_a_processed_id_outlives_the_claim_timeout(backend: Backend) -> None:
    """The commit replaces the claim's short lifetime with the retention."""
    store = backend.open(retention=3600, claim_timeout=20)
    store.claim("evt_1")
    store.commit("evt_1")
    backend.wait(50)
    assert store.claim("evt_1") is ALREADY_PROCESSED


def test_sqlite_purges_expired_rows_from_the_file(tmp_path: Path) -> None:
    clock = FrozenClock(1_767_225_600.0)
    store = SqliteDedupStore(
        tmp_path / "dedup.db", retention_seconds=3600, claim_timeout_seconds=60, clock=clock
    )
    for n in range(10):
        store.claim(f"evt_{n}")
        store.commit(f"evt_{n}")
    store.claim("evt_abandoned")
    assert len(store) == 11
    clock.advance(3600)
    assert store.claim("evt_new") is CLAIMED
    assert len(store) == 1  # only the new claim is left on disk


# --- races -----------------------------------------------------------------------------


def test_32_threads_claiming_one_id_have_exactly_one_winner(backend: Backend) -> None:
    store = backend.open()
    threads_count = 32
    start = threading.Barrier(threads_count)
    outcomes: list[ClaimOutcome] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def claim() -> None:
        try:
            start.wait(timeout=30)
            outcome = store.claim("evt_race")
        except BaseException as error:
            with lock:
                errors.append(error)
            return
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=claim) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert outcomes.count(CLAIMED) == 1
    assert outcomes.count(IN_PROGRESS) == threads_count - 1


@pytest.mark.parametrize("kind", ["sqlite", "redis"])
def test_8_processes_claiming_one_id_have_exactly_one_winner(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """Separate processes with separate store objects, as gunicorn workers are."""
    if kind == "sqlite":
        target, prefix = str(tmp_path / "dedup.db"), ""
        SqliteDedupStore(target)  # the file exists before the children race to open it
    else:
        target, prefix = REDIS_URL, request.getfixturevalue("redis_prefix")
    processes_count = 8
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(processes_count)
    results: Any = context.Queue()
    processes = [
        context.Process(
            target=claim_once, args=(kind, target, prefix, "evt_process_race", barrier, results)
        )
        for _ in range(processes_count)
    ]
    try:
        for process in processes:
            process.start()
        reported = [results.get(timeout=60) for _ in range(processes_count)]
        for process in processes:
            process.join(timeout=30)
    finally:
        for process in processes:
            if process.is_alive():
                process.kill()
                process.join()
        results.close()
        results.join_thread()

    assert [process.exitcode for process in processes] == [0] * processes_count
    assert [text for text in reported if text.startswith("error")] == []
    outcomes = [ClaimOutcome(text) for text in reported]
    assert outcomes.count(CLAIMED) == 1
    assert outcomes.count(IN_PROGRESS) == processes_count - 1


# --- outages ---------------------------------------------------------------------------


@pytest.mark.parametrize("operation", ["claim", "commit", "release", "check"])
def test_an_unreachable_redis_raises_store_error_quickly(operation: str) -> None:
    store = RedisDedupStore.from_url(f"redis://:s3cret@127.0.0.1:{free_port()}/0")
    call: Callable[[], object] = {
        "claim": lambda: store.claim("evt_1"),
        "commit": lambda: store.commit("evt_1"),
        "release": lambda: store.release("evt_1"),
        "check": store.check,
    }[operation]
    started = time.monotonic()
    with pytest.raises(StoreError) as caught:
        call()
    assert time.monotonic() - started < FAST_ENOUGH_SECONDS
    assert "ConnectionError" in str(caught.value)
    assert "s3cret" not in str(caught.value)
    store.close()


def test_a_redis_that_accepts_but_never_answers_raises_store_error_within_the_timeouts() -> None:
    """A hung server (the connection opens, no reply ever comes) hits the 2 s read timeout."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)  # the kernel completes the handshake; nobody ever reads or replies
        store = RedisDedupStore.from_url(f"redis://127.0.0.1:{silent.getsockname()[1]}/0")
        started = time.monotonic()
        with pytest.raises(StoreError, match="Timeout"):
            store.claim("evt_1")
        elapsed = time.monotonic() - started
        store.close()
    assert 1.5 < elapsed < FAST_ENOUGH_SECONDS


def test_an_sqlite_file_that_cannot_be_opened_raises_store_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="cannot open"):
        SqliteDedupStore(tmp_path / "no-such-directory" / "dedup.db")


def test_a_locked_sqlite_file_raises_store_error_after_the_busy_timeout(tmp_path: Path) -> None:
    """A writer that never lets go (a stuck process) costs a 503, not a hung request."""
    path = tmp_path / "dedup.db"
    store = SqliteDedupStore(path, busy_timeout_seconds=0.2)
    holder = sqlite3.connect(path, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")
        started = time.monotonic()
        with pytest.raises(StoreError, match="locked"):
            store.claim("evt_1")
        assert time.monotonic() - started < 1.0
    finally:
        holder.close()
    assert store.claim("evt_1") is CLAIMED  # and nothing was half-written


# --- open_store and its URLs -----------------------------------------------------------


def open_url(url: str) -> DedupStore:
    return open_store(url, retention_seconds=3600, claim_timeout_seconds=60)


def test_open_store_memory() -> None:
    store = open_url("memory://")
    assert isinstance(store, MemoryDedupStore)
    assert store.claim("evt_1") is CLAIMED


def test_open_store_sqlite_absolute_path_takes_four_slashes(tmp_path: Path) -> None:
    path = tmp_path / "abs.db"
    store = open_url(f"sqlite:///{path}")  # "sqlite:///" + "/tmp/.../abs.db"
    assert isinstance(store, SqliteDedupStore)
    assert store.path == str(path)
    assert path.exists()


def test_open_store_sqlite_relative_path_is_resolved_against_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    store = open_url("sqlite:///dedup.db")
    assert isinstance(store, SqliteDedupStore)
    assert store.path == str(tmp_path / "dedup.db")
    (tmp_path / "sub").mkdir()
    nested = open_url("sqlite:///sub/dedup.db")
    assert isinstance(nested, SqliteDedupStore)
    assert nested.path == str(tmp_path / "sub" / "dedup.db")


def test_open_store_redis_connects_lazily_and_hides_the_password(redis_server: str) -> None:
    store = open_url("redis://:hunter2@127.0.0.1:6379/0")
    assert isinstance(store, RedisDedupStore)
    assert (
        repr(store) == "RedisDedupStore('redis://***@127.0.0.1:6379/0', key_prefix='rimo:dedup:')"
    )
    store.close()
    tls = open_url("rediss://user:hunter2@redis.example.invalid:6380/2")  # not contacted
    assert isinstance(tls, RedisDedupStore)
    assert "hunter2" not in repr(tls)
    assert "rediss://***@redis.example.invalid:6380/2" in repr(tls)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("", "expected memory://"),
        ("memcached://127.0.0.1:11211", "unsupported dedup store"),
        ("http://127.0.0.1:6379", "unsupported dedup store"),
        ("memory://somewhere", "takes no location"),
        ("sqlite://", "no host"),
        ("sqlite://host/dedup.db", "no host"),
        ("sqlite:///", "needs a file path"),
        ("sqlite:///:memory:", "needs a file path"),
        ("sqlite:///dedup.db?mode=ro", "no query"),
        ("redis://", "needs a host"),
        ("redis://127.0.0.1:notaport/0", "not a valid Redis URL"),
        ("redis://127.0.0.1:6379/zero", "must be a number"),
        ("redis://127.0.0.1:0/0", "non-zero port"),
        (" redis://127.0.0.1:6379/0", "expected memory://"),
        ("redis://127.0.0.1:6379/0?sockettimeout=1", "unsupported Redis URL option"),
        ("redis://127.0.0.1:6379/0?socket_timeout=soon", "socket_timeout"),
    ],
)
def test_open_store_refuses_urls_no_backend_accepts(url: str, message: str) -> None:
    with pytest.raises(StoreURLError, match=message):
        open_url(url)
    assert issubclass(StoreURLError, ValueError)


def test_url_errors_and_reprs_never_show_a_redis_password() -> None:
    bad = "redis://admin:pa55word@127.0.0.1:notaport/0"
    with pytest.raises(StoreURLError) as caught:
        parse_store_url(bad)
    assert "pa55word" not in str(caught.value)
    assert "redis://***@127.0.0.1:notaport/0" in str(caught.value)
    assert "pa55word" not in repr(parse_store_url("redis://:pa55word@127.0.0.1:6379/0"))


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("redis://:pw@host:6379/0", "redis://***@host:6379/0"),
        ("redis://user:pw@host:6379/0", "redis://***@host:6379/0"),
        ("rediss://user:p@ss/w@host/1", "rediss://***@host/1"),  # unescaped @ and /
        ("redis://host:6379/0?password=pw", "redis://host:6379/0?***"),
        ("redis://host:6379/0", "redis://host:6379/0"),
        ("sqlite:////var/lib/rimo/dedup.db", "sqlite:////var/lib/rimo/dedup.db"),
        ("memory://", "memory://"),
    ],
)
def test_redact_store_url(url: str, shown: str) -> None:
    assert redact_store_url(url) == shown


# --- production wiring -----------------------------------------------------------------


@pytest.mark.usefixtures("restore_receiver_logging")
def test_app_from_env_builds_the_store_the_environment_names(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """RIMO_DEDUP_STORE reaches the app: a delivery is recorded in the SQLite file."""
    path = tmp_path / "dedup.db"
    app = app_from_env({"RIMO_WEBHOOK_SECRET": SECRET, "RIMO_DEDUP_STORE": f"sqlite:///{path}"})
    assert f"dedup store sqlite:///{path} ready" in capsys.readouterr().err
    now = int(time.time())
    result = falcon.testing.TestClient(app).simulate_post(
        "/webhooks/rimo", body=REF, headers=default_headers(REF, ts=now)
    )
    assert result.status_code == 200, result.text
    assert result.json["status"] == "processed"
    assert SqliteDedupStore(path).claim(REF_ID) is ALREADY_PROCESSED


@pytest.mark.usefixtures("restore_receiver_logging")
def test_app_from_env_refuses_an_sqlite_path_it_cannot_open(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/missing-directory/dedup.db"
    with pytest.raises(StoreError, match="cannot open"):
        app_from_env({"RIMO_WEBHOOK_SECRET": SECRET, "RIMO_DEDUP_STORE": url})


@pytest.mark.usefixtures("restore_receiver_logging")
def test_app_from_env_starts_while_redis_is_down_and_answers_503(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """An outage at start-up is ridden out with retryable 503s, not a crash loop."""
    url = f"redis://:pa55word@127.0.0.1:{free_port()}/0"
    app = app_from_env({"RIMO_WEBHOOK_SECRET": SECRET, "RIMO_DEDUP_STORE": url})
    logged = capsys.readouterr().err
    assert "is not answering at start-up" in logged
    assert "pa55word" not in logged
    now = int(time.time())
    result = falcon.testing.TestClient(app).simulate_post(
        "/webhooks/rimo", body=REF, headers=default_headers(REF, ts=now)
    )
    assert result.status_code == 503
    assert result.json["code"] == "store_unavailable"
    assert result.headers["Retry-After"] == "1"
