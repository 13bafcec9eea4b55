"""Shared helpers for the receiver's unit tests.

The signer here is deliberately tiny and independent of both ``receiver.verification`` and
``mock_rimo.signing``: a test that signed with the code under test could never catch a bug
in it. Its output is pinned against the digests published in the field cases.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any, Final

import falcon.testing

from receiver.app import create_app
from receiver.processing import EffectLedger, EventProcessor
from receiver.settings import Settings
from receiver.store import DedupStore, MemoryDedupStore

SECRET: Final = "rimo_test_secret"
NOW: Final = 1767225600  # 2026-01-01T00:00:00Z
WEBHOOK_PATH: Final = "/webhooks/rimo"
HEALTH_PATH: Final = "/webhooks/rimo/health"

REF: Final = (
    b'{"id":"evt_ref001","type":"treatment.created","data":{"treatmentId":"rimo_treat_1",'
    b'"customerId":"prof_t1","offeringName":"TRT Protocol","status":"pending"},'
    b'"timestamp":"2026-01-01T00:00:00Z"}'
)
REF_ID: Final = "evt_ref001"
REF_SIG: Final = "e8213f2f0c1c46ce842448655a613dc53fb9bf8f18cf0ba887a6440319f7b7d8"
"""``sig(NOW, REF)`` as published in the field cases (computed with openssl)."""


def sig(ts: int | str, body: bytes, secret: str = SECRET) -> str:
    """Lowercase hex HMAC-SHA256 over ``f"{ts}.".encode() + body``, keyed with ``secret``."""
    signed = str(ts).encode("ascii") + b"." + body
    return hmac.new(secret.encode("utf-8"), signed, hashlib.sha256).hexdigest()


def compact(payload: Any) -> bytes:
    """A payload as compact JSON bytes (the shape of the field cases' bodies)."""
    return json.dumps(payload, separators=(",", ":")).encode("utf-8")


def default_headers(body: bytes, *, ts: int | str = NOW, secret: str = SECRET) -> dict[str, str]:
    """The headers of a correct delivery of ``body`` signed at ``ts``."""
    return {
        "Content-Type": "application/json",
        "X-Rimo-Timestamp": str(ts),
        "X-Rimo-Signature": sig(ts, body, secret),
    }


def deliver(
    client: falcon.testing.TestClient,
    body: bytes,
    *,
    ts: int | str = NOW,
    secret: str = SECRET,
    extras: dict[str, Any] | None = None,
    **header_overrides: str | None,
) -> falcon.testing.Result:
    """POST ``body`` as raw bytes, correctly signed at ``ts`` unless a header is overridden.

    Each keyword names a header with ``_`` for ``-`` (``X_Rimo_Signature="..."``); it
    replaces the default header of that name whatever its letter case, and is sent with
    exactly the spelling given. ``None`` removes the header. So every negative test changes
    exactly one thing about an otherwise valid delivery.
    """
    headers = default_headers(body, ts=ts, secret=secret)
    for key, value in header_overrides.items():
        name = key.replace("_", "-")
        for existing in [h for h in headers if h.lower() == name.lower()]:
            del headers[existing]
        if value is not None:
            headers[name] = value
    return client.simulate_post(WEBHOOK_PATH, body=body, headers=headers, extras=extras)


class FrozenClock:
    """An injectable clock that stands still until a test moves it."""

    def __init__(self, now: float = NOW) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def make_client(
    settings: Settings | None = None,
    *,
    store: DedupStore | None = None,
    clock: FrozenClock | None = None,
    processor: EventProcessor | None = None,
) -> falcon.testing.TestClient:
    """A test client of a fresh receiver; collaborators default to fresh in-memory ones."""
    frozen = clock if clock is not None else FrozenClock()
    return falcon.testing.TestClient(
        create_app(
            settings if settings is not None else Settings.for_secret(SECRET),
            store=store if store is not None else MemoryDedupStore(clock=frozen),
            clock=frozen,
            processor=processor if processor is not None else EffectLedger(),
        )
    )


class UnreadableStream:
    """A ``wsgi.input`` that fails the test if the receiver reads a single byte of it."""

    def __init__(self) -> None:
        self.reads = 0

    def _fail(self, *args: object) -> bytes:
        self.reads += 1
        raise AssertionError("the receiver read a body it should have refused unread")

    read = readline = _fail

    def readlines(self, *args: object) -> list[bytes]:
        self._fail()
        return []

    def __iter__(self) -> UnreadableStream:
        return self

    def __next__(self) -> bytes:
        return self._fail()


class RecordingStream:
    """A ``wsgi.input`` over fixed bytes that records every read the receiver makes."""

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._position = 0
        self.reads: list[bytes] = []

    def read(self, size: int = -1, /) -> bytes:
        end = len(self._data) if size is None or size < 0 else self._position + size
        chunk = self._data[self._position : end]
        self._position += len(chunk)
        self.reads.append(chunk)
        return chunk

    def readline(self, *args: object) -> bytes:
        return self.read()

    def readlines(self, *args: object) -> list[bytes]:
        return [self.read()]

    def __iter__(self) -> RecordingStream:
        return self

    def __next__(self) -> bytes:
        chunk = self.read()
        if not chunk:
            raise StopIteration
        return chunk
