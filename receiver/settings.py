"""Receiver configuration, read from the environment once at start-up.

Every value is validated here so that a misconfigured receiver refuses to start with a
message naming the variable, instead of failing (or, worse, accepting everything) later.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any, Final

from receiver.store import (
    DEFAULT_CLAIM_TIMEOUT_SECONDS,
    DEFAULT_RETENTION_SECONDS,
    MEMORY_STORE_URL,
    StoreLocation,
    StoreURLError,
    parse_store_url,
    redact_store_url,
)

DEFAULT_TOLERANCE_SECONDS: Final = 300
DEFAULT_MAX_BODY_BYTES: Final = 1024 * 1024
MAX_TOLERANCE_SECONDS: Final = 24 * 60 * 60

# Names of variables, not secrets.
SECRET_VARIABLE: Final = "RIMO_WEBHOOK_SECRET"  # noqa: S105
PREVIOUS_SECRET_VARIABLE: Final = "RIMO_WEBHOOK_SECRET_PREVIOUS"  # noqa: S105
TOLERANCE_VARIABLE: Final = "RIMO_TIMESTAMP_TOLERANCE_SECONDS"
MAX_BODY_VARIABLE: Final = "RIMO_MAX_BODY_BYTES"
SCHEMA_MODE_VARIABLE: Final = "RIMO_SCHEMA_MODE"
PATIENT_VIEW_VARIABLE: Final = "RIMO_PATIENT_VIEW"
_SWITCH_VALUES: Final = {
    "on": True,
    "true": True,
    "1": True,
    "off": False,
    "false": False,
    "0": False,
}
SCHEMA_MODES: Final = ("tolerant", "strict")
DEDUP_STORE_VARIABLE: Final = "RIMO_DEDUP_STORE"
RETENTION_VARIABLE: Final = "RIMO_DEDUP_RETENTION_SECONDS"
CLAIM_TIMEOUT_VARIABLE: Final = "RIMO_DEDUP_CLAIM_TIMEOUT_SECONDS"
MIN_RETENTION_SECONDS: Final = 60 * 60
"""Processed ids must be remembered longer than the sender's retry horizon (hours to days);
anything under an hour cannot be that, so it is refused rather than trusted."""
MAX_RETENTION_SECONDS: Final = 366 * 24 * 60 * 60
MAX_CLAIM_TIMEOUT_SECONDS: Final = 60 * 60


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
    try:
        raw.encode("utf-8")
    except UnicodeEncodeError:
        # Bytes that are not UTF-8 reach Python as lone surrogates; the sender signs with
        # the UTF-8 bytes of its secret, so such a value can never match.
        raise ConfigurationError(f"{name} is not valid UTF-8 text.") from None
    return Secret(raw)


def _required_secret(environ: Mapping[str, str], name: str) -> Secret:
    secret = _optional_secret(environ, name)
    if secret is None:
        raise ConfigurationError(
            f"{name} is not set: the receiver cannot verify signatures without the "
            "shared secret. Set it to the secret Rimo signs with."
        )
    return secret


def _positive_int(
    environ: Mapping[str, str], name: str, default: int, maximum: int, *, minimum: int = 1
) -> int:
    raw = environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    text = raw.strip()
    if not text.isdecimal() or not text.isascii():
        raise ConfigurationError(f"{name} must be a whole number, got {raw!r}")
    value = int(text)
    if not minimum <= value <= maximum:
        raise ConfigurationError(f"{name} must be between {minimum} and {maximum}, got {value}")
    return value


def _dedup_store(environ: Mapping[str, str]) -> str:
    raw = environ.get(DEDUP_STORE_VARIABLE, "").strip()
    url = raw or MEMORY_STORE_URL
    try:
        parse_store_url(url)
    except StoreURLError as error:
        raise ConfigurationError(f"{DEDUP_STORE_VARIABLE}: {error}") from None
    return url


def _retention(environ: Mapping[str, str]) -> int:
    value = _positive_int(
        environ, RETENTION_VARIABLE, DEFAULT_RETENTION_SECONDS, MAX_RETENTION_SECONDS
    )
    if value < MIN_RETENTION_SECONDS:
        raise ConfigurationError(
            f"{RETENTION_VARIABLE} must be at least {MIN_RETENTION_SECONDS} (an hour), got "
            f"{value}: processed ids must be remembered longer than the sender's retry "
            "horizon, or a late retry is processed twice."
        )
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


def _claim_timeout(environ: Mapping[str, str], retention_seconds: int) -> int:
    value = _positive_int(
        environ, CLAIM_TIMEOUT_VARIABLE, DEFAULT_CLAIM_TIMEOUT_SECONDS, MAX_CLAIM_TIMEOUT_SECONDS
    )
    if value >= retention_seconds:
        raise ConfigurationError(
            f"{CLAIM_TIMEOUT_VARIABLE} ({value}) must be shorter than {RETENTION_VARIABLE} "
            f"({retention_seconds})"
        )
    return value


def _switch(environ: Mapping[str, str], name: str) -> bool:
    raw = environ.get(name, "").strip().lower()
    if raw == "":
        return False
    if raw not in _SWITCH_VALUES:
        raise ConfigurationError(f"{name} must be on or off, got {raw!r}")
    return _SWITCH_VALUES[raw]


@dataclass(frozen=True, slots=True)
class Settings:
    """What the receiver needs to know, fixed for the life of the process."""

    secrets: tuple[Secret, ...]
    """Active signing secrets, current first; a delivery signed with any of them passes."""
    tolerance_seconds: int = DEFAULT_TOLERANCE_SECONDS
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    strict_schemas: bool = False
    patient_view: bool = False
    """Serve the read-only ``GET /patients/{customerId}`` view of the patient graph. Off by
    default: it shows patient data, which a webhook endpoint has no need to expose."""
    """Refuse (422) properties the schemas do not describe. Off by default: a receiver
    must survive fields Rimo adds in a backwards-compatible release (schemas/README.md)."""
    dedup_store: str = MEMORY_STORE_URL
    """Where processed ids are remembered, as a URL (``receiver.store.parse_store_url``).
    May hold a Redis password, so the repr shows it masked."""
    dedup_retention_seconds: int = DEFAULT_RETENTION_SECONDS
    """How long a processed id is remembered: longer than the sender's retry horizon."""
    dedup_claim_timeout_seconds: int = DEFAULT_CLAIM_TIMEOUT_SECONDS
    """How long a claim lives before another delivery may take it over: longer than the
    slowest processing, or a slow delivery and its retry both run the effect."""

    def __post_init__(self) -> None:
        if not self.secrets:
            raise ConfigurationError("at least one signing secret is required")
        if self.tolerance_seconds < 1:
            # A tolerance of 0 (or less) must never mean "no window check".
            raise ConfigurationError("tolerance_seconds must be at least 1")
        if self.max_body_bytes < 1:
            raise ConfigurationError("max_body_bytes must be at least 1")
        try:
            parse_store_url(self.dedup_store)
        except StoreURLError as error:
            raise ConfigurationError(f"dedup_store: {error}") from None
        if self.dedup_retention_seconds < MIN_RETENTION_SECONDS:
            raise ConfigurationError(
                f"dedup_retention_seconds must be at least {MIN_RETENTION_SECONDS}: longer "
                "than the sender's retry horizon"
            )
        if not 1 <= self.dedup_claim_timeout_seconds < self.dedup_retention_seconds:
            raise ConfigurationError(
                "dedup_claim_timeout_seconds must be at least 1 and shorter than the retention"
            )

    def __repr__(self) -> str:
        # The generated repr would show a Redis password inside dedup_store.
        shown = {field.name: getattr(self, field.name) for field in fields(self)}
        shown["dedup_store"] = redact_store_url(self.dedup_store)
        return f"Settings({', '.join(f'{name}={value!r}' for name, value in shown.items())})"

    __str__ = __repr__

    @property
    def dedup_store_location(self) -> StoreLocation:
        """The parsed ``dedup_store`` (already validated when the settings were built)."""
        return parse_store_url(self.dedup_store)

    @property
    def dedup_store_is_shared(self) -> bool:
        """Whether every worker process sees the same dedup memory (anything but memory://)."""
        return self.dedup_store_location.kind != "memory"

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
        retention = _retention(env)
        return cls(
            secrets=secrets,
            tolerance_seconds=_positive_int(
                env, TOLERANCE_VARIABLE, DEFAULT_TOLERANCE_SECONDS, MAX_TOLERANCE_SECONDS
            ),
            max_body_bytes=_positive_int(
                env, MAX_BODY_VARIABLE, DEFAULT_MAX_BODY_BYTES, 64 * DEFAULT_MAX_BODY_BYTES
            ),
            strict_schemas=_schema_mode(env) == "strict",
            patient_view=_switch(env, PATIENT_VIEW_VARIABLE),
            dedup_store=_dedup_store(env),
            dedup_retention_seconds=retention,
            dedup_claim_timeout_seconds=_claim_timeout(env, retention),
        )
