"""Adversarial deliveries: each mode breaks one thing and knows what a correct receiver answers.

A mode sends one or more requests built from a fresh valid event and checks each answer
against the status contract of DESIGN.md (the README's table). A mode that the receiver
should reject also checks that the rejection recorded nothing: the same event, delivered
correctly afterwards, must still be processed.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Final

import httpx

from mock_rimo.factory import EventFactory, encode
from mock_rimo.sender import JSON_CONTENT_TYPE, WebhookSender
from mock_rimo.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, signature

DEFAULT_TOLERANCE_SECONDS: Final = 300
DEFAULT_COPIES: Final = 10


@dataclass(frozen=True, slots=True)
class Check:
    """One request of a mode: what a correct receiver answers, and what this one did."""

    mode: str
    step: str
    expected: str
    status: int | None
    outcome: str | None

    @property
    def passed(self) -> bool:
        return _matches(self.expected, self.status, self.outcome)

    def __str__(self) -> str:
        got = f"{self.status} {self.outcome}" if self.outcome else str(self.status)
        verdict = "PASS" if self.passed else "FAIL"
        return f"{verdict}  {self.mode:<22} {self.step:<34} expected {self.expected:<22} got {got}"


def _matches(expected: str, status: int | None, outcome: str | None) -> bool:
    """``expected`` is "200 processed", "401", or alternatives joined by " | "."""
    for option in expected.split(" | "):
        want_status, _, want_outcome = option.partition(" ")
        if status == int(want_status) and (not want_outcome or outcome == want_outcome):
            return True
    return False


@dataclass
class Attack:
    """What a mode needs: where to send, the secret, and the receiver's window."""

    sender: WebhookSender
    secret: str
    factory: EventFactory
    tolerance_seconds: int = DEFAULT_TOLERANCE_SECONDS
    copies: int = DEFAULT_COPIES
    skew_seconds: int | None = None
    clock: Callable[[], float] = time.time

    def event(self, event_type: str = "treatment.created") -> dict[str, Any]:
        return self.factory.build(event_type)

    def headers(
        self, body: bytes, *, timestamp: int | str | None = None, secret: str | None = None
    ) -> dict[str, str]:
        stamp = str(int(self.clock()) if timestamp is None else timestamp)
        return {
            "Content-Type": JSON_CONTENT_TYPE,
            TIMESTAMP_HEADER: stamp,
            SIGNATURE_HEADER: signature(secret or self.secret, stamp, body),
        }

    def send(self, body: bytes, headers: Mapping[str, str]) -> tuple[int | None, str | None]:
        try:
            response = self.sender.post_raw(body, headers)
        except httpx.TransportError:
            return None, None
        try:
            outcome = response.json().get("status")
        except (ValueError, AttributeError):
            outcome = None
        return response.status_code, outcome if isinstance(outcome, str) else None


Mode = Callable[[Attack], list[Check]]
MODES: dict[str, tuple[str, Mode]] = {}


def _mode(name: str, description: str) -> Callable[[Mode], Mode]:
    def register(run: Mode) -> Mode:
        MODES[name] = (description, run)
        return run

    return register


def _rejected_then_clean(
    attack: Attack,
    name: str,
    step: str,
    body: bytes,
    headers: Mapping[str, str],
    *,
    sent: bytes | None = None,
) -> list[Check]:
    """The broken request (``sent`` bytes, ``body``'s by default, with ``headers``), then
    ``body`` delivered correctly, proving the rejection recorded nothing."""
    status, outcome = attack.send(body if sent is None else sent, headers)
    checks = [Check(name, step, "401", status, outcome)]
    status, outcome = attack.send(body, attack.headers(body))
    checks.append(Check(name, "then delivered correctly", "200 processed", status, outcome))
    return checks


def _header_variant(
    name: str, description: str, change: Callable[[dict[str, str], bytes, Attack], object]
) -> None:
    def run(attack: Attack) -> list[Check]:
        body = encode(attack.event())
        headers = attack.headers(body)
        change(headers, body, attack)
        return _rejected_then_clean(attack, name, description, body, headers)

    MODES[name] = (description, run)


_header_variant(
    "wrong-secret",
    "signed with another secret",
    lambda h, b, a: h.update(
        {SIGNATURE_HEADER: signature(a.secret + "-wrong", h[TIMESTAMP_HEADER], b)}
    ),
)
_header_variant(
    "truncated-signature",
    "signature cut to 63 characters",
    lambda h, b, a: h.update({SIGNATURE_HEADER: h[SIGNATURE_HEADER][:-1]}),
)
_header_variant(
    "prefixed-signature",
    "signature sent as sha256=<hex>",
    lambda h, b, a: h.update({SIGNATURE_HEADER: "sha256=" + h[SIGNATURE_HEADER]}),
)
_header_variant(
    "empty-signature",
    "X-Rimo-Signature present but empty",
    lambda h, b, a: h.update({SIGNATURE_HEADER: ""}),
)
_header_variant(
    "missing-signature", "no X-Rimo-Signature header", lambda h, b, a: h.pop(SIGNATURE_HEADER)
)
_header_variant(
    "missing-timestamp", "no X-Rimo-Timestamp header", lambda h, b, a: h.pop(TIMESTAMP_HEADER)
)


