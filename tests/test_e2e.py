"""End to end over real HTTP: the receiver under gunicorn on a loopback port, the CLIs as
subprocesses, and the contract suite proven able to fail against a broken receiver."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, make_server

import httpx
import pytest

from contract_tests.target import BundledReceiver
from mock_rimo.factory import encode
from schemas import published_example

pytestmark = pytest.mark.e2e

SECRET = "e2e_secret_" + "x" * 8


@pytest.fixture(scope="module")
def receiver() -> Iterator[BundledReceiver]:
    with BundledReceiver(secret=SECRET) as running:
        yield running


def openssl_signature(secret: str, timestamp: int, body: bytes) -> str:
    """The signature as an integrator would compute it by hand, with openssl."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl is not installed")
    completed = subprocess.run(
        [openssl, "dgst", "-sha256", "-hmac", secret],
        input=str(timestamp).encode() + b"." + body,
        capture_output=True,
        check=True,
    )
    return completed.stdout.decode().strip().rsplit(" ", 1)[-1]


def post(url: str, body: bytes, timestamp: int, signature: str) -> httpx.Response:
    headers = {
        "Content-Type": "application/json",
        "X-Rimo-Timestamp": str(timestamp),
        "X-Rimo-Signature": signature,
    }
    return httpx.post(url + "/webhooks/rimo", content=body, headers=headers, timeout=10)


def test_hand_signed_published_example_processed_then_duplicate_then_tamper_rejected(
    receiver: BundledReceiver,
) -> None:
    """openssl-signed treatment.created: 200 processed, again 200 duplicate, one byte off 401."""
    body = json.dumps(published_example("treatment.created")).encode()
    now = int(time.time())
    signature = openssl_signature(SECRET, now, body)

    first = post(receiver.base_url, body, now, signature)
    again = post(receiver.base_url, body, now, signature)
    tampered = post(receiver.base_url, body.replace(b"pending", b"pendinG"), now, signature)

    assert (first.status_code, first.json()["status"]) == (200, "processed")
    assert (again.status_code, again.json()["status"]) == (200, "duplicate")
    assert (tampered.status_code, tampered.json()["code"]) == (401, "signature_mismatch")


def run_cli(*args: str, env: dict[str, str] | None = None, stdin: bytes | None = None) -> Any:
    return subprocess.run(
        [sys.executable, "-m", *args],
        env={**os.environ, **(env or {})},
        input=stdin,
        capture_output=True,
        timeout=120,
        check=False,
    )


def test_mock_send_delivers_to_the_real_server(receiver: BundledReceiver) -> None:
    """`rimo-mock send --type` signs and delivers a generated event: exit 0, status 200."""
    url = receiver.base_url + "/webhooks/rimo"
    completed = run_cli(
        "mock_rimo", "send", "--url", url, "--type", "order.shipped", "--secret", SECRET
    )
    assert completed.returncode == 0, completed.stderr.decode()
    assert "status: 200" in completed.stdout.decode()
    assert '"status": "processed"' in completed.stdout.decode()


