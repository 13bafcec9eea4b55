"""Deduplication of deliveries by event id, with claim / commit / release semantics.

An id is claimed atomically before processing, committed only after processing
succeeded, and released when it failed. So a concurrent duplicate never runs the effect
twice (it sees the claim), and a failure never leaves an id marked as processed (a retry
gets through).

Three backends sit behind the ``DedupStore`` protocol, chosen by URL (``open_store``):
``memory://`` (the spec's default: one process, forgotten on restart), ``sqlite:///path``
(durable, shared by the worker processes of one host) and ``redis://host:port/db``
(durable, shared by every replica). docs/deployment.md says when to use which.
"""

from __future__ import annotations

import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Final, Literal, Protocol
from urllib.parse import parse_qs, unquote, urlsplit

DEFAULT_RETENTION_SECONDS: Final = 7 * 24 * 60 * 60
"""How long processed ids are remembered: longer than any sender's retry horizon (days)."""
DEFAULT_CLAIM_TIMEOUT_SECONDS: Final = 35
"""A claim older than this is presumed abandoned by a crashed worker and can be taken over."""
DEFAULT_MAX_ENTRIES: Final = 1_000_000
MEMORY_STORE_URL: Final = "memory://"
REDIS_URL_OPTIONS: Final = frozenset(
    {
        "client_name",
        "health_check_interval",
        "protocol",
        "socket_connect_timeout",
        "socket_timeout",
        "ssl_ca_certs",
        "ssl_cert_reqs",
        "ssl_certfile",
        "ssl_check_hostname",
        "ssl_keyfile",
    }
)
"""Query options a Redis store URL may carry (redis-py's own names). Others are refused at
start-up: redis-py would accept any name and fail only on the first connection."""
STORE_URL_FORMS: Final = (
    "memory://, sqlite:///relative/file.db, sqlite:////absolute/file.db or redis://host:port/db"
)


class ClaimOutcome(Enum):
    CLAIMED = "claimed"
    """This caller now owns the id and must commit or release it."""
    IN_PROGRESS = "in_progress"
    """Another caller holds a live claim on the id."""
    ALREADY_PROCESSED = "already_processed"
    """The id was committed earlier: the delivery is a duplicate."""


class StoreError(Exception):
    """The store could not answer; the caller must not assume anything about the id."""


class DedupStore(Protocol):
    """Where processed event ids are remembered.

    Every method either answers or raises ``StoreError``; a backend never lets its own
    exceptions (a socket error, a locked database) escape, so the receiver can map any
    outage to one retryable 503 without knowing which backend it runs on.
    """

    def claim(self, event_id: str) -> ClaimOutcome:
        """Atomically take the id for processing, or say why not."""
        ...

    def commit(self, event_id: str) -> None:
        """Record the id as processed; called only after processing succeeded."""
        ...

    def release(self, event_id: str) -> None:
        """Give up a claim after processing failed; never forgets a processed id."""
        ...

    def check(self) -> None:
        """Raise ``StoreError`` if the store cannot answer right now (for readiness)."""
        ...


class _Entry:
    __slots__ = ("processed", "since")

    def __init__(self, *, processed: bool, since: float) -> None:
        self.processed = processed
        self.since = since


