"""Delivering events over HTTP the way a webhook provider does.

Each attempt is signed afresh with the current time while the body bytes and the event
id stay the same, so a retry minutes later still lies inside the receiver's window and
is still recognised as the same event. Transient failures (connection errors, timeouts,
409, 429, 5xx) are retried with exponential backoff and full jitter; any other answer is
final. Redirects are never followed: a webhook URL that redirects is misconfigured.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

import httpx

from mock_rimo.factory import encode
from mock_rimo.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, signature_headers
from schemas import EventValidator, Violation

DEFAULT_TIMEOUT_SECONDS: Final = 10.0
RETRYABLE_STATUSES: Final = frozenset({408, 409, 429, 500, 502, 503, 504})
JSON_CONTENT_TYPE: Final = "application/json"


class InvalidOutgoingEvent(ValueError):
    """The mock refuses to send an event that fails its own published schema."""

    def __init__(self, violations: list[Violation]) -> None:
        listed = "; ".join(f"{v.pointer or '/'}: {v.message}" for v in violations)
        super().__init__(f"event fails its schema: {listed}")
        self.violations = violations


@dataclass(frozen=True, slots=True)
class RetrySchedule:
    """How often and how far apart a delivery is attempted.

    The n-th retry waits a random time in [0, min(max_delay, base_delay * 2**(n-1))]
    (exponential backoff with full jitter), or at least what Retry-After asks for.
    """

    max_attempts: int
    base_delay_seconds: float
    max_delay_seconds: float

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if self.base_delay_seconds < 0 or self.max_delay_seconds < self.base_delay_seconds:
            raise ValueError("delays must satisfy 0 <= base_delay <= max_delay")

    def ceiling(self, retry_number: int) -> float:
        """The longest wait before the ``retry_number``-th retry (1 for the first)."""
        growth = 2.0 ** min(retry_number - 1, 64)  # past 2**64 the cap rules anyway
        return min(self.max_delay_seconds, self.base_delay_seconds * growth)

    def horizon_seconds(self) -> float:
        """The longest time from the first attempt to the last, without Retry-After."""
        return sum(self.ceiling(n) for n in range(1, self.max_attempts))


SCHEDULES: Final = {
    # Seconds, for local runs and CI: eight attempts within about 48 s, which outlasts the
    # receiver's 35 s claim timeout, so even a claim orphaned by a store stall is retried
    # past.
    "local": RetrySchedule(max_attempts=8, base_delay_seconds=0.5, max_delay_seconds=16.0),
    # A provider's real schedule: fifteen attempts, backing off to 8 h, about 1.7 days in all.
    "production": RetrySchedule(
        max_attempts=15, base_delay_seconds=30.0, max_delay_seconds=8 * 3600.0
    ),
}
"""Named retry schedules (``--schedule``)."""
DEFAULT_SCHEDULE: Final = SCHEDULES["local"]


@dataclass(frozen=True, slots=True)
class Attempt:
    """One HTTP attempt of a delivery."""

    number: int
    timestamp: int
    signature: str
    status: int | None
    error: str | None
    latency_seconds: float
    delay_before_seconds: float


@dataclass(frozen=True, slots=True)
class DeliveryResult:
    """Every attempt of one delivery and the final answer, if there was one."""

    event_id: str | None
    event_type: str | None
    attempts: tuple[Attempt, ...]
    status: int | None
    response_body: str

    @property
    def delivered(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def is_retryable(status: int) -> bool:
    """Whether the receiver's answer asks for another attempt later."""
    return status in RETRYABLE_STATUSES or 500 <= status < 600


