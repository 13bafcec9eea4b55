"""Settings.from_env: refuse to start on an unsafe configuration, and never leak the secret."""

from __future__ import annotations

import dataclasses

import pytest

from receiver.__main__ import store_warning
from receiver.settings import (
    DEFAULT_MAX_BODY_BYTES,
    DEFAULT_TOLERANCE_SECONDS,
    ConfigurationError,
    Secret,
    Settings,
)
from receiver.store import DEFAULT_CLAIM_TIMEOUT_SECONDS, DEFAULT_RETENTION_SECONDS

SECRET_VALUE = "rimo_test_secret"
PREVIOUS_VALUE = "rimo_previous_secret"


def env(**extra: str) -> dict[str, str]:
    return {"RIMO_WEBHOOK_SECRET": SECRET_VALUE, **extra}


def test_defaults_with_only_the_secret_set() -> None:
    settings = Settings.from_env(env())
    assert settings.secrets == (Secret(SECRET_VALUE),)
    assert settings.secrets[0].reveal() == SECRET_VALUE.encode()
    assert settings.tolerance_seconds == DEFAULT_TOLERANCE_SECONDS == 300
    assert settings.max_body_bytes == DEFAULT_MAX_BODY_BYTES == 1024 * 1024


@pytest.mark.parametrize("environ", [{}, {"RIMO_WEBHOOK_SECRET": ""}], ids=["missing", "empty"])
def test_missing_or_empty_secret_refuses_to_start(environ: dict[str, str]) -> None:
    with pytest.raises(ConfigurationError, match="RIMO_WEBHOOK_SECRET"):
        Settings.from_env(environ)


def test_other_variables_do_not_stand_in_for_the_secret() -> None:
    with pytest.raises(ConfigurationError, match="RIMO_WEBHOOK_SECRET"):
        Settings.from_env({"RIMO_WEBHOOK_SECRET_PREVIOUS": PREVIOUS_VALUE})


@pytest.mark.parametrize(
    "value",
    [f" {SECRET_VALUE}", f"{SECRET_VALUE} ", f"{SECRET_VALUE}\n", f"\t{SECRET_VALUE}", "   "],
    ids=["leading-space", "trailing-space", "trailing-newline", "leading-tab", "only-spaces"],
)
def test_whitespace_padded_secret_is_refused_without_echoing_it(value: str) -> None:
    with pytest.raises(ConfigurationError, match="RIMO_WEBHOOK_SECRET") as caught:
        Settings.from_env({"RIMO_WEBHOOK_SECRET": value})
    assert "whitespace" in str(caught.value)
    if value.strip():
        assert SECRET_VALUE not in str(caught.value)


def test_previous_secret_adds_a_second_active_secret_after_the_current() -> None:
    settings = Settings.from_env(env(RIMO_WEBHOOK_SECRET_PREVIOUS=PREVIOUS_VALUE))
    assert settings.secrets == (Secret(SECRET_VALUE), Secret(PREVIOUS_VALUE))


def test_empty_previous_secret_means_none() -> None:
    settings = Settings.from_env(env(RIMO_WEBHOOK_SECRET_PREVIOUS=""))
    assert settings.secrets == (Secret(SECRET_VALUE),)


def test_whitespace_padded_previous_secret_is_refused_by_name() -> None:
    with pytest.raises(ConfigurationError, match="RIMO_WEBHOOK_SECRET_PREVIOUS"):
        Settings.from_env(env(RIMO_WEBHOOK_SECRET_PREVIOUS=PREVIOUS_VALUE + "\n"))


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("60", 60), (" 60 ", 60), ("1", 1), ("86400", 86400), ("", DEFAULT_TOLERANCE_SECONDS)],
)
def test_tolerance_is_parsed(raw: str, expected: int) -> None:
    settings = Settings.from_env(env(RIMO_TIMESTAMP_TOLERANCE_SECONDS=raw))
    assert settings.tolerance_seconds == expected


@pytest.mark.parametrize(
    "raw", ["0", "-5", "86401", "abc", "1.5", "1e3", "300s", "0x10", "\uff16\uff10"]
)
def test_bad_tolerance_is_refused_by_name(raw: str) -> None:
    """Zero (which would disable the window), negatives, huge values and non-integers."""
    with pytest.raises(ConfigurationError, match="RIMO_TIMESTAMP_TOLERANCE_SECONDS"):
        Settings.from_env(env(RIMO_TIMESTAMP_TOLERANCE_SECONDS=raw))


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("2048", 2048), (str(64 * 1024 * 1024), 64 * 1024 * 1024), ("", DEFAULT_MAX_BODY_BYTES)],
)
def test_max_body_is_parsed(raw: str, expected: int) -> None:
    assert Settings.from_env(env(RIMO_MAX_BODY_BYTES=raw)).max_body_bytes == expected


