"""Known-answer vectors pin the signer and the verifier to openssl, not to each other.

The vectors in ``tests/vectors/hmac_sha256.json`` are written by
``scripts/make_hmac_vectors.py``, which runs ``openssl dgst -sha256 -hmac`` and imports
neither package; a bug shared by both sides would still be caught here.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from mock_rimo.signing import signature
from receiver.verification import Failure, VerificationError, verify

VECTORS_PATH = Path(__file__).parent / "vectors" / "hmac_sha256.json"
VECTOR_FILE: dict[str, Any] = json.loads(VECTORS_PATH.read_text(encoding="utf-8"))
VECTORS: list[dict[str, str]] = VECTOR_FILE["cases"]
BY_NAME = {vector["name"]: vector for vector in VECTORS}

# Published in field-cases.md (conventions): sig(1767225600, REF), checked there with openssl.
FIELD_CASES_REF_DIGEST = "e8213f2f0c1c46ce842448655a613dc53fb9bf8f18cf0ba887a6440319f7b7d8"
TOLERANCE_SECONDS = 300

# A handful re-computed live: plain, invalid UTF-8, empty, milliseconds, odd secrets.
OPENSSL_SAMPLE = [
    "REF",
    "B08_invalid_utf8_ff_fe",
    "B12_empty_body",
    "B25_millisecond_timestamp",
    "secret_non_ascii_utf8",
    "secret_100_bytes",
    "example_order_transmitted",
]


def _body(vector: dict[str, str]) -> bytes:
    if "body_hex" in vector:
        return bytes.fromhex(vector["body_hex"])
    return vector["body_utf8"].encode("utf-8")


def _flip(body: bytes, index: int) -> bytes:
    return body[:index] + bytes([body[index] ^ 0x01]) + body[index + 1 :]


def _tampered_bodies(body: bytes) -> list[bytes]:
    """The body with one byte flipped at the start, middle and end; one byte added if empty."""
    if not body:
        return [b"\x00", b" "]
    return [_flip(body, index) for index in sorted({0, len(body) // 2, len(body) - 1})]


def _verify(vector: dict[str, str], *, body: bytes | None = None) -> int:
    return verify(
        body=_body(vector) if body is None else body,
        timestamp_header=vector["timestamp"],
        signature_header=vector["signature"],
        secrets=[vector["secret"].encode("utf-8")],
        # In the window for every vector, including the millisecond one (read as seconds).
        now=int(vector["timestamp"]),
        tolerance_seconds=TOLERANCE_SECONDS,
    )


def _ids(vectors: list[dict[str, str]]) -> list[str]:
    return [vector["name"] for vector in vectors]


def test_vector_file_is_well_formed_and_covers_the_required_cases() -> None:
    assert VECTOR_FILE["generated_by"] == "openssl dgst -sha256 -hmac <secret>"
    required = {
        "REF",
        "B01_type_before_id",
        "B02a_unicode_escape",
        "B02b_literal_utf8",
        "B03_emoji_and_cedilla",
        "B04_escaped_forward_slash",
        "B05a_pretty_printed_lf",
        "B05c_pretty_printed_crlf",
        "B08_invalid_utf8_ff_fe",
        "B12_empty_body",
        "B25_millisecond_timestamp",
        "example_treatment_created",
        "example_treatment_approved",
        "example_order_transmitted",
        "example_order_shipped",
        "example_charge_captured",
        "non_ascii_text_body",
        "trailing_newline",
        "secret_non_ascii_utf8",
        "secret_100_bytes",
    }
    assert required <= BY_NAME.keys()
    assert len(BY_NAME) == len(VECTORS), "case names must be unique"
    for vector in VECTORS:
        assert ("body_utf8" in vector) != ("body_hex" in vector), vector["name"]
        assert re.fullmatch(r"[0-9a-f]{64}", vector["signature"]), vector["name"]
        assert re.fullmatch(r"[0-9]+", vector["timestamp"]), vector["name"]


def test_vector_bodies_and_secrets_are_the_ones_described() -> None:
    """Guards against a regenerated file silently losing what makes a case interesting."""
    assert len(_body(BY_NAME["REF"])) == 191
    assert _body(BY_NAME["B05c_pretty_printed_crlf"]).count(b"\r\n") == 5
    assert b"\r" not in _body(BY_NAME["B05a_pretty_printed_lf"])
    invalid = _body(BY_NAME["B08_invalid_utf8_ff_fe"])
    assert b"\xff\xfe" in invalid
    with pytest.raises(UnicodeDecodeError):
        invalid.decode("utf-8")
    assert _body(BY_NAME["B12_empty_body"]) == b""
    assert BY_NAME["B25_millisecond_timestamp"]["timestamp"] == "1767225600000"
    assert _body(BY_NAME["trailing_newline"]).endswith(b"}\n")
    assert not _body(BY_NAME["non_ascii_text_body"]).isascii()
    assert not BY_NAME["secret_non_ascii_utf8"]["secret"].isascii()
    assert len(BY_NAME["secret_100_bytes"]["secret"].encode("utf-8")) == 100


def test_ref_vector_is_the_digest_published_in_field_cases() -> None:
    ref = BY_NAME["REF"]
    assert ref["secret"] == "rimo_test_secret"
    assert ref["timestamp"] == "1767225600"
    assert ref["signature"] == FIELD_CASES_REF_DIGEST


@pytest.mark.parametrize("vector", VECTORS, ids=_ids(VECTORS))
def test_signer_matches_vector(vector: dict[str, str]) -> None:
    """``mock_rimo.signing.signature`` gives openssl's digest, secret as text or as bytes."""
    body = _body(vector)
    assert signature(vector["secret"], vector["timestamp"], body) == vector["signature"]
    secret_bytes = vector["secret"].encode("utf-8")
    assert signature(secret_bytes, vector["timestamp"], body) == vector["signature"]
    if str(int(vector["timestamp"])) == vector["timestamp"]:
        # The sender passes the clock as an int; same digest when the text is canonical.
        assert signature(vector["secret"], int(vector["timestamp"]), body) == vector["signature"]


@pytest.mark.parametrize("vector", VECTORS, ids=_ids(VECTORS))
def test_verifier_accepts_vector_and_returns_its_timestamp(vector: dict[str, str]) -> None:
    assert _verify(vector) == int(vector["timestamp"])


@pytest.mark.parametrize("vector", VECTORS, ids=_ids(VECTORS))
def test_verifier_rejects_vector_with_one_body_byte_changed(vector: dict[str, str]) -> None:
    for tampered in _tampered_bodies(_body(vector)):
        with pytest.raises(VerificationError) as info:
            _verify(vector, body=tampered)
        assert info.value.failure is Failure.SIGNATURE_MISMATCH


def _openssl(openssl: str, secret: str, timestamp: str, body: bytes) -> str:
    result = subprocess.run(
        [openssl.encode(), b"dgst", b"-sha256", b"-hmac", secret.encode("utf-8")],
        input=f"{timestamp}.".encode("ascii") + body,
        capture_output=True,
        check=True,
        timeout=30,
    )
    match = re.search(r"=\s*([0-9a-f]{64})\s*\Z", result.stdout.decode("ascii"))
    assert match is not None, result.stdout
    return match.group(1)


@pytest.mark.parametrize("name", OPENSSL_SAMPLE)
def test_openssl_still_agrees_with_vector(name: str) -> None:
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl is not on PATH; the committed vectors are still checked above")
    vector = BY_NAME[name]
    digest = _openssl(openssl, vector["secret"], vector["timestamp"], _body(vector))
    assert digest == vector["signature"]
