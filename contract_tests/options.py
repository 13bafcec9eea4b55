"""The contract suite's options: parsed and checked once, the same way from the command
line, from the environment and from ``rimo-contract``."""

from __future__ import annotations

import argparse
from typing import Final
from urllib.parse import urlsplit

from contract_tests.target import HEALTH_PATH, WEBHOOK_PATH
from mock_rimo.argtypes import http_url, positive_int

__all__ = ["DEFAULT_MAX_BODY_BYTES", "DEFAULT_TOLERANCE_SECONDS", "base_url", "positive_int"]

DEFAULT_TOLERANCE_SECONDS: Final = 300
DEFAULT_MAX_BODY_BYTES: Final = 1024 * 1024


def base_url(text: str) -> str:
    """An http(s) base URL of a receiver: the suite appends the webhook and health paths."""
    http_url(text, example="http://127.0.0.1:8000 (a base URL)")
    path = urlsplit(text).path.rstrip("/")
    for endpoint in (HEALTH_PATH, WEBHOOK_PATH):
        if path.endswith(endpoint):
            suggestion = text.rstrip("/")[: -len(endpoint)] or text
            raise argparse.ArgumentTypeError(
                f"--target is the receiver's base URL, without {endpoint}: try {suggestion}"
            )
    return text.rstrip("/")
