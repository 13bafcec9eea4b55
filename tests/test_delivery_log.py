"""One structured log line per delivery, whatever the answer; never a secret or a body."""

from __future__ import annotations

import logging

import falcon.testing
import pytest
from receiver_helpers import SECRET, compact, default_headers

from schemas import published_example


def delivery_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.name == "receiver.deliveries"]


def test_each_answer_is_logged_once_with_outcome_and_latency(
    client: falcon.testing.TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    """processed, duplicate, 422 and 401: four deliveries, four lines, each with the event id
    (when known), the outcome or error code, the status and a latency."""
    caplog.set_level(logging.INFO, logger="receiver")
    body = compact(published_example("order.shipped"))
    invalid = published_example("charge.captured")
    del invalid["data"]["orderId"]
    invalid_body = compact(invalid)
    client.simulate_post("/webhooks/rimo", body=body, headers=default_headers(body))
    client.simulate_post("/webhooks/rimo", body=body, headers=default_headers(body))
    client.simulate_post("/webhooks/rimo", body=invalid_body, headers=default_headers(invalid_body))
    client.simulate_post("/webhooks/rimo", body=body, headers=default_headers(body, secret="nope"))
    records = delivery_records(caplog)
    summary = [
        (
            r.levelno,
            getattr(r, "event_id", None),
            getattr(r, "status", None),
            getattr(r, "outcome", None) or getattr(r, "code", None),
        )
        for r in records
    ]
    assert summary == [
        (logging.INFO, "evt_jkl012", 200, "processed"),
        (logging.INFO, "evt_jkl012", 200, "duplicate"),
        (logging.INFO, "evt_mno345", 422, "invalid_event"),
        (logging.WARNING, None, 401, "signature_mismatch"),
    ]
    assert all(isinstance(getattr(r, "latency_ms", None), float) for r in records)
    logged = " ".join(repr(r.__dict__) for r in caplog.records)
    assert SECRET not in logged
    assert "1Z999AA10123456784" not in logged  # no body content


def test_health_checks_are_not_logged_as_deliveries(
    client: falcon.testing.TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    """Probes do not flood the delivery log."""
    caplog.set_level(logging.INFO, logger="receiver")
    client.simulate_get("/webhooks/rimo/health")
    assert delivery_records(caplog) == []
