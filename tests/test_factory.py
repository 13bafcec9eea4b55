"""The Faker-based event factory: valid, realistic and reproducible."""

from __future__ import annotations

import pytest

from mock_rimo.examples import all_published
from mock_rimo.factory import CARRIERS, EventFactory, encode
from schemas import EVENT_TYPES, EventValidator

VALIDATOR = EventValidator()


@pytest.mark.parametrize("event_type", EVENT_TYPES)
def test_generated_events_validate_against_their_schema(event_type: str) -> None:
    """Two hundred seeded events of each type all pass their published schema."""
    for seed in range(200):
        event = EventFactory(seed).build(event_type)
        assert VALIDATOR.violations(event) == [], (seed, event)
        assert event["type"] == event_type


@pytest.mark.parametrize("event_type", EVENT_TYPES)
def test_same_seed_gives_byte_identical_events(event_type: str) -> None:
    """Reproducibility: the same seed encodes to the same bytes, a different seed does not."""
    first = encode(EventFactory(42).build(event_type))
    again = encode(EventFactory(42).build(event_type))
    other = encode(EventFactory(43).build(event_type))
    assert first == again
    assert first != other


def test_ids_are_unique_across_a_run() -> None:
    """One factory never repeats an event id."""
    factory = EventFactory(1)
    ids = [factory.build(event_type)["id"] for _ in range(300) for event_type in EVENT_TYPES]
    assert len(set(ids)) == len(ids)


def test_shipments_use_every_carrier_with_its_tracking_format() -> None:
    """UPS numbers start 1Z (18 characters), USPS 9400 (22 digits), FedEx 12 digits."""
    factory = EventFactory(5)
    seen: dict[str, str] = {}
    for _ in range(200):
        data = factory.build("order.shipped")["data"]
        seen.setdefault(data["carrier"], data["trackingNumber"])
    assert set(seen) == set(CARRIERS)
    assert seen["UPS"].startswith("1Z")
    assert len(seen["UPS"]) == 18
    assert seen["USPS"].startswith("9400")
    assert len(seen["USPS"]) == 22
    assert seen["FedEx"].isdigit()
    assert len(seen["FedEx"]) == 12


def test_unknown_type_is_refused_with_the_known_ones_listed() -> None:
    """Asking for a type the schemas do not define names the valid choices."""
    with pytest.raises(KeyError, match=r"charge\.captured"):
        EventFactory(0).build("charge.refunded")


def test_published_examples_are_the_spec_payloads() -> None:
    """The built-in fixtures are the five published examples, in lifecycle order."""
    examples = all_published()
    assert [example["id"] for example in examples] == [
        "evt_abc123",
        "evt_def456",
        "evt_ghi789",
        "evt_jkl012",
        "evt_mno345",
    ]
    assert examples[4]["data"] == {"orderId": "rimo_ord_789", "amount": 14999, "currency": "usd"}
