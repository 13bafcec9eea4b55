"""Load on a receiver with locust: signed, unique, schema-valid events.

    RIMO_WEBHOOK_SECRET=... locust -f mock_rimo/locustfile.py --host http://127.0.0.1:8000

Spread over many machines with locust's own distributed mode (``--master`` on one,
``--worker --master-host=...`` on the others); every user draws its events from its own
random seed, so ids never collide between users or machines.
"""

from __future__ import annotations

import os
import random
import time

from locust import HttpUser, constant, task

from mock_rimo.factory import EventFactory, encode
from mock_rimo.sender import JSON_CONTENT_TYPE
from mock_rimo.signing import signature_headers
from schemas import EVENT_TYPES, EventValidator

WEBHOOK_PATH = "/webhooks/rimo"


class RimoSender(HttpUser):
    """One of Rimo's delivery workers, sending new events back to back."""

    wait_time = constant(0)

    def on_start(self) -> None:
        secret = os.environ.get("RIMO_WEBHOOK_SECRET", "")
        if not secret:
            raise RuntimeError("set RIMO_WEBHOOK_SECRET to the receiver's signing secret")
        self._secret = secret
        self._factory = EventFactory(random.SystemRandom().getrandbits(63))
        self._validator = EventValidator()

    @task
    def deliver_new_event(self) -> None:
        event_type = random.choice(EVENT_TYPES)  # noqa: S311  # load mix, not cryptography
        event = self._factory.build(event_type)
        if self._validator.violations(event):
            raise RuntimeError(f"the factory built an invalid {event_type}")
        body = encode(event)
        headers = {"Content-Type": JSON_CONTENT_TYPE}
        headers.update(signature_headers(self._secret, int(time.time()), body))
        with self.client.post(
            WEBHOOK_PATH,
            data=body,
            headers=headers,
            name=f"{WEBHOOK_PATH} {event_type}",
            catch_response=True,
        ) as response:
            outcome = response.json().get("status") if response.status_code == 200 else None
            if outcome != "processed":
                response.failure(f"expected 200 processed, got {response.status_code} {outcome}")
