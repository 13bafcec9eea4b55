"""``rimo-mock``: sample, sign, send, replay lifecycles of, attack with and validate Rimo
webhook events from the command line."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

import httpx
from tqdm import tqdm

from mock_rimo.adversarial import (
    DEFAULT_COPIES,
    DEFAULT_TOLERANCE_SECONDS,
    MODES,
    Attack,
    run_modes,
)
from mock_rimo.argtypes import http_url, positive_int
from mock_rimo.bulk import DeliveryLog, deliver_all
from mock_rimo.curl import curl_command
from mock_rimo.examples import published
from mock_rimo.factory import EventFactory, encode
from mock_rimo.lifecycle import ORDERS, lifecycle_stream
from mock_rimo.overrides import OverrideError, apply_overrides
from mock_rimo.sender import (
    SCHEDULES,
    Attempt,
    DeliveryResult,
    InvalidOutgoingEvent,
    RetrySchedule,
    WebhookSender,
)
from mock_rimo.signing import signature_headers
from mock_rimo.validation import SourceResult, exit_status, validate_sources
from schemas import EVENT_TYPES, EventValidator

SECRET_VARIABLE = "RIMO_WEBHOOK_SECRET"  # noqa: S105  # a variable name, not a secret


class UsageError(Exception):
    """Bad input from the person at the terminal: printed, exit status 2."""


# Argument types: a bad value is an argparse error naming the option.


def _timestamp_text(text: str) -> str:
    # Kept as text so any header can be reproduced exactly, leading zeros included.
    if not (text.isascii() and text.isdecimal()):
        raise argparse.ArgumentTypeError(f"expected Unix seconds (digits only), got {text!r}")
    return text


# Helpers shared by the commands.


def _read_body(source: str) -> bytes:
    if source == "-":
        return sys.stdin.buffer.read()
    try:
        return Path(source).read_bytes()
    except OSError as error:
        raise UsageError(f"cannot read {source}: {error.strerror}") from None


def _secret(given: str | None) -> str:
    secret = given if given is not None else os.environ.get(SECRET_VARIABLE, "")
    if not secret:
        raise UsageError(f"no secret: pass --secret or set {SECRET_VARIABLE}")
    if secret != secret.strip():
        raise UsageError(
            "the secret has leading or trailing whitespace, which the receiver refuses to "
            "start with; remove it"
        )
    return secret


def _open_log(path: str | None) -> TextIO | None:
    """The delivery log, opened before anything is sent: a path that cannot be written is
    a usage error up front, not a crash after a delivery that succeeded."""
    if path is None:
        return None
    try:
        return open(path, "a", encoding="utf-8")  # closed by the caller
    except OSError as error:
        raise UsageError(f"cannot write the log {path}: {error.strerror}") from None


def _event(args: argparse.Namespace) -> dict[str, Any]:
    event = published(args.type) if args.example else EventFactory(args.seed).build(args.type)
    try:
        return apply_overrides(event, set_values=args.set or (), unset=args.unset or ())
    except OverrideError as error:
        raise UsageError(str(error)) from None


def _schedule(args: argparse.Namespace) -> RetrySchedule:
    base = SCHEDULES[args.schedule]
    return RetrySchedule(
        max_attempts=args.attempts or base.max_attempts,
        base_delay_seconds=base.base_delay_seconds,
        max_delay_seconds=base.max_delay_seconds,
    )


def _sender(args: argparse.Namespace) -> WebhookSender:
    return WebhookSender(url=args.url, secret=_secret(args.secret), schedule=_schedule(args))


def _close_log(log_file: TextIO, log: DeliveryLog) -> None:
    try:
        log_file.close()  # flushes: a full disk may only show here
    except OSError as error:
        log.failure = log.failure or error


def _warn_if_log_failed(log: DeliveryLog | None) -> None:
    if log is not None and log.failure is not None:
        reason = log.failure.strerror or str(log.failure)
        print(
            f"rimo-mock: warning: the delivery log could not be written: {reason}", file=sys.stderr
        )


def _describe_attempt(attempt: Attempt, next_delay: float | None) -> str:
    outcome = attempt.status if attempt.status is not None else attempt.error
    line = f"attempt {attempt.number}: {outcome} ({attempt.latency_seconds * 1000:.0f} ms)"
    return line + (f"; retrying in {next_delay:.1f} s" if next_delay is not None else "")


def _print_failures(
    args: argparse.Namespace,
    failures: Sequence[DeliveryResult],
    bodies: dict[str, bytes],
    out: TextIO,
) -> None:
    for failure in failures:
        out.write(f"failed: {failure.event_id} ({failure.event_type}): status {failure.status}\n")
        if args.curl and failure.event_id in bodies:
            command = curl_command(
                args.url, bodies[failure.event_id], _secret(args.secret), seed=args.seed
            )
            out.write(command + "\n")


# Commands.


def _sample(args: argparse.Namespace, out: TextIO) -> int:
    out.write(encode(_event(args)).decode("utf-8") + "\n")
    return 0


def _sign(args: argparse.Namespace, out: TextIO) -> int:
    body = _read_body(args.file)
    timestamp = args.timestamp if args.timestamp is not None else int(time.time())
    for name, value in signature_headers(_secret(args.secret), timestamp, body).items():
        out.write(f"{name}: {value}\n")
    return 0


def _send(args: argparse.Namespace, out: TextIO) -> int:
    def show(attempt: Attempt, next_delay: float | None) -> None:
        out.write(_describe_attempt(attempt, next_delay) + "\n")
        out.flush()

    if args.raw is not None:
        ignored = [
            option
            for option, given in (
                ("--set", args.set),
                ("--unset", args.unset),
                ("--seed", args.seed is not None),
                ("--example", args.example),
                ("--no-validate", args.no_validate),
            )
            if given
        ]
        if ignored:
            raise UsageError(
                f"{', '.join(ignored)} cannot apply to --raw, which sends bytes as they are"
            )
    log_file = _open_log(args.log)
    with _sender(args) as sender:
        if args.raw is not None:
            body = _read_body(args.raw)
            result = sender.deliver(body, on_attempt=show)
        else:
            event = _event(args)
            body = encode(event)
            if not args.no_validate:
                violations = EventValidator().violations(event)
                if violations:
                    raise UsageError(
                        str(InvalidOutgoingEvent(violations)) + " (--no-validate sends it anyway)"
                    )
            result = sender.deliver(
                body,
                event_id=str(event.get("id", "")) or None,
                event_type=str(event.get("type", "")) or None,
                on_attempt=show,
            )
    if log_file is not None:
        log = DeliveryLog(log_file)
        log.record(result)
        _close_log(log_file, log)
        _warn_if_log_failed(log)
    out.write(f"status: {result.status}\n")
    if result.response_body:
        out.write(result.response_body.rstrip("\n") + "\n")
    if not result.delivered and args.curl:
        out.write(curl_command(args.url, body, _secret(args.secret), seed=args.seed) + "\n")
    return 0 if result.delivered else 1


def _lifecycle(args: argparse.Namespace, out: TextIO) -> int:
    if not args.dry_run and args.url is None:
        raise UsageError("--url is required, unless --dry-run only prints the bodies")
    events = lifecycle_stream(patients=args.patients, order=args.order, seed=args.seed)
    if args.dry_run:
        for event in events:
            out.write(encode(event).decode("utf-8") + "\n")
        return 0
    bodies = {str(event["id"]): encode(event) for event in events}
    log_file = _open_log(args.log)
    log = DeliveryLog(log_file) if log_file is not None else None
    try:
        with (
            _sender(args) as sender,
            tqdm(total=len(events), unit="event", file=sys.stderr, disable=None) as bar,
        ):
            report = deliver_all(
                sender,
                events,
                concurrency=args.concurrency,
                log=log,
                on_done=lambda _: bar.update(),
            )
    finally:
        if log_file is not None and log is not None:
            _close_log(log_file, log)
    _warn_if_log_failed(log)
    out.write(f"{args.patients} patients, order {args.order}, seed {args.seed}\n")
    out.write(report.summary() + "\n")
    _print_failures(args, report.failures, bodies, out)
    return 0 if not report.failures else 1


def _attack(args: argparse.Namespace, out: TextIO) -> int:
    names = args.mode or list(MODES)
    if args.skew is not None and "clock-skew" not in names:
        raise UsageError("--skew applies to --mode clock-skew, which is not selected")
    with _sender(args) as sender:
        attack = Attack(
            sender=sender,
            secret=_secret(args.secret),
            factory=EventFactory(args.seed),
            tolerance_seconds=args.tolerance,
            copies=args.copies,
            skew_seconds=args.skew,
        )
        checks = run_modes(attack, names)
    for check in checks:
        out.write(str(check) + "\n")
    failed = [check for check in checks if not check.passed]
    out.write(f"attack: {len(checks) - len(failed)} passed, {len(failed)} failed\n")
    return 0 if not failed else 1


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


# The parser.


def _add_event_choice(parser: argparse.ArgumentParser, *, required: bool) -> None:
    if required:
        parser.add_argument("type", choices=EVENT_TYPES, help="event type")
    parser.add_argument("--seed", type=int, help="seed for reproducible data")
    parser.add_argument("--example", action="store_true", help="the published example instead")
    parser.add_argument(
        "--set",
        action="append",
        metavar="PATH=VALUE",
        help="set a field, e.g. data.amount=0 (JSON value, else text); repeatable",
    )
    parser.add_argument(
        "--unset",
        action="append",
        metavar="PATH",
        help="remove a field, e.g. data.orderId; repeatable",
    )


def _add_delivery_options(parser: argparse.ArgumentParser, *, url_required: bool = True) -> None:
    parser.add_argument(
        "--url",
        required=url_required,
        type=http_url,
        help="receiver URL, e.g. http://127.0.0.1:8000/webhooks/rimo",
    )
    parser.add_argument("--secret", help=f"signing secret (default: ${SECRET_VARIABLE})")
    parser.add_argument(
        "--schedule",
        choices=SCHEDULES,
        default="local",
        help="retry schedule: local (seconds, default) or production (hours)",
    )
    parser.add_argument(
        "--attempts", type=positive_int, help="attempts at most (default: the schedule's)"
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rimo-mock", description="A mock Rimo Health webhook sender."
    )
    commands = parser.add_subparsers(dest="command", required=True)

    sample = commands.add_parser("sample", help="print one event as compact JSON")
    _add_event_choice(sample, required=True)
    sample.set_defaults(handler=_sample)

    sign = commands.add_parser("sign", help="print the two signature headers for a body")
    sign.add_argument("file", nargs="?", default="-", help="body file, or - for stdin (default)")
    sign.add_argument("--secret", help=f"signing secret (default: ${SECRET_VARIABLE})")
    sign.add_argument(
        "--timestamp", type=_timestamp_text, help="Unix seconds to sign at (default: now)"
    )
    sign.set_defaults(handler=_sign)

    send = commands.add_parser("send", help="sign and deliver one event, retrying like Rimo")
    _add_delivery_options(send)
    what = send.add_mutually_exclusive_group(required=True)
    what.add_argument("--type", choices=EVENT_TYPES, help="generate an event of this type")
    what.add_argument(
        "--raw",
        "--file",
        dest="raw",
        metavar="FILE",
        help="sign and send this file's bytes as they are (- for stdin)",
    )
    _add_event_choice(send, required=False)
    send.add_argument(
        "--no-validate", action="store_true", help="send even if the event fails its schema"
    )
    send.add_argument("--log", metavar="FILE", help="append the delivery log (JSON lines) to FILE")
    send.add_argument(
        "--curl", action="store_true", help="on failure, print a ready-to-run curl command"
    )
    send.set_defaults(handler=_send)

    lifecycle = commands.add_parser(
        "lifecycle", help="deliver patients' full lifecycles (five events each)"
    )
    _add_delivery_options(lifecycle, url_required=False)
    lifecycle.add_argument(
        "--patients", type=positive_int, default=10, help="how many patients (default 10)"
    )
    lifecycle.add_argument(
        "--order", choices=ORDERS, default="causal", help="delivery order (default causal)"
    )
    lifecycle.add_argument("--seed", type=int, help="seed: the same seed sends identical bodies")
    lifecycle.add_argument(
        "--concurrency", type=positive_int, default=8, help="deliveries in flight (default 8)"
    )
    lifecycle.add_argument(
        "--log", metavar="FILE", help="append the delivery log (JSON lines) to FILE"
    )
    lifecycle.add_argument(
        "--curl", action="store_true", help="print a curl command for each failed delivery"
    )
    lifecycle.add_argument(
        "--dry-run", action="store_true", help="print the bodies (NDJSON) instead of sending"
    )
    lifecycle.set_defaults(handler=_lifecycle)

    attack = commands.add_parser(
        "attack", help="adversarial deliveries, each checked against the status contract"
    )
    _add_delivery_options(attack)
    attack.add_argument(
        "--mode", action="append", choices=MODES, help="a mode to run (repeatable; default all)"
    )
    attack.add_argument(
        "--tolerance",
        type=positive_int,
        default=DEFAULT_TOLERANCE_SECONDS,
        help="the receiver's window in seconds (default 300)",
    )
    attack.add_argument("--skew", type=int, help="seconds away from now, for --mode clock-skew")
    attack.add_argument(
        "--copies",
        type=positive_int,
        default=DEFAULT_COPIES,
        help="copies for --mode concurrent-copies (default 10)",
    )
    attack.add_argument("--seed", type=int, help="seed for the events used")
    attack.set_defaults(handler=_attack)

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
    except (httpx.InvalidURL, httpx.UnsupportedProtocol) as error:
        print(f"rimo-mock: error: the HTTP client refuses the URL: {error}", file=sys.stderr)
        return 2
    except UnicodeEncodeError:
        # Arguments that are not valid UTF-8 reach Python as lone surrogates.
        print(
            "rimo-mock: error: a value is not valid UTF-8 text (check --secret and --set)",
            file=sys.stderr,
        )
        return 2
    except BrokenPipeError:
        # The reader went away (`| head`): stop quietly, as command-line tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    return status


if __name__ == "__main__":
    sys.exit(main())
