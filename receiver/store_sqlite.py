"""A durable dedup store in one SQLite file, shared by the worker processes of one host.

Why SQLite: a single receiver host running several gunicorn workers needs one memory of
processed ids that every worker sees and that survives a restart, without running a
server. SQLite's file locking gives exactly that on a local disk. It does not work across
hosts (and not on network file systems, whose locking SQLite cannot trust): replicas on
several hosts need the Redis store.

How it stays correct under threads and processes:

- A connection is opened per call and closed before returning. No connection is ever
  shared between threads, and none can leak across gunicorn's fork (the app, and this
  store, are built in the master before it forks; a SQLite connection carried over a fork
  corrupts locking). Opening a local SQLite file costs tens of microseconds, which a
  webhook receiver does not notice.
- Each claim is one ``BEGIN IMMEDIATE`` transaction: it takes the database's write lock
  before reading, so read-decide-write cannot interleave with another claim anywhere on
  the host. Waiting writers queue on the busy timeout instead of failing at once.
- WAL mode lets readers (``check``) proceed while a claim writes; ``synchronous=FULL``
  makes a committed id survive a power cut, not only a process crash.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import time
from collections.abc import Callable
from typing import Final, TypeVar

from receiver.store import (
    DEFAULT_CLAIM_TIMEOUT_SECONDS,
    DEFAULT_RETENTION_SECONDS,
    ClaimOutcome,
    StoreError,
)

DEFAULT_BUSY_TIMEOUT_SECONDS: Final = 5.0
"""How long a call waits for another worker's transaction before giving up with a 503.
Claims hold the lock for well under a millisecond, so only a stuck disk gets near this."""
PURGE_INTERVAL_SECONDS: Final = 60.0
"""Expired rows are deleted at most this often per store object, not on every claim."""

_CLAIMED: Final = "claimed"
_PROCESSED: Final = "processed"
_SCHEMA: Final = (
    "CREATE TABLE IF NOT EXISTS rimo_dedup ("
    " event_id TEXT PRIMARY KEY,"
    " state TEXT NOT NULL CHECK (state IN ('claimed', 'processed')),"
    " since REAL NOT NULL"
    ") WITHOUT ROWID",
    "CREATE INDEX IF NOT EXISTS rimo_dedup_expiry ON rimo_dedup (state, since)",
)

_T = TypeVar("_T")
log = logging.getLogger("receiver.store")


class SqliteDedupStore:
    """Claims and processed ids in one SQLite file; see the module docstring for why it is safe.

    Times are wall-clock seconds (``time.time``), not a monotonic clock: the file outlives
    the process and the machine's boot, and every process on the host must agree on "now".
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        retention_seconds: float = DEFAULT_RETENTION_SECONDS,
        claim_timeout_seconds: float = DEFAULT_CLAIM_TIMEOUT_SECONDS,
        busy_timeout_seconds: float = DEFAULT_BUSY_TIMEOUT_SECONDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if retention_seconds <= 0 or claim_timeout_seconds <= 0 or busy_timeout_seconds <= 0:
            raise ValueError("retention, claim timeout and busy timeout must all be positive")
        self._path = os.fspath(path)
        self._retention = retention_seconds
        self._claim_timeout = claim_timeout_seconds
        self._busy_timeout = busy_timeout_seconds
        self._clock = clock
        self._next_purge = float("-inf")
        self._create_schema()

    @property
    def path(self) -> str:
        """The database file."""
        return self._path

    def __repr__(self) -> str:
        return f"SqliteDedupStore({self._path!r})"

    def claim(self, event_id: str) -> ClaimOutcome:
        def claim_in_transaction(connection: sqlite3.Connection) -> ClaimOutcome:
            now = self._clock()  # read under the write lock, not before waiting for it
            row = connection.execute(
                "SELECT state, since FROM rimo_dedup WHERE event_id = ?", (event_id,)
            ).fetchone()
            if row is not None:
                state, since = row
                if state == _PROCESSED and now - since < self._retention:
                    return ClaimOutcome.ALREADY_PROCESSED
                if state == _CLAIMED and now - since < self._claim_timeout:
                    return ClaimOutcome.IN_PROGRESS
            # New, expired, or an abandoned claim taken over: this caller owns it now.
            connection.execute(
                "INSERT OR REPLACE INTO rimo_dedup (event_id, state, since) VALUES (?, ?, ?)",
                (event_id, _CLAIMED, now),
            )
            self._purge_if_due(connection, now)
            return ClaimOutcome.CLAIMED

        return self._run(claim_in_transaction)

    def commit(self, event_id: str) -> None:
        def commit_in_transaction(connection: sqlite3.Connection) -> None:
            connection.execute(
                "INSERT OR REPLACE INTO rimo_dedup (event_id, state, since) VALUES (?, ?, ?)",
                (event_id, _PROCESSED, self._clock()),
            )

        self._run(commit_in_transaction)

    def release(self, event_id: str) -> None:
        def release_in_transaction(connection: sqlite3.Connection) -> None:
            # Only a claim: a processed id is never forgotten by a late release.
            connection.execute(
                "DELETE FROM rimo_dedup WHERE event_id = ? AND state = ?", (event_id, _CLAIMED)
            )

        self._run(release_in_transaction)

    def check(self) -> None:
        """Open the file and read the table: raises ``StoreError`` if either fails."""
        self._run(
            lambda connection: connection.execute("SELECT 1 FROM rimo_dedup LIMIT 1"), write=False
        )

    def __len__(self) -> int:
        """Rows on file, expired ones not yet purged included (for tests and operators)."""
        count: int = self._run(
            lambda connection: connection.execute("SELECT count(*) FROM rimo_dedup").fetchone()[0],
            write=False,
        )
        return count

    def _purge_if_due(self, connection: sqlite3.Connection, now: float) -> None:
        # Unlocked on purpose: two threads racing here at worst both purge, which is harmless.
        if now < self._next_purge:
            return
        self._next_purge = now + PURGE_INTERVAL_SECONDS
        connection.execute(
            "DELETE FROM rimo_dedup WHERE state = ? AND since <= ?",
            (_PROCESSED, now - self._retention),
        )
        connection.execute(
            "DELETE FROM rimo_dedup WHERE state = ? AND since <= ?",
            (_CLAIMED, now - self._claim_timeout),
        )

    def _connect(self) -> sqlite3.Connection:
        # isolation_level=None: no implicit transactions; each call says BEGIN itself.
        connection = sqlite3.connect(self._path, timeout=self._busy_timeout, isolation_level=None)
        try:
            connection.execute("PRAGMA synchronous = FULL")
        except BaseException:
            connection.close()
            raise
        return connection

    def _run(self, work: Callable[[sqlite3.Connection], _T], *, write: bool = True) -> _T:
        """``work`` in one transaction on a fresh connection.

        A writing transaction begins IMMEDIATE, taking the write lock before its first read,
        so a read-decide-write sequence is atomic across threads and processes.
        """
        try:
            connection = self._connect()
        except sqlite3.Error as error:
            raise StoreError(f"cannot open the SQLite dedup store: {error}") from error
        try:
            connection.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            result = work(connection)
            connection.execute("COMMIT")
            return result
        except sqlite3.Error as error:
            raise StoreError(f"the SQLite dedup store failed: {error}") from error
        finally:
            # Closing with a transaction still open (work raised) rolls it back.
            connection.close()

    def _create_schema(self) -> None:
        try:
            connection = self._connect()
        except sqlite3.Error as error:
            raise StoreError(f"cannot open the SQLite dedup store: {error}") from error
        try:
            mode = connection.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                # Still correct (claims are serialised either way), only slower under load.
                log.warning("SQLite dedup store could not use WAL mode (journal mode %s)", mode)
            for statement in _SCHEMA:
                connection.execute(statement)
        except sqlite3.Error as error:
            raise StoreError(f"cannot prepare the SQLite dedup store: {error}") from error
        finally:
            connection.close()
