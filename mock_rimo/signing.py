"""Signing deliveries the way Rimo does.

Written apart from ``receiver.verification`` on purpose: if both sides shared one
function, a bug in it would sign and verify consistently and no test would notice.
Both are pinned to known-answer vectors computed with openssl instead.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Callable, Generator
from typing import Final

import httpx

SIGNATURE_HEADER: Final = "X-Rimo-Signature"
TIMESTAMP_HEADER: Final = "X-Rimo-Timestamp"


def signature(secret: str | bytes, timestamp: int | str, body: bytes) -> str:
    """Lower-case hex HMAC-SHA256 of ``"{timestamp}.{body}"`` keyed with ``secret``."""
    key = secret.encode("utf-8") if isinstance(secret, str) else secret
    message = str(timestamp).encode("ascii") + b"." + body
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def signature_headers(secret: str | bytes, timestamp: int | str, body: bytes) -> dict[str, str]:
    """The two Rimo headers for ``body`` signed at ``timestamp`` (Unix seconds, or its text)."""
    return {
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: signature(secret, timestamp, body),
    }


class RimoSignatureAuth(httpx.Auth):
    """Signs every request afresh at send time, so each retry carries a current timestamp."""

    requires_request_body = True

    def __init__(self, secret: str | bytes, *, clock: Callable[[], float] = time.time) -> None:
        self._secret = secret
        self._clock = clock

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers.update(signature_headers(self._secret, int(self._clock()), request.content))
        yield request
