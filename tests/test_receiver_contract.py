"""The receiver against each row of DESIGN.md's "Receiver contract (status codes)" table.

Every test drives the real Falcon app in-process, sends the body as raw signed bytes, and
checks the status, the body's machine-readable ``code`` (or ``status`` for a 200), and,
where a delivery could have an effect, the effect count and the dedup store.
"""

from __future__ import annotations

import hashlib
import hmac
import io
from typing import Any

import falcon.testing
import pytest
from receiver_helpers import (
    HEALTH_PATH,
    NOW,
    REF,
    REF_ID,
    REF_SIG,
    SECRET,
    WEBHOOK_PATH,
    FrozenClock,
    compact,
    default_headers,
    deliver,
    make_client,
    sig,
)

from receiver.events import Event
from receiver.processing import EffectLedger
from receiver.settings import Settings
from receiver.store import ClaimOutcome, MemoryDedupStore, StoreError
from schemas import EVENT_TYPES, published_example

SMALL_LIMIT = 200
"""A body limit just over REF's 191 bytes, so the size checks are cheap to exercise."""


def charge(**overrides: Any) -> dict[str, Any]:
    """A valid charge.captured payload; keyword arguments replace top-level fields."""
    payload: dict[str, Any] = {
        "id": "evt_contract_1",
        "type": "charge.captured",
        "data": {"orderId": "rimo_ord_1", "amount": 14999, "currency": "usd"},
        "timestamp": "2026-01-01T00:00:00Z",
    }
    payload.update(overrides)
    return payload


def charge_data(**overrides: Any) -> dict[str, Any]:
    """A valid charge.captured payload whose ``data`` fields are replaced (``None`` drops one)."""
    data: dict[str, Any] = {"orderId": "rimo_ord_1", "amount": 14999, "currency": "usd"}
    for key, value in overrides.items():
        if value is None:
            data.pop(key)
        else:
            data[key] = value
    return charge(data=data)


def assert_nothing_happened(ledger: EffectLedger, store: MemoryDedupStore) -> None:
    """A rejected delivery neither ran an effect nor claimed or recorded its id."""
    assert ledger.applied() == []
    assert len(store) == 0


def assert_error(result: falcon.testing.Result, status: int, code: str) -> None:
    assert result.status_code == status, result.text
    assert result.json["code"] == code
    assert isinstance(result.json["description"], str)
    assert result.json["description"]


def small_client(
    store: MemoryDedupStore, ledger: EffectLedger, clock: FrozenClock
) -> falcon.testing.TestClient:
    return make_client(
        Settings.for_secret(SECRET, max_body_bytes=SMALL_LIMIT),
        store=store,
        clock=clock,
        processor=ledger,
    )


def post_chunked(client: falcon.testing.TestClient, body: bytes) -> falcon.testing.Result:
    """POST without Content-Length (as a chunked request reaches WSGI), correctly signed.

    The one place the body is not passed as ``body=``: the TestClient would add a
    Content-Length for it, and this path is about the receiver counting actual bytes.
    """
    return client.simulate_post(
        WEBHOOK_PATH,
        headers=default_headers(body),
        extras={"wsgi.input": io.BytesIO(body), "wsgi.input_terminated": True},
    )


# --- 413: body over the size limit -----------------------------------------------------


def test_413_when_content_length_is_over_the_limit(
    store: MemoryDedupStore, ledger: EffectLedger, clock: FrozenClock
) -> None:
    body = REF + b" " * (SMALL_LIMIT - len(REF) + 1)  # valid JSON, validly signed, 201 bytes
    result = deliver(small_client(store, ledger, clock), body)
    assert_error(result, 413, "payload_too_large")
    assert_nothing_happened(ledger, store)


def test_body_of_exactly_the_limit_is_accepted(
    store: MemoryDedupStore, ledger: EffectLedger, clock: FrozenClock
) -> None:
    body = REF + b" " * (SMALL_LIMIT - len(REF))
    assert len(body) == SMALL_LIMIT
    result = deliver(small_client(store, ledger, clock), body)
    assert result.status_code == 200
    assert result.json["status"] == "processed"
    assert ledger.effect_count(REF_ID) == 1


