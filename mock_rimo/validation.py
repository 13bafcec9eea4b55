"""Validating event payloads from files or standard input against the published schemas.

A source is unreadable (a missing file, bytes that are not UTF-8 JSON) or readable and then
valid or invalid; the command line turns that into exit status 2, 1 or 0.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from schemas import EventValidator, Violation
from schemas.strict_json import PayloadError, load_object


@dataclass(frozen=True, slots=True)
class SourceResult:
    """The verdict on one event: a file, or one line of standard input."""

    source: str
    event_type: str | None = None
    known_type: bool = False
    violations: tuple[Violation, ...] = ()
    error: str | None = None
    """Why the source could not be read as JSON; ``None`` when it could."""

    @property
    def readable(self) -> bool:
        return self.error is None

    @property
    def valid(self) -> bool:
        return self.readable and not self.violations

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "valid": self.valid,
            "type": self.event_type,
            "known_type": self.known_type,
            "violations": [violation.as_dict() for violation in self.violations],
            "error": self.error,
        }


def _judge(source: str, payload: Any, validator: EventValidator) -> SourceResult:
    event_type = payload.get("type") if isinstance(payload, dict) else None
    return SourceResult(
        source=source,
        event_type=event_type if isinstance(event_type, str) else None,
        known_type=validator.is_known_type(event_type),
        violations=tuple(validator.violations(payload)),
    )


def _parse(raw: bytes) -> Any:
    # The receiver's own reading: what this calls readable, the receiver can read.
    return load_object(raw)


def _unreadable(source: str, error: PayloadError) -> SourceResult:
    return SourceResult(source=source, error=str(error))


def validate_stream(stream: BinaryIO, validator: EventValidator) -> Iterator[SourceResult]:
    """One event (a whole JSON document) or newline-delimited events, judged one by one."""
    raw = stream.read()
    try:
        yield _judge("<stdin>", _parse(raw), validator)
        return
    except PayloadError as whole_error:
        if not raw.strip():
            yield _unreadable("<stdin>", whole_error)
            return
        # not one document: read it as newline-delimited JSON
    # Lines end at "\n" alone (NDJSON); a bare "\r" stays inside the line, as the receiver
    # would see it.
    for number, line in enumerate(raw.split(b"\n"), start=1):
        if not line.strip():
            continue
        source = f"<stdin>:{number}"
        try:
            payload = _parse(line)
        except PayloadError as error:
            yield _unreadable(source, error)
            continue
        yield _judge(source, payload, validator)


def validate_file(path: Path, validator: EventValidator) -> SourceResult:
    """The verdict on a file holding one JSON event."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        return SourceResult(source=str(path), error=error.strerror or str(error))
    try:
        payload = _parse(raw)
    except PayloadError as error:
        return _unreadable(str(path), error)
    return _judge(str(path), payload, validator)


def validate_sources(
    sources: Sequence[str], stdin: BinaryIO, validator: EventValidator
) -> Iterator[SourceResult]:
    """Every named source in order; ``-`` is standard input."""
    for source in sources:
        if source == "-":
            yield from validate_stream(stdin, validator)
        else:
            yield validate_file(Path(source), validator)


def exit_status(results: Sequence[SourceResult]) -> int:
    """2 if any input was unreadable, else 1 if any event was invalid, else 0."""
    if any(not result.readable for result in results):
        return 2
    if any(not result.valid for result in results):
        return 1
    return 0
