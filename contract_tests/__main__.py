"""``rimo-contract``: run the contract suite against a receiver and print the report."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest

from contract_tests.options import (
    DEFAULT_MAX_BODY_BYTES,
    DEFAULT_TOLERANCE_SECONDS,
    base_url,
    positive_int,
)

SUITE_DIR = Path(__file__).resolve().parent


def build_parser() -> argparse.ArgumentParser:
    """The suite's own options; anything else is handed to pytest as is."""
    parser = argparse.ArgumentParser(
        prog="rimo-contract",
        description="Run the Rimo webhook contract suite. Without --target it boots the "
        "bundled receiver on a free loopback port. Other options go to pytest "
        "(for example --junitxml=FILE, -k replay, -x).",
    )
    parser.add_argument(
        "--target",
        type=base_url,
        default=os.environ.get("RIMO_CONTRACT_TARGET") or None,
        help="base URL of the receiver under test (env RIMO_CONTRACT_TARGET)",
    )
    parser.add_argument(
        "--secret",
        default=os.environ.get("RIMO_WEBHOOK_SECRET") or None,
        help="the receiver's signing secret (env RIMO_WEBHOOK_SECRET); required with --target",
    )
    parser.add_argument(
        "--tolerance",
        type=positive_int,
        default=os.environ.get("RIMO_TIMESTAMP_TOLERANCE_SECONDS", str(DEFAULT_TOLERANCE_SECONDS)),
        help="the receiver's timestamp tolerance in seconds (env "
        "RIMO_TIMESTAMP_TOLERANCE_SECONDS, default 300)",
    )
    parser.add_argument(
        "--max-body-bytes",
        type=positive_int,
        default=os.environ.get("RIMO_MAX_BODY_BYTES", str(DEFAULT_MAX_BODY_BYTES)),
        help="the receiver's body size limit (env RIMO_MAX_BODY_BYTES, default 1048576)",
    )
    parser.add_argument(
        "--schema-mode",
        choices=("tolerant", "strict"),
        default=os.environ.get("RIMO_SCHEMA_MODE") or "tolerant",
        help="the receiver's RIMO_SCHEMA_MODE: tolerant (default) or strict",
    )
    parser.add_argument("--contract-seed", type=int, help="seed of the generated events")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Check the suite's options, then run pytest on the installed suite."""
    parser = build_parser()
    args, passthrough = parser.parse_known_args(sys.argv[1:] if argv is None else argv)
    if args.target and not args.secret:
        parser.error(
            "--target needs the receiver's secret: pass --secret or set RIMO_WEBHOOK_SECRET"
        )
    options = [
        f"--tolerance={args.tolerance}",
        f"--max-body-bytes={args.max_body_bytes}",
        f"--schema-mode={args.schema_mode}",
    ]
    if args.target:
        options.append(f"--target={args.target}")
    if args.secret:
        options.append(f"--secret={args.secret}")
    if args.contract_seed is not None:
        options.append(f"--contract-seed={args.contract_seed}")
    pytest_args = [
        str(SUITE_DIR),
        f"--rootdir={SUITE_DIR}",
        "-p",
        "no:cacheprovider",
        "--strict-markers",
        "-o",
        "console_output_style=classic",
        "-q",
        *options,
        *passthrough,
    ]
    return int(pytest.main(pytest_args))


if __name__ == "__main__":
    sys.exit(main())