@pytest.mark.parametrize("raw", ["0", "-1", str(64 * 1024 * 1024 + 1), "1MiB", "1.0"])
def test_bad_max_body_is_refused_by_name(raw: str) -> None:
    with pytest.raises(ConfigurationError, match="RIMO_MAX_BODY_BYTES"):
        Settings.from_env(env(RIMO_MAX_BODY_BYTES=raw))


def test_configuration_error_is_a_value_error() -> None:
    # Callers that catch ValueError around start-up still see a bad configuration.
    assert issubclass(ConfigurationError, ValueError)


@pytest.mark.parametrize(
    "kwargs",
    [{"secrets": ()}, {"tolerance_seconds": 0}, {"tolerance_seconds": -1}, {"max_body_bytes": 0}],
    ids=["no-secrets", "zero-tolerance", "negative-tolerance", "zero-body-limit"],
)
def test_direct_construction_refuses_unsafe_values(kwargs: dict[str, object]) -> None:
    arguments: dict[str, object] = {"secrets": (Secret(SECRET_VALUE),), **kwargs}
    with pytest.raises(ConfigurationError):
        Settings(**arguments)  # type: ignore[arg-type]


def test_for_secret_applies_overrides() -> None:
    settings = Settings.for_secret(SECRET_VALUE, tolerance_seconds=30, max_body_bytes=512)
    assert settings == Settings(
        secrets=(Secret(SECRET_VALUE),), tolerance_seconds=30, max_body_bytes=512
    )


def test_settings_are_frozen() -> None:
    settings = Settings.for_secret(SECRET_VALUE)
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.tolerance_seconds = 0  # type: ignore[misc]


def test_repr_of_settings_never_contains_a_secret() -> None:
    settings = Settings.from_env(env(RIMO_WEBHOOK_SECRET_PREVIOUS=PREVIOUS_VALUE))
    for text in (repr(settings), str(settings), f"{settings}", repr(settings.secrets)):
        assert SECRET_VALUE not in text
        assert PREVIOUS_VALUE not in text
    assert "tolerance_seconds=300" in repr(settings)


def test_secret_never_shows_itself() -> None:
    secret = Secret(SECRET_VALUE)
    for text in (repr(secret), str(secret), f"{secret}", f"{secret!r}", "%s" % (secret,)):  # noqa: UP031
        assert SECRET_VALUE not in text
        assert "*" in text
    assert secret.reveal() == SECRET_VALUE.encode("utf-8")


def test_secret_equality_is_by_value() -> None:
    assert Secret("a") == Secret("a")
    assert Secret("a") != Secret("b")
    assert Secret("a") != "a"
    assert len({Secret("a"), Secret("a"), Secret("b")}) == 2


# --- the dedup store (RIMO_DEDUP_*) -----------------------------------------------------

REDIS_PASSWORD = "r3dis_pa55"


def test_dedup_defaults_are_memory_a_week_and_35_seconds() -> None:
    settings = Settings.from_env(env())
    assert settings.dedup_store == "memory://"
    assert settings.dedup_retention_seconds == DEFAULT_RETENTION_SECONDS == 7 * 24 * 3600
    # Above gunicorn's 30 s worker timeout, below the mock's ~48 s local retry horizon.
    assert settings.dedup_claim_timeout_seconds == DEFAULT_CLAIM_TIMEOUT_SECONDS == 35
    assert settings.dedup_store_is_shared is False


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("memory://", "memory"),
        ("sqlite:////var/lib/rimo/dedup.db", "sqlite"),
        ("sqlite:///dedup.db", "sqlite"),
        ("redis://127.0.0.1:6379/0", "redis"),
        (f"rediss://:{REDIS_PASSWORD}@redis.internal:6380/3", "redis"),
        ("", "memory"),
    ],
)
def test_dedup_store_url_is_read_and_validated(url: str, kind: str) -> None:
    settings = Settings.from_env(env(RIMO_DEDUP_STORE=url))
    assert settings.dedup_store_location.kind == kind
    assert settings.dedup_store_is_shared is (kind != "memory")


@pytest.mark.parametrize(
    "url",
    [
        "memcached://127.0.0.1:11211",
        "redis//127.0.0.1",
        "sqlite://host/dedup.db",
        f"redis://:{REDIS_PASSWORD}@127.0.0.1:port/0",
        "postgres://db/rimo",
    ],
)
def test_bad_dedup_store_refuses_to_start_by_name_without_the_password(url: str) -> None:
    with pytest.raises(ConfigurationError, match="RIMO_DEDUP_STORE") as caught:
        Settings.from_env(env(RIMO_DEDUP_STORE=url))
    assert REDIS_PASSWORD not in str(caught.value)


def test_repr_of_settings_masks_a_redis_password() -> None:
    url = f"redis://admin:{REDIS_PASSWORD}@127.0.0.1:6379/0"
    settings = Settings.from_env(env(RIMO_DEDUP_STORE=url))
    assert settings.dedup_store == url  # the real URL is kept for connecting
    for text in (repr(settings), str(settings), f"{settings}"):
        assert REDIS_PASSWORD not in text
        assert "dedup_store='redis://***@127.0.0.1:6379/0'" in text


