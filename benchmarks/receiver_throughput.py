"""How much each stage of the receiver costs, per delivery, against a baseline measured in
the same run: computing the HMAC alone.

    .venv/bin/python benchmarks/receiver_throughput.py [--deliveries 2000]

Prints per-delivery microseconds and the ratio to the baseline for: verification only,
the whole in-process request (verify, parse, validate, claim, project, commit) on each
store, and the duplicate path. In-process (falcon.testing), so it measures the receiver,
not the HTTP server or the network; no figure here is a test threshold.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import itertools
import json
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import falcon.testing
import redis

from mock_rimo.factory import EventFactory, encode
from mock_rimo.signing import signature_headers
from receiver.app import create_app
from receiver.graph import MemoryGraphStore, PatientGraph, open_graph
from receiver.settings import Settings
from receiver.store import DedupStore, MemoryDedupStore, open_store
from receiver.verification import verify
from schemas import EventValidator

SECRET = "bench_secret"  # noqa: S105  # a throwaway benchmark secret
NOW = 1767225600


def timed(label: str, runs: int, work: Callable[[int], object]) -> float:
    """Median microseconds per call over three rounds of ``runs`` calls."""
    rounds = []
    for _ in range(3):
        started = time.perf_counter()
        for index in range(runs):
            work(index)
        rounds.append((time.perf_counter() - started) / runs * 1e6)
    return statistics.median(rounds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deliveries", type=int, default=2000)
    runs = parser.parse_args().deliveries

    factory = EventFactory(1)
    bodies = [encode(factory.build("order.transmitted")) for _ in range(runs * 3 + 10)]
    headers = [signature_headers(SECRET, NOW, body) for body in bodies]
    key = SECRET.encode()

    results: list[tuple[str, float]] = []
    baseline = timed(
        "hmac", runs, lambda i: hmac.new(key, b"1767225600." + bodies[i], hashlib.sha256).digest()
    )
    results.append(("baseline: HMAC-SHA256 of one body", baseline))
    validator = EventValidator(strict=False, max_violations=20)
    events = [json.loads(body) for body in bodies[:runs]]
    results.append(
        (
            "schema validation of one order.transmitted",
            timed("validate", runs, lambda i: validator.violations(events[i])),
        )
    )
    results.append(
        (
            "verify (headers, window, constant-time compare)",
            timed(
                "verify",
                runs,
                lambda i: verify(
                    body=bodies[i],
                    timestamp_header=headers[i]["X-Rimo-Timestamp"],
                    signature_header=headers[i]["X-Rimo-Signature"],
                    secrets=(key,),
                    now=NOW,
                    tolerance_seconds=300,
                ),
            ),
        )
    )

    with tempfile.TemporaryDirectory() as directory:
        stores = {
            "memory://": None,
            "sqlite (one file)": f"sqlite:///{Path(directory) / 'bench.db'}",
            "redis (127.0.0.1:6379/9)": "redis://127.0.0.1:6379/9",
        }
        for name, url in stores.items():
            store: DedupStore
            if url is None:
                store, graph = MemoryDedupStore(), PatientGraph(MemoryGraphStore())
            else:
                store = open_store(url, retention_seconds=3600, claim_timeout_seconds=60)
                graph = PatientGraph(open_graph(url))
                try:
                    store.check()
                except Exception as error:  # report and skip an absent server
                    results.append((f"full request, {name}: skipped ({type(error).__name__})", 0.0))
                    continue
            client = falcon.testing.TestClient(
                create_app(
                    Settings.for_secret(SECRET),
                    store=store,
                    clock=lambda: NOW,
                    processor=graph,
                )
            )
            fresh = itertools.count()  # each call of the first measurement: a new event

            def post(body: bytes, client: falcon.testing.TestClient = client) -> None:
                result = client.simulate_post(
                    "/webhooks/rimo",
                    body=body,
                    headers={
                        "Content-Type": "application/json",
                        **signature_headers(SECRET, NOW, body),
                    },
                )
                if result.status_code != 200:
                    raise SystemExit(f"unexpected {result.status_code}: {result.text}")

            def post_new(_: int, fresh: Iterator[int] = fresh) -> None:
                post(bodies[next(fresh)])

            new_event = timed(name, runs, post_new)
            # Every one of the first ``runs`` bodies is processed by now: all duplicates.
            duplicate = timed(name, runs, lambda index: post(bodies[index]))
            results.append((f"full request, new event, {name}", new_event))
            results.append((f"full request, duplicate, {name}", duplicate))
            if url is not None and url.startswith("redis://"):
                redis.Redis.from_url(url).flushdb()  # the benchmark's own database

    width = max(len(label) for label, _ in results)
    print(f"{runs} deliveries per round, median of 3 rounds")
    for label, micros in results:
        ratio = f"{micros / baseline:8.1f}x" if micros else "        -"
        print(f"{label:<{width}}  {micros:10.1f} us  {ratio}")


if __name__ == "__main__":
    main()
