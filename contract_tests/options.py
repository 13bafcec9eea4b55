"""The contract suite's options: parsed and checked once, the same way from the command
line, from the environment and from ``rimo-contract``."""

from __future__ import annotations

import argparse
from typing import Final
from urllib.parse import urlsplit

from contract_tests.target import HEALTH_PATH, WEBHOOK_PATH

DEFAULT_TOLERANCE_SECONDS: Final = 300
DEFAULT_MAX_BODY_BYTES: Final = 1024 * 1024


def positive_int(text: str) -> int:
    """A whole number of at least 1 (argparse type)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected at least 1, got {value}")
    return value


def base_url(text: str) -> str:
    """An http(s) base URL of a receiver: the suite appends the webhook and health paths."""
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise argparse.ArgumentTypeError(
            f"expected an http:// or https:// base URL such as http://127.0.0.1:8000, got {text!r}"
        )
    path = parts.path.rstrip("/")
    for endpoint in (HEALTH_PATH, WEBHOOK_PATH):
        if path.endswith(endpoint):
            suggestion = text.rstrip("/")[: -len(endpoint)] or text
            raise argparse.ArgumentTypeError(
                f"--target is the receiver's base URL, without {endpoint}: try {suggestion}"
            )
    return text.rstrip("/")
