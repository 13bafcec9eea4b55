"""Building the production receiver from the environment (the composition root)."""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping

from receiver.app import ReceiverApp, create_app
from receiver.graph import PatientGraph, open_graph
from receiver.logs import configure_logging
from receiver.settings import Settings
from receiver.store import DedupStore, StoreError, open_store, redact_store_url

log = logging.getLogger("receiver.bootstrap")


def _refused_by_the_server(error: StoreError) -> bool:
    """Whether a Redis server answered with an error, rather than not answering at all."""
    # Imported here: a receiver on memory:// or SQLite never imports redis-py.
    from redis.exceptions import AuthenticationError, ResponseError

    return isinstance(error.__cause__, ResponseError | AuthenticationError)


def store_from_settings(settings: Settings) -> DedupStore:
    """The dedup store ``settings.dedup_store`` names.

    Raises ``StoreError`` when a SQLite file cannot be opened: a path that does not work
    is a configuration mistake, and refusing to start says so. A Redis server that does
    not answer is only logged: it is an outage the receiver rides out with 503s (the
    sender retries), and it should not turn into a crash loop.
    """
    store = open_store(
        settings.dedup_store,
        retention_seconds=settings.dedup_retention_seconds,
        claim_timeout_seconds=settings.dedup_claim_timeout_seconds,
    )
    shown = redact_store_url(settings.dedup_store)
    try:
        store.check()
    except StoreError as error:
        if _refused_by_the_server(error):
            # The server answered, and said no (a database index out of range, a wrong
            # password): configuration, not an outage, so say so instead of serving 503s.
            raise StoreError(
                f"the dedup store {shown} refuses this receiver: {error.__cause__}"
            ) from error
        log.warning(
            "dedup store %s is not answering at start-up; deliveries get 503 (retryable) "
            "until it does",
            shown,
        )
    else:
        log.info("dedup store %s ready: %r", shown, store)
    return store


def app_from_settings(settings: Settings) -> ReceiverApp:
    """The receiver as deployed for ``settings``: real clock, JSON logs, the configured store."""
    configure_logging()
    store = store_from_settings(settings)
    # The patient graph lives beside the dedup ids: in memory, or in the same file or server.
    graph = PatientGraph(open_graph(settings.dedup_store))
    return create_app(
        settings,
        store=store,
        clock=time.time,
        processor=graph,
        patient_view=graph if settings.patient_view else None,
    )


def app_from_env(environ: Mapping[str, str] | None = None) -> ReceiverApp:
    """The receiver as deployed: settings from ``RIMO_*`` variables, the store they name."""
    return app_from_settings(Settings.from_env(environ))
