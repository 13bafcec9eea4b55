"""``rimo-contract``: run the contract suite against a receiver and print the report."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest

from contract_tests.options import option_specs

SUITE_DIR = Path(__file__).resolve().parent


def build_parser() -> argparse.ArgumentParser:
    """The suite's own options; anything else is handed to pytest as is."""
    parser = argparse.ArgumentParser(
        prog="rimo-contract",
        description="Run the Rimo webhook contract suite. Without --target it boots the "
        "bundled receiver on a free loopback port. Other options go to pytest "
        "(for example --junitxml=FILE, -k replay, -x).",
    )
    for flag, keywords in option_specs():
        parser.add_argument(flag, **keywords)
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
