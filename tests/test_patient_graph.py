"""The patient graph: convergent whatever the delivery order, never regressing, idempotent,
on every backend (memory, SQLite, the real Redis)."""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import falcon.testing
import pytest
import redis
from receiver_helpers import NOW, SECRET, compact, default_headers

from mock_rimo.factory import EventFactory
from mock_rimo.lifecycle import lifecycle_stream
from receiver.app import create_app
from receiver.events import Event
from receiver.graph import GraphStore, MemoryGraphStore, PatientGraph
from receiver.graph_redis import RedisGraphStore
from receiver.graph_sqlite import SqliteGraphStore
from receiver.settings import Settings
from receiver.store import MemoryDedupStore, StoreError
from schemas import published_example

REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture(params=["memory", "sqlite", "redis"])
def graph_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[GraphStore]:
    if request.param == "memory":
        yield MemoryGraphStore()
    elif request.param == "sqlite":
        yield SqliteGraphStore(tmp_path / "graph.db")
    else:
        prefix = f"rimo:test-graph:{uuid.uuid4().hex}:"
        client = redis.Redis.from_url(REDIS_URL, decode_responses=True)
        try:
            client.ping()
        except redis.RedisError:
            pytest.skip("no Redis on 127.0.0.1:6379")
        yield RedisGraphStore(client, key_prefix=prefix)
        for key in client.scan_iter(match=prefix + "*"):
            client.delete(key)
        client.close()


def as_event(payload: dict[str, Any]) -> Event:
    return Event(id=payload["id"], type=payload["type"], payload=payload)


def views(graph: PatientGraph, events: list[dict[str, Any]]) -> dict[str, Any]:
    customers = {e["data"]["customerId"] for e in events if "customerId" in e["data"]}
    return {customer: graph.patient(customer) for customer in sorted(customers)}


def test_published_examples_make_one_linked_patient(graph_store: GraphStore) -> None:
    """The five published examples (charge captured before transmission) form one patient
    whose order carries its shipment and its $149.99 charge."""
    graph = PatientGraph(graph_store)
    for kind in (
        "charge.captured",
        "order.shipped",
        "treatment.approved",
        "order.transmitted",
        "treatment.created",
    ):
        graph.process(as_event(published_example(kind)))
    patient = graph.patient("prof_abc123")
    assert patient is not None
    (treatment,) = patient["treatments"]
    assert treatment["status"] == "approved"
    assert treatment["offeringName"] == "TRT Protocol"
    assert treatment["clinician"] == {"clinicianId": "dr_smith", "clinicianName": "Dr. Smith"}
    (order,) = treatment["orders"]
    assert order["orderId"] == "rimo_ord_789"
    assert order["status"] == "shipped"
    assert order["shipment"]["trackingNumber"] == "1Z999AA10123456784"
    assert order["amountCapturedInCents"] == 14999
    assert order["medications"][0]["name"] == "Testosterone Cypionate"


def test_any_delivery_order_converges_to_the_same_view(graph_store: GraphStore) -> None:
    """Ten orders of the same three lifecycles give identical views of every patient."""
    events = lifecycle_stream(patients=3, order="causal", seed=5)
    causal = PatientGraph(MemoryGraphStore())
    for event in events:
        causal.process(as_event(event))
    reference = views(causal, events)
    assert all(view is not None for view in reference.values())
    rng = random.Random(9)
    for attempt in range(10):
        shuffled = list(events)
        rng.shuffle(shuffled)
        graph = PatientGraph(graph_store) if attempt == 0 else PatientGraph(MemoryGraphStore())
        for event in shuffled:
            graph.process(as_event(event))
        assert views(graph, events) == reference


def test_state_never_regresses(graph_store: GraphStore) -> None:
    """An approval followed by the (late) creation stays approved; a shipment followed by
    the late transmission stays shipped."""
    lifecycle = {e["type"]: e for e in EventFactory(2).lifecycle()}
    graph = PatientGraph(graph_store)
    for kind in ("treatment.approved", "order.shipped", "treatment.created", "order.transmitted"):
        graph.process(as_event(lifecycle[kind]))
    patient = graph.patient(lifecycle["treatment.created"]["data"]["customerId"])
    assert patient is not None
    assert patient["treatments"][0]["status"] == "approved"
    assert patient["treatments"][0]["orders"][0]["status"] == "shipped"


