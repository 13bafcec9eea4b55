"""Delivered in different orders to receivers on different stores, the same lifecycles give
the same GET /patients view (real gunicorn, real SQLite, the real Redis)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis

from contract_tests.target import BundledReceiver

pytestmark = pytest.mark.e2e

SECRET = "graph_secret"
SEED = "11"
PATIENTS = "20"
GRAPH_REDIS = "redis://127.0.0.1:6379/5"  # a database of its own, emptied around the test


def deliver(receiver: BundledReceiver, order: str) -> str:
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "mock_rimo",
            "lifecycle",
            "--url",
            receiver.base_url + "/webhooks/rimo",
            "--patients",
            PATIENTS,
            "--seed",
            SEED,
            "--order",
            order,
            "--secret",
            SECRET,
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    return completed.stdout


def customers() -> list[str]:
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "mock_rimo",
            "lifecycle",
            "--url",
            "http://x.test/",
            "--patients",
            PATIENTS,
            "--seed",
            SEED,
            "--dry-run",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    events = [json.loads(line) for line in completed.stdout.splitlines()]
    return sorted({e["data"]["customerId"] for e in events if "customerId" in e["data"]})


def views(receiver: BundledReceiver, ids: list[str]) -> dict[str, Any]:
    return {
        customer: httpx.get(f"{receiver.base_url}/patients/{customer}", timeout=10).json()
        for customer in ids
    }


@pytest.fixture
def graph_redis() -> Any:
    client = redis.Redis.from_url(GRAPH_REDIS, socket_connect_timeout=1)
    try:
        client.flushdb()
    except redis.RedisError as error:
        pytest.fail(f"no Redis on 127.0.0.1:6379 ({error}); start redis-server (.ci/run does)")
    yield GRAPH_REDIS
    client.flushdb()
    client.close()


def test_causal_shuffled_and_charge_first_deliveries_converge(
    tmp_path: Path, graph_redis: str
) -> None:
    """Memory receiver (causal), SQLite with 3 workers (shuffled), Redis with 2 workers
    (charge-first): every patient's view is identical, approved and shipped."""
    ids = customers()
    view_env = {"RIMO_PATIENT_VIEW": "on"}
    setups = [
        ("causal", {}, None),
        ("shuffled", {"RIMO_DEDUP_STORE": f"sqlite:///{tmp_path / 'graph.db'}"}, 3),
        ("charge-first", {"RIMO_DEDUP_STORE": graph_redis}, 2),
    ]
    seen = {}
    for order, env, workers in setups:
        with BundledReceiver(
            secret=SECRET, workers=workers, extra_env={**view_env, **env}
        ) as receiver:
            summary = deliver(receiver, order)
            assert "100 delivered, 0 failed" in summary
            seen[order] = views(receiver, ids)
    assert len(ids) == int(PATIENTS)
    assert seen["causal"] == seen["shuffled"] == seen["charge-first"]
    for view in seen["causal"].values():
        (treatment,) = view["treatments"]
        assert treatment["status"] == "approved"
        assert treatment["orders"][0]["status"] == "shipped"
        assert sum(treatment["orders"][0]["capturedByCurrency"].values()) > 0
