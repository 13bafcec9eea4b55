"""Receiver configuration, read from the environment once at start-up.

Every value is validated here so that a misconfigured receiver refuses to start with a
message naming the variable, instead of failing (or, worse, accepting everything) later.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

DEFAULT_TOLERANCE_SECONDS: Final = 300
DEFAULT_MAX_BODY_BYTES: Final = 1024 * 1024
MAX_TOLERANCE_SECONDS: Final = 24 * 60 * 60

# Names of variables, not secrets.
SECRET_VARIABLE: Final = "RIMO_WEBHOOK_SECRET"  # noqa: S105
PREVIOUS_SECRET_VARIABLE: Final = "RIMO_WEBHOOK_SECRET_PREVIOUS"  # noqa: S105
TOLERANCE_VARIABLE: Final = "RIMO_TIMESTAMP_TOLERANCE_SECONDS"
MAX_BODY_VARIABLE: Final = "RIMO_MAX_BODY_BYTES"
SCHEMA_MODE_VARIABLE: Final = "RIMO_SCHEMA_MODE"
SCHEMA_MODES: Final = ("tolerant", "strict")


class ConfigurationError(ValueError):
    """The environment does not describe a receiver that can run safely."""


class Secret:
    """A signing secret that never shows itself in a repr, a log line or a traceback."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value.encode("utf-8")

    def reveal(self) -> bytes:
        """The key bytes, for the HMAC alone."""
        return self._value

    def __repr__(self) -> str:
        return "Secret('**********')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


def _optional_secret(environ: Mapping[str, str], name: str) -> Secret | None:
    raw = environ.get(name)
    if raw is None or raw == "":
        return None
    if raw != raw.strip():
        # A secret pasted with a trailing newline would make every signature fail with
        # no hint why; refusing to start says exactly what is wrong.
        raise ConfigurationError(
            f"{name} has leading or trailing whitespace; remove it (the secret is used byte "
            "for byte)."
        )
    return Secret(raw)


def _required_secret(environ: Mapping[str, str], name: str) -> Secret:
    secret = _optional_secret(environ, name)
    if secret is None:
        raise ConfigurationError(
            f"{name} is not set: the receiver cannot verify signatures without the "
            "shared secret. Set it to the secret Rimo signs with."
        )
    return secret


def _positive_int(environ: Mapping[str, str], name: str, default: int, maximum: int) -> int:
    raw = environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    text = raw.strip()
    if not text.isdecimal() or not text.isascii():
        raise ConfigurationError(f"{name} must be a whole number, got {raw!r}")
    value = int(text)
    if not 1 <= value <= maximum:
        raise ConfigurationError(f"{name} must be between 1 and {maximum}, got {value}")
    return value


def _schema_mode(environ: Mapping[str, str]) -> str:
    raw = environ.get(SCHEMA_MODE_VARIABLE, "").strip().lower()
    if raw == "":
        return SCHEMA_MODES[0]
    if raw not in SCHEMA_MODES:
        raise ConfigurationError(
            f"{SCHEMA_MODE_VARIABLE} must be one of {', '.join(SCHEMA_MODES)}, got {raw!r}"
        )
    return raw


@dataclass(frozen=True, slots=True)
class Settings:
    """What the receiver needs to know, fixed for the life of the process."""

    secrets: tuple[Secret, ...]
    """Active signing secrets, current first; a delivery signed with any of them passes."""
    tolerance_seconds: int = DEFAULT_TOLERANCE_SECONDS
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    strict_schemas: bool = False
    """Refuse (422) properties the schemas do not describe. Off by default: a receiver
    must survive fields Rimo adds in a backwards-compatible release (schemas/README.md)."""

    def __post_init__(self) -> None:
        if not self.secrets:
            raise ConfigurationError("at least one signing secret is required")
        if self.tolerance_seconds < 1:
            # A tolerance of 0 (or less) must never mean "no window check".
            raise ConfigurationError("tolerance_seconds must be at least 1")
        if self.max_body_bytes < 1:
            raise ConfigurationError("max_body_bytes must be at least 1")

    @classmethod
    def for_secret(cls, secret: str, **overrides: Any) -> Settings:
        """Settings for one secret, for tests and embedding."""
        return cls(secrets=(Secret(secret),), **overrides)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Settings from ``RIMO_*`` variables; raises ``ConfigurationError`` naming the culprit."""
        env = os.environ if environ is None else environ
        current = _required_secret(env, SECRET_VARIABLE)
        previous = _optional_secret(env, PREVIOUS_SECRET_VARIABLE)
        secrets = (current,) if previous is None else (current, previous)
        return cls(
            secrets=secrets,
            tolerance_seconds=_positive_int(
                env, TOLERANCE_VARIABLE, DEFAULT_TOLERANCE_SECONDS, MAX_TOLERANCE_SECONDS
            ),
            max_body_bytes=_positive_int(
                env, MAX_BODY_VARIABLE, DEFAULT_MAX_BODY_BYTES, 64 * DEFAULT_MAX_BODY_BYTES
            ),
            strict_schemas=_schema_mode(env) == "strict",
        )
