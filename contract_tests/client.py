"""Deliveries the contract suite sends: well-formed by default, each part overridable.

Every negative case changes exactly one thing from a correctly signed delivery, so a
failure points at the one check the receiver got wrong.
"""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

import httpx

from contract_tests.target import Target
from mock_rimo.factory import encode
from mock_rimo.sender import JSON_CONTENT_TYPE, RetrySchedule, WebhookSender
from mock_rimo.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, signature

OMIT: Final = object()
"""Pass as a header value to leave that header out entirely."""


@dataclass(frozen=True, slots=True)
class Answer:
    """The receiver's answer to one delivery."""

    status: int
    body: Any
    headers: httpx.Headers

    @property
    def code(self) -> str | None:
        return self.body.get("code") if isinstance(self.body, dict) else None

    @property
    def outcome(self) -> str | None:
        return self.body.get("status") if isinstance(self.body, dict) else None

    def __str__(self) -> str:
        return f"{self.status} {json.dumps(self.body)[:300]}"


class ContractClient:
    """Signs and sends deliveries to the target through the mock sender."""

    def __init__(self, target: Target, *, run_id: str, timeout_seconds: float = 15.0) -> None:
        self.target = target
        self.run_id = run_id
        self._counter = itertools.count(1)
        self._http = httpx.Client(timeout=timeout_seconds, follow_redirects=False)
        self.sender = WebhookSender(
            url=target.webhook_url,
            secret=target.secret,
            client=self._http,
            schedule=RetrySchedule(max_attempts=1, base_delay_seconds=0, max_delay_seconds=0),
        )

    def close(self) -> None:
        self._http.close()

    def unique(self, event: Mapping[str, Any]) -> dict[str, Any]:
        """A copy of ``event`` with an id no earlier run against this receiver has used."""
        copy = dict(event)
        copy["id"] = f"{event['id']}_{self.run_id}_{next(self._counter)}"
        return copy

    def now(self) -> int:
        return int(time.time())

    def signed_headers(
        self,
        body: bytes,
        *,
        timestamp: int | str | None = None,
        secret: str | None = None,
    ) -> dict[str, str]:
        stamp = str(self.now() if timestamp is None else timestamp)
        return {
            "Content-Type": JSON_CONTENT_TYPE,
            TIMESTAMP_HEADER: stamp,
            SIGNATURE_HEADER: signature(secret or self.target.secret, stamp, body),
        }

    def deliver(
        self,
        body: bytes | Mapping[str, Any],
        *,
        timestamp: int | str | None = None,
        secret: str | None = None,
        headers: Mapping[str, object] | None = None,
    ) -> Answer:
        """Send ``body`` signed now; ``headers`` replace signed ones (``OMIT`` drops one)."""
        raw = body if isinstance(body, bytes) else encode(dict(body))
        sent = self.signed_headers(raw, timestamp=timestamp, secret=secret)
        for name, value in (headers or {}).items():
            for existing in [key for key in sent if key.lower() == name.lower()]:
                del sent[existing]
            if value is not OMIT:
                sent[name] = str(value)
        return self.send_exact(raw, sent)

    def send_exact(self, raw: bytes, headers: Mapping[str, str]) -> Answer:
        """One request with exactly these bytes and headers (a replay sends the old ones)."""
        response = self.sender.post_raw(raw, headers)
        return self._answer(response)

    def health(self) -> Answer:
        return self._answer(self._http.get(self.target.health_url))

    @staticmethod
    def _answer(response: httpx.Response) -> Answer:
        try:
            body: Any = response.json()
        except ValueError:
            body = response.text
        return Answer(status=response.status_code, body=body, headers=response.headers)
