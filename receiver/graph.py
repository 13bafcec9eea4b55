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
from dataclasses import dataclass, field
from typing import Any, Protocol

from receiver.events import Event

JsonObject = dict[str, Any]

# Relations between ids, each read in one direction.
PATIENT_TREATMENTS = "patient-treatments"
TREATMENT_ORDERS = "treatment-orders"
ORDER_CHARGES = "order-charges"


@dataclass(frozen=True, slots=True)
class Facts:
    """What one event adds to the graph: fields on entities, and links between ids."""

    fields: list[tuple[str, str, JsonObject]] = field(default_factory=list)
    """(kind, key, fields): later values of a field replace earlier ones."""
    links: list[tuple[str, str, str]] = field(default_factory=list)
    """(relation, source, target)."""


class GraphStore(Protocol):
    """What a backend provides; writing the same facts twice changes nothing."""

    def write(self, facts: Facts) -> None:
        """Record all of ``facts`` at once: a backend applies them atomically, so a failure
        leaves none of an event's facts behind and the retry starts clean."""

    def read(self, kind: str, key: str) -> JsonObject:
        """Every field recorded on the entity; empty when nothing is."""

    def linked(self, relation: str, source: str) -> set[str]:
        """Every target related to ``source``."""


class MemoryGraphStore:
    """The graph in one process's memory, beside the in-memory dedup store."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entities: dict[tuple[str, str], JsonObject] = defaultdict(dict)
        self._links: dict[tuple[str, str], set[str]] = defaultdict(set)

    def write(self, facts: Facts) -> None:
        with self._lock:
            for kind, key, values in facts.fields:
                self._entities[(kind, key)].update(values)
            for relation, source, target in facts.links:
                self._links[(relation, source)].add(target)

    def read(self, kind: str, key: str) -> JsonObject:
        with self._lock:
            return dict(self._entities.get((kind, key), {}))

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
        facts_of = {
            "treatment.created": self._treatment_created,
            "treatment.approved": self._treatment_approved,
            "order.transmitted": self._order_transmitted,
            "order.shipped": self._order_shipped,
            "charge.captured": self._charge_captured,
        }.get(event.type)
        if facts_of is not None:
            self._store.write(facts_of(event, event.data))

    @staticmethod
    def _treatment_created(event: Event, data: JsonObject) -> Facts:
        treatment = {
            "customerId": data["customerId"],
            "offeringName": data["offeringName"],
            "createdStatus": data["status"],
            "createdAt": event.payload["timestamp"],
        }
        return Facts(
            fields=[("treatment", data["treatmentId"], treatment)],
            links=[(PATIENT_TREATMENTS, data["customerId"], data["treatmentId"])],
        )

    @staticmethod
    def _treatment_approved(event: Event, data: JsonObject) -> Facts:
        approval = {
            "customerId": data["customerId"],
            "clinicianId": data["clinicianId"],
            "clinicianName": data["clinicianName"],
            "approvedAt": data["approvedAt"],
        }
        return Facts(
            fields=[("treatment", data["treatmentId"], approval)],
            links=[(PATIENT_TREATMENTS, data["customerId"], data["treatmentId"])],
        )

    @staticmethod
    def _order_transmitted(event: Event, data: JsonObject) -> Facts:
        order = {
            "treatmentId": data["treatmentId"],
            "customerId": data["customerId"],
            "medications": data["medications"],
            "transmittedAt": event.payload["timestamp"],
        }
        return Facts(
            fields=[("order", data["orderId"], order)],
            links=[
                (PATIENT_TREATMENTS, data["customerId"], data["treatmentId"]),
                (TREATMENT_ORDERS, data["treatmentId"], data["orderId"]),
            ],
        )

    @staticmethod
    def _order_shipped(event: Event, data: JsonObject) -> Facts:
        shipment = {
            "carrier": data["carrier"],
            "trackingNumber": data["trackingNumber"],
            "estimatedDelivery": data["estimatedDelivery"],
            "shippedAt": event.payload["timestamp"],
        }
        return Facts(fields=[("shipment", data["orderId"], shipment)])

    @staticmethod
    def _charge_captured(event: Event, data: JsonObject) -> Facts:
        charge = {
            "amount": data["amount"],
            "currency": data["currency"],
            "capturedAt": event.payload["timestamp"],
        }
        return Facts(
            fields=[("charge", event.id, charge)],
            links=[(ORDER_CHARGES, data["orderId"], event.id)],
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
