"""Argument types shared by the command lines that send deliveries (rimo-mock,
rimo-contract): a bad value becomes an argparse error naming the option."""

from __future__ import annotations

import argparse
from urllib.parse import urlsplit

import httpx
import idna


def positive_int(text: str) -> int:
    """A whole number of at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected at least 1, got {value}")
    return value


def _host_is_usable(host: str) -> bool:
    """Whether the HTTP client can connect to ``host``: labels of 1 to 63 characters, and
    internationalised names (or xn-- labels) that encode."""
    labels = host.rstrip(".").split(".")
    if len(host) > 253 or any(not label or len(label) > 63 for label in labels):
        return False
    try:
        if not host.isascii():
            idna.encode(host)
        for label in labels:
            if label.lower().startswith("xn--"):
                idna.decode(label)
    except (idna.IDNAError, UnicodeError):
        return False
    return True


def http_url(text: str, *, example: str = "http://127.0.0.1:8000/webhooks/rimo") -> str:
    """An http:// or https:// URL with a host and a port (if given) from 1 to 65535, that
    the HTTP client will accept."""
    try:
        parts = urlsplit(text)
        port = parts.port  # raises for a port outside 0-65535
        valid = (
            parts.scheme in ("http", "https")
            and bool(parts.hostname)
            and port != 0
            and _host_is_usable(str(parts.hostname))
        )
        httpx.URL(text)  # control characters and the like
    except (ValueError, httpx.InvalidURL):  # an unclosed IPv6 bracket, a port out of range
        valid = False
    if not valid:
        raise argparse.ArgumentTypeError(
            f"expected an http:// or https:// URL such as {example}, got {text!r}"
        )
    return text