@_mode("uppercase-signature", "the right digest in upper-case hex (accepted)")
def _uppercase(attack: Attack) -> list[Check]:
    body = encode(attack.event())
    headers = attack.headers(body)
    headers[SIGNATURE_HEADER] = headers[SIGNATURE_HEADER].upper()
    status, outcome = attack.send(body, headers)
    return [Check("uppercase-signature", "upper-case hex digest", "200 processed", status, outcome)]


@_mode("tampered-body", "one byte of the body changed after signing")
def _tampered(attack: Attack) -> list[Check]:
    body = encode(attack.event())
    tampered = body.replace(b'"status":"pending"', b'"status":"approved"')
    return _rejected_then_clean(
        attack,
        "tampered-body",
        "body changed after signing",
        body,
        attack.headers(body),
        sent=tampered,
    )


@_mode("millisecond-timestamp", "X-Rimo-Timestamp in milliseconds, correctly signed")
def _milliseconds(attack: Attack) -> list[Check]:
    body = encode(attack.event())
    headers = attack.headers(body, timestamp=int(attack.clock() * 1000))
    return _rejected_then_clean(
        attack, "millisecond-timestamp", "timestamp in milliseconds", body, headers
    )


@_mode("reserialised-body", "signed over compact JSON, sent pretty-printed")
def _reserialised(attack: Attack) -> list[Check]:
    event = attack.event()
    signed = encode(event)
    pretty = json.dumps(event, indent=2).encode()
    return _rejected_then_clean(
        attack,
        "reserialised-body",
        "same JSON, other bytes",
        signed,
        attack.headers(signed),
        sent=pretty,
    )


@_mode("replay", "a retry signed afresh, then the identical old request")
def _replay(attack: Attack) -> list[Check]:
    body = encode(attack.event())
    first_headers = attack.headers(body)
    checks = []
    for step, headers, expected in (
        ("first delivery", first_headers, "200 processed"),
        (
            "same id, fresh signature",
            attack.headers(body, timestamp=int(attack.clock()) + 1),
            "200 duplicate",
        ),
        ("identical request replayed", first_headers, "200 duplicate"),
    ):
        status, outcome = attack.send(body, headers)
        checks.append(Check("replay", step, expected, status, outcome))
    return checks


def _wait_for_fresh_second(clock: Callable[[], float]) -> None:
    # Sign early in a second, so the request is checked within the same whole second.
    fraction = clock() % 1
    if fraction > 0.5:
        time.sleep(1.0 - fraction + 0.01)


@_mode("window-edges", "signed exactly at, and one second past, each edge of the window")
def _window_edges(attack: Attack) -> list[Check]:
    tolerance = attack.tolerance_seconds
    checks = []
    for offset, expected in (
        (-tolerance, "200 processed"),
        (tolerance, "200 processed"),
        (-tolerance - 1, "401"),
        (tolerance + 1, "401"),
    ):
        body = encode(attack.event())
        _wait_for_fresh_second(attack.clock)
        status, outcome = attack.send(
            body, attack.headers(body, timestamp=int(attack.clock()) + offset)
        )
        checks.append(
            Check("window-edges", f"signed at now{offset:+d} s", expected, status, outcome)
        )
    return checks


@_mode("clock-skew", "signed --skew seconds away from now")
def _clock_skew(attack: Attack) -> list[Check]:
    skew = attack.skew_seconds if attack.skew_seconds is not None else attack.tolerance_seconds + 60
    expected = "200 processed" if abs(skew) <= attack.tolerance_seconds else "401"
    body = encode(attack.event())
    _wait_for_fresh_second(attack.clock)
    status, outcome = attack.send(body, attack.headers(body, timestamp=int(attack.clock()) + skew))
    return [Check("clock-skew", f"signed at now{skew:+d} s", expected, status, outcome)]


@_mode("concurrent-copies", "--copies identical deliveries at once: one processed")
def _concurrent(attack: Attack) -> list[Check]:
    body = encode(attack.event())
    headers = attack.headers(body)
    with ThreadPoolExecutor(max_workers=attack.copies) as pool:
        answers = list(pool.map(lambda _: attack.send(body, headers), range(attack.copies)))
    processed = [answer for answer in answers if answer == (200, "processed")]
    others = list(answers)
    if processed:
        others.remove(processed[0])
    checks = [
        Check(
            "concurrent-copies",
            f"{attack.copies} copies: exactly one processed",
            "1",
            len(processed),
            None,
        )
    ]
    checks += [
        Check("concurrent-copies", "another copy", "200 duplicate | 409", status, outcome)
        for status, outcome in others
    ]
    return checks


def run_modes(attack: Attack, names: list[str]) -> list[Check]:
    """Every check of the named modes, in order."""
    unknown = [name for name in names if name not in MODES]
    if unknown:
        raise KeyError(f"unknown mode(s) {', '.join(unknown)}; known: {', '.join(MODES)}")
    return [check for name in names for check in MODES[name][1](attack)]
