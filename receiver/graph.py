"""The patient graph: what the events say about patients, treatments, orders, shipments
and charges, linked by their ids.

Events arrive in any order (the published examples capture a charge before its order is
transmitted), so each event only records the facts it carries and the links between
ids; the view of a patient is assembled when it is read. Whatever the order, the same
events give the same view, and no state goes backwards: a treatment approved is approved
even if its creation arrives after. Applying an event twice records the same facts again,
so a re-delivery after a failed commit does no harm.
"""

from __future__ import annotations

import os
import threading
from collections import defaultdict
from typing import Any, Protocol

from receiver.events import Event

JsonObject = dict[str, Any]

# Relations between ids, each read in one direction.
PATIENT_TREATMENTS = "patient-treatments"
TREATMENT_ORDERS = "treatment-orders"
ORDER_CHARGES = "order-charges"


class GraphStore(Protocol):
    """The four primitives a backend provides; all of them idempotent."""

    def merge(self, kind: str, key: str, fields: JsonObject) -> None:
        """Record ``fields`` on the entity (a later value of a field replaces an earlier)."""

    def read(self, kind: str, key: str) -> JsonObject:
        """Every field recorded on the entity; empty when nothing is."""

    def link(self, relation: str, source: str, target: str) -> None:
        """Record that ``source`` is related to ``target``."""

    def linked(self, relation: str, source: str) -> set[str]:
        """Every target related to ``source``."""


class MemoryGraphStore:
    """The graph in one process's memory, beside the in-memory dedup store."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entities: dict[tuple[str, str], JsonObject] = defaultdict(dict)
        self._links: dict[tuple[str, str], set[str]] = defaultdict(set)

    def merge(self, kind: str, key: str, fields: JsonObject) -> None:
        with self._lock:
            self._entities[(kind, key)].update(fields)

    def read(self, kind: str, key: str) -> JsonObject:
        with self._lock:
            return dict(self._entities.get((kind, key), {}))

    def link(self, relation: str, source: str, target: str) -> None:
        with self._lock:
            self._links[(relation, source)].add(target)

    def linked(self, relation: str, source: str) -> set[str]:
        with self._lock:
            return set(self._links.get((relation, source), set()))


class PatientGraph:
    """Projects events into a ``GraphStore`` and reads patients back out of it.

    It is the receiver's event processor: ``process`` is called once per new event id.
    """

    def __init__(self, store: GraphStore) -> None:
        self._store = store

    def process(self, event: Event) -> None:
        data = event.data
        apply = {
            "treatment.created": self._treatment_created,
            "treatment.approved": self._treatment_approved,
            "order.transmitted": self._order_transmitted,
            "order.shipped": self._order_shipped,
            "charge.captured": self._charge_captured,
        }.get(event.type)
        if apply is not None:
            apply(event, data)

    def _treatment_created(self, event: Event, data: JsonObject) -> None:
        self._store.link(PATIENT_TREATMENTS, data["customerId"], data["treatmentId"])
        self._store.merge(
            "treatment",
            data["treatmentId"],
            {
                "customerId": data["customerId"],
                "offeringName": data["offeringName"],
                "createdStatus": data["status"],
                "createdAt": event.payload["timestamp"],
            },
        )

    def _treatment_approved(self, event: Event, data: JsonObject) -> None:
        self._store.link(PATIENT_TREATMENTS, data["customerId"], data["treatmentId"])
        self._store.merge(
            "treatment",
            data["treatmentId"],
            {
                "customerId": data["customerId"],
                "clinicianId": data["clinicianId"],
                "clinicianName": data["clinicianName"],
                "approvedAt": data["approvedAt"],
            },
        )

    def _order_transmitted(self, event: Event, data: JsonObject) -> None:
        self._store.link(PATIENT_TREATMENTS, data["customerId"], data["treatmentId"])
        self._store.link(TREATMENT_ORDERS, data["treatmentId"], data["orderId"])
        self._store.merge(
            "order",
            data["orderId"],
            {
                "treatmentId": data["treatmentId"],
                "customerId": data["customerId"],
                "medications": data["medications"],
                "transmittedAt": event.payload["timestamp"],
            },
        )

    def _order_shipped(self, event: Event, data: JsonObject) -> None:
        self._store.merge(
            "shipment",
            data["orderId"],
            {
                "carrier": data["carrier"],
                "trackingNumber": data["trackingNumber"],
                "estimatedDelivery": data["estimatedDelivery"],
                "shippedAt": event.payload["timestamp"],
            },
        )

    def _charge_captured(self, event: Event, data: JsonObject) -> None:
        self._store.link(ORDER_CHARGES, data["orderId"], event.id)
        self._store.merge(
            "charge",
            event.id,
            {
                "amount": data["amount"],
                "currency": data["currency"],
                "capturedAt": event.payload["timestamp"],
            },
        )

    def patient(self, customer_id: str) -> JsonObject | None:
        """The patient's treatments, orders, shipments and charges; ``None`` if unknown."""
        treatment_ids = self._store.linked(PATIENT_TREATMENTS, customer_id)
        if not treatment_ids:
            return None
        return {
            "customerId": customer_id,
            "treatments": [self._treatment(key) for key in sorted(treatment_ids)],
        }

    def _treatment(self, treatment_id: str) -> JsonObject:
        facts = self._store.read("treatment", treatment_id)
        # Approval outranks creation whatever order they arrived in: state never regresses.
        status = "approved" if "approvedAt" in facts else facts.get("createdStatus", "unknown")
        clinician = (
            {"clinicianId": facts["clinicianId"], "clinicianName": facts["clinicianName"]}
            if "clinicianId" in facts
            else None
        )
        orders = self._store.linked(TREATMENT_ORDERS, treatment_id)
        return {
            "treatmentId": treatment_id,
            "offeringName": facts.get("offeringName"),
            "status": status,
            "createdAt": facts.get("createdAt"),
            "approvedAt": facts.get("approvedAt"),
            "clinician": clinician,
            "orders": [self._order(key) for key in sorted(orders)],
        }

    def _order(self, order_id: str) -> JsonObject:
        facts = self._store.read("order", order_id)
        shipment = self._store.read("shipment", order_id) or None
        charges = [
            {"chargeEventId": key, **self._store.read("charge", key)}
            for key in sorted(self._store.linked(ORDER_CHARGES, order_id))
        ]
        return {
            "orderId": order_id,
            "status": "shipped" if shipment else "transmitted",
            "medications": facts.get("medications", []),
            "transmittedAt": facts.get("transmittedAt"),
            "shipment": shipment,
            "charges": charges,
            "amountCapturedInCents": sum(int(charge["amount"]) for charge in charges),
        }


def open_graph(url: str) -> GraphStore:
    """The graph store living beside the dedup store ``url`` names: in memory, in the same
    SQLite file, or in the same Redis database."""
    from receiver.store import parse_store_url

    location = parse_store_url(url)
    if location.kind == "sqlite":
        from receiver.graph_sqlite import SqliteGraphStore

        return SqliteGraphStore(os.path.abspath(location.target))
    if location.kind == "redis":
        from receiver.graph_redis import RedisGraphStore

        return RedisGraphStore.from_url(location.target)
    return MemoryGraphStore()
