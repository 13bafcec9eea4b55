"""``rimo-receiver``: run the webhook receiver."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from receiver.bootstrap import app_from_settings
from receiver.server import DEFAULT_HOST, DEFAULT_PORT, DEFAULT_THREADS, DEFAULT_WORKERS, serve
from receiver.settings import ConfigurationError, Settings
from receiver.store import StoreError, StoreURLError


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
        "RIMO_WEBHOOK_SECRET_PREVIOUS, RIMO_TIMESTAMP_TOLERANCE_SECONDS, RIMO_MAX_BODY_BYTES, "
        "RIMO_SCHEMA_MODE (tolerant or strict), RIMO_DEDUP_STORE (memory://, "
        "sqlite:///path.db or redis://host:port/db), RIMO_DEDUP_RETENTION_SECONDS and "
        "RIMO_DEDUP_CLAIM_TIMEOUT_SECONDS. See docs/deployment.md.",
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


def store_warning(settings: Settings, workers: int) -> str | None:
    """Why this combination deduplicates less than it seems to, if it does.

    Only the in-memory store is per process: with several workers a duplicate that reaches
    another worker is processed again. SQLite and Redis stores are shared by the workers.
    """
    if workers > 1 and not settings.dedup_store_is_shared:
        return (
            "the in-memory dedup store is per process; with "
            f"{workers} workers a duplicate reaching another worker is processed again, and "
            "each worker's patient graph holds only the events it received. "
            "Set RIMO_DEDUP_STORE to a sqlite:/// or redis:// URL (docs/deployment.md)."
        )
    return None


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = Settings.from_env()
        app = app_from_settings(settings)
    except ConfigurationError as error:
        print(f"rimo-receiver: error: {error}", file=sys.stderr)
        return 2
    except (StoreError, StoreURLError) as error:
        # A SQLite file that cannot be opened, or a Redis option redis-py refuses.
        print(f"rimo-receiver: error: cannot use RIMO_DEDUP_STORE: {error}", file=sys.stderr)
        return 2
    warning = store_warning(settings, args.workers)
    if warning is not None:
        print(f"rimo-receiver: warning: {warning}", file=sys.stderr)
    serve(app, host=args.host, port=args.port, workers=args.workers, threads=args.threads)
    return 0


if __name__ == "__main__":
    sys.exit(main())