def test_413_by_actual_bytes_when_no_content_length_is_declared(
    store: MemoryDedupStore, ledger: EffectLedger, clock: FrozenClock
) -> None:
    body = REF + b" " * (SMALL_LIMIT - len(REF) + 1)
    result = post_chunked(small_client(store, ledger, clock), body)
    assert_error(result, 413, "payload_too_large")
    assert_nothing_happened(ledger, store)


def test_chunked_body_within_the_limit_is_read_whole_and_processed(
    store: MemoryDedupStore, ledger: EffectLedger, clock: FrozenClock
) -> None:
    body = REF + b" " * (SMALL_LIMIT - len(REF))
    result = post_chunked(small_client(store, ledger, clock), body)
    assert result.status_code == 200
    assert result.json["status"] == "processed"
    assert ledger.effect_count(REF_ID) == 1


def test_size_is_checked_before_the_signature(
    store: MemoryDedupStore, ledger: EffectLedger, clock: FrozenClock
) -> None:
    body = REF + b" " * (SMALL_LIMIT - len(REF) + 1)
    result = deliver(small_client(store, ledger, clock), body, X_Rimo_Signature=None)
    assert_error(result, 413, "payload_too_large")


# --- 401: headers missing or empty ------------------------------------------------------


@pytest.mark.parametrize("value", [None, ""], ids=["missing", "empty"])
@pytest.mark.parametrize(
    ("header", "code"),
    [("X_Rimo_Signature", "missing_signature"), ("X_Rimo_Timestamp", "missing_timestamp")],
)
def test_401_when_a_signature_header_is_missing_or_empty(
    client: falcon.testing.TestClient,
    ledger: EffectLedger,
    store: MemoryDedupStore,
    header: str,
    code: str,
    value: str | None,
) -> None:
    result = deliver(client, REF, **{header: value})
    assert_error(result, 401, code)
    assert_nothing_happened(ledger, store)


def test_401_when_both_headers_are_missing(
    client: falcon.testing.TestClient, ledger: EffectLedger, store: MemoryDedupStore
) -> None:
    result = deliver(client, REF, X_Rimo_Signature=None, X_Rimo_Timestamp=None)
    assert_error(result, 401, "missing_signature")
    assert_nothing_happened(ledger, store)


# --- 401: timestamp not a whole number of seconds --------------------------------------


@pytest.mark.parametrize(
    "timestamp",
    [
        "1767225600.0",
        "1767225600.5",
        "1.7672256e9",
        "-1767225600",
        "+1767225600",
        "0x6955b900",
        "1767225600ms",
        "abc",
        "1_767_225_600",
        "9" * 16,
    ],
)
def test_401_when_the_timestamp_is_not_whole_seconds(
    client: falcon.testing.TestClient,
    ledger: EffectLedger,
    store: MemoryDedupStore,
    timestamp: str,
) -> None:
    # Signed over the malformed header itself, so only the timestamp's format is wrong.
    result = deliver(client, REF, ts=timestamp)
    assert_error(result, 401, "malformed_timestamp")
    assert_nothing_happened(ledger, store)


# --- 401: timestamp outside the window; 200 exactly at its edges ----------------------


@pytest.mark.parametrize("offset", [-301, 301, -86400, 86400])
def test_401_when_the_timestamp_is_outside_the_window(
    client: falcon.testing.TestClient,
    ledger: EffectLedger,
    store: MemoryDedupStore,
    offset: int,
) -> None:
    result = deliver(client, REF, ts=NOW + offset)
    assert_error(result, 401, "timestamp_out_of_tolerance")
    assert_nothing_happened(ledger, store)


@pytest.mark.parametrize("offset", [-300, 300])
def test_200_exactly_at_the_edge_of_the_window(
    client: falcon.testing.TestClient, ledger: EffectLedger, offset: int
) -> None:
    result = deliver(client, REF, ts=NOW + offset)
    assert result.status_code == 200
    assert result.json["status"] == "processed"
    assert ledger.effect_count(REF_ID) == 1


def test_the_window_follows_the_configured_tolerance(
    store: MemoryDedupStore, ledger: EffectLedger, clock: FrozenClock
) -> None:
    client = make_client(
        Settings.for_secret(SECRET, tolerance_seconds=60),
        store=store,
        clock=clock,
        processor=ledger,
    )
    assert_error(deliver(client, REF, ts=NOW - 61), 401, "timestamp_out_of_tolerance")
    assert deliver(client, REF, ts=NOW - 60).json["status"] == "processed"


# --- 401: signature does not match ------------------------------------------------------


