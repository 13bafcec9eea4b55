"""Hostile but correctly signed payloads: bounded work, bounded answers, no echo."""

from __future__ import annotations

import json
import time

import falcon.testing
from receiver_helpers import compact, default_headers

from receiver.app import MAX_VIOLATIONS
from receiver.processing import EffectLedger
from receiver.store import MemoryDedupStore
from schemas import published_example


def post(client: falcon.testing.TestClient, body: bytes) -> falcon.testing.Result:
    return client.simulate_post("/webhooks/rimo", body=body, headers=default_headers(body))


def test_thousands_of_faults_give_a_short_capped_422(client: falcon.testing.TestClient) -> None:
    """20 000 broken medication lines: validation stops at the cap and says so; the answer
    stays small and fast instead of listing 60 000 violations."""
    event = published_example("order.transmitted")
    event["data"]["medications"] = [{}] * 20_000
    body = compact(event)
    started = time.perf_counter()
    result = post(client, body)
    elapsed = time.perf_counter() - started
    assert result.status_code == 422
    assert len(result.json["violations"]) == MAX_VIOLATIONS
    assert result.json["violations_truncated"] is True
    assert len(result.content) < 5_000
    assert elapsed < 2.0


def test_few_faults_are_all_listed_without_truncation_flag(
    client: falcon.testing.TestClient,
) -> None:
    """Under the cap, every violation is listed and no truncation is claimed."""
    event = published_example("charge.captured")
    del event["data"]["orderId"]
    result = post(client, compact(event))
    assert result.status_code == 422
    assert [v["pointer"] for v in result.json["violations"]] == ["/data/orderId"]
    assert "violations_truncated" not in result.json


def test_violation_messages_never_repeat_payload_values(
    client: falcon.testing.TestClient,
) -> None:
    """A 422 names the rule broken, not the offending value (which may be huge or private)."""
    event = published_example("treatment.created")
    marker = "PRIVATE-" + "e" * 300
    event["data"]["offeringName"] = marker
    event["data"]["status"] = 12345
    result = post(client, compact(event))
    assert result.status_code == 422
    messages = {v["pointer"]: v["message"] for v in result.json["violations"]}
    assert messages == {
        "/data/offeringName": "must be at most 200 characters",
        "/data/status": "must be of type string",
    }
    assert "PRIVATE" not in result.text


def test_huge_unknown_property_name_is_cut_short(
    ledger: EffectLedger, store: MemoryDedupStore
) -> None:
    """In strict mode an unknown 10 000-character key is named by a short prefix only."""
    from receiver_helpers import NOW, SECRET

    from receiver.app import create_app
    from receiver.settings import Settings

    app = create_app(
        Settings.for_secret(SECRET, strict_schemas=True),
        store=store,
        clock=lambda: NOW,
        processor=ledger,
    )
    event = published_example("charge.captured")
    event["data"]["k" * 10_000] = 1
    result = post(falcon.testing.TestClient(app), compact(event))
    assert result.status_code == 422
    assert len(result.text) < 1_000
    assert result.json["violations"][0]["pointer"] == "/data/" + "k" * 64 + "..."


def test_float_standing_in_for_an_integer_is_refused(client: falcon.testing.TestClient) -> None:
    """14999.0 is not an amount in cents: integer fields take whole JSON numbers only."""
    body = compact(published_example("charge.captured")).replace(b"14999", b"14999.0")
    result = post(client, body)
    assert result.status_code == 422
    assert result.json["violations"] == [
        {"pointer": "/data/amount", "message": "must be of type integer"}
    ]


def test_overflowing_float_is_malformed(client: falcon.testing.TestClient) -> None:
    """1e999 parses to infinity in Python: refused like NaN and Infinity (400)."""
    event = json.loads(compact(published_example("charge.captured")))
    body = compact(event).replace(b'"amount":14999', b'"amount":1e999')
    result = post(client, body)
    assert result.status_code == 400
    assert result.json["code"] == "malformed_payload"


def test_overlong_integer_is_malformed_without_python_advice(
    client: falcon.testing.TestClient,
) -> None:
    """A 5 000-digit number is a 400 whose description does not leak interpreter advice."""
    body = compact(published_example("charge.captured")).replace(b"14999", b"9" * 5000)
    result = post(client, body)
    assert result.status_code == 400
    assert "sys.set_int_max_str_digits" not in result.text


def test_duplicate_key_error_does_not_echo_a_huge_key(client: falcon.testing.TestClient) -> None:
    """A repeated 100 KB key is named by a short prefix in the 400, not repeated whole."""
    key = "d" * 100_000
    body = b'{"' + key.encode() + b'":1,"' + key.encode() + b'":2}'
    result = post(client, body)
    assert result.status_code == 400
    assert len(result.text) < 1_000


def test_control_characters_in_an_id_are_refused(client: falcon.testing.TestClient) -> None:
    """Ids are visible ASCII: a NUL or newline inside one is a 422, not a stored key."""
    for bad in ("evt\u0000x", "evt\nx", "evt x"):
        event = published_example("charge.captured")
        event["id"] = bad
        result = post(client, compact(event))
        assert result.status_code == 422, bad
        assert result.json["violations"][0]["pointer"] == "/id"


def test_blank_type_is_an_invalid_envelope(client: falcon.testing.TestClient) -> None:
    """A type of spaces is not an unknown type to acknowledge: it is an invalid envelope."""
    event = published_example("charge.captured")
    event["type"] = "   "
    result = post(client, compact(event))
    assert result.status_code == 422
    assert result.json["violations"][0]["pointer"] == "/type"


def test_unsupported_media_type_does_not_echo_a_long_header(
    client: falcon.testing.TestClient,
) -> None:
    """A 5 KB Content-Type comes back as a short prefix in the 415 description."""
    body = compact(published_example("charge.captured"))
    headers = {**default_headers(body), "Content-Type": "x" * 5000}
    result = client.simulate_post("/webhooks/rimo", body=body, headers=headers)
    assert result.status_code == 415
    assert len(result.text) < 500


def test_nesting_deeper_than_events_need_is_malformed(client: falcon.testing.TestClient) -> None:
    """An extra property nested 900 deep (which tolerant mode would otherwise accept) is a
    400 before validation, so it can never reach storage or a serialiser."""
    event = published_example("order.transmitted")
    body = compact(event).replace(b'"quantity":1', b'"quantity":1,"lot":' + b"[" * 900 + b"]" * 900)
    result = post(client, body)
    assert result.status_code == 400
    assert "nests deeper than 32 levels" in result.json["description"]
