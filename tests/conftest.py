"""Fixtures shared by the receiver's unit tests: a frozen clock and fresh collaborators."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import falcon.testing
import pytest
from receiver_helpers import SECRET, FrozenClock

from receiver.app import create_app
from receiver.processing import EffectLedger
from receiver.settings import Settings
from receiver.store import MemoryDedupStore


@pytest.fixture
def clock() -> FrozenClock:
    """The receiver's clock, frozen at NOW (2026-01-01T00:00:00Z) until a test advances it."""
    return FrozenClock()


@pytest.fixture
def store(clock: FrozenClock) -> MemoryDedupStore:
    """A fresh in-memory dedup store on the same frozen clock as the receiver."""
    return MemoryDedupStore(clock=clock)


@pytest.fixture
def ledger() -> EffectLedger:
    """The processor: counts each event's effects."""
    return EffectLedger()


@pytest.fixture
def settings() -> Settings:
    return Settings.for_secret(SECRET)


@pytest.fixture
def client(
    settings: Settings, store: MemoryDedupStore, clock: FrozenClock, ledger: EffectLedger
) -> falcon.testing.TestClient:
    """The receiver wired with the fixtures above, driven in-process."""
    return falcon.testing.TestClient(
        create_app(settings, store=store, clock=clock, processor=ledger)
    )


@pytest.fixture
def restore_receiver_logging() -> Iterator[None]:
    """Undo ``configure_logging`` (production wiring) so later tests' caplog still works."""
    logger = logging.getLogger("receiver")
    handlers, propagate, level = list(logger.handlers), logger.propagate, logger.level
    yield
    logger.handlers[:] = handlers
    logger.propagate = propagate
    logger.setLevel(level)
