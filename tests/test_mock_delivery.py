"""Lifecycles, delivery orders, overrides, curl rendering and the bulk engine, in-process."""

from __future__ import annotations

import io
import json
import random
from collections import Counter
from datetime import date, datetime

import httpx
import pytest
import respx

from mock_rimo.bulk import DeliveryLog, deliver_all
from mock_rimo.curl import curl_command
from mock_rimo.factory import EventFactory, encode
from mock_rimo.lifecycle import ORDERS, lifecycle_stream
from mock_rimo.overrides import OverrideError, apply_overrides
from mock_rimo.providers import fedex_check_digit, mod10_check_digit, ups_check_digit
from mock_rimo.sender import RetrySchedule, WebhookSender
from schemas import EVENT_TYPES, EventValidator, published_example

URL = "http://receiver.test/webhooks/rimo"


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def test_ups_check_digit_matches_the_published_tracking_number() -> None:
    """The spec's 1Z999AA10123456784 ends in the check digit our algorithm computes."""
    assert ups_check_digit("999AA1012345678") == 4


@pytest.mark.parametrize(
    ("digits", "check"),
    [("9400", 9), ("12", 3), ("000000000000000000000", 0), ("1", 7)],
)
def test_usps_mod10_check_digit(digits: str, check: int) -> None:
    """GS1 mod 10, worked by hand: weights 3,1,3,... from the right."""
    assert mod10_check_digit(digits) == check


@pytest.mark.parametrize(
    ("digits", "check"), [("00000000000", 0), ("00000000001", 1), ("00000000010", 3)]
)
def test_fedex_check_digit(digits: str, check: int) -> None:
    """Weights 1,3,7 from the right, mod 11 then mod 10, worked by hand."""
    assert fedex_check_digit(digits) == check


def test_generated_tracking_numbers_carry_valid_check_digits() -> None:
    """Every generated number verifies with its carrier's check digit."""
    factory = EventFactory(3)
    seen = Counter[str]()
    for _ in range(300):
        data = factory.build("order.shipped")["data"]
        number, carrier = data["trackingNumber"], data["carrier"]
        seen[carrier] += 1
        if carrier == "UPS":
            assert ups_check_digit(number[2:-1]) == int(number[-1])
        elif carrier == "USPS":
            assert len(number) == 22
            assert mod10_check_digit(number[:-1]) == int(number[-1])
        else:
            assert len(number) == 12
            assert fedex_check_digit(number[:-1]) == int(number[-1])
    assert set(seen) == {"UPS", "USPS", "FedEx"}


def test_lifecycle_links_ids_and_orders_times_causally() -> None:
    """One patient's five events share ids; times run created < approved < transmitted <
    shipped, the charge follows approval, and delivery is estimated after shipping."""
    events = {event["type"]: event for event in EventFactory(11).lifecycle()}
    assert set(events) == set(EVENT_TYPES)
    data = {kind: event["data"] for kind, event in events.items()}
    assert data["treatment.created"]["customerId"] == data["order.transmitted"]["customerId"]
    assert data["treatment.approved"]["treatmentId"] == data["order.transmitted"]["treatmentId"]
    order_ids = {
        data[kind]["orderId"] for kind in ("order.transmitted", "order.shipped", "charge.captured")
    }
    assert len(order_ids) == 1
    at = {kind: _instant(event["timestamp"]) for kind, event in events.items()}
    assert (
        at["treatment.created"]
        < at["treatment.approved"]
        < at["order.transmitted"]
        < at["order.shipped"]
    )
    assert at["treatment.approved"] < at["charge.captured"]
    assert (
        date.fromisoformat(data["order.shipped"]["estimatedDelivery"]) > at["order.shipped"].date()
    )
    assert data["treatment.approved"]["approvedAt"] == events["treatment.approved"]["timestamp"]
    assert all(EventValidator().violations(event) == [] for event in events.values())


@pytest.mark.parametrize("order", list(ORDERS))
def test_every_order_delivers_every_event_and_is_reproducible(order: str) -> None:
    """Each order contains all 5N events (duplicate-mid-stream adds repeats of them), and
    the same seed gives the same bytes in the same order."""
    first = [encode(event) for event in lifecycle_stream(patients=20, order=order, seed=7)]
    again = [encode(event) for event in lifecycle_stream(patients=20, order=order, seed=7)]
    assert first == again
    assert len(set(first)) == 100
    if order == "duplicate-mid-stream":
        assert len(first) > 100
    else:
        assert len(first) == 100


def _positions(order: str) -> list[dict[str, int]]:
    stream = lifecycle_stream(patients=5, order=order, seed=1)
    by_order: dict[str, dict[str, int]] = {}
    for index, event in enumerate(stream):
        order_id = event["data"].get("orderId") or event["data"]["treatmentId"]
        by_order.setdefault(order_id, {})[event["type"]] = index
    return list(by_order.values())


def test_charge_first_puts_each_charge_before_its_transmission() -> None:
    """charge-first: every charge.captured precedes its order.transmitted."""
    for seen in _positions("charge-first"):
        if {"charge.captured", "order.transmitted"} <= set(seen):
            assert seen["charge.captured"] < seen["order.transmitted"]


