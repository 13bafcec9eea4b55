"""Correctly signed bodies that are not valid events are refused with the right status."""

from __future__ import annotations

import socket
from urllib.parse import urlsplit

import pytest

from contract_tests.client import OMIT, ContractClient
from mock_rimo.examples import published


@pytest.mark.parametrize(
    "body",
    [
        b'{"id": "evt_x", "type": ',
        b"",
        b"[1, 2, 3]",
        b'"a string"',
        b'{"id":"evt_\xff\xfe","type":"treatment.created"}',
    ],
    ids=["truncated-json", "empty", "array", "string", "invalid-utf8"],
)
def test_body_that_is_not_a_json_object_gets_400(client: ContractClient, body: bytes) -> None:
    """A signed body that is not a UTF-8 JSON object gets 400"""
    answer = client.deliver(body)
    assert answer.status == 400, answer


def test_schema_invalid_event_gets_422_naming_the_field(client: ContractClient) -> None:
    """A known type missing a required field gets 422 with that field's JSON pointer"""
    event = client.unique(published("charge.captured"))
    del event["data"]["orderId"]
    answer = client.deliver(event)
    assert answer.status == 422, answer
    pointers = [violation["pointer"] for violation in answer.body["violations"]]
    assert "/data/orderId" in pointers, answer


def test_wrongly_typed_field_gets_422(client: ContractClient) -> None:
    """An amount sent as a string gets 422 naming /data/amount"""
    event = client.unique(published("charge.captured"))
    event["data"]["amount"] = "149.99"
    answer = client.deliver(event)
    assert answer.status == 422, answer
    assert [v["pointer"] for v in answer.body["violations"]] == ["/data/amount"], answer


@pytest.mark.parametrize("missing", ["id", "type"])
def test_envelope_without_id_or_type_is_refused(client: ContractClient, missing: str) -> None:
    """An event without an id or a type is refused (422), never acknowledged"""
    event = client.unique(published("treatment.created"))
    del event[missing]
    answer = client.deliver(event)
    assert answer.status == 422, answer


def test_schema_invalid_event_is_not_recorded(client: ContractClient) -> None:
    """A refused invalid event leaves its id unrecorded: the corrected event is processed"""
    event = client.unique(published("order.shipped"))
    broken = dict(event, data={**event["data"], "estimatedDelivery": "next week"})
    refused = client.deliver(broken)
    accepted = client.deliver(event)
    assert refused.status == 422, refused
    assert (accepted.status, accepted.outcome) == (200, "processed"), accepted


def test_missing_content_type_gets_415(client: ContractClient) -> None:
    """A signed delivery without Content-Type gets 415 (not 401: the bytes still verify)"""
    answer = client.deliver(
        client.unique(published("treatment.created")), headers={"Content-Type": OMIT}
    )
    assert answer.status == 415, answer


def test_json_content_type_with_charset_is_accepted(client: ContractClient) -> None:
    """Content-Type: application/json; charset=utf-8 is processed"""
    answer = client.deliver(
        client.unique(published("treatment.created")),
        headers={"Content-Type": "application/json; charset=utf-8"},
    )
    assert (answer.status, answer.outcome) == (200, "processed"), answer


def test_body_over_the_limit_gets_413(client: ContractClient) -> None:
    """A signed body one byte over the receiver's limit gets 413"""
    body = b'{"pad":"' + b"x" * client.target.max_body_bytes + b'"}'
    answer = client.deliver(body)
    assert answer.status == 413, answer


def test_oversized_content_length_is_refused_before_the_body(client: ContractClient) -> None:
    """A 50 MB Content-Length is answered 413 at once, before any body is sent"""
    url = urlsplit(client.target.webhook_url)
    if url.scheme != "http" or url.hostname is None:
        pytest.skip("needs a plain-HTTP target to speak raw HTTP")
    port = url.port or 80
    request = (
        f"POST {url.path} HTTP/1.1\r\nHost: {url.hostname}:{port}\r\n"
        "Content-Type: application/json\r\nContent-Length: 52428800\r\n"
        "X-Rimo-Timestamp: 0\r\nX-Rimo-Signature: 00\r\n\r\n"
    ).encode("ascii")
    with socket.create_connection((url.hostname, port), timeout=10) as connection:
        connection.sendall(request)
        status_line = connection.recv(64).split(b"\r\n", 1)[0]
    assert status_line.split()[1:2] == [b"413"], status_line
