"""The patient graph: what the events say about patients, treatments, orders, shipments
and charges, linked by their ids.

Each event is kept as its own record on the entities it names, never merged into theirs;
the view of a patient is assembled when it is read. That gives three properties whatever
order events arrive in, and however often:

- Convergent: the same events give the same view, since records are chosen by the time
  the event states (then by event id), never by arrival.
- Monotonic: status never goes backwards (an approval, once recorded, outranks a creation
  that arrives later), and a late older record never hides a newer one.
- Attributed: a record that names a patient is shown only to that patient, so two
  patients' events that reuse one treatment or order id cannot see each other's data.
  A record that names only an order (a shipment, a charge) is shown on that order; when
  several patients' events claim one order id it cannot be attributed, and is shown to
  none of them (the order says ``sharedOrderId``).

Writing an event's records again changes nothing, so the at-least-once re-delivery after
a failed commit is harmless.
"""

from __future__ import annotations

import os
import threading
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final, Protocol

from receiver.events import Event

JsonObject = dict[str, Any]

# Relations between ids, each read in one direction.
PATIENT_TREATMENTS = "patient-treatments"
TREATMENT_ORDERS = "treatment-orders"


@dataclass(frozen=True, slots=True)
class Facts:
    """What one event adds to the graph: a record on each entity it names, and links."""

    records: list[tuple[str, str, str, JsonObject]] = field(default_factory=list)
    """(kind, entity key, record id, record): the record id is the event id."""
    links: list[tuple[str, str, str]] = field(default_factory=list)
    """(relation, source, target)."""


class GraphStore(Protocol):
    """What a backend provides. Writes are idempotent; failures raise ``StoreError``."""

    def write(self, facts: Facts) -> None:
        """Record all of ``facts`` atomically: a failure leaves none of them behind."""

    def records(self, kind: str, key: str) -> dict[str, JsonObject]:
        """Every record on the entity, by record id; empty when there are none."""

    def linked(self, relation: str, source: str) -> set[str]:
        """Every target related to ``source``."""


