"""Settings.from_env: refuse to start on an unsafe configuration, and never leak the secret."""

from __future__ import annotations

import dataclasses

import pytest

from receiver.settings import (
    DEFAULT_MAX_BODY_BYTES,
    DEFAULT_TOLERANCE_SECONDS,
    ConfigurationError,
    Secret,
    Settings,
)

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
