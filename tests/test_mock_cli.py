"""`rimo-mock`, driven in-process: sample, sign and their errors."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from mock_rimo.__main__ import main
from schemas import EVENT_TYPES, EventValidator, published_example

VECTORS = json.loads((Path(__file__).parent / "vectors" / "hmac_sha256.json").read_text())


def run(argv: list[str]) -> tuple[int, str]:
    out = io.StringIO()
    status = main(argv, out=out)
    return status, out.getvalue()


def vector_body(case: dict[str, Any]) -> bytes:
    if "body_hex" in case:
        return bytes.fromhex(case["body_hex"])
    return str(case["body_utf8"]).encode("utf-8")


@pytest.mark.parametrize("event_type", EVENT_TYPES)
def test_sample_prints_a_valid_reproducible_event(event_type: str) -> None:
    """`sample TYPE --seed N` prints one schema-valid event, the same for the same seed."""
    status, first = run(["sample", event_type, "--seed", "9"])
    _, again = run(["sample", event_type, "--seed", "9"])
    event = json.loads(first)
    assert status == 0
    assert first == again
    assert event["type"] == event_type
    assert EventValidator().violations(event) == []


def test_sample_example_prints_the_published_payload() -> None:
    """`sample TYPE --example` prints the published example."""
    status, output = run(["sample", "order.transmitted", "--example"])
    assert status == 0
    assert json.loads(output) == published_example("order.transmitted")


@pytest.mark.parametrize("case", VECTORS["cases"], ids=[c["name"] for c in VECTORS["cases"]])
def test_sign_agrees_with_every_known_answer_vector(case: dict[str, Any], tmp_path: Path) -> None:
    """`sign FILE --secret S --timestamp T` prints the openssl-computed signature."""
    body_file = tmp_path / "body"
    body_file.write_bytes(vector_body(case))
    status, output = run(
        ["sign", str(body_file), "--secret", case["secret"], "--timestamp", case["timestamp"]]
    )
    assert status == 0
    assert output.splitlines() == [
        f"X-Rimo-Timestamp: {case['timestamp']}",
        f"X-Rimo-Signature: {case['signature']}",
    ]


def test_sign_without_a_secret_is_a_usage_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """No --secret and no RIMO_WEBHOOK_SECRET: exit 2 with a message, nothing printed."""
    monkeypatch.delenv("RIMO_WEBHOOK_SECRET", raising=False)
    body_file = tmp_path / "body"
    body_file.write_bytes(b"{}")
    status, output = run(["sign", str(body_file)])
    assert status == 2
    assert output == ""
    assert "RIMO_WEBHOOK_SECRET" in capsys.readouterr().err


def test_sign_of_a_missing_file_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A body file that does not exist: exit 2 naming the file."""
    missing = tmp_path / "nope.json"
    status, _ = run(["sign", str(missing), "--secret", "s"])
    assert status == 2
    assert "nope.json" in capsys.readouterr().err


def test_unknown_type_is_rejected_by_the_parser(capsys: pytest.CaptureFixture[str]) -> None:
    """An event type outside the five is refused with the valid choices listed."""
    with pytest.raises(SystemExit) as exited:
        run(["sample", "charge.refunded"])
    assert exited.value.code == 2
    assert "treatment.created" in capsys.readouterr().err
