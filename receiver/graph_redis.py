"""The patient graph in the same Redis as the dedup store: a hash per entity, a set per link.

Every write is idempotent (HSET of the same value, SADD of the same member), so applying
an event again changes nothing. Redis errors surface as ``redis.RedisError`` (a failed
processing: the receiver answers 500 and the sender's retry applies the event again).
"""

from __future__ import annotations

import json
from typing import Any, Final

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from receiver.graph import Facts, JsonObject

DEFAULT_KEY_PREFIX: Final = "rimo:graph:"
_CONNECT_TIMEOUT_SECONDS: Final = 1.0
_SOCKET_TIMEOUT_SECONDS: Final = 2.0


class RedisGraphStore:
    def __init__(self, client: redis.Redis, *, key_prefix: str = DEFAULT_KEY_PREFIX) -> None:
        self._client = client
        self._prefix = key_prefix

    @classmethod
    def from_url(cls, url: str, *, key_prefix: str = DEFAULT_KEY_PREFIX) -> RedisGraphStore:
        client = redis.Redis.from_url(
            url,
            socket_connect_timeout=_CONNECT_TIMEOUT_SECONDS,
            socket_timeout=_SOCKET_TIMEOUT_SECONDS,
            retry=Retry(NoBackoff(), 0),
            decode_responses=True,
        )
        return cls(client, key_prefix=key_prefix)

    def write(self, facts: Facts) -> None:
        # MULTI/EXEC: the event's facts land together or not at all.
        pipeline = self._client.pipeline(transaction=True)
        for kind, key, values in facts.fields:
            encoded: dict[Any, Any] = {name: json.dumps(value) for name, value in values.items()}
            pipeline.hset(self._entity(kind, key), mapping=encoded)
        for relation, source, target in facts.links:
            pipeline.sadd(self._link(relation, source), target)
        pipeline.execute()

    def read(self, kind: str, key: str) -> JsonObject:
        stored = self._client.hgetall(self._entity(kind, key))
        return {str(name): json.loads(value) for name, value in stored.items()}

    def linked(self, relation: str, source: str) -> set[str]:
        return {str(member) for member in self._client.smembers(self._link(relation, source))}

    def _entity(self, kind: str, key: str) -> str:
        return f"{self._prefix}{kind}:{key}"

    def _link(self, relation: str, source: str) -> str:
        return f"{self._prefix}link:{relation}:{source}"
