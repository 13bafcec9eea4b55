"""A durable dedup store in Redis, shared by every worker and every replica.

Each event id is one key, ``<prefix><id>``, holding ``claimed`` (with a time to live of the
claim timeout) or ``processed`` (with a time to live of the retention). Redis expires the
keys itself, so a crashed worker's claim lapses and old ids are forgotten with no sweeper.

Why the claim and the release are Lua scripts: each runs atomically on the server, in one
round trip. The claim is ``SET NX PX`` and, if the key exists, a read of what it holds, with
no window in which the key can expire between the two; the release deletes the key only if
it still holds a claim, so a late release can never erase a processed marker.

Why the timeouts are short and there are no retries: when Redis is down or unreachable,
the receiver must answer 503 quickly (well under the sender's own timeout) and let the
sender retry, rather than hold the request while redis-py backs off and reconnects.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

import redis
from redis.backoff import NoBackoff
from redis.exceptions import RedisError
from redis.retry import Retry

from receiver.store import (
    DEFAULT_CLAIM_TIMEOUT_SECONDS,
    DEFAULT_RETENTION_SECONDS,
    ClaimOutcome,
    StoreError,
    StoreURLError,
    redact_store_url,
)

DEFAULT_KEY_PREFIX: Final = "rimo:dedup:"
DEFAULT_CONNECT_TIMEOUT_SECONDS: Final = 1.0
"""A Redis that does not accept a connection within a second is treated as down."""
DEFAULT_SOCKET_TIMEOUT_SECONDS: Final = 2.0
"""Each command answers within milliseconds when Redis is healthy; two seconds is an outage."""

_PROCESSED: Final = b"processed"

# Returns 1 when this caller took the claim, 0 when a live claim exists, 2 when processed.
_CLAIM_SCRIPT: Final = """
if redis.call('SET', KEYS[1], 'claimed', 'NX', 'PX', ARGV[1]) then
  return 1
end
local state = redis.call('GET', KEYS[1])
if not state then
  -- The key expired between the two calls. Redis 7 freezes time while a script runs, so
  -- this cannot happen there; on older servers, take the now free id.
  redis.call('SET', KEYS[1], 'claimed', 'PX', ARGV[1])
  return 1
end
if state == 'processed' then
  return 2
end
if state == 'claimed' then
  return 0
end
return redis.error_reply('unexpected value in dedup key')
"""
_RELEASE_SCRIPT: Final = """
if redis.call('GET', KEYS[1]) == 'claimed' then
  return redis.call('DEL', KEYS[1])
end
return 0
"""
_OUTCOMES: Final = {
    1: ClaimOutcome.CLAIMED,
    0: ClaimOutcome.IN_PROGRESS,
    2: ClaimOutcome.ALREADY_PROCESSED,
}


def _milliseconds(seconds: float) -> int:
    return max(1, round(seconds * 1000))


class RedisDedupStore:
    """Claims and processed ids as expiring Redis keys; see the module docstring for why.

    Safe to build before gunicorn forks: redis-py's connection pool notices it is in a new
    process and opens fresh connections there.
    """

    def __init__(
        self,
        client: redis.Redis,
        *,
        retention_seconds: float = DEFAULT_RETENTION_SECONDS,
        claim_timeout_seconds: float = DEFAULT_CLAIM_TIMEOUT_SECONDS,
        key_prefix: str = DEFAULT_KEY_PREFIX,
        description: str = "redis",
    ) -> None:
        if retention_seconds <= 0 or claim_timeout_seconds <= 0:
            raise ValueError("retention and claim timeout must both be positive")
        self._client = client
        self._retention_ms = _milliseconds(retention_seconds)
        self._claim_timeout_ms = _milliseconds(claim_timeout_seconds)
        self._prefix = key_prefix
        self._description = description
        self._claim_script = client.register_script(_CLAIM_SCRIPT)
        self._release_script = client.register_script(_RELEASE_SCRIPT)

    @classmethod
    def from_url(
        cls,
        url: str,
        *,
        retention_seconds: float = DEFAULT_RETENTION_SECONDS,
        claim_timeout_seconds: float = DEFAULT_CLAIM_TIMEOUT_SECONDS,
        key_prefix: str = DEFAULT_KEY_PREFIX,
        connect_timeout_seconds: float = DEFAULT_CONNECT_TIMEOUT_SECONDS,
        socket_timeout_seconds: float = DEFAULT_SOCKET_TIMEOUT_SECONDS,
    ) -> RedisDedupStore:
        """A store on ``redis://`` or ``rediss://`` ``url``; connects lazily, on first use.

        Query options in the URL are redis-py's own and take precedence over these
        arguments (for example ``?socket_timeout=5`` or ``?ssl_cert_reqs=none``). Raises
        ``StoreURLError`` when redis-py refuses the URL.
        """
        try:
            client = redis.Redis.from_url(
                url,
                socket_connect_timeout=connect_timeout_seconds,
                socket_timeout=socket_timeout_seconds,
                # No client-side retries: a failure becomes a 503 now, and the sender retries.
                retry=Retry(NoBackoff(), 0),
            )
        except (ValueError, RedisError) as error:
            # redis-py's message may quote the URL; ours shows it with the password masked.
            # (Its URL messages name the option, never its value.)
            raise StoreURLError(
                f"redis-py cannot use the dedup store URL {redact_store_url(url)!r}: {error}"
            ) from None
        return cls(
            client,
            retention_seconds=retention_seconds,
            claim_timeout_seconds=claim_timeout_seconds,
            key_prefix=key_prefix,
            description=redact_store_url(url),
        )

    def __repr__(self) -> str:
        return f"RedisDedupStore({self._description!r}, key_prefix={self._prefix!r})"

    def claim(self, event_id: str) -> ClaimOutcome:
        result = self._call(
            lambda: self._claim_script(keys=[self._key(event_id)], args=[self._claim_timeout_ms])
        )
        outcome = _OUTCOMES.get(result) if isinstance(result, int) else None
        if outcome is None:
            raise StoreError(f"unexpected answer from the Redis claim script: {result!r}")
        return outcome

    def commit(self, event_id: str) -> None:
        self._call(lambda: self._client.set(self._key(event_id), _PROCESSED, px=self._retention_ms))

    def release(self, event_id: str) -> None:
        self._call(lambda: self._release_script(keys=[self._key(event_id)]))

    def check(self) -> None:
        """PING the server: raises ``StoreError`` if it does not answer in time."""
        self._call(self._client.ping)

    def close(self) -> None:
        """Close the pooled connections (tests; a serving receiver keeps them open)."""
        self._client.close()

    def _key(self, event_id: str) -> str:
        return self._prefix + event_id

    def _call(self, command: Callable[[], Any]) -> Any:
        try:
            return command()
        except (RedisError, OSError) as error:
            # ConnectionError and TimeoutError are RedisErrors; OSError covers a socket
            # failure redis-py did not wrap. The message names host and port, never the password.
            reason = f"{type(error).__name__}: {error}"
            raise StoreError(
                f"the Redis dedup store {self._description} failed: {reason}"
            ) from error
