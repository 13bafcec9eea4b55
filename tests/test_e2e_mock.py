"""rimo-mock against a real receiver on loopback: lifecycles, adversarial modes, curl."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from contract_tests.target import BundledReceiver
from mock_rimo.curl import curl_command
from mock_rimo.examples import published
from mock_rimo.factory import encode

pytestmark = pytest.mark.e2e

SECRET = "mock_e2e_secret"


@pytest.fixture(scope="module")
def receiver() -> Iterator[BundledReceiver]:
    with BundledReceiver(secret=SECRET) as running:
        yield running


def rimo_mock(*args: str) -> Any:
    return subprocess.run(
        [sys.executable, "-m", "mock_rimo", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "RIMO_WEBHOOK_SECRET": SECRET},
        check=False,
    )


def test_lifecycle_of_200_patients_is_delivered_without_failure(receiver: BundledReceiver) -> None:
    """1 000 events of 200 shuffled lifecycles: all delivered and processed, none failed."""
    url = receiver.base_url + "/webhooks/rimo"
    completed = rimo_mock(
        "lifecycle", "--url", url, "--patients", "200", "--order", "shuffled", "--seed", "7"
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "1000 events in" in completed.stdout
    assert "1000 delivered, 0 failed" in completed.stdout
    assert "outcomes: processed 1000" in completed.stdout


def dry_run(seed: str) -> Any:
    return rimo_mock(
        "lifecycle",
        "--url",
        "http://x.test/",
        "--patients",
        "30",
        "--order",
        "shuffled",
        "--seed",
        seed,
        "--dry-run",
    )


def test_same_seed_sends_identical_bodies() -> None:
    """Two dry runs with one seed print byte-identical streams; another seed differs."""
    first, again, other = dry_run("7"), dry_run("7"), dry_run("8")
    assert first.returncode == 0
    assert len(first.stdout.splitlines()) == 150
    assert first.stdout == again.stdout
    assert first.stdout != other.stdout


def test_every_adversarial_mode_gets_the_contract_status(receiver: BundledReceiver) -> None:
    """`rimo-mock attack` runs every mode against our receiver: every check passes."""
    completed = rimo_mock("attack", "--url", receiver.base_url + "/webhooks/rimo", "--seed", "3")
    assert completed.returncode == 0, completed.stdout
    assert "FAIL" not in completed.stdout
    assert completed.stdout.splitlines()[-1].endswith("passed, 0 failed")
    for mode in (
        "wrong-secret",
        "window-edges",
        "replay",
        "concurrent-copies",
        "reserialised-body",
    ):
        assert f"PASS  {mode}" in completed.stdout


def test_attack_flags_a_receiver_with_the_wrong_window(tmp_path: Any) -> None:
    """Told the window is 300 s, the window-edges mode fails a receiver that allows 1 800 s."""
    with BundledReceiver(secret=SECRET, tolerance_seconds=1800) as wide:
        completed = rimo_mock(
            "attack", "--url", wide.base_url + "/webhooks/rimo", "--mode", "window-edges"
        )
    assert completed.returncode == 1
    failed = [line for line in completed.stdout.splitlines() if line.startswith("FAIL")]
    assert len(failed) == 2
    assert all("expected 401" in line for line in failed)


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_printed_curl_command_delivers_the_event(receiver: BundledReceiver) -> None:
    """The curl snippet printed for a failed delivery works when pasted into a shell."""
    body = encode({**published("treatment.approved"), "id": "evt_curl_snippet"})
    snippet = curl_command(receiver.base_url + "/webhooks/rimo", body, SECRET, seed=5)
    completed = subprocess.run(
        ["bash", "-c", snippet], capture_output=True, text=True, timeout=30, check=False
    )
    assert completed.returncode == 0, completed.stderr
    assert '"status": "processed"' in completed.stdout


def test_send_with_overrides_reproduces_a_schema_failure(receiver: BundledReceiver) -> None:
    """--unset data.orderId --no-validate sends the broken event; the receiver answers 422
    naming the field, and the command exits 1 with the curl command to reproduce it."""
    completed = rimo_mock(
        "send",
        "--url",
        receiver.base_url + "/webhooks/rimo",
        "--type",
        "charge.captured",
        "--seed",
        "4",
        "--unset",
        "data.orderId",
        "--no-validate",
        "--curl",
    )
    assert completed.returncode == 1
    assert "status: 422" in completed.stdout
    assert "/data/orderId" in completed.stdout
    assert "# generated with --seed 4" in completed.stdout
    assert "| curl -sS -X POST" in completed.stdout


def test_send_refuses_an_invalid_event_without_no_validate(receiver: BundledReceiver) -> None:
    """Without --no-validate the mock will not send what its own schemas refuse."""
    completed = rimo_mock(
        "send",
        "--url",
        receiver.base_url + "/webhooks/rimo",
        "--type",
        "charge.captured",
        "--set",
        "data.amount=-5",
    )
    assert completed.returncode == 2
    assert "/data/amount" in completed.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--attempts", "0"], "expected at least 1, got 0"),
        (["--url", "http://[::1"], "expected an http:// or https:// URL"),
        (["--url", "notaurl"], "expected an http:// or https:// URL"),
    ],
)
def test_send_option_mistakes_are_usage_errors(args: list[str], message: str) -> None:
    """Bad --attempts or --url: exit 2 with the reason, no traceback, nothing sent."""
    base = ["send", "--type", "charge.captured"]
    if "--url" not in args:
        base += ["--url", "http://127.0.0.1:9/webhooks/rimo"]
    completed = rimo_mock(*base, *args)
    assert completed.returncode == 2
    assert message in completed.stderr
    assert "Traceback" not in completed.stderr