class MemoryDedupStore:
    """The spec's in-memory store: one process, lost on restart, bounded in size and age.

    Shared by the threads of one worker; several worker processes each have their own,
    so it only deduplicates reliably under a single worker process.
    """

    def __init__(
        self,
        *,
        retention_seconds: float = DEFAULT_RETENTION_SECONDS,
        claim_timeout_seconds: float = DEFAULT_CLAIM_TIMEOUT_SECONDS,
        max_entries: int = DEFAULT_MAX_ENTRIES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if retention_seconds <= 0 or claim_timeout_seconds <= 0 or max_entries < 1:
            raise ValueError("retention, claim timeout and size cap must all be positive")
        self._retention = retention_seconds
        self._claim_timeout = claim_timeout_seconds
        self._max_entries = max_entries
        self._clock = clock
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self._lock = threading.Lock()

    def claim(self, event_id: str) -> ClaimOutcome:
        now = self._clock()
        with self._lock:
            self._forget_expired(now)
            entry = self._entries.get(event_id)
            if entry is not None:
                if entry.processed:
                    return ClaimOutcome.ALREADY_PROCESSED
                if now - entry.since < self._claim_timeout:
                    return ClaimOutcome.IN_PROGRESS
            self._entries[event_id] = _Entry(processed=False, since=now)
            self._entries.move_to_end(event_id)
            while len(self._entries) > self._max_entries:
                self._entries.popitem(last=False)
            return ClaimOutcome.CLAIMED

    def commit(self, event_id: str) -> None:
        now = self._clock()
        with self._lock:
            self._entries[event_id] = _Entry(processed=True, since=now)
            self._entries.move_to_end(event_id)

    def release(self, event_id: str) -> None:
        with self._lock:
            entry = self._entries.get(event_id)
            if entry is not None and not entry.processed:
                del self._entries[event_id]

    def check(self) -> None:
        """Always ready: the memory is in this process."""

    def __repr__(self) -> str:
        return (
            f"MemoryDedupStore(retention_seconds={self._retention}, "
            f"claim_timeout_seconds={self._claim_timeout}, max_entries={self._max_entries})"
        )

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def _forget_expired(self, now: float) -> None:
        # Entries are kept in order of last change, so the stale ones are at the front.
        while self._entries:
            oldest_id, oldest = next(iter(self._entries.items()))
            age = now - oldest.since
            if age < (self._retention if oldest.processed else self._claim_timeout):
                return
            del self._entries[oldest_id]


class StoreURLError(ValueError):
    """A dedup store URL this receiver cannot use; the message never shows a password."""


@dataclass(frozen=True, slots=True)
class StoreLocation:
    """A parsed dedup store URL: which backend, and where."""

    kind: Literal["memory", "sqlite", "redis"]
    target: str
    """Empty for memory, the file path as written for sqlite, the whole URL for redis."""

    def __repr__(self) -> str:
        # The target of a Redis location may hold a password.
        return f"StoreLocation(kind={self.kind!r}, target={redact_store_url(self.target)!r})"


def redact_store_url(url: str) -> str:
    """``url`` fit for logs and reprs: any user name or password, and the query, masked.

    Works on malformed URLs too, because the messages that reject them use it. Everything
    up to the last ``@`` is masked, so a password with an unescaped ``@`` or ``/`` in it
    is hidden as well.
    """
    if url.lower().startswith(("sqlite:", "memory:")):
        return url  # a file path or nothing: no credentials to hide
    scheme, separator, rest = url.partition("://")
    if not separator:
        return "***" if "@" in url else url
    _, at, location = rest.rpartition("@")
    base, question, _ = (f"***@{location}" if at else rest).partition("?")
    return f"{scheme}://{base}" + ("?***" if question else "")


def parse_store_url(url: str) -> StoreLocation:
    """Validate a dedup store URL without connecting to anything.

    Accepted forms (anything else raises ``StoreURLError``):

    - ``memory://``: the in-process store.
    - ``sqlite:///relative/file.db`` (relative to the working directory at start-up) and
      ``sqlite:////absolute/file.db`` (four slashes): everything after ``sqlite:///`` is
      the file path, as SQLAlchemy reads SQLite URLs.
    - ``redis://[[user]:password@]host[:port][/db]`` and ``rediss://`` (TLS); the query
      options in ``REDIS_URL_OPTIONS`` are passed to redis-py.
    """
    shown = redact_store_url(url)
    text = url.strip()
    scheme = text.partition(":")[0].lower()
    if text != url or not text:
        raise StoreURLError(f"expected {STORE_URL_FORMS}, got {shown!r}")
    if scheme == "memory":
        if text.lower() != MEMORY_STORE_URL:
            raise StoreURLError(f"the in-memory store takes no location: use {MEMORY_STORE_URL}")
        return StoreLocation("memory", "")
    if scheme == "sqlite":
        return StoreLocation("sqlite", _sqlite_path(text, shown))
    if scheme in ("redis", "rediss"):
        _check_redis_url(text, shown)
        return StoreLocation("redis", text)
    raise StoreURLError(f"unsupported dedup store {shown!r}: expected {STORE_URL_FORMS}")


def _sqlite_path(url: str, shown: str) -> str:
    prefix = "sqlite:///"
    if not url.lower().startswith(prefix):
        raise StoreURLError(
            f"a SQLite store is sqlite:///relative/path.db or sqlite:////absolute/path.db "
            f"(no host), got {shown!r}"
        )
    raw = url[len(prefix) :]
    if "?" in raw or "#" in raw:
        raise StoreURLError(f"a SQLite store URL takes no query or fragment, got {shown!r}")
    path = unquote(raw)
    if path.strip("/") == "" or path == ":memory:":
        # ":memory:" would be a private database per connection: it deduplicates nothing.
        raise StoreURLError(f"a SQLite store needs a file path, got {shown!r}")
    return path


def _check_redis_url(url: str, shown: str) -> None:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise StoreURLError(f"not a valid Redis URL: {shown!r}") from None
    if not parts.hostname:
        raise StoreURLError(f"a Redis store URL needs a host, got {shown!r}")
    if port == 0:
        raise StoreURLError(f"a Redis store URL needs a non-zero port, got {shown!r}")
    database = parts.path.strip("/")
    if database and not (database.isdecimal() and database.isascii()):
        raise StoreURLError(f"the Redis database must be a number (/0, /1...), got {shown!r}")
    if parts.fragment:
        raise StoreURLError(f"a Redis store URL takes no fragment, got {shown!r}")
    unknown = sorted(set(parse_qs(parts.query, keep_blank_values=True)) - REDIS_URL_OPTIONS)
    if unknown:
        raise StoreURLError(
            f"unsupported Redis URL option(s) {', '.join(unknown)}; supported: "
            f"{', '.join(sorted(REDIS_URL_OPTIONS))}"
        )


def open_store(url: str, *, retention_seconds: float, claim_timeout_seconds: float) -> DedupStore:
    """The dedup store ``url`` names, with the given expiry rules.

    Backends are imported here, lazily, so a receiver on ``memory://`` never imports
    sqlite3 or redis-py. A relative SQLite path is resolved against the working directory
    now, once, so every worker gunicorn forks later uses the same file.

    Raises ``StoreURLError`` for a URL no backend accepts (or an option value redis-py
    refuses) and ``StoreError`` when a SQLite file cannot be opened; a Redis server is
    only contacted when first used.
    """
    location = parse_store_url(url)
    if location.kind == "memory":
        return MemoryDedupStore(
            retention_seconds=retention_seconds, claim_timeout_seconds=claim_timeout_seconds
        )
    if location.kind == "sqlite":
        from receiver.store_sqlite import SqliteDedupStore

        return SqliteDedupStore(
            os.path.abspath(location.target),
            retention_seconds=retention_seconds,
            claim_timeout_seconds=claim_timeout_seconds,
        )
    from receiver.store_redis import RedisDedupStore

    return RedisDedupStore.from_url(
        location.target,
        retention_seconds=retention_seconds,
        claim_timeout_seconds=claim_timeout_seconds,
    )
