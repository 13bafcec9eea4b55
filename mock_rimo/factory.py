"""Realistic, reproducible Rimo events built with Faker.

Everything is drawn from one seeded generator, and no value depends on the wall clock,
so the same seed always yields byte-identical events.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any, Final

from faker import Faker

from schemas import EVENT_TYPES

DEFAULT_ANCHOR: Final = datetime(2026, 1, 1, tzinfo=UTC)
"""Events are dated within 30 days after this instant unless another anchor is given."""

OFFERINGS: Final = (
    "TRT Protocol",
    "GLP-1 Weight Management",
    "Enclomiphene Protocol",
    "Sermorelin Therapy",
    "NAD+ Injections",
    "Sildenafil On-Demand",
)
MEDICATIONS: Final = (
    ("Testosterone Cypionate", ("200mg/mL", "100mg/mL")),
    ("Semaglutide", ("0.25mg/0.5mL", "0.5mg/0.5mL", "1mg/0.5mL")),
    ("Tirzepatide", ("2.5mg/0.5mL", "5mg/0.5mL")),
    ("Enclomiphene Citrate", ("12.5mg", "25mg")),
    ("Anastrozole", ("0.5mg", "1mg")),
    ("Sermorelin Acetate", ("9mg/vial",)),
    ("NAD+", ("200mg/mL",)),
    ("Sildenafil", ("20mg", "50mg", "100mg")),
)
CARRIERS: Final = ("UPS", "USPS", "FedEx")


def encode(event: dict[str, Any]) -> bytes:
    """Compact UTF-8 JSON, the way the mock sender puts an event on the wire."""
    return json.dumps(event, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _iso(instant: datetime) -> str:
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class EventFactory:
    """Builds schema-valid events of every type from one seed."""

    def __init__(self, seed: int | None = None, *, anchor: datetime = DEFAULT_ANCHOR) -> None:
        self._random = random.Random(seed)  # noqa: S311  # test data, not cryptography
        self._faker = Faker("en_US")
        self._faker.seed_instance(seed if seed is not None else self._random.getrandbits(64))
        self._anchor = anchor
        self._builders: dict[str, Callable[[], dict[str, Any]]] = {
            "treatment.created": self._treatment_created,
            "treatment.approved": self._treatment_approved,
            "order.transmitted": self._order_transmitted,
            "order.shipped": self._order_shipped,
            "charge.captured": self._charge_captured,
        }

    def build(self, event_type: str) -> dict[str, Any]:
        """One event of ``event_type`` with fresh ids."""
        builder = self._builders.get(event_type)
        if builder is None:
            raise KeyError(f"unknown event type {event_type!r}; known: {', '.join(EVENT_TYPES)}")
        instant = self._instant()
        return {
            "id": self._token("evt_"),
            "type": event_type,
            "data": builder(),
            "timestamp": _iso(instant),
        }

    def _token(self, prefix: str, length: int = 20) -> str:
        alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
        return prefix + "".join(self._random.choice(alphabet) for _ in range(length))

    def _instant(self) -> datetime:
        return self._anchor + timedelta(seconds=self._random.randrange(30 * 24 * 3600))

    def _treatment_created(self) -> dict[str, Any]:
        return {
            "treatmentId": self._token("rimo_treat_"),
            "customerId": self._token("prof_"),
            "offeringName": self._random.choice(OFFERINGS),
            "status": "pending",
        }

    def _treatment_approved(self) -> dict[str, Any]:
        last_name = self._faker.last_name()
        return {
            "treatmentId": self._token("rimo_treat_"),
            "customerId": self._token("prof_"),
            "clinicianId": f"dr_{last_name.lower()}_{self._random.randrange(100, 1000)}",
            "clinicianName": f"Dr. {self._faker.first_name()} {last_name}",
            "approvedAt": _iso(self._instant()),
        }

    def _order_transmitted(self) -> dict[str, Any]:
        lines = self._random.sample(MEDICATIONS, k=self._random.randint(1, 2))
        return {
            "orderId": self._token("rimo_ord_"),
            "treatmentId": self._token("rimo_treat_"),
            "customerId": self._token("prof_"),
            "medications": [
                {
                    "name": name,
                    "dosage": self._random.choice(dosages),
                    "quantity": self._random.randint(1, 3),
                }
                for name, dosages in lines
            ],
        }

    def _order_shipped(self) -> dict[str, Any]:
        carrier = self._random.choice(CARRIERS)
        delivery: date = (self._instant() + timedelta(days=self._random.randint(2, 6))).date()
        return {
            "orderId": self._token("rimo_ord_"),
            "trackingNumber": self._tracking_number(carrier),
            "carrier": carrier,
            "estimatedDelivery": delivery.isoformat(),
        }

    def _tracking_number(self, carrier: str) -> str:
        digits = self._faker.numerify
        if carrier == "UPS":
            return (
                "1Z"
                + self._faker.bothify("???###", letters="ABCDEFGHJKLMNPRSTVWXYZ")
                + digits("##########")
            )
        if carrier == "USPS":
            return "9400" + digits("#" * 18)
        return digits("#" * 12)

    def _charge_captured(self) -> dict[str, Any]:
        return {
            "orderId": self._token("rimo_ord_"),
            "amount": self._random.choice((4999, 9999, 14999, 19900, 24999, 29900)),
            "currency": "usd",
        }