def test_mock_sign_headers_work_with_a_plain_http_client(receiver: BundledReceiver) -> None:
    """The headers `rimo-mock sign` prints get a body accepted, as a curl user would use them."""
    body = encode({**published_example("charge.captured"), "id": "evt_e2e_sign_cli"})
    completed = run_cli("mock_rimo", "sign", "--secret", SECRET, "-", stdin=body)
    assert completed.returncode == 0, completed.stderr.decode()
    headers = dict(
        line.split(": ", 1) for line in completed.stdout.decode().splitlines() if line.strip()
    )
    response = httpx.post(
        receiver.base_url + "/webhooks/rimo",
        content=body,
        headers={"Content-Type": "application/json", **headers},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "processed"


@pytest.mark.parametrize(
    ("environment", "message"),
    [
        ({"RIMO_WEBHOOK_SECRET": ""}, "RIMO_WEBHOOK_SECRET is not set"),
        ({"RIMO_WEBHOOK_SECRET": "secret\n"}, "whitespace"),
        (
            {"RIMO_WEBHOOK_SECRET": "s", "RIMO_TIMESTAMP_TOLERANCE_SECONDS": "0"},
            "RIMO_TIMESTAMP_TOLERANCE_SECONDS",
        ),
    ],
    ids=["no-secret", "padded-secret", "zero-tolerance"],
)
def test_receiver_refuses_to_start_misconfigured(environment: dict[str, str], message: str) -> None:
    """`rimo-receiver serve` exits 2 with a message naming the problem, before binding a port."""
    completed = run_cli("receiver", "serve", "--port", "1", env=environment)
    assert completed.returncode == 2
    assert message in completed.stderr.decode()
    assert "Traceback" not in completed.stderr.decode()


def junit_cases(path: Path) -> dict[str, str]:
    """Each test case of a JUnit report with its outcome: passed, failed, error or skipped."""
    names = {"failure": "failed", "error": "error", "skipped": "skipped"}
    outcomes: dict[str, str] = {}
    for case in ElementTree.parse(path).getroot().iter("testcase"):
        tags = [names[child.tag] for child in case if child.tag in names]
        outcomes[case.attrib["name"]] = tags[0] if tags else "passed"
    return outcomes


def run_contract(tmp_path: Path, *args: str) -> tuple[int, dict[str, str], str]:
    report = tmp_path / "contract.xml"
    completed = run_cli("contract_tests", *args, f"--junitxml={report}")
    return completed.returncode, junit_cases(report), completed.stdout.decode()


def test_contract_suite_passes_against_our_receiver_by_url(
    receiver: BundledReceiver, tmp_path: Path
) -> None:
    """`rimo-contract --target URL --secret S --junitxml F` exits 0 with every case passing."""
    status, cases, output = run_contract(
        tmp_path, "--target", receiver.base_url, "--secret", SECRET
    )
    assert status == 0, output[-3000:]
    assert len(cases) >= 50
    assert set(cases.values()) == {"passed"}
    assert "Rimo webhook contract report" in output


class _AcceptEverything:
    """A receiver with every classic bug: no verification, no dedup, no validation."""

    def __call__(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        environ["wsgi.input"].read(length)
        if environ["PATH_INFO"].endswith("/health"):
            payload = {"status": "ok"}
        else:
            payload = {"status": "processed"}
        start_response("200 OK", [("Content-Type", "application/json")])
        return [json.dumps(payload).encode()]


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def naive_receiver() -> Iterator[str]:
    server = make_server("127.0.0.1", 0, _AcceptEverything(), handler_class=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def test_contract_suite_fails_against_a_receiver_that_accepts_everything(
    naive_receiver: str, tmp_path: Path
) -> None:
    """The suite can fail: a receiver that checks nothing makes it exit 1 on the right cases."""
    status, cases, _ = run_contract(tmp_path, "--target", naive_receiver, "--secret", "s")
    assert status == 1
    assert cases["test_health_answers_ok"] == "passed"
    for must_fail in (
        "test_wrong_secret_is_rejected",
        "test_tampered_body_is_rejected",
        "test_both_headers_missing_is_rejected",
        "test_redelivery_with_fresh_signature_is_a_duplicate",
        "test_schema_invalid_event_gets_422_naming_the_field",
        "test_unknown_event_type_is_acknowledged_and_ignored",
        "test_timestamp_just_outside_window_is_rejected[past]",
        "test_timestamp_just_outside_window_is_rejected[future]",
    ):
        assert cases[must_fail] == "failed", must_fail


def test_contract_suite_catches_a_window_wider_than_the_contract(tmp_path: Path) -> None:
    """A receiver whose window is 1800 s fails exactly the just-outside-the-window cases."""
    with BundledReceiver(secret=SECRET, tolerance_seconds=1800) as wide:
        status, cases, _ = run_contract(tmp_path, "--target", wide.base_url, "--secret", SECRET)
    failed = sorted(name for name, outcome in cases.items() if outcome == "failed")
    assert status == 1
    assert failed == [
        "test_timestamp_just_outside_window_is_rejected[future]",
        "test_timestamp_just_outside_window_is_rejected[past]",
    ]


@pytest.mark.parametrize("mode", ["strict", "tolerant"])
def test_contract_suite_runs_in_either_schema_mode(tmp_path: Path, mode: str) -> None:
    """--schema-mode boots the bundled receiver in that mode and expects its answer to an
    added field: every case passes in both modes."""
    status, cases, output = run_contract(
        tmp_path, "--schema-mode", mode, "-k", "added_field or health"
    )
    assert status == 0, output[-2000:]
    assert cases == {
        "test_added_field_follows_the_schema_mode": "passed",
        "test_health_answers_ok": "passed",
    }


def test_strict_expectation_fails_against_a_tolerant_receiver(
    receiver: BundledReceiver, tmp_path: Path
) -> None:
    """Told the receiver is strict, the suite fails the added-field case on a tolerant one."""
    status, cases, _ = run_contract(
        tmp_path,
        "--target",
        receiver.base_url,
        "--secret",
        SECRET,
        "--schema-mode",
        "strict",
        "-k",
        "added_field",
    )
    assert status == 1
    assert cases == {"test_added_field_follows_the_schema_mode": "failed"}
