"""The patient graph in the same Redis as the dedup store: a hash of records per entity
(field = event id), a set per link. An event's writes go in one MULTI/EXEC, and writing
them again changes nothing."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, Final, TypeVar

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from receiver.graph import Facts, JsonObject
from receiver.store import StoreError

DEFAULT_KEY_PREFIX: Final = "rimo:graph:"
_CONNECT_TIMEOUT_SECONDS: Final = 1.0
_SOCKET_TIMEOUT_SECONDS: Final = 2.0
_T = TypeVar("_T")


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
        def write_all() -> None:
            pipeline = self._client.pipeline(transaction=True)
            for kind, key, record_id, record in facts.records:
                pipeline.hset(self._entity(kind, key), record_id, json.dumps(record))
            for relation, source, target in facts.links:
                pipeline.sadd(self._link(relation, source), target)
            pipeline.execute()

        self._call(write_all)

    def records(self, kind: str, key: str) -> dict[str, JsonObject]:
        stored: dict[Any, Any] = self._call(lambda: self._client.hgetall(self._entity(kind, key)))
        return {str(record_id): json.loads(value) for record_id, value in stored.items()}

    def linked(self, relation: str, source: str) -> set[str]:
        members: set[Any] = self._call(lambda: self._client.smembers(self._link(relation, source)))
        return {str(member) for member in members}

    def _entity(self, kind: str, key: str) -> str:
        return f"{self._prefix}{kind}:{key}"

    def _link(self, relation: str, source: str) -> str:
        return f"{self._prefix}link:{relation}:{source}"

    @staticmethod
    def _call(command: Callable[[], _T]) -> _T:
        try:
            return command()
        except (redis.RedisError, OSError) as error:
            raise StoreError(f"the Redis patient graph failed: {type(error).__name__}") from error
