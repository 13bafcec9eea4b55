"""The contract suite's options: parsed and checked once, the same way from the command
line, from the environment and from ``rimo-contract``."""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping
from typing import Any, Final
from urllib.parse import urlsplit

from contract_tests.target import HEALTH_PATH, WEBHOOK_PATH
from mock_rimo.argtypes import http_url, positive_int

__all__ = [
    "DEFAULT_MAX_BODY_BYTES",
    "DEFAULT_TOLERANCE_SECONDS",
    "base_url",
    "option_specs",
    "positive_int",
]

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


def schema_mode(text: str) -> str:
    """tolerant or strict, read as the receiver reads RIMO_SCHEMA_MODE (case and spaces
    do not matter); a type rather than ``choices`` so an environment default is checked too."""
    mode = text.strip().lower()
    if mode not in ("tolerant", "strict"):
        raise argparse.ArgumentTypeError(f"invalid choice: {text!r} (choose tolerant or strict)")
    return mode


def option_specs(environ: Mapping[str, str] | None = None) -> list[tuple[str, dict[str, Any]]]:
    """The suite's options as (flag, argparse keywords), for both ``rimo-contract``'s parser
    and pytest's: one definition, so the two can never disagree.

    Defaults come from the environment as text and pass through the same type checks as
    the options themselves, so a bad variable is reported like a bad option.
    """
    env = os.environ if environ is None else environ
    return [
        (
            "--target",
            {
                "type": base_url,
                "default": env.get("RIMO_CONTRACT_TARGET") or None,
                "help": "base URL of the receiver under test (env RIMO_CONTRACT_TARGET); "
                "without it the bundled receiver is booted on loopback",
            },
        ),
        (
            "--secret",
            {
                "default": env.get("RIMO_WEBHOOK_SECRET") or None,
                "help": "the receiver's signing secret (env RIMO_WEBHOOK_SECRET); "
                "required with --target",
            },
        ),
        (
            "--tolerance",
            {
                "type": positive_int,
                "default": env.get(
                    "RIMO_TIMESTAMP_TOLERANCE_SECONDS", str(DEFAULT_TOLERANCE_SECONDS)
                ),
                "help": "the receiver's timestamp tolerance in seconds "
                "(env RIMO_TIMESTAMP_TOLERANCE_SECONDS, default 300)",
            },
        ),
        (
            "--max-body-bytes",
            {
                "type": positive_int,
                "default": env.get("RIMO_MAX_BODY_BYTES", str(DEFAULT_MAX_BODY_BYTES)),
                "help": "the receiver's body size limit in bytes "
                "(env RIMO_MAX_BODY_BYTES, default 1048576)",
            },
        ),
        (
            "--schema-mode",
            {
                "type": schema_mode,
                "metavar": "{tolerant,strict}",
                "default": env.get("RIMO_SCHEMA_MODE", "").strip() or "tolerant",
                "help": "how the receiver treats fields the schemas do not describe "
                "(env RIMO_SCHEMA_MODE): tolerant (default) processes them, strict answers 422",
            },
        ),
        (
            "--contract-seed",
            {
                "type": int,
                "default": None,
                "help": "seed of the generated events (default: random, printed in the report)",
            },
        ),
    ]
