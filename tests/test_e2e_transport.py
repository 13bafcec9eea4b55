"""The receiver under gunicorn on loopback, against clients that misbehave at the HTTP layer."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator

import httpx
import pytest

from contract_tests.target import BundledReceiver
from mock_rimo.examples import published
from mock_rimo.factory import encode
from mock_rimo.signing import signature_headers
from receiver.server import CLIENT_READ_TIMEOUT_SECONDS, DEFAULT_THREADS

pytestmark = pytest.mark.e2e

SECRET = "transport_secret"


@pytest.fixture(scope="module")
def receiver() -> Iterator[BundledReceiver]:
    with BundledReceiver(secret=SECRET) as running:
        yield running


def raw_exchange(receiver: BundledReceiver, request: bytes, *, wait: float = 15.0) -> bytes:
    """Send raw bytes, return what the server answers before closing or ``wait`` runs out."""
    with socket.create_connection(("127.0.0.1", receiver.port), timeout=wait) as connection:
        connection.sendall(request)
        chunks = []
        try:
            while chunk := connection.recv(65536):
                chunks.append(chunk)
        except TimeoutError:
            pass
    return b"".join(chunks)


def status_and_body(response: bytes) -> tuple[int, dict[str, object]]:
    head, _, body = response.partition(b"\r\n\r\n")
    return int(head.split()[1]), json.loads(body)


def test_malformed_chunked_body_is_400_not_500(receiver: BundledReceiver) -> None:
    """A chunk size that is not hex is a bad request (unreadable_body), never a 500."""
    response = raw_exchange(
        receiver,
        b"POST /webhooks/rimo HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
        b"Transfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\nzz\r\n\r\n",
    )
    status, body = status_and_body(response)
    assert (status, body["code"]) == (400, "unreadable_body")


def test_body_shorter_than_its_length_times_out_with_408(receiver: BundledReceiver) -> None:
    """A client that declares 100 bytes and sends 1 is answered 408 and disconnected
    (the server closes its side: the read below ends instead of waiting out ``wait``)."""
    started = time.monotonic()
    response = raw_exchange(
        receiver,
        b"POST /webhooks/rimo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{",
        wait=CLIENT_READ_TIMEOUT_SECONDS + 10,
    )
    status, body = status_and_body(response)
    assert (status, body["code"]) == (408, "request_timeout")
    assert time.monotonic() - started < CLIENT_READ_TIMEOUT_SECONDS + 10


def test_stalled_clients_cannot_starve_real_deliveries(receiver: BundledReceiver) -> None:
    """More stalled requests than worker threads: they are cut off and a real delivery
    still gets through (before the read deadline, one thread each was held for ever)."""
    stalled = [
        socket.create_connection(("127.0.0.1", receiver.port)) for _ in range(DEFAULT_THREADS + 4)
    ]
    try:
        for connection in stalled:
            connection.sendall(
                b"POST /webhooks/rimo HTTP/1.1\r\nHost: x\r\nContent-Length: 99\r\n\r\n{"
            )
        body = encode({**published("charge.captured"), "id": "evt_after_stall"})
        headers = {"Content-Type": "application/json"}
        headers.update(signature_headers(SECRET, int(time.time()), body))
        response = httpx.post(
            receiver.base_url + "/webhooks/rimo", content=body, headers=headers, timeout=60
        )
    finally:
        for connection in stalled:
            connection.close()
    assert response.status_code == 200
    assert response.json()["status"] == "processed"


def test_head_on_health_answers_200(receiver: BundledReceiver) -> None:
    """Load balancers probing with HEAD see the receiver as up."""
    response = httpx.head(receiver.base_url + "/webhooks/rimo/health", timeout=10)
    assert response.status_code == 200
    assert response.content == b""


def test_trailing_slash_reaches_the_webhook(receiver: BundledReceiver) -> None:
    """A sender configured with /webhooks/rimo/ is answered like /webhooks/rimo."""
    body = encode({**published("order.shipped"), "id": "evt_trailing_slash"})
    headers = {"Content-Type": "application/json"}
    headers.update(signature_headers(SECRET, int(time.time()), body))
    response = httpx.post(
        receiver.base_url + "/webhooks/rimo/", content=body, headers=headers, timeout=10
    )
    assert response.status_code == 200
    assert response.json()["status"] == "processed"


def test_every_log_line_is_json(receiver: BundledReceiver) -> None:
    """gunicorn's own lines (start-up, access) are JSON like the receiver's, and no line
    holds the secret."""
    httpx.get(receiver.base_url + "/webhooks/rimo/health", timeout=10)
    lines = [line for line in receiver.log_tail(lines=500).splitlines() if line.strip()]
    parsed = [json.loads(line) for line in lines]
    assert {"gunicorn.error", "gunicorn.access"} <= {line["logger"] for line in parsed}
    assert all(SECRET not in line for line in lines)
