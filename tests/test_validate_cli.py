"""`rimo-mock validate`: files, standard input, JSON output and exit statuses."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from mock_rimo.__main__ import main
from mock_rimo.factory import EventFactory, encode
from schemas import published_example


def run(
    argv: list[str], stdin: bytes = b"", monkeypatch: pytest.MonkeyPatch | None = None
) -> tuple[int, str]:
    out = io.StringIO()
    if monkeypatch is not None:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin)))
    status = main(["validate", *argv], out=out)
    return status, out.getvalue()


def write(tmp_path: Path, name: str, payload: Any) -> str:
    path = tmp_path / name
    path.write_bytes(payload if isinstance(payload, bytes) else encode(payload))
    return str(path)


def missing_order_id() -> dict[str, Any]:
    event = published_example("charge.captured")
    del event["data"]["orderId"]
    return event


def test_valid_file_exits_0(tmp_path: Path) -> None:
    """A published example is valid: exit 0 and the verdict names its type."""
    status, output = run([write(tmp_path, "ok.json", published_example("order.shipped"))])
    assert status == 0
    assert output.endswith("ok.json: valid (order.shipped)\n")


def test_invalid_file_exits_1_with_each_pointer(tmp_path: Path) -> None:
    """An invalid event: exit 1, each violation printed with its JSON pointer."""
    status, output = run([write(tmp_path, "bad.json", missing_order_id())])
    assert status == 1
    assert "bad.json: invalid (charge.captured)" in output
    assert "  /data/orderId: 'orderId' is a required property" in output


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"{not json", "The body is not valid JSON"),
        (b'{"id": "\xff"}', "The body is not valid UTF-8"),
        (b'{"id": "a", "id": "b"}', "repeats the key 'id'"),
        (b'{"amount": NaN}', "NaN, which is not valid JSON"),
        (b'{"a":' + b"[" * 100 + b"]" * 100 + b"}", "nests deeper than 32 levels"),
        (b"", "The body is empty"),
    ],
    ids=["not-json", "not-utf8", "duplicate-key", "nan", "deep", "empty"],
)
def test_unparseable_file_exits_2(tmp_path: Path, content: bytes, reason: str) -> None:
    """Bytes the receiver could not read (not UTF-8 JSON, a repeated key, NaN, deep
    nesting, nothing at all) are unreadable input: exit 2 with the receiver's reason."""
    status, output = run([write(tmp_path, "broken.json", content)])
    assert status == 2
    assert "broken.json: unreadable: " in output
    assert reason in output


def test_missing_file_exits_2(tmp_path: Path) -> None:
    """A file that does not exist is unreadable input: exit 2."""
    status, output = run([str(tmp_path / "absent.json")])
    assert status == 2
    assert "absent.json: unreadable: No such file or directory" in output


def test_many_files_unreadable_outranks_invalid(tmp_path: Path) -> None:
    """Valid, invalid and unreadable together: exit 2 and a summary count of each."""
    sources = [
        write(tmp_path, "a.json", published_example("charge.captured")),
        write(tmp_path, "b.json", missing_order_id()),
        str(tmp_path / "c.json"),
    ]
    status, output = run(sources)
    assert status == 2
    assert output.splitlines()[-1] == "3 events: 1 valid, 1 invalid, 1 unreadable"


def test_newline_delimited_stdin_is_judged_line_by_line(monkeypatch: pytest.MonkeyPatch) -> None:
    """NDJSON on stdin: each line is one event, located by its line number."""
    lines = [
        encode(EventFactory(1).build("order.transmitted")),
        b"",
        encode(missing_order_id()),
        b"{oops",
    ]
    status, output = run(["--json"], stdin=b"\n".join(lines) + b"\n", monkeypatch=monkeypatch)
    results = [json.loads(line) for line in output.splitlines()]
    assert status == 2
    assert [(r["source"], r["valid"]) for r in results] == [
        ("<stdin>:1", True),
        ("<stdin>:3", False),
        ("<stdin>:4", False),
    ]
    assert results[1]["violations"][0]["pointer"] == "/data/orderId"
    assert results[2]["error"].startswith("The body is not valid JSON")


def test_one_pretty_printed_document_on_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    """A single multi-line JSON document on stdin is one event, not many broken lines."""
    pretty = json.dumps(published_example("treatment.approved"), indent=2).encode()
    status, output = run(["-"], stdin=pretty, monkeypatch=monkeypatch)
    assert status == 0
    assert output == "<stdin>: valid (treatment.approved)\n"


def test_json_output_is_machine_readable(tmp_path: Path) -> None:
    """--json prints one object per event with the verdict and violations."""
    status, output = run(["--json", write(tmp_path, "bad.json", missing_order_id())])
    result = json.loads(output)
    assert status == 1
    assert result["valid"] is False
    assert result["type"] == "charge.captured"
    assert result["violations"] == [
        {"pointer": "/data/orderId", "message": "'orderId' is a required property"}
    ]


def test_tolerant_flag_accepts_added_properties(tmp_path: Path) -> None:
    """Strict by default (an added field is reported); --tolerant accepts it like the receiver."""
    event = published_example("charge.captured")
    event["data"]["capturedBy"] = "ops"
    path = write(tmp_path, "added.json", event)
    strict_status, strict_output = run([path])
    tolerant_status, _ = run(["--tolerant", path])
    assert strict_status == 1
    assert "/data/capturedBy" in strict_output
    assert tolerant_status == 0


def test_unknown_type_is_checked_against_the_envelope(tmp_path: Path) -> None:
    """An unknown type is valid when its envelope is, and says so."""
    event = {
        "id": "evt_1",
        "type": "charge.refunded",
        "data": {},
        "timestamp": "2026-01-01T00:00:00Z",
    }
    status, output = run([write(tmp_path, "new.json", event)])
    assert status == 0
    assert "valid (unknown type 'charge.refunded', envelope only)" in output


def test_empty_stdin_is_unreadable(monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing on stdin is not a pass: exit 2, like an empty file."""
    status, output = run(["-"], stdin=b"", monkeypatch=monkeypatch)
    assert status == 2
    assert output == "<stdin>: unreadable: The body is empty.\n"
