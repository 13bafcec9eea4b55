"""``rimo-mock``: sample, sign and send Rimo webhook events from the command line."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from mock_rimo.examples import published
from mock_rimo.factory import EventFactory, encode
from mock_rimo.sender import SCHEDULES, InvalidOutgoingEvent, RetrySchedule, WebhookSender
from mock_rimo.signing import signature_headers
from mock_rimo.validation import SourceResult, exit_status, validate_sources
from schemas import EVENT_TYPES, EventValidator

SECRET_VARIABLE = "RIMO_WEBHOOK_SECRET"  # noqa: S105  # a variable name, not a secret


class UsageError(Exception):
    """Bad input from the person at the terminal: printed, exit status 2."""


def _event(event_type: str, *, seed: int | None, example: bool) -> dict[str, Any]:
    if example:
        return published(event_type)
    return EventFactory(seed).build(event_type)


def _read_body(source: str) -> bytes:
    if source == "-":
        return sys.stdin.buffer.read()
    path = Path(source)
    try:
        return path.read_bytes()
    except OSError as error:
        raise UsageError(f"cannot read {source}: {error.strerror}") from None


def _secret(given: str | None) -> str:
    secret = given if given is not None else os.environ.get(SECRET_VARIABLE, "")
    if not secret:
        raise UsageError(f"no secret: pass --secret or set {SECRET_VARIABLE}")
    return secret


def _timestamp_text(text: str) -> str:
    # Kept as text so any header can be reproduced exactly, leading zeros included.
    if not (text.isascii() and text.isdecimal()):
        raise argparse.ArgumentTypeError(f"expected Unix seconds (digits only), got {text!r}")
    return text


def _sample(args: argparse.Namespace, out: TextIO) -> int:
    event = _event(args.type, seed=args.seed, example=args.example)
    out.write(encode(event).decode("utf-8") + "\n")
    return 0


def _sign(args: argparse.Namespace, out: TextIO) -> int:
    body = _read_body(args.file)
    timestamp = args.timestamp if args.timestamp is not None else int(time.time())
    for name, value in signature_headers(_secret(args.secret), timestamp, body).items():
        out.write(f"{name}: {value}\n")
    return 0


def _send(args: argparse.Namespace, out: TextIO) -> int:
    secret = _secret(args.secret)
    base = SCHEDULES[args.schedule]
    schedule = RetrySchedule(
        max_attempts=args.attempts or base.max_attempts,
        base_delay_seconds=base.base_delay_seconds,
        max_delay_seconds=base.max_delay_seconds,
    )
    with WebhookSender(url=args.url, secret=secret, schedule=schedule) as sender:
        if args.file is not None:
            result = sender.deliver(_read_body(args.file))
        else:
            event = _event(args.type, seed=args.seed, example=args.example)
            try:
                result = sender.deliver_event(event)
            except InvalidOutgoingEvent as error:
                raise UsageError(str(error)) from None
    for attempt in result.attempts:
        outcome = attempt.status if attempt.status is not None else attempt.error
        latency_ms = attempt.latency_seconds * 1000
        out.write(f"attempt {attempt.number}: {outcome} ({latency_ms:.0f} ms)\n")
    out.write(f"status: {result.status}\n")
    if result.response_body:
        out.write(result.response_body.rstrip("\n") + "\n")
    return 0 if result.delivered else 1


def _describe(result: SourceResult) -> list[str]:
    if not result.readable:
        return [f"{result.source}: unreadable: {result.error}"]
    if result.known_type:
        kind = str(result.event_type)
    else:
        kind = f"unknown type {result.event_type!r}, envelope only"
    verdict = "valid" if result.valid else "invalid"
    lines = [f"{result.source}: {verdict} ({kind})"]
    lines += [f"  {v.pointer or '/'}: {v.message}" for v in result.violations]
    return lines


def _validate(args: argparse.Namespace, out: TextIO) -> int:
    validator = EventValidator(strict=not args.tolerant)
    results = list(validate_sources(args.sources or ["-"], sys.stdin.buffer, validator))
    for result in results:
        if args.json:
            out.write(json.dumps(result.as_dict(), ensure_ascii=False) + "\n")
        else:
            out.write("\n".join(_describe(result)) + "\n")
    if len(results) > 1 and not args.json:
        valid = sum(result.valid for result in results)
        unreadable = sum(not result.readable for result in results)
        invalid = len(results) - valid - unreadable
        out.write(
            f"{len(results)} events: {valid} valid, {invalid} invalid, {unreadable} unreadable\n"
        )
    return exit_status(results)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rimo-mock", description="A mock Rimo Health webhook sender."
    )
    commands = parser.add_subparsers(dest="command", required=True)

    sample = commands.add_parser("sample", help="print one event as compact JSON")
    sample.add_argument("type", choices=EVENT_TYPES, help="event type")
    sample.add_argument("--seed", type=int, help="seed for reproducible data")
    sample.add_argument("--example", action="store_true", help="the published example instead")
    sample.set_defaults(handler=_sample)

    sign = commands.add_parser("sign", help="print the two signature headers for a body")
    sign.add_argument("file", nargs="?", default="-", help="body file, or - for stdin (default)")
    sign.add_argument("--secret", help=f"signing secret (default: ${SECRET_VARIABLE})")
    sign.add_argument(
        "--timestamp", type=_timestamp_text, help="Unix seconds to sign at (default: now)"
    )
    sign.set_defaults(handler=_sign)

    send = commands.add_parser("send", help="sign and deliver one event, with retries")
    send.add_argument(
        "--url", required=True, help="receiver URL, e.g. http://127.0.0.1:8000/webhooks/rimo"
    )
    send.add_argument("--secret", help=f"signing secret (default: ${SECRET_VARIABLE})")
    send.add_argument(
        "--schedule",
        choices=SCHEDULES,
        default="local",
        help="retry schedule: local (seconds) or production (hours); default local",
    )
    send.add_argument("--attempts", type=int, help="attempts at most (default: the schedule's)")
    what = send.add_mutually_exclusive_group(required=True)
    what.add_argument("--type", choices=EVENT_TYPES, help="generate an event of this type")
    what.add_argument("--file", help="send this file's bytes as they are (- for stdin)")
    send.add_argument("--seed", type=int, help="seed for reproducible data (with --type)")
    send.add_argument("--example", action="store_true", help="send the published example")
    send.set_defaults(handler=_send)

    validate = commands.add_parser(
        "validate",
        help="validate events against the published schemas",
        description="Exit status: 0 all valid, 1 some invalid, 2 some input unreadable.",
    )
    validate.add_argument(
        "sources",
        nargs="*",
        metavar="FILE",
        help="JSON files, one event each; - (the default) reads one event or "
        "newline-delimited events from stdin",
    )
    validate.add_argument("--json", action="store_true", help="one JSON result per event")
    validate.add_argument(
        "--tolerant",
        action="store_true",
        help="accept properties the schemas do not describe, as the receiver does by default",
    )
    validate.set_defaults(handler=_validate)
    return parser


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        status: int = args.handler(args, out or sys.stdout)
    except UsageError as error:
        print(f"rimo-mock: error: {error}", file=sys.stderr)
        return 2
    return status


if __name__ == "__main__":
    sys.exit(main())
