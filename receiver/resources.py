"""The HTTP resources: thin responders that read the request and call collaborators."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import falcon

from receiver.body import read_raw_body, require_json_content_type
from receiver.errors import (
    DeliveryInProgress,
    InvalidEvent,
    ProcessingFailed,
    StoreUnavailable,
)
from receiver.events import Event, parse_object
from receiver.graph import PatientGraph
from receiver.processing import EventProcessor
from receiver.settings import Settings
from receiver.store import ClaimOutcome, DedupStore, StoreError
from receiver.verification import SIGNATURE_HEADER, TIMESTAMP_HEADER, verify
from schemas import EventValidator

log = logging.getLogger("receiver.webhooks")


class HealthResource:
    """Liveness: cheap, touches no collaborator. HEAD works too, for load balancers."""

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.media = {"status": "ok"}

    def on_head(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.content_type = falcon.MEDIA_JSON


class PatientResource:
    """``GET /patients/{customerId}``: the patient graph's view, for checking effects."""

    def __init__(self, graph: PatientGraph) -> None:
        self._graph = graph

    def on_get(self, req: falcon.Request, resp: falcon.Response, customer_id: str) -> None:
        self._show(resp, customer_id)

    def on_get_query(self, req: falcon.Request, resp: falcon.Response) -> None:
        """``GET /patients?customerId=...``: for ids a path segment cannot carry (a ``/``)."""
        self._show(resp, req.get_param("customerId", required=True))

    def _show(self, resp: falcon.Response, customer_id: str) -> None:
        try:
            view = self._graph.patient(customer_id)
        except StoreError as error:
            raise StoreUnavailable("The patient graph's store could not be reached.") from error
        if view is None:
            shown = customer_id if len(customer_id) <= 64 else customer_id[:64] + "..."
            raise falcon.HTTPNotFound(description=f"No events name the patient {shown!r}.")
        resp.media = view


class ReadinessResource:
    """Readiness: answers 200 only when the dedup store does, so a load balancer sends
    deliveries only to replicas that can record them."""

    def __init__(self, store: DedupStore) -> None:
        self._store = store

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        try:
            self._store.check()
        except StoreError as error:
            raise StoreUnavailable() from error
        resp.media = {"status": "ready"}

    def on_head(self, req: falcon.Request, resp: falcon.Response) -> None:
        self.on_get(req, resp)
        resp.media = None


class WebhookResource:
    """``POST /webhooks/rimo``: the checks of the status contract, cheapest and safest first."""

    logs_deliveries = True
    """Each answer is logged once, by ``receiver.logs.DeliveryLogMiddleware``."""

    def __init__(
        self,
        settings: Settings,
        *,
        store: DedupStore,
        processor: EventProcessor,
        validator: EventValidator,
        clock: Callable[[], float],
    ) -> None:
        self._settings = settings
        self._secrets = tuple(secret.reveal() for secret in settings.secrets)
        self._store = store
        self._processor = processor
        self._validator = validator
        self._clock = clock

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        body = read_raw_body(req, self._settings.max_body_bytes)
        verify(
            body=body,
            timestamp_header=req.get_header(TIMESTAMP_HEADER),
            signature_header=req.get_header(SIGNATURE_HEADER),
            secrets=self._secrets,
            now=self._clock(),
            tolerance_seconds=self._settings.tolerance_seconds,
        )
        require_json_content_type(req.content_type)
        event = self._valid_event(body, req.context)
        if not self._validator.is_known_type(event.type):
            resp.media = {
                "status": "ignored",
                "id": event.id,
                "type": event.type,
                "reason": "unknown_event_type",
            }
            return
        resp.media = self._deliver_once(event)

    def _valid_event(self, body: bytes, context: Any) -> Event:
        """The event in a verified body, valid against its type's schema (or, for a type
        this receiver does not know, the envelope's), with every violation reported at once."""
        payload = parse_object(body)
        # For the delivery log line, even when the event turns out invalid.
        for key, field in (("event_id", "id"), ("event_type", "type")):
            if isinstance(payload.get(field), str):
                context[key] = payload[field][:128]
        violations = self._validator.violations(payload)
        if violations:
            raise InvalidEvent(violations, truncated=violations.truncated)
        return Event(id=payload["id"], type=payload["type"], payload=payload)

    def _deliver_once(self, event: Event) -> dict[str, str]:
        try:
            outcome = self._store.claim(event.id)
        except StoreError as error:
            raise StoreUnavailable() from error
        if outcome is ClaimOutcome.ALREADY_PROCESSED:
            return {"status": "duplicate", "id": event.id, "type": event.type}
        if outcome is ClaimOutcome.IN_PROGRESS:
            raise DeliveryInProgress()
        try:
            self._processor.process(event)
        except StoreError as error:
            # The graph's store is down: an outage (503), like the dedup store's own.
            self._release_quietly(event.id)
            raise StoreUnavailable() from error
        except Exception as error:
            self._release_quietly(event.id)
            log.exception("processing failed", extra={"event_id": event.id})
            raise ProcessingFailed() from error
        try:
            self._store.commit(event.id)
        except StoreError as error:
            # The effect ran but is not recorded: the sender will retry and the effect
            # runs again. Processing is therefore required to be idempotent per id.
            raise StoreUnavailable() from error
        return {"status": "processed", "id": event.id, "type": event.type}

    def _release_quietly(self, event_id: str) -> None:
        try:
            self._store.release(event_id)
        except StoreError:
            log.warning("could not release a failed claim", extra={"event_id": event_id})
