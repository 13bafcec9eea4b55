"""Building the production receiver from the environment (the composition root)."""

from __future__ import annotations

import time
from collections.abc import Mapping

from receiver.app import ReceiverApp, create_app
from receiver.logs import configure_logging
from receiver.settings import Settings
from receiver.store import MemoryDedupStore


def app_from_env(environ: Mapping[str, str] | None = None) -> ReceiverApp:
    """The receiver as deployed: settings from ``RIMO_*`` variables, the in-memory store."""
    settings = Settings.from_env(environ)
    configure_logging()
    return create_app(settings, store=MemoryDedupStore(), clock=time.time)
