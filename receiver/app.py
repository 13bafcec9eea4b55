"""The application factory, and the one place domain errors become HTTP responses."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, Final

import falcon

from receiver.errors import (
    BodyTimeout,
    DeliveryInProgress,
    DeliveryRejected,
    InvalidEvent,
    MalformedPayload,
    PayloadTooLarge,
    ProcessingFailed,
    StoreUnavailable,
    UnreadableBody,
    UnsupportedMediaType,
)
from receiver.graph import PatientGraph
from receiver.logs import DeliveryLogMiddleware
from receiver.processing import EffectLedger, EventProcessor
from receiver.resources import (
    HealthResource,
    PatientResource,
    ReadinessResource,
    WebhookResource,
)
from receiver.settings import Settings
from receiver.store import DedupStore
from receiver.verification import VerificationError
from schemas import EventValidator

WEBHOOK_ROUTE: Final = "/webhooks/rimo"
HEALTH_ROUTE: Final = "/webhooks/rimo/health"
READINESS_ROUTE: Final = "/webhooks/rimo/ready"
PATIENT_ROUTE: Final = "/patients/{customer_id}"
PATIENTS_QUERY_ROUTE: Final = "/patients"
RETRY_AFTER_SECONDS: Final = "1"
MAX_VIOLATIONS: Final = 20
"""A 422 lists at most this many violations (and says when there were more)."""

ReceiverApp = falcon.App[falcon.Request, falcon.Response]
"""The WSGI application type ``create_app`` returns."""

STATUS_BY_ERROR: Final[dict[type[DeliveryRejected], str]] = {
    # The HTTP status of each domain error: the one place they are mapped.
    PayloadTooLarge: falcon.HTTP_413,
    UnreadableBody: falcon.HTTP_400,
    BodyTimeout: falcon.HTTP_408,
    UnsupportedMediaType: falcon.HTTP_415,
    MalformedPayload: falcon.HTTP_400,
    InvalidEvent: falcon.HTTP_422,
    DeliveryInProgress: falcon.HTTP_409,
    StoreUnavailable: falcon.HTTP_503,
    ProcessingFailed: falcon.HTTP_500,
}
_RETRYABLE: Final = (DeliveryInProgress, StoreUnavailable)
# The body was not read to its end, so nothing else on the connection can be trusted to
# start a new request: close it rather than parse leftovers as one.
_BODY_LEFT_UNREAD: Final = (PayloadTooLarge, UnreadableBody, BodyTimeout)

log = logging.getLogger("receiver.errors")


def _error_body(code: str, description: str, **details: object) -> dict[str, object]:
    return {"code": code, "description": description, **details}


def _on_rejected(
    req: falcon.Request, resp: falcon.Response, error: DeliveryRejected, params: dict[str, Any]
) -> None:
    resp.status = STATUS_BY_ERROR.get(type(error), falcon.HTTP_400)
    resp.media = _error_body(error.code, error.description, **error.details())
    if isinstance(error, _RETRYABLE):
        resp.set_header("Retry-After", RETRY_AFTER_SECONDS)
    if isinstance(error, _BODY_LEFT_UNREAD):
        resp.set_header("Connection", "close")


def _on_unauthenticated(
    req: falcon.Request, resp: falcon.Response, error: VerificationError, params: dict[str, Any]
) -> None:
    # Only the reason is returned: never the expected signature or anything about the secret.
    resp.status = falcon.HTTP_401
    resp.media = _error_body(error.code, error.description)


def _on_http_error(
    req: falcon.Request, resp: falcon.Response, error: falcon.HTTPError, params: dict[str, Any]
) -> None:
    # Falcon's own errors (404, 405, a malformed Content-Length...) get the same body shape.
    resp.status = error.status
    # A title like "404 Not Found" becomes the code "not_found".
    words = (error.title or "http error").split()
    code = "_".join(word for word in words if not word.isdigit()).lower() or "http_error"
    resp.media = _error_body(code, error.description or error.title or "HTTP error")
    if error.headers:
        resp.set_headers(error.headers)


def _on_unexpected(
    req: falcon.Request, resp: falcon.Response, error: Exception, params: dict[str, Any]
) -> None:
    log.exception("unexpected error", exc_info=error)
    resp.status = falcon.HTTP_500
    resp.media = _error_body("internal_error", "The receiver failed unexpectedly.")


def create_app(
    settings: Settings,
    *,
    store: DedupStore,
    clock: Callable[[], float],
    processor: EventProcessor | None = None,
    validator: EventValidator | None = None,
    patient_view: PatientGraph | None = None,
) -> ReceiverApp:
    """The receiver, wired from its collaborators; nothing here reads the environment."""
    app: ReceiverApp = falcon.App(middleware=[DeliveryLogMiddleware()])
    # A sender configured with ".../webhooks/rimo/" reaches the same endpoint.
    app.req_options.strip_url_path_trailing_slash = True
    # Falcon tries handlers from the most specific class registered, so the order of
    # registration does not matter for correctness; the generic one only catches the rest.
    app.add_error_handler(Exception, _on_unexpected)
    app.add_error_handler(falcon.HTTPError, _on_http_error)
    app.add_error_handler(VerificationError, _on_unauthenticated)
    app.add_error_handler(DeliveryRejected, _on_rejected)
    app.add_route(
        WEBHOOK_ROUTE,
        WebhookResource(
            settings,
            store=store,
            processor=processor if processor is not None else EffectLedger(),
            validator=validator
            if validator is not None
            else EventValidator(strict=settings.strict_schemas, max_violations=MAX_VIOLATIONS),
            clock=clock,
        ),
    )
    app.add_route(HEALTH_ROUTE, HealthResource())
    app.add_route(READINESS_ROUTE, ReadinessResource(store))
    if patient_view is not None:
        patients = PatientResource(patient_view)
        app.add_route(PATIENT_ROUTE, patients)
        app.add_route(PATIENTS_QUERY_ROUTE, patients, suffix="query")
    return app
