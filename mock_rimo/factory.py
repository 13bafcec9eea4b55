"""Realistic, reproducible Rimo events built with Faker.

Every value comes from one seeded generator and none from the wall clock, so the same
seed always yields byte-identical events. Events of one patient's lifecycle share their
ids and carry causally plausible times.
"""

from __future__ import annotations

import json
import random
import string
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from faker import Faker

from mock_rimo.providers import CARRIERS, RimoProvider
from schemas import EVENT_TYPES

DEFAULT_ANCHOR: Final = datetime(2026, 1, 1, tzinfo=UTC)
"""Lifecycles start within 30 days after this instant unless another anchor is given."""
_ID_ALPHABET: Final = string.ascii_lowercase + string.digits

__all__ = ["CARRIERS", "DEFAULT_ANCHOR", "EventFactory", "Patient", "encode"]


def encode(event: dict[str, Any]) -> bytes:
    """Compact UTF-8 JSON, the way the mock sender puts an event on the wire."""
    return json.dumps(event, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _iso(instant: datetime) -> str:
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True, slots=True)
class Patient:
    """The ids and choices one lifecycle's events share."""

    customer_id: str
    treatment_id: str
    order_id: str
    offering: str
    clinician_id: str
    clinician_name: str


@dataclass(frozen=True, slots=True)
class _Moments:
    """When each step of a lifecycle happened; the charge may precede the transmission."""

    created: datetime
    approved: datetime
    charged: datetime
    transmitted: datetime
    shipped: datetime


class EventFactory:
    """Builds schema-valid events, alone or as linked lifecycles, from one seed."""

    def __init__(self, seed: int | None = None, *, anchor: datetime = DEFAULT_ANCHOR) -> None:
        self._faker = Faker("en_US")
        self._faker.add_provider(RimoProvider)
        self._faker.seed_instance(
            seed if seed is not None else random.SystemRandom().getrandbits(63)
        )
        self._random: random.Random = self._faker.random
        self._anchor = anchor

    def build(self, event_type: str) -> dict[str, Any]:
        """One event of ``event_type`` for a new patient."""
        if event_type not in EVENT_TYPES:
            raise KeyError(f"unknown event type {event_type!r}; known: {', '.join(EVENT_TYPES)}")
        return self._events(self.patient(), self._moments())[event_type]

    def lifecycle(self, patient: Patient | None = None) -> list[dict[str, Any]]:
        """A patient's five events in causal order: created, approved, charged or
        transmitted (whichever came first), then shipped."""
        events = self._events(patient or self.patient(), self._moments())
        return sorted(events.values(), key=lambda event: (event["timestamp"], event["type"]))

    def patient(self) -> Patient:
        last_name = self._faker.last_name()
        clinician_suffix = self._random.randrange(100, 1000)
        return Patient(
            customer_id=self._token("prof_"),
            treatment_id=self._token("rimo_treat_"),
            order_id=self._token("rimo_ord_"),
            offering=self._faker.offering(),
            clinician_id=f"dr_{last_name.lower().replace(' ', '_')}_{clinician_suffix}",
            clinician_name=f"Dr. {self._faker.first_name()} {last_name}",
        )

    def _token(self, prefix: str, length: int = 20) -> str:
        return prefix + "".join(self._random.choices(_ID_ALPHABET, k=length))

    def _after(self, start: datetime, *, minimum_minutes: int, maximum_minutes: int) -> datetime:
        return start + timedelta(
            minutes=self._random.randint(minimum_minutes, maximum_minutes),
            seconds=self._random.randrange(60),
        )

    def _moments(self) -> _Moments:
        created = self._anchor + timedelta(seconds=self._random.randrange(30 * 24 * 3600))
        approved = self._after(created, minimum_minutes=30, maximum_minutes=48 * 60)
        transmitted = self._after(approved, minimum_minutes=10, maximum_minutes=24 * 60)
        return _Moments(
            created=created,
            approved=approved,
            charged=self._after(approved, minimum_minutes=1, maximum_minutes=120),
            transmitted=transmitted,
            shipped=self._after(transmitted, minimum_minutes=60, maximum_minutes=72 * 60),
        )

    def _envelope(self, event_type: str, at: datetime, data: dict[str, Any]) -> dict[str, Any]:
        return {"id": self._token("evt_"), "type": event_type, "data": data, "timestamp": _iso(at)}

    def _events(self, patient: Patient, moments: _Moments) -> dict[str, dict[str, Any]]:
        carrier = self._faker.carrier()
        delivery = (moments.shipped + timedelta(days=self._random.randint(2, 6))).date()
        return {
            "treatment.created": self._envelope(
                "treatment.created",
                moments.created,
                {
                    "treatmentId": patient.treatment_id,
                    "customerId": patient.customer_id,
                    "offeringName": patient.offering,
                    "status": "pending",
                },
            ),
            "treatment.approved": self._envelope(
                "treatment.approved",
                moments.approved,
                {
                    "treatmentId": patient.treatment_id,
                    "customerId": patient.customer_id,
                    "clinicianId": patient.clinician_id,
                    "clinicianName": patient.clinician_name,
                    "approvedAt": _iso(moments.approved),
                },
            ),
            "order.transmitted": self._envelope(
                "order.transmitted",
                moments.transmitted,
                {
                    "orderId": patient.order_id,
                    "treatmentId": patient.treatment_id,
                    "customerId": patient.customer_id,
                    "medications": self._faker.medication_lines(patient.offering),
                },
            ),
            "order.shipped": self._envelope(
                "order.shipped",
                moments.shipped,
                {
                    "orderId": patient.order_id,
                    "trackingNumber": self._faker.tracking_number(carrier),
                    "carrier": carrier,
                    "estimatedDelivery": delivery.isoformat(),
                },
            ),
            "charge.captured": self._envelope(
                "charge.captured",
                moments.charged,
                {
                    "orderId": patient.order_id,
                    "amount": self._faker.price_in_cents(),
                    "currency": "usd",
                },
            ),
        }
