"""Patients' lifecycles, and the orders in which a provider may deliver them.

Rimo promises no delivery order: the published examples themselves capture a charge
before its order is transmitted. The named orders reproduce the ways real deliveries
arrive, so a receiver can be shown to converge whatever the order.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from typing import Any, Final

from mock_rimo.factory import EventFactory

Event = dict[str, Any]
Lifecycle = list[Event]


def _causal(lifecycles: Sequence[Lifecycle], rng: random.Random) -> list[Event]:
    """Every event in the order it happened, patients interleaved by time."""
    events = [event for lifecycle in lifecycles for event in lifecycle]
    return sorted(events, key=lambda event: (event["timestamp"], event["id"]))


def _shuffled(lifecycles: Sequence[Lifecycle], rng: random.Random) -> list[Event]:
    """Any order at all."""
    events = [event for lifecycle in lifecycles for event in lifecycle]
    rng.shuffle(events)
    return events


def _per_patient(rearrange: Callable[[Lifecycle], Lifecycle]) -> Callable[..., list[Event]]:
    def order(lifecycles: Sequence[Lifecycle], rng: random.Random) -> list[Event]:
        return [event for lifecycle in lifecycles for event in rearrange(list(lifecycle))]

    return order


def _move_first(event_type: str) -> Callable[[Lifecycle], Lifecycle]:
    def rearrange(lifecycle: Lifecycle) -> Lifecycle:
        moved = [event for event in lifecycle if event["type"] == event_type]
        return moved + [event for event in lifecycle if event["type"] != event_type]

    return rearrange


def _shipped_before_transmitted(lifecycle: Lifecycle) -> Lifecycle:
    types = [event["type"] for event in lifecycle]
    shipped, transmitted = types.index("order.shipped"), types.index("order.transmitted")
    lifecycle[shipped], lifecycle[transmitted] = lifecycle[transmitted], lifecycle[shipped]
    return lifecycle


def _duplicate_mid_stream(lifecycles: Sequence[Lifecycle], rng: random.Random) -> list[Event]:
    """Causal, with one in ten events delivered a second time a little later."""
    events = _causal(lifecycles, rng)
    stream: list[Event] = []
    pending: list[tuple[int, Event]] = []
    for index, event in enumerate(events):
        stream.append(event)
        if rng.random() < 0.1:
            pending.append((index + rng.randint(1, 5), event))
        stream.extend(again for due, again in pending if due == index)
        pending = [(due, again) for due, again in pending if due != index]
    stream.extend(again for _, again in pending)
    return stream


ORDERS: Final[dict[str, Callable[[Sequence[Lifecycle], random.Random], list[Event]]]] = {
    "causal": _causal,
    "shuffled": _shuffled,
    "charge-first": _per_patient(_move_first("charge.captured")),
    "shipped-before-transmitted": _per_patient(_shipped_before_transmitted),
    "duplicate-mid-stream": _duplicate_mid_stream,
}
"""Delivery orders by name: how a stream of lifecycles is put on the wire."""


def lifecycle_stream(*, patients: int, order: str, seed: int | None) -> list[Event]:
    """``patients`` lifecycles (five events each) in the named delivery ``order``."""
    if order not in ORDERS:
        raise KeyError(f"unknown order {order!r}; known: {', '.join(ORDERS)}")
    if patients < 1:
        raise ValueError("patients must be at least 1")
    factory = EventFactory(seed)
    lifecycles = [factory.lifecycle() for _ in range(patients)]
    rng = random.Random(seed)  # noqa: S311  # ordering test data, not cryptography
    return ORDERS[order](lifecycles, rng)