def _hmac_of_body_only(body: bytes) -> str:
    return hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()


def _flip(hex_digit: str) -> str:
    return "1" if hex_digit == "0" else "0"


@pytest.mark.parametrize(
    ("label", "body", "overrides"),
    [
        ("wrong secret", REF, {"X_Rimo_Signature": sig(NOW, REF, "rimo_wrong_secret")}),
        ("tampered body", REF.replace(b"pending", b"pendinG"), {"X_Rimo_Signature": REF_SIG}),
        ("other timestamp", REF, {"X_Rimo_Signature": sig(NOW - 1, REF)}),
        ("first hex char", REF, {"X_Rimo_Signature": _flip(REF_SIG[0]) + REF_SIG[1:]}),
        ("last hex char", REF, {"X_Rimo_Signature": REF_SIG[:-1] + _flip(REF_SIG[-1])}),
        ("body only, no timestamp", REF, {"X_Rimo_Signature": _hmac_of_body_only(REF)}),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_401_when_the_signature_does_not_match(
    client: falcon.testing.TestClient,
    ledger: EffectLedger,
    store: MemoryDedupStore,
    label: str,
    body: bytes,
    overrides: dict[str, str],
) -> None:
    result = deliver(client, body, **overrides)
    assert_error(result, 401, "signature_mismatch")
    assert_nothing_happened(ledger, store)


def test_401_when_the_signature_is_not_bare_hex(
    client: falcon.testing.TestClient, ledger: EffectLedger, store: MemoryDedupStore
) -> None:
    result = deliver(client, REF, X_Rimo_Signature="sha256=" + REF_SIG)
    assert_error(result, 401, "malformed_signature")
    assert_nothing_happened(ledger, store)


@pytest.mark.parametrize(
    "overrides",
    [
        {"X_Rimo_Signature": None},
        {"X_Rimo_Timestamp": None},
        {"X_Rimo_Timestamp": "soon"},
        {"X_Rimo_Timestamp": str(NOW - 3600)},
        {"X_Rimo_Signature": "0" * 64},
        {"X_Rimo_Signature": REF_SIG[:-1]},
        {"X_Rimo_Signature": sig(NOW, REF, "rimo_wrong_secret")},
    ],
    ids=["no-sig", "no-ts", "bad-ts", "stale-ts", "zero-sig", "short-sig", "wrong-secret"],
)
def test_401_bodies_never_echo_the_expected_signature_or_the_secret(
    client: falcon.testing.TestClient, overrides: dict[str, str | None]
) -> None:
    result = deliver(client, REF, **overrides)
    assert result.status_code == 401
    text = result.text
    assert SECRET not in text
    assert REF_SIG not in text.lower()
    # Nor the digest for the timestamp that was sent, nor the body.
    sent_ts = overrides.get("X_Rimo_Timestamp") or str(NOW)
    assert sig(sent_ts, REF) not in text.lower()
    assert "rimo_treat_1" not in text
    assert set(result.json) == {"code", "description"}


# --- order of checks: nothing is parsed before the signature holds ---------------------


@pytest.mark.parametrize(
    "body",
    [b"not json", b"[]", compact(charge_data(orderId=None)), compact(charge(type="x.y"))],
    ids=["not-json", "array", "schema-invalid", "unknown-type"],
)
def test_the_signature_is_checked_before_the_body_is_parsed(
    client: falcon.testing.TestClient,
    ledger: EffectLedger,
    store: MemoryDedupStore,
    body: bytes,
) -> None:
    result = deliver(client, body, X_Rimo_Signature=sig(NOW, body, "rimo_wrong_secret"))
    assert_error(result, 401, "signature_mismatch")
    assert_nothing_happened(ledger, store)


# --- 400: body not UTF-8 JSON, or not an object ----------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        REF.replace(b"TRT Protocol", b"TRT \xff\xfe"),
        b"not json",
        REF[:-1],
        b"[" + REF + b"]",
        b'"evt_ref001"',
        b"42",
        b"null",
        REF.replace(b'"pending"', b"NaN"),
        REF.replace(b'"pending"', b"Infinity"),
        REF.replace(b'"pending"', b"-Infinity"),
        REF.replace(b'{"id":"evt_ref001",', b'{"id":"evt_ref001","id":"evt_other",'),
        REF.replace(b'"status":"pending"', b'"status":"pending","status":"approved"'),
        b"\xef\xbb\xbf" + REF,
        REF.replace(b'"pending"', b"1" + b"0" * 5000),
        b"[" * 100_000 + b"]" * 100_000,
    ],
    ids=[
        "not-utf8",
        "not-json",
        "truncated",
        "array",
        "string",
        "number",
        "null",
        "nan",
        "infinity",
        "minus-infinity",
        "duplicate-top-level-key",
        "duplicate-nested-key",
        "utf8-bom",
        "integer-too-long",
        "deep-nesting",
    ],
)
def test_400_when_the_body_is_not_a_utf8_json_object(
    client: falcon.testing.TestClient,
    ledger: EffectLedger,
    store: MemoryDedupStore,
    body: bytes,
) -> None:
    result = deliver(client, body)
    assert_error(result, 400, "malformed_payload")
    assert_nothing_happened(ledger, store)