def test_applying_an_event_twice_changes_nothing(graph_store: GraphStore) -> None:
    """A re-delivery after a failed commit records the same facts: one charge, not two."""
    events = EventFactory(4).lifecycle()
    graph = PatientGraph(graph_store)
    for event in events + events:
        graph.process(as_event(event))
    once = PatientGraph(MemoryGraphStore())
    for event in events:
        once.process(as_event(event))
    assert views(graph, events) == views(once, events)
    customer = events[0]["data"]["customerId"]
    assert len(graph.patient(customer)["treatments"][0]["orders"][0]["charges"]) == 1  # type: ignore[index]


def test_unknown_patient_is_none(graph_store: GraphStore) -> None:
    """No event names the customer: there is no view, not an empty one."""
    assert PatientGraph(graph_store).patient("prof_nobody") is None


def _client(*, patient_view: bool, store: Any = None) -> falcon.testing.TestClient:
    graph = PatientGraph(MemoryGraphStore())
    app = create_app(
        Settings.for_secret(SECRET, patient_view=patient_view),
        store=store if store is not None else MemoryDedupStore(),
        clock=lambda: NOW,
        processor=graph,
        patient_view=graph if patient_view else None,
    )
    return falcon.testing.TestClient(app)


def test_patient_view_shows_the_effect_of_a_delivery() -> None:
    """With the view on, a processed delivery is visible at GET /patients/{customerId}."""
    client = _client(patient_view=True)
    body = compact(published_example("treatment.created"))
    assert (
        client.simulate_post("/webhooks/rimo", body=body, headers=default_headers(body)).status_code
        == 200
    )
    view = client.simulate_get("/patients/prof_abc123")
    assert view.status_code == 200
    assert view.json["treatments"][0]["status"] == "pending"
    missing = client.simulate_get("/patients/prof_nobody")
    assert (missing.status_code, missing.json["code"]) == (404, "not_found")


def test_patient_view_is_off_by_default() -> None:
    """Without RIMO_PATIENT_VIEW the route does not exist."""
    assert _client(patient_view=False).simulate_get("/patients/prof_abc123").status_code == 404
    assert Settings.from_env({"RIMO_WEBHOOK_SECRET": SECRET}).patient_view is False
    assert (
        Settings.from_env({"RIMO_WEBHOOK_SECRET": SECRET, "RIMO_PATIENT_VIEW": "on"}).patient_view
        is True
    )


class _DownStore(MemoryDedupStore):
    def check(self) -> None:
        raise StoreError("down")


def test_readiness_follows_the_dedup_store() -> None:
    """/webhooks/rimo/ready is 200 while the store answers and 503 (Retry-After) when not;
    /webhooks/rimo/health stays 200 either way."""
    assert _client(patient_view=False).simulate_get("/webhooks/rimo/ready").json == {
        "status": "ready"
    }
    down = _client(patient_view=False, store=_DownStore())
    ready = down.simulate_get("/webhooks/rimo/ready")
    assert (ready.status_code, ready.json["code"]) == (503, "store_unavailable")
    assert ready.headers["Retry-After"] == "1"
    assert down.simulate_get("/webhooks/rimo/health").status_code == 200


def test_sqlite_graph_writes_an_events_facts_all_or_nothing(tmp_path: Path) -> None:
    """If the link half of an event's facts fails, its field half is rolled back too, so the
    retry after the 500 starts from a clean slate."""
    import sqlite3

    path = tmp_path / "graph.db"
    store = SqliteGraphStore(path)
    with sqlite3.connect(path) as connection:
        connection.execute("DROP TABLE rimo_graph_links")
    graph = PatientGraph(store)
    with pytest.raises(sqlite3.Error):
        graph.process(as_event(published_example("treatment.created")))
    assert store.read("treatment", "rimo_treat_456") == {}
