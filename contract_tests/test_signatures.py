"""Authentication: only a correct HMAC over the exact bytes and timestamp gets in."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from contract_tests.client import OMIT, ContractClient
from mock_rimo.examples import published
from mock_rimo.factory import encode
from mock_rimo.signing import signature


def _body(client: ContractClient) -> bytes:
    return encode(client.unique(published("treatment.created")))


def test_wrong_secret_is_rejected(client: ContractClient) -> None:
    """A delivery signed with another secret gets 401"""
    answer = client.deliver(_body(client), secret=client.target.secret + "-wrong")
    assert answer.status == 401, answer


def test_tampered_body_is_rejected(client: ContractClient) -> None:
    """A body changed after signing gets 401"""
    body = _body(client)
    headers = client.signed_headers(body)
    answer = client.send_exact(body.replace(b"TRT Protocol", b"TRT Protocoll"), headers)
    assert answer.status == 401, answer


def test_signature_over_another_timestamp_is_rejected(client: ContractClient) -> None:
    """A timestamp header rewritten after signing gets 401 (the timestamp is signed)"""
    body = _body(client)
    now = client.now()
    stale_signature = signature(client.target.secret, now - 60, body)
    answer = client.deliver(body, timestamp=now, headers={"X-Rimo-Signature": stale_signature})
    assert answer.status == 401, answer


@pytest.mark.parametrize(
    ("header", "value"),
    [
        ("X-Rimo-Signature", OMIT),
        ("X-Rimo-Signature", ""),
        ("X-Rimo-Timestamp", OMIT),
        ("X-Rimo-Timestamp", ""),
    ],
    ids=["signature-missing", "signature-empty", "timestamp-missing", "timestamp-empty"],
)
def test_missing_or_empty_header_is_rejected(
    client: ContractClient, header: str, value: object
) -> None:
    """A delivery without one of the two signature headers, or with it empty, gets 401"""
    answer = client.deliver(_body(client), headers={header: value})
    assert answer.status == 401, answer


def test_both_headers_missing_is_rejected(client: ContractClient) -> None:
    """A delivery with no signature headers at all gets 401"""
    answer = client.deliver(
        _body(client), headers={"X-Rimo-Signature": OMIT, "X-Rimo-Timestamp": OMIT}
    )
    assert answer.status == 401, answer


@pytest.mark.parametrize(
    "mangle",
    [
        lambda digest: digest[:-1],
        lambda digest: digest + "0",
        lambda digest: "z" * 64,
        lambda digest: digest[:32],
        lambda digest: digest * 2,
        lambda digest: "sha256=" + digest,
        lambda digest: digest[:-1] + ("0" if digest[-1] != "0" else "1"),
        lambda digest: ("0" if digest[0] != "0" else "1") + digest[1:],
    ],
    ids=[
        "truncated",
        "one-extra-char",
        "non-hex",
        "half-length",
        "doubled",
        "sha256-prefixed",
        "last-char-changed",
        "first-char-changed",
    ],
)
def test_malformed_or_wrong_signature_is_rejected(
    client: ContractClient, mangle: Callable[[str], str]
) -> None:
    """A signature that is malformed, or right-shaped but wrong, gets 401 (never 500)"""
    body = _body(client)
    headers = client.signed_headers(body)
    headers["X-Rimo-Signature"] = mangle(headers["X-Rimo-Signature"])
    answer = client.send_exact(body, headers)
    assert answer.status == 401, answer


@pytest.mark.parametrize("timestamp", ["1.7e9", "+1767225600", "now", "1767225600.5"])
def test_non_integer_timestamp_is_rejected(client: ContractClient, timestamp: str) -> None:
    """A timestamp that is not plain whole seconds gets 401, even when it is what was signed"""
    answer = client.deliver(_body(client), timestamp=timestamp)
    assert answer.status == 401, answer


def test_uppercase_hex_signature_is_accepted(client: ContractClient) -> None:
    """Hex is case-insensitive: the right digest in upper case is processed"""
    body = _body(client)
    headers = client.signed_headers(body)
    headers["X-Rimo-Signature"] = headers["X-Rimo-Signature"].upper()
    answer = client.send_exact(body, headers)
    assert (answer.status, answer.outcome) == (200, "processed"), answer


def test_rejection_never_echoes_the_expected_signature(client: ContractClient) -> None:
    """A 401 body names the reason but never contains the expected signature or the secret"""
    body = _body(client)
    headers = client.signed_headers(body)
    expected = headers["X-Rimo-Signature"]
    headers["X-Rimo-Signature"] = "0" * 64
    answer = client.send_exact(body, headers)
    assert answer.status == 401, answer
    text = str(answer.body).lower()
    assert expected not in text
    assert client.target.secret.lower() not in text
