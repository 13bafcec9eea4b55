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
    assert order["capturedByCurrency"] == {"usd": 14999}
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
    with pytest.raises(StoreError):
        graph.process(as_event(published_example("treatment.created")))
    assert store.records("treatment", "rimo_treat_456") == {}


def _event(kind: str, event_id: str, at: str, **data: Any) -> Event:
    payload = {**published_example(kind), "id": event_id, "timestamp": at}
    payload["data"] = {**payload["data"], **data}
    return as_event(payload)


def test_patients_sharing_an_order_id_keep_their_own_medications(graph_store: GraphStore) -> None:
    """Two patients' orders reusing one orderId: each view shows its own medication; the
    shipment, which names only the order, cannot be attributed and is shown to neither."""
    graph = PatientGraph(graph_store)
    meds = {
        "A": [{"name": "A-med", "dosage": "1mg", "quantity": 1}],
        "B": [{"name": "B-med", "dosage": "2mg", "quantity": 2}],
    }
    for who in ("A", "B"):
        graph.process(
            _event(
                "treatment.created",
                f"evt_c{who}",
                "2026-01-01T00:00:00Z",
                customerId=who,
                treatmentId=f"t{who}",
            )
        )
        graph.process(
            _event(
                "order.transmitted",
                f"evt_o{who}",
                "2026-01-02T00:00:00Z",
                customerId=who,
                treatmentId=f"t{who}",
                orderId="ord_shared",
                medications=meds[who],
            )
        )
    graph.process(_event("order.shipped", "evt_s", "2026-01-03T00:00:00Z", orderId="ord_shared"))
    for who in ("A", "B"):
        (order,) = graph.patient(who)["treatments"][0]["orders"]  # type: ignore[index]
        assert order["medications"] == meds[who]
        assert (order["status"], order["shipment"], order["sharedOrderId"]) == (
            "transmitted",
            None,
            True,
        )


def test_another_patients_approval_of_a_shared_treatment_id_stays_theirs(
    graph_store: GraphStore,
) -> None:
    """C created treatment t; D's event approves t for D. C's treatment is not approved by
    D's clinician, and D never sees C's offering."""
    graph = PatientGraph(graph_store)
    graph.process(
        _event(
            "treatment.created",
            "evt_c",
            "2026-01-01T00:00:00Z",
            customerId="C",
            treatmentId="t",
            offeringName="C-private",
        )
    )
    graph.process(
        _event(
            "treatment.approved",
            "evt_d",
            "2026-01-02T00:00:00Z",
            customerId="D",
            treatmentId="t",
            clinicianName="Dr. D",
        )
    )
    c_view = graph.patient("C")["treatments"][0]  # type: ignore[index]
    d_view = graph.patient("D")["treatments"][0]  # type: ignore[index]
    assert (c_view["status"], c_view["clinician"], c_view["offeringName"]) == (
        "pending",
        None,
        "C-private",
    )
    assert (d_view["status"], d_view["offeringName"]) == ("approved", None)
    assert d_view["clinician"]["clinicianName"] == "Dr. D"


@pytest.mark.parametrize("newer_first", [True, False], ids=["newer-first", "older-first"])
def test_the_latest_stated_record_wins_whatever_arrives_last(
    graph_store: GraphStore, newer_first: bool
) -> None:
    """Two shipments and two approvals of one order and treatment: the view shows the
    latest by the time each event states, in both arrival orders."""
    graph = PatientGraph(graph_store)
    older = [
        _event("order.shipped", "evt_s1", "2026-01-04T00:00:00Z", estimatedDelivery="2026-01-08"),
        _event(
            "treatment.approved",
            "evt_a1",
            "2026-01-02T00:00:00Z",
            approvedAt="2026-01-02T00:00:00Z",
            clinicianName="Dr. Old",
        ),
    ]
    newer = [
        _event("order.shipped", "evt_s2", "2026-01-10T00:00:00Z", estimatedDelivery="2026-01-14"),
        _event(
            "treatment.approved",
            "evt_a2",
            "2026-01-09T00:00:00Z",
            approvedAt="2026-01-09T00:00:00Z",
            clinicianName="Dr. New",
        ),
    ]
    transmitted = as_event(published_example("order.transmitted"))
    for event in [transmitted, *(newer + older if newer_first else older + newer)]:
        graph.process(event)
    treatment = graph.patient("prof_abc123")["treatments"][0]  # type: ignore[index]
    assert treatment["approvedAt"] == "2026-01-09T00:00:00Z"
    assert treatment["clinician"]["clinicianName"] == "Dr. New"
    assert treatment["orders"][0]["shipment"]["estimatedDelivery"] == "2026-01-14"