# --- 422: known type, payload fails its schema ------------------------------------------


@pytest.mark.parametrize(
    ("payload", "pointers"),
    [
        (charge_data(orderId=None), ["/data/orderId"]),
        (charge_data(amount="14999"), ["/data/amount"]),
        (charge_data(amount=149.99), ["/data/amount"]),
        (charge_data(amount=-1), ["/data/amount"]),
        (charge_data(currency="USD"), ["/data/currency"]),
        (charge_data(orderId=None, currency=None), ["/data/currency", "/data/orderId"]),
        (charge(data=[]), ["/data"]),
        (charge(timestamp="yesterday"), ["/timestamp"]),
        ({k: v for k, v in charge().items() if k != "id"}, ["/id"]),
        ({k: v for k, v in charge().items() if k != "data"}, ["/data"]),
        (charge(id=""), ["/id"]),
        (charge(id=12345), ["/id"]),
    ],
    ids=[
        "missing-orderId",
        "amount-as-string",
        "amount-as-float",
        "amount-negative",
        "currency-upper-case",
        "two-missing",
        "data-not-object",
        "bad-timestamp",
        "envelope-missing-id",
        "envelope-missing-data",
        "empty-id",
        "numeric-id",
    ],
)
def test_422_lists_each_violation_by_json_pointer(
    client: falcon.testing.TestClient,
    ledger: EffectLedger,
    store: MemoryDedupStore,
    payload: dict[str, Any],
    pointers: list[str],
) -> None:
    result = deliver(client, compact(payload))
    assert_error(result, 422, "invalid_event")
    violations = result.json["violations"]
    assert [violation["pointer"] for violation in violations] == pointers
    assert all(violation["message"] for violation in violations)
    assert_nothing_happened(ledger, store)


def test_422_for_a_nested_medication_reports_its_array_index(
    client: falcon.testing.TestClient, ledger: EffectLedger
) -> None:
    payload = published_example("order.transmitted")
    payload["data"]["medications"].append({"name": "Anastrozole", "dosage": "1mg"})
    result = deliver(client, compact(payload))
    assert_error(result, 422, "invalid_event")
    assert [v["pointer"] for v in result.json["violations"]] == ["/data/medications/1/quantity"]
    assert ledger.applied() == []


def test_422_for_a_known_type_lists_envelope_and_data_violations_together(
    client: falcon.testing.TestClient, ledger: EffectLedger
) -> None:
    """DESIGN: 422 "with each violation's JSON pointer", not only the envelope's."""
    payload = {k: v for k, v in charge_data(orderId=None).items() if k != "id"}
    result = deliver(client, compact(payload))
    assert_error(result, 422, "invalid_event")
    assert [v["pointer"] for v in result.json["violations"]] == ["/data/orderId", "/id"]
    assert ledger.applied() == []


LONE_SURROGATE_ID_KNOWN = compact(charge(id="evt_X")).replace(b"evt_X", b"evt_\\ud800")
LONE_SURROGATE_ID_UNKNOWN = compact(charge(id="evt_X", type="x.new")).replace(
    b"evt_X", b"evt_\\ud800"
)
LONE_SURROGATE_TYPE = compact(charge(type="x.new")).replace(b"x.new", b"x.\\udfff")


