"""Domain errors of the webhook endpoint.

They know nothing of HTTP: ``receiver.app`` maps each to a status code in one place.
Each carries a stable machine-readable ``code`` and a human ``description``; neither ever
contains a secret, an expected signature or the request body.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from schemas import Violation


class DeliveryRejected(Exception):
    """A delivery the receiver will not acknowledge."""

    code: ClassVar[str] = "rejected"
    default_description: ClassVar[str] = "The delivery was rejected."

    def __init__(self, description: str | None = None) -> None:
        self.description = description or self.default_description
        super().__init__(self.description)

    def details(self) -> dict[str, object]:
        """Extra machine-readable fields for the error body."""
        return {}


class PayloadTooLarge(DeliveryRejected):
    code = "payload_too_large"
    default_description = "The body is larger than the receiver accepts."


class UnreadableBody(DeliveryRejected):
    code = "unreadable_body"
    default_description = (
        "The request body could not be read: malformed chunked encoding, or the connection "
        "ended before the declared length."
    )


class BodyTimeout(DeliveryRejected):
    code = "request_timeout"
    default_description = "The request body did not arrive in time."


class UnsupportedMediaType(DeliveryRejected):
    code = "unsupported_media_type"
    default_description = "Content-Type must be application/json."


class MalformedPayload(DeliveryRejected):
    code = "malformed_payload"
    default_description = "The body is not a UTF-8 encoded JSON object."


class InvalidEvent(DeliveryRejected):
    code = "invalid_event"
    default_description = "The event does not match its published schema."

    def __init__(self, violations: Sequence[Violation], *, truncated: bool = False) -> None:
        super().__init__()
        self.violations = tuple(violations)
        self.truncated = truncated

    def details(self) -> dict[str, object]:
        details: dict[str, object] = {
            "violations": [violation.as_dict() for violation in self.violations]
        }
        if self.truncated:
            details["violations_truncated"] = True
        return details


class DeliveryInProgress(DeliveryRejected):
    code = "delivery_in_progress"
    default_description = (
        "Another delivery of this event id is being processed right now; retry shortly."
    )


class StoreUnavailable(DeliveryRejected):
    code = "store_unavailable"
    default_description = (
        "The deduplication store could not be reached; the event was not recorded."
    )


class ProcessingFailed(DeliveryRejected):
    code = "processing_failed"
    default_description = (
        "The event could not be processed; it was not recorded, so a retry will be."
    )
