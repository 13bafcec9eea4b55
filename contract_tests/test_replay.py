"""Idempotency: an event id is processed once, however often it is delivered."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from contract_tests.client import ContractClient
from mock_rimo.examples import published
from mock_rimo.factory import encode

CONCURRENT_COPIES = 10


def test_redelivery_with_fresh_signature_is_a_duplicate(client: ContractClient) -> None:
    """A retry (same id and body, signed afresh) is answered 200 "duplicate"."""
    body = encode(client.unique(published("treatment.created")))
    first = client.deliver(body)
    second = client.deliver(body, timestamp=client.now() + 1)
    assert (first.status, first.outcome) == (200, "processed"), first
    assert (second.status, second.outcome) == (200, "duplicate"), second


def test_identical_replay_is_a_duplicate(client: ContractClient) -> None:
    """The same request replayed byte for byte (old headers) is answered 200 "duplicate"."""
    body = encode(client.unique(published("order.transmitted")))
    headers = client.signed_headers(body)
    first = client.send_exact(body, headers)
    replay = client.send_exact(body, headers)
    assert (first.status, first.outcome) == (200, "processed"), first
    assert (replay.status, replay.outcome) == (200, "duplicate"), replay


def test_same_id_with_changed_body_is_still_a_duplicate(client: ContractClient) -> None:
    """Deduplication is by event id alone: a new body under a processed id is not re-processed."""
    event = client.unique(published("charge.captured"))
    first = client.deliver(event)
    changed = dict(event, data={**event["data"], "amount": 1})
    second = client.deliver(changed)
    assert first.outcome == "processed", first
    assert (second.status, second.outcome) == (200, "duplicate"), second


def test_concurrent_copies_are_processed_once(client: ContractClient) -> None:
    """Concurrent copies of one delivery: exactly one "processed", the rest 409 or "duplicate"."""
    body = encode(client.unique(published("order.shipped")))
    headers = client.signed_headers(body)
    with ThreadPoolExecutor(max_workers=CONCURRENT_COPIES) as pool:
        answers = list(pool.map(lambda _: client.send_exact(body, headers), range(10)))
    processed = [a for a in answers if a.status == 200 and a.outcome == "processed"]
    others = [a for a in answers if a not in processed]
    assert len(processed) == 1, [str(a) for a in answers]
    assert all(a.status == 409 or a.outcome == "duplicate" for a in others), [
        str(a) for a in others
    ]