@pytest.mark.parametrize(
    "body",
    [LONE_SURROGATE_ID_KNOWN, LONE_SURROGATE_ID_UNKNOWN, LONE_SURROGATE_TYPE],
    ids=["id-known-type", "id-unknown-type", "type"],
)
def test_lone_surrogate_escape_in_id_or_type_is_a_4xx_not_a_500(
    client: falcon.testing.TestClient,
    ledger: EffectLedger,
    store: MemoryDedupStore,
    body: bytes,
) -> None:
    """A signed body with ``"\\ud800"`` (legal JSON syntax, not Unicode) in an echoed field.

    It must be refused as a bad body (400 or 422) before anything is claimed, never
    answered 5xx, which tells the sender to retry; least of all after the effect ran.
    """
    result = deliver(client, body)
    assert result.status_code in (400, 422), result.status
    assert result.json["code"] in ("malformed_payload", "invalid_event")
    assert_nothing_happened(ledger, store)


# --- 200 ignored: unknown event type ----------------------------------------------------


def test_200_ignored_for_an_unknown_type_with_a_valid_envelope(
    client: falcon.testing.TestClient, ledger: EffectLedger, store: MemoryDedupStore
) -> None:
    body = compact(charge(id="evt_new_type", type="charge.disputed", data={"x": 1}))
    result = deliver(client, body)
    assert result.status_code == 200
    assert result.json == {
        "status": "ignored",
        "id": "evt_new_type",
        "type": "charge.disputed",
        "reason": "unknown_event_type",
    }
    assert_nothing_happened(ledger, store)


def test_unknown_type_with_a_broken_envelope_is_422_not_ignored(
    client: falcon.testing.TestClient, ledger: EffectLedger
) -> None:
    body = compact(charge(type="charge.disputed", timestamp=None))
    result = deliver(client, body)
    assert_error(result, 422, "invalid_event")
    assert [v["pointer"] for v in result.json["violations"]] == ["/timestamp"]
    assert ledger.applied() == []


# --- 200 processed, then 200 duplicate --------------------------------------------------


def test_first_delivery_is_processed_and_a_redelivery_is_a_duplicate(
    client: falcon.testing.TestClient, ledger: EffectLedger, store: MemoryDedupStore
) -> None:
    first = deliver(client, REF)
    assert first.status_code == 200
    assert first.json == {"status": "processed", "id": REF_ID, "type": "treatment.created"}
    assert ledger.effect_count(REF_ID) == 1
    assert ledger.applied()[0].data["offeringName"] == "TRT Protocol"

    second = deliver(client, REF)
    assert second.status_code == 200
    assert second.json == {"status": "duplicate", "id": REF_ID, "type": "treatment.created"}
    assert ledger.effect_count(REF_ID) == 1
    assert store.claim(REF_ID) is ClaimOutcome.ALREADY_PROCESSED


def test_a_different_id_with_the_same_data_is_a_new_event(
    client: falcon.testing.TestClient, ledger: EffectLedger
) -> None:
    assert deliver(client, REF).json["status"] == "processed"
    other = REF.replace(b"evt_ref001", b"evt_ref002")
    assert deliver(client, other).json["status"] == "processed"
    assert [event.id for event in ledger.applied()] == [REF_ID, "evt_ref002"]


@pytest.mark.parametrize("event_type", EVENT_TYPES)
def test_each_published_example_is_processed(
    client: falcon.testing.TestClient, ledger: EffectLedger, event_type: str
) -> None:
    example = published_example(event_type)
    result = deliver(client, compact(example))
    assert result.status_code == 200, result.text
    assert result.json == {"status": "processed", "id": example["id"], "type": event_type}
    assert ledger.effect_count(example["id"]) == 1
    assert ledger.applied()[0].payload == example


# --- 409: the id is being processed by another request ---------------------------------


def test_409_while_another_request_holds_the_claim(
    client: falcon.testing.TestClient, ledger: EffectLedger, store: MemoryDedupStore
) -> None:
    assert store.claim(REF_ID) is ClaimOutcome.CLAIMED  # the "other request"
    result = deliver(client, REF)
    assert_error(result, 409, "delivery_in_progress")
    assert result.headers["Retry-After"] == "1"
    assert ledger.applied() == []
    # The 409 did not disturb the other request's claim ...
    assert store.claim(REF_ID) is ClaimOutcome.IN_PROGRESS
    # ... and once that request gives up, the sender's retry gets through.
    store.release(REF_ID)
    retry = deliver(client, REF)
    assert retry.json["status"] == "processed"
    assert ledger.effect_count(REF_ID) == 1


# --- 5xx: processing or the store fails; the id is not marked ---------------------------