@pytest.mark.parametrize(("raw", "expected"), [("3600", 3600), ("86400", 86400), ("", 604800)])
def test_retention_is_parsed(raw: str, expected: int) -> None:
    settings = Settings.from_env(env(RIMO_DEDUP_RETENTION_SECONDS=raw))
    assert settings.dedup_retention_seconds == expected


@pytest.mark.parametrize("raw", ["300", "3599", "1"])
def test_retention_under_an_hour_is_refused_as_shorter_than_the_retry_horizon(raw: str) -> None:
    """Field case B31: dedup memory must outlast the sender's retry horizon."""
    with pytest.raises(ConfigurationError, match="RIMO_DEDUP_RETENTION_SECONDS") as caught:
        Settings.from_env(env(RIMO_DEDUP_RETENTION_SECONDS=raw))
    assert "retry horizon" in str(caught.value)


@pytest.mark.parametrize("raw", ["0", "-1", "1 week", "7d", str(400 * 24 * 3600)])
def test_bad_retention_is_refused_by_name(raw: str) -> None:
    with pytest.raises(ConfigurationError, match="RIMO_DEDUP_RETENTION_SECONDS"):
        Settings.from_env(env(RIMO_DEDUP_RETENTION_SECONDS=raw))


@pytest.mark.parametrize(("raw", "expected"), [("1", 1), ("120", 120), ("", 35)])
def test_claim_timeout_is_parsed(raw: str, expected: int) -> None:
    settings = Settings.from_env(env(RIMO_DEDUP_CLAIM_TIMEOUT_SECONDS=raw))
    assert settings.dedup_claim_timeout_seconds == expected


@pytest.mark.parametrize("raw", ["0", "-1", "1.5", "3601"])
def test_bad_claim_timeout_is_refused_by_name(raw: str) -> None:
    with pytest.raises(ConfigurationError, match="RIMO_DEDUP_CLAIM_TIMEOUT_SECONDS"):
        Settings.from_env(env(RIMO_DEDUP_CLAIM_TIMEOUT_SECONDS=raw))


def test_claim_timeout_must_be_shorter_than_the_retention() -> None:
    with pytest.raises(ConfigurationError, match="RIMO_DEDUP_CLAIM_TIMEOUT_SECONDS") as caught:
        Settings.from_env(
            env(RIMO_DEDUP_RETENTION_SECONDS="3600", RIMO_DEDUP_CLAIM_TIMEOUT_SECONDS="3600")
        )
    assert "RIMO_DEDUP_RETENTION_SECONDS" in str(caught.value)


def test_for_secret_keeps_the_memory_store_and_accepts_dedup_overrides() -> None:
    assert Settings.for_secret(SECRET_VALUE).dedup_store == "memory://"
    settings = Settings.for_secret(
        SECRET_VALUE, dedup_store="sqlite:///dedup.db", dedup_claim_timeout_seconds=5
    )
    assert settings.dedup_store_location.target == "dedup.db"
    assert settings.dedup_claim_timeout_seconds == 5


@pytest.mark.parametrize(
    "kwargs",
    [
        {"dedup_store": "ftp://x"},
        {"dedup_retention_seconds": 60},
        {"dedup_claim_timeout_seconds": 0},
        {"dedup_claim_timeout_seconds": DEFAULT_RETENTION_SECONDS},
    ],
    ids=["bad-url", "short-retention", "zero-claim-timeout", "claim-timeout-as-long-as-retention"],
)
def test_direct_construction_refuses_unsafe_dedup_values(kwargs: dict[str, object]) -> None:
    with pytest.raises(ConfigurationError, match="dedup_"):
        Settings.for_secret(SECRET_VALUE, **kwargs)


@pytest.mark.parametrize(
    ("url", "workers", "warns"),
    [
        ("memory://", 3, True),
        ("memory://", 1, False),
        ("sqlite:///dedup.db", 3, False),
        ("redis://127.0.0.1:6379/0", 8, False),
    ],
)
def test_several_workers_warning_fires_only_for_the_memory_store(
    url: str, workers: int, warns: bool
) -> None:
    warning = store_warning(Settings.for_secret(SECRET_VALUE, dedup_store=url), workers)
    if warns:
        assert warning is not None
        assert f"with {workers} workers a duplicate reaching another worker" in warning
        assert "RIMO_DEDUP_STORE" in warning
    else:
        assert warning is None


def test_secret_that_is_not_utf8_is_refused_by_name() -> None:
    """An environment value with bytes that are not UTF-8 (a lone surrogate to Python)
    stops start-up with a message, not a traceback."""
    with pytest.raises(ConfigurationError, match="RIMO_WEBHOOK_SECRET is not valid UTF-8"):
        Settings.from_env({"RIMO_WEBHOOK_SECRET": "abc\udcff"})
