"""The patient graph in the same SQLite file as the dedup store.

One connection per call, like the dedup store, so nothing is shared between threads or
carried across gunicorn's fork. An event's records and links are written in one
transaction, and every write is an upsert, so writing them again changes nothing.
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
    "CREATE TABLE IF NOT EXISTS rimo_graph_records ("
    " kind TEXT NOT NULL, key TEXT NOT NULL, record_id TEXT NOT NULL, value TEXT NOT NULL,"
    " PRIMARY KEY (kind, key, record_id)) WITHOUT ROWID",
    "CREATE TABLE IF NOT EXISTS rimo_graph_links ("
    " relation TEXT NOT NULL, source TEXT NOT NULL, target TEXT NOT NULL,"
    " PRIMARY KEY (relation, source, target)) WITHOUT ROWID",
)
_T = TypeVar("_T")


class SqliteGraphStore:
    def __init__(self, path: str | os.PathLike[str]) -> None:
        self._path = os.fspath(path)
        self._run(lambda connection: [connection.execute(statement) for statement in _SCHEMA])

    def write(self, facts: Facts) -> None:
        rows = [
            (kind, key, record_id, json.dumps(record))
            for kind, key, record_id, record in facts.records
        ]

        def write_in_one_transaction(connection: sqlite3.Connection) -> None:
            connection.executemany(
                "INSERT OR REPLACE INTO rimo_graph_records VALUES (?, ?, ?, ?)", rows
            )
            connection.executemany(
                "INSERT OR IGNORE INTO rimo_graph_links VALUES (?, ?, ?)", facts.links
            )

        self._run(write_in_one_transaction)

    def records(self, kind: str, key: str) -> dict[str, JsonObject]:
        rows = self._run(
            lambda connection: connection.execute(
                "SELECT record_id, value FROM rimo_graph_records WHERE kind = ? AND key = ?",
                (kind, key),
            ).fetchall()
        )
        return {record_id: json.loads(value) for record_id, value in rows}

    def linked(self, relation: str, source: str) -> set[str]:
        rows = self._run(
            lambda connection: connection.execute(
                "SELECT target FROM rimo_graph_links WHERE relation = ? AND source = ?",
                (relation, source),
            ).fetchall()
        )
        return {target for (target,) in rows}

    def _run(self, work: Callable[[sqlite3.Connection], _T]) -> _T:
        try:
            connection = sqlite3.connect(self._path, timeout=_BUSY_TIMEOUT_SECONDS)
            try:
                with connection:  # one transaction, committed or rolled back
                    return work(connection)
            finally:
                connection.close()
        except sqlite3.Error as error:
            raise StoreError(f"the SQLite patient graph failed: {error}") from error
