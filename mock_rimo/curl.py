"""Printing a delivery as a ready-to-run curl command, signed when it is printed."""

from __future__ import annotations

import base64
import shlex
import time
from collections.abc import Callable

from mock_rimo.signing import signature_headers


def _body_pipe(body: bytes) -> str:
    """A shell command printing ``body`` exactly (no added newline)."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is not None and "\x00" not in text:
        return f"printf '%s' {shlex.quote(text)}"
    encoded = base64.b64encode(body).decode("ascii")
    return f"printf '%s' {encoded} | base64 -d"


def curl_command(
    url: str,
    body: bytes,
    secret: str,
    *,
    seed: int | None = None,
    clock: Callable[[], float] = time.time,
) -> str:
    """A shell snippet that sends ``body`` to ``url`` signed now, valid for the receiver's
    window (5 minutes by default) from the moment it is printed."""
    headers = {"Content-Type": "application/json"}
    headers.update(signature_headers(secret, int(clock()), body))
    header_args = " ".join(
        f"-H {shlex.quote(f'{name}: {value}')}" for name, value in headers.items()
    )
    lines = []
    if seed is not None:
        lines.append(f"# generated with --seed {seed}")
    lines.append(
        f"{_body_pipe(body)} | curl -sS -X POST {shlex.quote(url)} {header_args} --data-binary @-"
    )
    return "\n".join(lines)
