"""Code the process-race tests run in spawned child processes.

Kept apart from the test module so a child imports only this and the store, not pytest
and the test's own helpers: each of the 8 children starts faster, and they reach the
barrier together.
"""

from __future__ import annotations

from typing import Any

from receiver.store import DedupStore


def open_backend(kind: str, target: str, key_prefix: str) -> DedupStore:
    """A fresh store object on the same backend as the parent's (its own connections)."""
    if kind == "sqlite":
        from receiver.store_sqlite import SqliteDedupStore

        return SqliteDedupStore(target)
    from receiver.store_redis import RedisDedupStore

    return RedisDedupStore.from_url(target, key_prefix=key_prefix)


def claim_once(
    kind: str, target: str, key_prefix: str, event_id: str, barrier: Any, results: Any
) -> None:
    """Open the store, wait until every child is ready, claim ``event_id``, report the outcome.

    A failure is reported too (as ``error: ...``), so the parent never waits for a result
    that a crashed child will not send.
    """
    try:
        store = open_backend(kind, target, key_prefix)
        store.check()  # connected before the barrier, so the claims really race
        barrier.wait(timeout=60)
        results.put(store.claim(event_id).value)
    except Exception as error:
        results.put(f"error: {type(error).__name__}: {error}")
