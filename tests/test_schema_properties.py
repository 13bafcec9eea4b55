"""Property-based and bulk checks: schema, factory and receiver agree on what is valid."""

from __future__ import annotations

import json
from typing import Any

import falcon.testing
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from receiver_helpers import NOW, SECRET, default_headers
from schema_strategies import strategy_for

from mock_rimo.factory import EventFactory
from receiver.app import create_app
from receiver.processing import EffectLedger
from receiver.settings import Settings
from receiver.store import MemoryDedupStore
from schemas import EVENT_TYPES, EventValidator, bundled, published_example

FAKER_EVENTS_PER_TYPE = 10_000
VALIDATOR = EventValidator()


def receiver_client() -> tuple[falcon.testing.TestClient, EffectLedger]:
    ledger = EffectLedger()
    app = create_app(
        Settings.for_secret(SECRET), store=MemoryDedupStore(), clock=lambda: NOW, processor=ledger
    )
    return falcon.testing.TestClient(app), ledger


@pytest.mark.parametrize("event_type", [*EVENT_TYPES, "envelope"])
def test_bundled_schema_is_self_contained_and_equivalent(event_type: str) -> None:
    """The bundled form has no $ref and judges the published examples like the files do."""
    document = bundled(event_type)
    validator = Draft202012Validator(document, format_checker=Draft202012Validator.FORMAT_CHECKER)
    example = published_example("charge.captured" if event_type == "envelope" else event_type)
    broken = json.loads(json.dumps(example))
    del broken["id"]
    assert "$ref" not in json.dumps(document)
    assert validator.is_valid(example)
    assert not validator.is_valid(broken)


def _strategy(event_type: str) -> st.SearchStrategy[dict[str, Any]]:
    return strategy_for(bundled(event_type))


@pytest.mark.parametrize("event_type", EVENT_TYPES)
def test_generated_instances_are_accepted_by_the_receiver_when_signed(event_type: str) -> None:
    """Any instance hypothesis derives from a schema validates, and the receiver processes it."""

    @settings(
        max_examples=60,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
        derandomize=True,
    )
    @given(event=_strategy(event_type))
    def check(event: dict[str, Any]) -> None:
        assert VALIDATOR.violations(event) == []
        client, ledger = receiver_client()
        body = json.dumps(event, ensure_ascii=False).encode("utf-8")
        result = client.simulate_post("/webhooks/rimo", body=body, headers=default_headers(body))
        assert result.status_code == 200, result.text
        assert result.json["status"] == "processed"
        assert ledger.effect_count(event["id"]) == 1

    check()


@pytest.mark.parametrize("event_type", EVENT_TYPES)
def test_ten_thousand_seeded_faker_events_per_type_validate(event_type: str) -> None:
    """The mock's factory never produces an event its own schemas refuse."""
    factory = EventFactory(20260101)
    failures = [
        event
        for event in (factory.build(event_type) for _ in range(FAKER_EVENTS_PER_TYPE))
        if VALIDATOR.violations(event)
    ]
    assert failures == []