class MemoryGraphStore:
    """The graph in one process's memory, beside the in-memory dedup store."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._records: dict[tuple[str, str], dict[str, JsonObject]] = defaultdict(dict)
        self._links: dict[tuple[str, str], set[str]] = defaultdict(set)

    def write(self, facts: Facts) -> None:
        with self._lock:
            for kind, key, record_id, record in facts.records:
                self._records[(kind, key)][record_id] = record
            for relation, source, target in facts.links:
                self._links[(relation, source)].add(target)

    def records(self, kind: str, key: str) -> dict[str, JsonObject]:
        with self._lock:
            return dict(self._records.get((kind, key), {}))

    def linked(self, relation: str, source: str) -> set[str]:
        with self._lock:
            return set(self._links.get((relation, source), set()))


def _record(event: Event, **fields: Any) -> JsonObject:
    return {"eventType": event.type, "at": event.payload["timestamp"], **fields}


_EARLIEST: Final = datetime.min.replace(tzinfo=UTC)


def _instant(text: object) -> datetime:
    """The moment an RFC 3339 timestamp names, so "10:30:00-05:00" sorts after "14:00:00Z"
    and fractions count; text compared as text would order these wrongly."""
    try:
        moment = datetime.fromisoformat(str(text).upper().replace("Z", "+00:00"))
    except ValueError:
        return _EARLIEST
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _order_key(item: tuple[str, JsonObject]) -> tuple[datetime, str]:
    return _instant(item[1].get("at")), item[0]


def _latest(records: Iterable[tuple[str, JsonObject]]) -> tuple[str, JsonObject] | None:
    """The record of the latest stated moment, ties broken by event id: never arrival order."""
    return max(records, key=_order_key, default=None)


class PatientGraph:
    """Projects events into a ``GraphStore`` and reads patients back out of it.

    It is the receiver's event processor: ``process`` is called once per new event id.
    """

    def __init__(self, store: GraphStore) -> None:
        self._store = store

    def process(self, event: Event) -> None:
        facts = self.facts_of(event)
        if facts is not None:
            self._store.write(facts)

    @staticmethod
    def facts_of(event: Event) -> Facts | None:
        """The records and links ``event`` adds; only fields the schema describes are kept,
        so a property a tolerant receiver let through is never stored or shown."""
        data, event_id = event.data, event.id
        if event.type in ("treatment.created", "treatment.approved"):
            if event.type == "treatment.created":
                details = {"offeringName": data["offeringName"], "status": data["status"]}
            else:
                details = {
                    "clinicianId": data["clinicianId"],
                    "clinicianName": data["clinicianName"],
                    "approvedAt": data["approvedAt"],
                }
            record = _record(event, customerId=data["customerId"], **details)
            return Facts(
                records=[("treatment", data["treatmentId"], event_id, record)],
                links=[(PATIENT_TREATMENTS, data["customerId"], data["treatmentId"])],
            )
        if event.type == "order.transmitted":
            medications = [
                {"name": line["name"], "dosage": line["dosage"], "quantity": line["quantity"]}
                for line in data["medications"]
            ]
            record = _record(
                event,
                customerId=data["customerId"],
                treatmentId=data["treatmentId"],
                medications=medications,
            )
            return Facts(
                records=[("order", data["orderId"], event_id, record)],
                links=[
                    (PATIENT_TREATMENTS, data["customerId"], data["treatmentId"]),
                    (TREATMENT_ORDERS, data["treatmentId"], data["orderId"]),
                ],
            )
        if event.type == "order.shipped":
            record = _record(
                event,
                carrier=data["carrier"],
                trackingNumber=data["trackingNumber"],
                estimatedDelivery=data["estimatedDelivery"],
            )
            return Facts(records=[("shipment", data["orderId"], event_id, record)])
        if event.type == "charge.captured":
            record = _record(event, amount=data["amount"], currency=data["currency"])
            return Facts(records=[("charge", data["orderId"], event_id, record)])
        return None

    def patient(self, customer_id: str) -> JsonObject | None:
        """The patient's treatments, orders, shipments and charges; ``None`` if unknown."""
        treatment_ids = self._store.linked(PATIENT_TREATMENTS, customer_id)
        if not treatment_ids:
            return None
        return {
            "customerId": customer_id,
            "treatments": [self._treatment(customer_id, key) for key in sorted(treatment_ids)],
        }

    def _own(self, kind: str, key: str, customer_id: str) -> dict[str, JsonObject]:
        records = self._store.records(kind, key)
        return {rid: rec for rid, rec in records.items() if rec.get("customerId") == customer_id}

    def _treatment(self, customer_id: str, treatment_id: str) -> JsonObject:
        own = self._own("treatment", treatment_id, customer_id).items()
        created = _latest(item for item in own if item[1]["eventType"] == "treatment.created")
        approval = _latest(item for item in own if item[1]["eventType"] == "treatment.approved")
        if approval is not None:
            status = "approved"  # outranks any creation, whenever it arrives
        else:
            status = created[1]["status"] if created is not None else "unknown"
        orders = [
            view
            for order_id in sorted(self._store.linked(TREATMENT_ORDERS, treatment_id))
            if (view := self._order(customer_id, treatment_id, order_id)) is not None
        ]
        return {
            "treatmentId": treatment_id,
            "offeringName": created[1]["offeringName"] if created else None,
            "status": status,
            "createdAt": created[1]["at"] if created else None,
            "approvedAt": approval[1]["approvedAt"] if approval else None,
            "clinician": (
                {
                    "clinicianId": approval[1]["clinicianId"],
                    "clinicianName": approval[1]["clinicianName"],
                }
                if approval
                else None
            ),
            "orders": orders,
        }

    def _order(self, customer_id: str, treatment_id: str, order_id: str) -> JsonObject | None:
        own = [
            item
            for item in self._own("order", order_id, customer_id).items()
            if item[1].get("treatmentId") == treatment_id
        ]
        transmitted = _latest(own)
        if transmitted is None:
            return None  # another patient's order under a shared treatment id
        owners = {
            record.get("customerId") for record in self._store.records("order", order_id).values()
        }
        if len(owners) > 1:
            # Shipments and charges name only the order. When several patients' events claim
            # the order id, they cannot be attributed: shown to none, rather than to all.
            shipment, charges = None, []
        else:
            shipment = _latest(self._store.records("shipment", order_id).items())
            charges = sorted(self._store.records("charge", order_id).items(), key=_order_key)
        captured: dict[str, int] = {}
        for _, charge in charges:
            captured[charge["currency"]] = captured.get(charge["currency"], 0) + charge["amount"]
        return {
            "orderId": order_id,
            "status": "shipped" if shipment else "transmitted",
            "medications": transmitted[1]["medications"],
            "transmittedAt": transmitted[1]["at"],
            "shipment": (
                {
                    key: shipment[1][key]
                    for key in ("carrier", "trackingNumber", "estimatedDelivery")
                }
                | {"shippedAt": shipment[1]["at"], "eventId": shipment[0]}
                if shipment
                else None
            ),
            "charges": [
                {
                    "eventId": rid,
                    "amount": c["amount"],
                    "currency": c["currency"],
                    "capturedAt": c["at"],
                }
                for rid, c in charges
            ],
            "capturedByCurrency": captured,
            "sharedOrderId": len(owners) > 1,
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
