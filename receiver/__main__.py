"""``rimo-receiver``: run the webhook receiver."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from receiver.bootstrap import app_from_env
from receiver.server import DEFAULT_HOST, DEFAULT_PORT, DEFAULT_THREADS, DEFAULT_WORKERS, serve
from receiver.settings import ConfigurationError


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected at least 1, got {value}")
    return value


def _port(text: str) -> int:
    value = _positive(text)
    if value > 65535:
        raise argparse.ArgumentTypeError(f"a port is at most 65535, got {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rimo-receiver",
        description="The Rimo webhook receiver (POST /webhooks/rimo, GET /webhooks/rimo/health).",
        epilog="Configuration comes from RIMO_WEBHOOK_SECRET (required), "
        "RIMO_WEBHOOK_SECRET_PREVIOUS, RIMO_TIMESTAMP_TOLERANCE_SECONDS, RIMO_MAX_BODY_BYTES "
        "and RIMO_SCHEMA_MODE (tolerant or strict).",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    serve_parser = commands.add_parser("serve", help="serve the receiver under gunicorn")
    serve_parser.add_argument("--host", default=DEFAULT_HOST, help="address to bind")
    serve_parser.add_argument("--port", type=_port, default=DEFAULT_PORT, help="port to bind")
    serve_parser.add_argument(
        "--workers", type=_positive, default=DEFAULT_WORKERS, help="worker processes"
    )
    serve_parser.add_argument(
        "--threads", type=_positive, default=DEFAULT_THREADS, help="threads per worker"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        app = app_from_env()
    except ConfigurationError as error:
        print(f"rimo-receiver: error: {error}", file=sys.stderr)
        return 2
    if args.workers > 1:
        print(
            "rimo-receiver: warning: the in-memory dedup store is per process; with "
            f"{args.workers} workers a duplicate reaching another worker is processed again.",
            file=sys.stderr,
        )
    serve(app, host=args.host, port=args.port, workers=args.workers, threads=args.threads)
    return 0


if __name__ == "__main__":
    sys.exit(main())
