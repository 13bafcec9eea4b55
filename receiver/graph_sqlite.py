"""The patient graph in the same SQLite file as the dedup store.

One connection per call, like the dedup store, so nothing is shared between threads or
carried across gunicorn's fork. Every write is an upsert, so applying an event again
changes nothing.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Callable
from typing import Final, TypeVar

from receiver.graph import Facts, JsonObject
from receiver.store import StoreError

_BUSY_TIMEOUT_SECONDS: Final = 5.0
_SCHEMA: Final = (
    "CREATE TABLE IF NOT EXISTS rimo_graph_fields ("
    " kind TEXT NOT NULL, key TEXT NOT NULL, field TEXT NOT NULL, value TEXT NOT NULL,"
    " PRIMARY KEY (kind, key, field)) WITHOUT ROWID",
    "CREATE TABLE IF NOT EXISTS rimo_graph_links ("
    " relation TEXT NOT NULL, source TEXT NOT NULL, target TEXT NOT NULL,"
    " PRIMARY KEY (relation, source, target)) WITHOUT ROWID",
)
_T = TypeVar("_T")


class SqliteGraphStore:
    """Entity fields and links as rows; errors surface as ``sqlite3.Error`` (a failed
    processing: the receiver answers 500 and the sender's retry applies the event again)."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self._path = os.fspath(path)
        try:
            self._run(lambda connection: [connection.execute(statement) for statement in _SCHEMA])
        except sqlite3.Error as error:
            raise StoreError(f"cannot open the SQLite patient graph: {error}") from error

    def write(self, facts: Facts) -> None:
        rows = [
            (kind, key, name, json.dumps(value))
            for kind, key, values in facts.fields
            for name, value in values.items()
        ]

        def write_in_one_transaction(connection: sqlite3.Connection) -> None:
            connection.executemany(
                "INSERT OR REPLACE INTO rimo_graph_fields VALUES (?, ?, ?, ?)", rows
            )
            connection.executemany(
                "INSERT OR IGNORE INTO rimo_graph_links VALUES (?, ?, ?)", facts.links
            )

        self._run(write_in_one_transaction)

    def read(self, kind: str, key: str) -> JsonObject:
        rows = self._run(
            lambda connection: connection.execute(
                "SELECT field, value FROM rimo_graph_fields WHERE kind = ? AND key = ?",
                (kind, key),
            ).fetchall()
        )
        return {field: json.loads(value) for field, value in rows}

    def linked(self, relation: str, source: str) -> set[str]:
        rows = self._run(
            lambda connection: connection.execute(
                "SELECT target FROM rimo_graph_links WHERE relation = ? AND source = ?",
                (relation, source),
            ).fetchall()
        )
        return {target for (target,) in rows}

    def _run(self, work: Callable[[sqlite3.Connection], _T]) -> _T:
        connection = sqlite3.connect(self._path, timeout=_BUSY_TIMEOUT_SECONDS)
        try:
            with connection:  # one transaction, committed or rolled back
                return work(connection)
        finally:
            connection.close()