class FailsOnceProcessor:
    """Raises on its first call, then applies effects through a ledger."""

    def __init__(self, ledger: EffectLedger) -> None:
        self.ledger = ledger
        self.calls = 0

    def process(self, event: Event) -> None:
        self.calls += 1
        if self.calls == 1:
            raise RuntimeError("downstream database unavailable")
        self.ledger.process(event)


def test_5xx_when_processing_fails_and_the_retry_is_processed_once(
    store: MemoryDedupStore, ledger: EffectLedger, clock: FrozenClock
) -> None:
    processor = FailsOnceProcessor(ledger)
    client = make_client(store=store, clock=clock, processor=processor)

    failed = deliver(client, REF)
    assert 500 <= failed.status_code < 600
    assert failed.json["code"] == "processing_failed"
    assert "downstream database" not in failed.text
    assert_nothing_happened(ledger, store)  # released: not claimed, not marked

    retry = deliver(client, REF)
    assert retry.status_code == 200
    assert retry.json["status"] == "processed"
    assert processor.calls == 2
    assert ledger.effect_count(REF_ID) == 1


class FlakyStore:
    """A MemoryDedupStore whose claim or commit raises StoreError while told to."""

    def __init__(self, inner: MemoryDedupStore) -> None:
        self.inner = inner
        self.fail_claim = False
        self.fail_commit = False

    def claim(self, event_id: str) -> ClaimOutcome:
        if self.fail_claim:
            raise StoreError("connection refused")
        return self.inner.claim(event_id)

    def commit(self, event_id: str) -> None:
        if self.fail_commit:
            raise StoreError("connection reset")
        self.inner.commit(event_id)

    def release(self, event_id: str) -> None:
        self.inner.release(event_id)


def test_503_when_the_store_fails_to_claim_and_the_id_is_not_marked(
    store: MemoryDedupStore, ledger: EffectLedger, clock: FrozenClock
) -> None:
    flaky = FlakyStore(store)
    client = make_client(store=flaky, clock=clock, processor=ledger)
    flaky.fail_claim = True

    result = deliver(client, REF)
    assert_error(result, 503, "store_unavailable")
    assert result.headers["Retry-After"] == "1"
    assert "connection refused" not in result.text
    assert_nothing_happened(ledger, store)

    flaky.fail_claim = False
    retry = deliver(client, REF)
    assert retry.json["status"] == "processed"
    assert ledger.effect_count(REF_ID) == 1


def test_503_when_the_store_fails_to_commit_and_the_id_is_not_marked_processed(
    store: MemoryDedupStore, ledger: EffectLedger, clock: FrozenClock
) -> None:
    flaky = FlakyStore(store)
    client = make_client(store=flaky, clock=clock, processor=ledger)
    flaky.fail_commit = True

    result = deliver(client, REF)
    assert_error(result, 503, "store_unavailable")
    flaky.fail_commit = False

    # Never a silent duplicate: the id was not recorded as processed.
    soon = deliver(client, REF)
    assert soon.status_code == 409
    assert soon.json["code"] == "delivery_in_progress"
    # Once the abandoned claim times out, the retry is processed (at-least-once: the effect
    # ran before the failed commit, which is why processing must be idempotent per id).
    clock.advance(61)
    later = deliver(client, REF)
    assert later.json["status"] == "processed"
    assert store.claim(REF_ID) is ClaimOutcome.ALREADY_PROCESSED
    assert ledger.effect_count(REF_ID) == 2


# --- health and unknown routes ---------------------------------------------------------


def test_health_answers_ok(client: falcon.testing.TestClient) -> None:
    result = client.simulate_get(HEALTH_PATH)
    assert result.status_code == 200
    assert result.json == {"status": "ok"}


def test_unknown_route_is_a_json_404_with_a_code(client: falcon.testing.TestClient) -> None:
    result = client.simulate_post("/webhooks/rimo/unknown", body=REF, headers=default_headers(REF))
    assert result.status_code == 404
    assert result.headers["Content-Type"].startswith("application/json")
    assert result.json["code"] == "not_found"
    assert result.json["description"]


def test_wrong_method_on_the_webhook_route_is_a_json_405(
    client: falcon.testing.TestClient,
) -> None:
    result = client.simulate_get(WEBHOOK_PATH)
    assert result.status_code == 405
    assert result.json["code"] == "method_not_allowed"