def _retry_after_seconds(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After", "").strip()
    if value.isdecimal():
        return float(value)
    return None


class WebhookSender:
    """Signs and delivers bodies to one receiver URL with Rimo-like retry semantics."""

    def __init__(
        self,
        *,
        url: str,
        secret: str,
        client: httpx.Client | None = None,
        schedule: RetrySchedule = DEFAULT_SCHEDULE,
        timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        jitter: random.Random | None = None,
        validator: EventValidator | None = None,
    ) -> None:
        self._url = url
        self._secret = secret
        self._owns_client = client is None
        self._client = client or httpx.Client(timeout=timeout_seconds, follow_redirects=False)
        self._schedule = schedule
        self._clock = clock
        self._sleep = sleep
        self._jitter = jitter or random.Random()  # noqa: S311  # jitter, not cryptography
        self._validator = validator

    @property
    def url(self) -> str:
        return self._url

    def close(self) -> None:
        """Close the HTTP client if this sender created it."""
        if self._owns_client:
            self._client.close()

    def __enter__(self) -> WebhookSender:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def deliver_event(self, event: Mapping[str, Any], *, validate: bool = True) -> DeliveryResult:
        """Validate ``event`` against its schema, encode it compactly and deliver it."""
        if validate:
            validator = self._validator or EventValidator()
            self._validator = validator
            violations = validator.violations(event)
            if violations:
                raise InvalidOutgoingEvent(violations)
        event_id, event_type = event.get("id"), event.get("type")
        return self.deliver(
            encode(dict(event)),
            event_id=str(event_id) if event_id else None,
            event_type=str(event_type) if event_type else None,
        )

    def deliver(
        self,
        body: bytes,
        *,
        event_id: str | None = None,
        event_type: str | None = None,
        on_attempt: Callable[[Attempt, float | None], None] | None = None,
    ) -> DeliveryResult:
        """Deliver ``body`` byte for byte, retrying transient failures.

        ``on_attempt`` hears of each attempt as it ends, with the wait before the next one
        (``None`` when there is none), so a person watching sees retries as they happen.
        """
        attempts: list[Attempt] = []
        delay = 0.0
        response: httpx.Response | None = None
        for number in range(1, self._schedule.max_attempts + 1):
            if delay:
                self._sleep(delay)
            timestamp = int(self._clock())
            headers = {"Content-Type": JSON_CONTENT_TYPE}
            headers.update(signature_headers(self._secret, timestamp, body))
            started = time.perf_counter()
            error: str | None = None
            try:
                response = self._client.post(self._url, content=body, headers=headers)
            except httpx.TransportError as failure:
                response = None
                error = f"{type(failure).__name__}: {failure}"
            attempt = Attempt(
                number=number,
                timestamp=timestamp,
                signature=headers[SIGNATURE_HEADER],
                status=response.status_code if response is not None else None,
                error=error,
                latency_seconds=time.perf_counter() - started,
                delay_before_seconds=delay,
            )
            attempts.append(attempt)
            final = response is not None and not is_retryable(response.status_code)
            last = final or number == self._schedule.max_attempts
            delay = 0.0 if last else self._next_delay(number, response)
            if on_attempt is not None:
                on_attempt(attempt, None if last else delay)
            if final:
                break
        return DeliveryResult(
            event_id=event_id,
            event_type=event_type,
            attempts=tuple(attempts),
            status=response.status_code if response is not None else None,
            response_body=response.text if response is not None else "",
        )

    def post_raw(self, body: bytes, headers: Mapping[str, str]) -> httpx.Response:
        """One attempt with exactly these headers and bytes: the adversarial modes' door."""
        return self._client.post(self._url, content=body, headers=dict(headers))

    def _next_delay(self, attempt_number: int, response: httpx.Response | None) -> float:
        delay = self._jitter.uniform(0, self._schedule.ceiling(attempt_number))
        if response is not None:
            retry_after = _retry_after_seconds(response)
            if retry_after is not None:
                delay = max(delay, min(retry_after, self._schedule.max_delay_seconds))
        return delay


__all__ = [
    "DEFAULT_SCHEDULE",
    "RETRYABLE_STATUSES",
    "SCHEDULES",
    "SIGNATURE_HEADER",
    "TIMESTAMP_HEADER",
    "Attempt",
    "DeliveryResult",
    "InvalidOutgoingEvent",
    "RetrySchedule",
    "WebhookSender",
    "is_retryable",
]
