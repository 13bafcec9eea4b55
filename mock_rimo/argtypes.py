"""Argument types shared by the command lines that send deliveries (rimo-mock,
rimo-contract): a bad value becomes an argparse error naming the option."""

from __future__ import annotations

import argparse
from urllib.parse import urlsplit


def positive_int(text: str) -> int:
    """A whole number of at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected at least 1, got {value}")
    return value


def http_url(text: str, *, example: str = "http://127.0.0.1:8000/webhooks/rimo") -> str:
    """An http:// or https:// URL with a host."""
    try:
        parts = urlsplit(text)
        valid = parts.scheme in ("http", "https") and bool(parts.hostname)
        _ = parts.port  # raises for a port outside 0-65535
    except ValueError:  # an unclosed IPv6 bracket, or a port out of range
        valid = False
    if not valid:
        raise argparse.ArgumentTypeError(
            f"expected an http:// or https:// URL such as {example}, got {text!r}"
        )
    return text
