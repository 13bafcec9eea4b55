"""``rimo-contract``: run the contract suite against a receiver and print the report."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

import pytest

SUITE_DIR = Path(__file__).resolve().parent


def main(argv: Sequence[str] | None = None) -> int:
    """Run pytest on the installed suite; every argument is passed through to pytest."""
    args = list(sys.argv[1:] if argv is None else argv)
    if any(arg in ("-h", "--help") for arg in args):
        print(
            "usage: rimo-contract [--target URL --secret S] [--tolerance N] "
            "[--max-body-bytes N] [--contract-seed N] [pytest options...]\n\n"
            "Runs the Rimo webhook contract suite. Without --target it boots the bundled\n"
            "receiver on a free loopback port. Any pytest option works, e.g. --junitxml=F, -k.\n"
        )
        return 0
    pytest_args = [
        str(SUITE_DIR),
        f"--rootdir={SUITE_DIR}",
        "-p",
        "no:cacheprovider",
        "--strict-markers",
        "-o",
        "console_output_style=classic",
        "-q",
        *args,
    ]
    return int(pytest.main(pytest_args))


if __name__ == "__main__":
    sys.exit(main())
