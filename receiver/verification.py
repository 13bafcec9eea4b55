"""Verification of the Rimo signature headers over the raw request body.

Kept free of any web framework and written apart from the mock sender's signer: a
harness whose two sides share one signing function could never catch a bug in it.
Every untrusted header is parsed here, so a malformed one ends as a typed
``VerificationError`` (401), never as an exception that becomes a 500.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import re
from collections.abc import Iterable
from enum import Enum
from typing import Final

SIGNATURE_HEADER: Final = "X-Rimo-Signature"
TIMESTAMP_HEADER: Final = "X-Rimo-Timestamp"

_DIGEST_HEX_LENGTH: Final = hashlib.sha256().digest_size * 2
# Plain decimal seconds only: no sign, no fraction, no exponent, no spaces. Fifteen digits
# is far past any real clock yet keeps int() on hostile input cheap.
_TIMESTAMP_PATTERN: Final = re.compile(r"[0-9]{1,15}")
_SIGNATURE_PATTERN: Final = re.compile(f"[0-9a-fA-F]{{{_DIGEST_HEX_LENGTH}}}")


class Failure(Enum):
    """Why a delivery was not authenticated; the value is the stable error code."""

    MISSING_SIGNATURE = "missing_signature"
    MISSING_TIMESTAMP = "missing_timestamp"
    MALFORMED_TIMESTAMP = "malformed_timestamp"
    TIMESTAMP_OUT_OF_TOLERANCE = "timestamp_out_of_tolerance"
    MALFORMED_SIGNATURE = "malformed_signature"
    SIGNATURE_MISMATCH = "signature_mismatch"


_DESCRIPTIONS: Final = {
    Failure.MISSING_SIGNATURE: f"The {SIGNATURE_HEADER} header is missing or empty.",
    Failure.MISSING_TIMESTAMP: f"The {TIMESTAMP_HEADER} header is missing or empty.",
    Failure.MALFORMED_TIMESTAMP: (
        f"{TIMESTAMP_HEADER} must be a Unix time in whole seconds, digits only."
    ),
    Failure.TIMESTAMP_OUT_OF_TOLERANCE: (
        f"{TIMESTAMP_HEADER} is too far from the receiver's clock; check the sender's and the "
        "receiver's clocks, or re-sign the delivery now."
    ),
    Failure.MALFORMED_SIGNATURE: (
        f"{SIGNATURE_HEADER} must be the bare hex digest of HMAC-SHA256 "
        f"({_DIGEST_HEX_LENGTH} hex characters)."
    ),
    Failure.SIGNATURE_MISMATCH: (
        "The signature does not match the timestamp and body for any active secret; check the "
        "shared secret and that the body is sent byte for byte as signed."
    ),
}


class VerificationError(Exception):
    """The delivery is not proven to come from Rimo, for one precise reason."""

    def __init__(self, failure: Failure) -> None:
        super().__init__(failure.value)
        self.failure = failure

    @property
    def code(self) -> str:
        return self.failure.value

    @property
    def description(self) -> str:
        return _DESCRIPTIONS[self.failure]


def _parse_timestamp(header: str | None) -> tuple[str, int]:
    """The header text as received (what was signed) and the seconds it names."""
    if header is None or header == "":
        raise VerificationError(Failure.MISSING_TIMESTAMP)
    if _TIMESTAMP_PATTERN.fullmatch(header) is None:
        raise VerificationError(Failure.MALFORMED_TIMESTAMP)
    return header, int(header)


def _parse_signature(header: str | None) -> bytes:
    if header is None or header == "":
        raise VerificationError(Failure.MISSING_SIGNATURE)
    if _SIGNATURE_PATTERN.fullmatch(header) is None:
        raise VerificationError(Failure.MALFORMED_SIGNATURE)
    # Decoding the hex makes the comparison case-insensitive without a case-folding step
    # that could differ between the two sides.
    return bytes.fromhex(header)


def _expected_digest(secret: bytes, timestamp_header: str, body: bytes) -> bytes:
    # The header string exactly as received (already proven to be plain digits) is what was
    # signed, so it is hashed as is rather than re-formatted from the parsed number.
    signed_payload = timestamp_header.encode("ascii") + b"." + body
    return hmac.new(secret, signed_payload, hashlib.sha256).digest()


def verify(
    *,
    body: bytes,
    timestamp_header: str | None,
    signature_header: str | None,
    secrets: Iterable[bytes],
    now: float,
    tolerance_seconds: int,
) -> int:
    """Check that ``body`` was signed by Rimo within the window; return the signed timestamp.

    Raises ``VerificationError`` with the first failing check, in order: both headers
    present, timestamp well-formed and within ``tolerance_seconds`` of ``now`` on either
    side (inclusive), signature well-formed, and equal in constant time to the HMAC of
    ``"{timestamp}.{body}"`` under one of ``secrets``.
    """
    if tolerance_seconds < 1:
        raise ValueError("tolerance_seconds must be at least 1; a zero window disables nothing")
    if signature_header is None or signature_header == "":
        raise VerificationError(Failure.MISSING_SIGNATURE)
    signed_timestamp, timestamp = _parse_timestamp(timestamp_header)
    # Whole seconds on both sides, as the header counts them: a delivery signed at the
    # window's edge is not refused for the fraction of a second it spent in transit.
    if abs(math.floor(now) - timestamp) > tolerance_seconds:
        raise VerificationError(Failure.TIMESTAMP_OUT_OF_TOLERANCE)
    presented = _parse_signature(signature_header)
    matched = False
    for secret in secrets:
        # Every secret is tried, without stopping early, so the time taken does not reveal
        # which of the active secrets matched.
        digest = _expected_digest(secret, signed_timestamp, body)
        matched |= hmac.compare_digest(digest, presented)
    if not matched:
        raise VerificationError(Failure.SIGNATURE_MISMATCH)
    return timestamp
