"""Processing that fails under a real multi-worker server, on each durable backend: the
answer is 5xx, the id is not recorded, and the retry after the fault clears is processed.

The fault is made in the patient graph's storage while the dedup ids stay reachable: the
graph's SQLite table is renamed away, or the graph's Redis key holds a value of the wrong
type. Both make the graph write fail inside processing.
"""

from __future__ import annotations

import secrets
import sqlite3
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
import redis

from contract_tests.target import BundledReceiver
from mock_rimo.factory import encode
from mock_rimo.signing import signature_headers
from schemas import published_example

pytestmark = pytest.mark.e2e

SECRET = "processing_failure_secret"
REDIS_URL = "redis://127.0.0.1:6379/6"  # a database of its own, emptied around the test


def deliver(receiver: BundledReceiver, body: bytes) -> httpx.Response:
    headers = {"Content-Type": "application/json"}
    headers.update(signature_headers(SECRET, int(time.time()), body))
    return httpx.post(
        receiver.base_url + "/webhooks/rimo", content=body, headers=headers, timeout=10
    )


def sqlite_fault(tmp_path: Path) -> tuple[str, Callable[[], None], Callable[[], None]]:
    path = tmp_path / "store.db"

    def break_graph() -> None:
        with sqlite3.connect(path) as connection:
            connection.execute("ALTER TABLE rimo_graph_records RENAME TO rimo_graph_records_away")

    def mend_graph() -> None:
        with sqlite3.connect(path) as connection:
            connection.execute("ALTER TABLE rimo_graph_records_away RENAME TO rimo_graph_records")

    return f"sqlite:///{path}", break_graph, mend_graph


@pytest.fixture
def redis_db() -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.flushdb()
    except redis.RedisError as error:
        pytest.fail(f"no Redis on 127.0.0.1:6379 ({error}); start redis-server (.ci/run does)")
    yield client
    client.flushdb()
    client.close()


def _check_fail_then_recover(
    url: str, treatment_id: str, break_graph: Callable[[], None], mend_graph: Callable[[], None]
) -> None:
    event = {**published_example("treatment.created"), "id": "evt_fail_" + secrets.token_hex(4)}
    event["data"] = {**event["data"], "treatmentId": treatment_id}
    body = encode(event)
    with BundledReceiver(
        secret=SECRET, workers=2, extra_env={"RIMO_DEDUP_STORE": url, "RIMO_PATIENT_VIEW": "on"}
    ) as receiver:
        break_graph()
        failed = deliver(receiver, body)
        again = deliver(receiver, body)
        mend_graph()
        recovered = deliver(receiver, body)
        duplicate = deliver(receiver, body)
        view = httpx.get(receiver.base_url + "/patients/prof_abc123", timeout=10).json()
    assert failed.status_code >= 500, failed.text
    assert again.status_code >= 500, "the failed id was recorded: " + again.text
    assert (recovered.status_code, recovered.json()["status"]) == (200, "processed")
    assert (duplicate.status_code, duplicate.json()["status"]) == (200, "duplicate")
    assert [t["treatmentId"] for t in view["treatments"]] == [treatment_id]


def test_processing_failure_on_sqlite_is_5xx_and_the_retry_is_processed(tmp_path: Path) -> None:
    url, break_graph, mend_graph = sqlite_fault(tmp_path)
    _check_fail_then_recover(url, "rimo_treat_sqlite_fault", break_graph, mend_graph)


def test_processing_failure_on_redis_is_5xx_and_the_retry_is_processed(
    redis_db: redis.Redis,
) -> None:
    key = "rimo:graph:treatment:rimo_treat_redis_fault"
    _check_fail_then_recover(
        REDIS_URL,
        "rimo_treat_redis_fault",
        lambda: redis_db.set(key, "not a hash"),
        lambda: redis_db.delete(key),
    )