def test_shipped_before_transmitted_inverts_the_pair() -> None:
    """shipped-before-transmitted: every order.shipped precedes its order.transmitted."""
    for seen in _positions("shipped-before-transmitted"):
        if {"order.shipped", "order.transmitted"} <= set(seen):
            assert seen["order.shipped"] < seen["order.transmitted"]


def test_unknown_order_is_refused() -> None:
    """A misspelt order names the known ones."""
    with pytest.raises(KeyError, match="shuffled"):
        lifecycle_stream(patients=1, order="random", seed=1)


def test_overrides_set_json_values_and_text_and_remove_fields() -> None:
    """--set parses JSON (0, true, "0") and falls back to text; --unset removes."""
    event = published_example("order.transmitted")
    edited = apply_overrides(
        event,
        set_values=["data.medications.0.quantity=0", "data.customerId=prof_x", 'id="123"'],
        unset=["data.treatmentId"],
    )
    assert edited["data"]["medications"][0]["quantity"] == 0
    assert edited["data"]["customerId"] == "prof_x"
    assert edited["id"] == "123"
    assert "treatmentId" not in edited["data"]
    assert event["data"]["medications"][0]["quantity"] == 1  # the original is untouched


@pytest.mark.parametrize(
    ("set_values", "unset", "message"),
    [
        (["data.amount"], [], "needs path=value"),
        (["data.nothing.deeper=1"], [], "nothing at 'nothing'"),
        (["data.medications.5.quantity=1"], [], "nothing at '5'"),
        ([], ["data.absent"], "nothing to remove"),
        (["..=1"], [], "bad path"),
    ],
)
def test_bad_overrides_are_explained(set_values: list[str], unset: list[str], message: str) -> None:
    """A path that does not exist is an error naming it, never a silent no-op."""
    with pytest.raises(OverrideError, match=message):
        apply_overrides(published_example("order.transmitted"), set_values=set_values, unset=unset)


def test_curl_command_is_signed_at_print_time_and_quotes_the_body() -> None:
    """The snippet carries the seed, a signature over the exact bytes at the print time,
    and a body quoted for the shell."""
    body = b'{"note":"it\'s here"}'
    command = curl_command(URL, body, "s3cret", seed=7, clock=lambda: 1767225600.5)
    assert command.splitlines()[0] == "# generated with --seed 7"
    assert "printf '%s' '{\"note\":\"it'\"'\"'s here\"}'" in command
    assert "X-Rimo-Timestamp: 1767225600" in command
    assert "s3cret" not in command


def test_curl_command_base64_encodes_bodies_that_are_not_text() -> None:
    """Invalid UTF-8 survives the shell through base64."""
    command = curl_command(URL, b"\xff\xfe", "s", clock=lambda: 0)
    assert "printf '%s' //4= | base64 -d | curl" in command


def test_bulk_delivery_logs_every_attempt_and_summarises(respx_mock: respx.MockRouter) -> None:
    """A receiver answering 503 twice then 200: the log shows three attempts of one id with
    growing delays and three different signatures; the summary counts one retry chain."""
    route = respx_mock.post(URL)
    busy = httpx.Response(503, headers={"Retry-After": "1"})
    route.side_effect = [
        busy,
        httpx.Response(503, headers={"Retry-After": "2"}),
        httpx.Response(200, json={"status": "processed"}),
    ]
    now = [1767225600.0]
    sender = WebhookSender(
        url=URL,
        secret="s",
        schedule=RetrySchedule(max_attempts=5, base_delay_seconds=0.1, max_delay_seconds=5),
        clock=lambda: now[0],
        sleep=lambda seconds: now.__setitem__(0, now[0] + seconds),
        jitter=random.Random(1),
    )
    stream = io.StringIO()
    report = deliver_all(
        sender, [published_example("charge.captured")], concurrency=1, log=DeliveryLog(stream)
    )
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert [line["attempt"] for line in lines] == [1, 2, 3]
    assert {line["id"] for line in lines} == {"evt_mno345"}
    assert [line["status"] for line in lines] == [503, 503, 200]
    assert [line["outcome"] for line in lines] == ["retried", "retried", "processed"]
    delays = [line["delay_before_s"] for line in lines]
    assert delays[0] == 0
    assert delays[0] < delays[1] < delays[2]
    signatures = {call.request.headers["X-Rimo-Signature"] for call in route.calls}
    assert len(signatures) == 3
    assert report.outcomes() == Counter({"processed": 1})
    assert "1 events in" in report.summary()
    assert "attempts: 3 (2 retries)" in report.summary()


def test_bulk_delivery_reports_failures(respx_mock: respx.MockRouter) -> None:
    """A permanent refusal is counted as failed, and the summary says so."""
    respx_mock.post(URL) % 422
    sender = WebhookSender(url=URL, secret="s", schedule=RetrySchedule(1, 0, 0))
    report = deliver_all(sender, [published_example("order.shipped")], concurrency=2)
    assert [failure.event_id for failure in report.failures] == ["evt_jkl012"]
    assert "0 delivered, 1 failed" in report.summary()