def test_charges_are_totalled_per_currency(graph_store: GraphStore) -> None:
    """usd and jpy charges on one order are never added together."""
    graph = PatientGraph(graph_store)
    graph.process(as_event(published_example("order.transmitted")))
    for index, currency in enumerate(("usd", "jpy", "usd")):
        graph.process(
            _event(
                "charge.captured",
                f"evt_ch{index}",
                f"2026-01-0{index + 1}T00:00:00Z",
                currency=currency,
                amount=100,
            )
        )
    order = graph.patient("prof_abc123")["treatments"][0]["orders"][0]  # type: ignore[index]
    assert order["capturedByCurrency"] == {"usd": 200, "jpy": 100}
    assert [charge["eventId"] for charge in order["charges"]] == ["evt_ch0", "evt_ch1", "evt_ch2"]


def test_properties_the_schema_does_not_describe_are_never_stored(graph_store: GraphStore) -> None:
    """A tolerant receiver accepts an extra (here deeply nested) medication property; the
    graph keeps only the described fields, so the view stays small and serialisable."""
    deep: Any = "leaf"
    for _ in range(900):
        deep = [deep]
    event = published_example("order.transmitted")
    event["data"]["medications"][0]["lot"] = deep
    graph = PatientGraph(graph_store)
    graph.process(as_event(event))
    (line,) = graph.patient("prof_abc123")["treatments"][0]["orders"][0]["medications"]  # type: ignore[index]
    assert line == {"name": "Testosterone Cypionate", "dosage": "200mg/mL", "quantity": 1}


class _BrokenGraph(MemoryGraphStore):
    def write(self, facts: Any) -> None:
        raise StoreError("graph down")

    def linked(self, relation: str, source: str) -> set[str]:
        raise StoreError("graph down")


def test_a_graph_outage_is_503_for_deliveries_and_views() -> None:
    """The graph's store down: the delivery gets 503 store_unavailable (retryable, id not
    recorded) and the patient view 503 too, never an empty 500."""
    dedup = MemoryDedupStore()
    graph = PatientGraph(_BrokenGraph())
    app = create_app(
        Settings.for_secret(SECRET),
        store=dedup,
        clock=lambda: NOW,
        processor=graph,
        patient_view=graph,
    )
    client = falcon.testing.TestClient(app)
    body = compact(published_example("treatment.created"))
    delivery = client.simulate_post("/webhooks/rimo", body=body, headers=default_headers(body))
    view = client.simulate_get("/patients/prof_abc123")
    assert (delivery.status_code, delivery.json["code"]) == (503, "store_unavailable")
    assert (view.status_code, view.json["code"]) == (503, "store_unavailable")
    assert len(dedup) == 0


def test_patient_with_a_slash_in_its_id_is_readable_by_query() -> None:
    """A customerId with "/" cannot travel in a path segment; ?customerId= reads it, and a
    missing parameter is a 400 naming it."""
    client = _client(patient_view=True)
    event = published_example("treatment.created")
    event["data"]["customerId"] = "prof/with/slashes"
    body = compact(event)
    assert (
        client.simulate_post("/webhooks/rimo", body=body, headers=default_headers(body)).status_code
        == 200
    )
    view = client.simulate_get("/patients", params={"customerId": "prof/with/slashes"})
    assert (view.status_code, view.json["customerId"]) == (200, "prof/with/slashes")
    missing = client.simulate_get("/patients")
    assert missing.status_code == 400
    assert "customerId" in missing.json["description"]


def test_latest_is_by_the_moment_stated_not_the_text(graph_store: GraphStore) -> None:
    """10:30-05:00 (15:30Z) is later than 14:00Z, and 10:00:00.500Z later than 10:00:00Z,
    although their text sorts the other way; arrival order does not matter either."""
    graph = PatientGraph(graph_store)
    events = [
        as_event(published_example("order.transmitted")),
        _event("treatment.approved", "evt_a_z", "2024-06-15T14:00:00Z", clinicianName="Dr. Early"),
        _event(
            "treatment.approved", "evt_a_off", "2024-06-15T10:30:00-05:00", clinicianName="Dr. Late"
        ),
        _event("order.shipped", "evt_s_whole", "2024-06-17T10:00:00Z", trackingNumber="EARLY"),
        _event("order.shipped", "evt_s_frac", "2024-06-17T10:00:00.500Z", trackingNumber="LATE"),
        _event("order.shipped", "evt_s_lower", "2024-06-17t09:59:00z", trackingNumber="EARLIEST"),
    ]
    for event in reversed(events[1:]):
        graph.process(event)
    graph.process(events[0])
    treatment = graph.patient("prof_abc123")["treatments"][0]  # type: ignore[index]
    assert treatment["clinician"]["clinicianName"] == "Dr. Late"
    assert treatment["orders"][0]["shipment"]["trackingNumber"] == "LATE"
