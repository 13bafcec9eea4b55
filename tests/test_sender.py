"""The mock sender's delivery semantics, driven through respx with a fake clock and sleep."""

from __future__ import annotations

import hashlib
import hmac
import random

import httpx
import pytest
import respx

from mock_rimo.examples import published
from mock_rimo.factory import encode
from mock_rimo.sender import SCHEDULES, InvalidOutgoingEvent, RetrySchedule, WebhookSender
from receiver.store import DEFAULT_CLAIM_TIMEOUT_SECONDS

URL = "http://receiver.test/webhooks/rimo"
SECRET = "rimo_test_secret"
BODY = encode(published("charge.captured"))


class FakeTime:
    """A clock that only moves when the sender sleeps, so no test waits."""

    def __init__(self, start: float = 1767225600.0) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def make_sender(fake: FakeTime, *, max_attempts: int = 5) -> WebhookSender:
    return WebhookSender(
        url=URL,
        secret=SECRET,
        schedule=RetrySchedule(
            max_attempts=max_attempts, base_delay_seconds=1.0, max_delay_seconds=30.0
        ),
        clock=fake.clock,
        sleep=fake.sleep,
        jitter=random.Random(7),
    )


def expected_signature(timestamp: str, body: bytes) -> str:
    return hmac.new(SECRET.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


@pytest.mark.parametrize("status", [200, 202, 204])
def test_B38_success_statuses_are_not_retried(respx_mock: respx.MockRouter, status: int) -> None:
    """Any 2xx ends the delivery after one attempt."""
    route = respx_mock.post(URL) % status
    result = make_sender(FakeTime()).deliver(BODY)
    assert route.call_count == 1
    assert result.delivered is True
    assert result.status == status


@pytest.mark.parametrize("status", [301, 400, 401, 404, 410, 413, 422])
def test_B38_permanent_answers_are_not_retried(respx_mock: respx.MockRouter, status: int) -> None:
    """3xx (never followed) and 4xx other than 409/429 are final failures after one attempt."""
    headers = {"Location": "http://elsewhere.test/"} if status == 301 else {}
    route = respx_mock.post(URL).mock(return_value=httpx.Response(status, headers=headers))
    fake = FakeTime()
    result = make_sender(fake).deliver(BODY)
    assert route.call_count == 1
    assert result.delivered is False
    assert result.status == status
    assert fake.sleeps == []


@pytest.mark.parametrize("status", [408, 409, 429, 500, 502, 503, 504])
def test_B38_transient_answers_are_retried(respx_mock: respx.MockRouter, status: int) -> None:
    """408, 409, 429 and 5xx are retried until a 2xx arrives."""
    route = respx_mock.post(URL)
    route.side_effect = [httpx.Response(status), httpx.Response(status), httpx.Response(200)]
    result = make_sender(FakeTime()).deliver(BODY)
    assert route.call_count == 3
    assert [attempt.status for attempt in result.attempts] == [status, status, 200]
    assert result.delivered is True


@pytest.mark.parametrize(
    "failure",
    [httpx.ConnectError("refused"), httpx.ReadTimeout("slow")],
    ids=["connection-refused", "read-timeout"],
)
def test_B38_transport_failures_are_retried(
    respx_mock: respx.MockRouter, failure: Exception
) -> None:
    """Connection errors and timeouts are retried; the attempt records the error."""
    route = respx_mock.post(URL)
    route.side_effect = [failure, httpx.Response(200)]
    result = make_sender(FakeTime()).deliver(BODY)
    assert route.call_count == 2
    assert result.attempts[0].status is None
    assert result.attempts[0].error is not None
    assert type(failure).__name__ in result.attempts[0].error
    assert result.status == 200


def test_B38_retry_after_is_honoured(respx_mock: respx.MockRouter) -> None:
    """A 429 with Retry-After: 2 waits at least two seconds before the next attempt."""
    route = respx_mock.post(URL)
    route.side_effect = [httpx.Response(429, headers={"Retry-After": "2"}), httpx.Response(200)]
    fake = FakeTime()
    make_sender(fake).deliver(BODY)
    assert len(fake.sleeps) == 1
    assert fake.sleeps[0] >= 2.0


def test_retries_stop_at_the_attempt_limit(respx_mock: respx.MockRouter) -> None:
    """A receiver that always answers 503 gets exactly max_attempts attempts."""
    route = respx_mock.post(URL) % 503
    fake = FakeTime()
    result = make_sender(fake, max_attempts=4).deliver(BODY)
    assert route.call_count == 4
    assert result.delivered is False
    assert result.status == 503
    assert len(fake.sleeps) == 3


def test_backoff_ceiling_grows_exponentially(respx_mock: respx.MockRouter) -> None:
    """Full jitter: the n-th delay lies in [0, base * 2**(n-1)], capped at the maximum."""
    respx_mock.post(URL) % 503
    fake = FakeTime()
    make_sender(fake, max_attempts=8).deliver(BODY)
    ceilings = [min(30.0, 2.0**n) for n in range(7)]
    assert len(fake.sleeps) == 7
    assert all(0 <= delay <= ceiling for delay, ceiling in zip(fake.sleeps, ceilings, strict=True))
    assert sum(fake.sleeps) > 1.0  # seeded jitter: not all zero


def test_each_attempt_is_signed_afresh_over_identical_bytes(respx_mock: respx.MockRouter) -> None:
    """Retries keep body and id, but carry the current timestamp and a matching signature."""
    route = respx_mock.post(URL)
    busy = httpx.Response(503, headers={"Retry-After": "2"})  # attempts land seconds apart
    route.side_effect = [busy, busy, httpx.Response(200)]
    fake = FakeTime()
    make_sender(fake).deliver(BODY, event_id="evt_mno345")
    requests = [call.request for call in route.calls]
    assert [request.content for request in requests] == [BODY] * 3
    timestamps = [request.headers["X-Rimo-Timestamp"] for request in requests]
    signatures = [request.headers["X-Rimo-Signature"] for request in requests]
    assert len(set(timestamps)) == 3
    assert len(set(signatures)) == 3
    for timestamp, signature in zip(timestamps, signatures, strict=True):
        assert signature == expected_signature(timestamp, BODY)
    assert timestamps == sorted(timestamps, key=int)
    assert all(request.headers["Content-Type"] == "application/json" for request in requests)


def test_timestamps_are_whole_seconds(respx_mock: respx.MockRouter) -> None:
    """The sender emits Unix seconds (B25), never milliseconds or fractions."""
    route = respx_mock.post(URL) % 200
    fake = FakeTime(start=1767225600.987)
    make_sender(fake).deliver(BODY)
    assert route.calls.last.request.headers["X-Rimo-Timestamp"] == "1767225600"


def test_signature_is_lowercase_hex(respx_mock: respx.MockRouter) -> None:
    """The sender emits lowercase hex (B19: receivers must accept either case)."""
    route = respx_mock.post(URL) % 200
    make_sender(FakeTime()).deliver(BODY)
    header = route.calls.last.request.headers["X-Rimo-Signature"]
    assert header == header.lower()
    assert len(header) == 64


def test_invalid_event_is_refused_before_sending(respx_mock: respx.MockRouter) -> None:
    """The mock validates against the published schemas and never sends an invalid event."""
    route = respx_mock.post(URL) % 200
    event = published("charge.captured")
    del event["data"]["orderId"]
    with pytest.raises(InvalidOutgoingEvent) as raised:
        make_sender(FakeTime()).deliver_event(event)
    assert [violation.pointer for violation in raised.value.violations] == ["/data/orderId"]
    assert route.call_count == 0


def test_deliver_event_sends_compact_json(respx_mock: respx.MockRouter) -> None:
    """A valid event goes out as compact UTF-8 JSON and reports its id."""
    route = respx_mock.post(URL) % 200
    result = make_sender(FakeTime()).deliver_event(published("order.shipped"))
    assert route.calls.last.request.content == encode(published("order.shipped"))
    assert b", " not in route.calls.last.request.content
    assert result.event_id == "evt_jkl012"


def test_named_schedules_fit_their_purpose() -> None:
    """local finishes within a minute yet outlasts the receiver's 35 s claim timeout (a claim
    orphaned by a store stall is retried past); production spans more than a day but less
    than the receiver's 7-day dedup retention, so every retry is recognised as a duplicate."""
    assert DEFAULT_CLAIM_TIMEOUT_SECONDS < SCHEDULES["local"].horizon_seconds() <= 60
    assert 24 * 3600 < SCHEDULES["production"].horizon_seconds() < 7 * 24 * 3600


@pytest.mark.parametrize(
    ("attempts", "base", "maximum"), [(0, 1.0, 2.0), (3, -1.0, 2.0), (3, 5.0, 2.0)]
)
def test_impossible_schedules_are_refused(attempts: int, base: float, maximum: float) -> None:
    """A schedule with no attempts or inverted delays is a programming error."""
    with pytest.raises(ValueError, match="must"):
        RetrySchedule(max_attempts=attempts, base_delay_seconds=base, max_delay_seconds=maximum)


def test_backoff_ceiling_never_overflows() -> None:
    """A schedule with thousands of attempts still computes its delays (capped)."""
    schedule = RetrySchedule(max_attempts=5000, base_delay_seconds=1.0, max_delay_seconds=30.0)
    assert schedule.ceiling(1100) == 30.0
    assert schedule.ceiling(1) == 1.0
