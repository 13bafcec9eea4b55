"""Valid deliveries are acknowledged and processed."""

from __future__ import annotations

import pytest

from contract_tests.client import ContractClient
from mock_rimo.examples import published
from mock_rimo.factory import EventFactory
from schemas import EVENT_TYPES


@pytest.mark.parametrize("event_type", EVENT_TYPES)
def test_published_example_is_processed(client: ContractClient, event_type: str) -> None:
    """The published example (with a run-unique id) is processed: 200 "processed"."""
    event = client.unique(published(event_type))
    answer = client.deliver(event)
    assert answer.status == 200, answer
    assert answer.outcome == "processed", answer


@pytest.mark.parametrize("event_type", EVENT_TYPES)
def test_generated_event_is_processed(client: ContractClient, seed: int, event_type: str) -> None:
    """A realistic generated event of the type is processed: 200 "processed"."""
    event = client.unique(EventFactory(seed).build(event_type))
    answer = client.deliver(event)
    assert answer.status == 200, answer
    assert answer.outcome == "processed", answer


def test_unknown_event_type_is_acknowledged_and_ignored(client: ContractClient) -> None:
    """An event of a type the receiver does not know is answered 200 "ignored" (no retry storm)"""
    event = client.unique(
        {
            "id": "evt_contract_unknown",
            "type": "charge.refunded",
            "data": {"orderId": "rimo_ord_1"},
            "timestamp": "2026-01-01T00:00:00Z",
        }
    )
    answer = client.deliver(event)
    assert answer.status == 200, answer
    assert answer.outcome == "ignored", answer


def test_events_arrive_in_any_order(client: ContractClient) -> None:
    """A lifecycle delivered charge-first (as the published timestamps show) is all processed"""
    order = ["charge.captured", "order.shipped", "order.transmitted", "treatment.approved"]
    order.append("treatment.created")
    outcomes = [client.deliver(client.unique(published(kind))).outcome for kind in order]
    assert outcomes == ["processed"] * len(order)


def test_added_field_follows_the_schema_mode(client: ContractClient, schema_mode: str) -> None:
    """A field the schemas do not list yet: processed when tolerant, 422 naming it when strict"""
    event = client.unique(published("order.shipped"))
    event["data"]["signatureRequired"] = True
    answer = client.deliver(event)
    if schema_mode == "tolerant":
        assert (answer.status, answer.outcome) == (200, "processed"), answer
    else:
        assert answer.status == 422, answer
        assert [v["pointer"] for v in answer.body["violations"]] == ["/data/signatureRequired"]
