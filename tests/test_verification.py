"""Unit tests of ``receiver.verification``: the signature and timestamp checks, no web framework.

Conventions of the field cases: secret ``rimo_test_secret``, the receiver's clock frozen at
NOW = 1767225600 (2026-01-01T00:00:00Z), the REF body and its published digest. Each
negative test starts from a valid delivery built by ``make_headers`` and changes one thing.
"""

from __future__ import annotations

import ast
import hashlib
import hmac
import inspect
from collections.abc import Callable, Iterable
from enum import Enum
from typing import Any

import pytest

from receiver import verification
from receiver.verification import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    Failure,
    VerificationError,
    verify,
)

SECRET = b"rimo_test_secret"
NOW = 1767225600
TOLERANCE = 300
REF_BODY = (
    b'{"id":"evt_ref001","type":"treatment.created","data":{"treatmentId":"rimo_treat_1",'
    b'"customerId":"prof_t1","offeringName":"TRT Protocol","status":"pending"},'
    b'"timestamp":"2026-01-01T00:00:00Z"}'
)
# sig(1767225600, REF), as published in field-cases.md.
REF_SIGNATURE = "e8213f2f0c1c46ce842448655a613dc53fb9bf8f18cf0ba887a6440319f7b7d8"


def sig(timestamp: str, body: bytes = REF_BODY, secret: bytes = SECRET) -> str:
    """The test's own signer (stdlib hmac); the vectors in test_known_answers pin it."""
    return hmac.new(secret, timestamp.encode("utf-8") + b"." + body, hashlib.sha256).hexdigest()


class _Auto(Enum):
    SIGNED = "sign the body at the header's timestamp"


AUTO = _Auto.SIGNED


def make_headers(
    *,
    timestamp: str | None = str(NOW),
    signature: str | _Auto | None = AUTO,
    body: bytes = REF_BODY,
    secret: bytes = SECRET,
) -> dict[str, str]:
    """The two Rimo headers of a valid delivery; any part overridden, ``None`` drops a header.

    By default the signature is computed over ``body`` at the header's timestamp, so changing
    only the timestamp gives a delivery correctly signed at that time.
    """
    if signature is AUTO:
        signature = sig(timestamp or "", body, secret)
    headers = {}
    if timestamp is not None:
        headers[TIMESTAMP_HEADER] = timestamp
    if signature is not None:
        headers[SIGNATURE_HEADER] = signature
    return headers


def check(
    headers: dict[str, str],
    *,
    body: bytes = REF_BODY,
    secrets: Iterable[bytes] = (SECRET,),
    now: float = NOW,
    tolerance_seconds: int = TOLERANCE,
) -> int:
    return verify(
        body=body,
        timestamp_header=headers.get(TIMESTAMP_HEADER),
        signature_header=headers.get(SIGNATURE_HEADER),
        secrets=secrets,
        now=now,
        tolerance_seconds=tolerance_seconds,
    )


def rejected(headers: dict[str, str], **overrides: Any) -> Failure:
    """The failure of a delivery that must be refused; its error never leaks the digest."""
    with pytest.raises(VerificationError) as info:
        check(headers, **overrides)
    error = info.value
    body = overrides.get("body", REF_BODY)
    timestamp = headers.get(TIMESTAMP_HEADER)
    secrets = list(overrides.get("secrets", (SECRET,)))
    expected_digests = [sig(timestamp, body, secret) for secret in secrets] if timestamp else []
    shown = f"{error!s} {error!r} {error.code} {error.description} {error.args}".lower()
    for digest in expected_digests:
        assert digest not in shown
    for secret in secrets:
        assert secret.decode("utf-8", "replace").lower() not in shown
    assert error.code == error.failure.value
    return error.failure


def test_valid_ref_delivery_returns_the_signed_timestamp() -> None:
    assert make_headers()[SIGNATURE_HEADER] == REF_SIGNATURE
    assert check(make_headers()) == NOW


# Missing headers (B22)


@pytest.mark.parametrize("value", [None, ""], ids=["absent", "empty"])
def test_B22_missing_or_empty_signature_is_missing_signature(value: str | None) -> None:
    assert rejected(make_headers(signature=value)) is Failure.MISSING_SIGNATURE


@pytest.mark.parametrize("value", [None, ""], ids=["absent", "empty"])
def test_missing_or_empty_timestamp_is_missing_timestamp(value: str | None) -> None:
    assert rejected(make_headers(timestamp=value)) is Failure.MISSING_TIMESTAMP


def test_B22_both_headers_absent_is_missing_signature() -> None:
    assert rejected(make_headers(timestamp=None, signature=None)) is Failure.MISSING_SIGNATURE


# Timestamp format


@pytest.mark.parametrize(
    "timestamp",
    [
        "+1767225600",
        "1767225600.0",
        " 1767225600",
        "1767225600 ",
        "1767225600\n",
        "1.7e9",
        "-5",
        "\uff11\uff12\uff13",  # full-width digits: int() accepts them, the header format does not
        "\u0661\u0667\u0666\u0667",  # Arabic-Indic digits, likewise
        "1_767_225_600",  # int() accepts underscores
        "0x69558000",
        "1767225600000000",  # 16 digits
    ],
)
def test_timestamp_not_plain_decimal_seconds_is_malformed(timestamp: str) -> None:
    assert rejected(make_headers(timestamp=timestamp)) is Failure.MALFORMED_TIMESTAMP


def test_fifteen_digit_timestamp_parses_but_is_out_of_tolerance() -> None:
    assert rejected(make_headers(timestamp="9" * 15)) is Failure.TIMESTAMP_OUT_OF_TOLERANCE


# The window


@pytest.mark.parametrize("tolerance", [TOLERANCE, 60, 1])
@pytest.mark.parametrize("direction", [-1, 1], ids=["past", "future"])
def test_window_is_inclusive_at_exactly_the_tolerance(tolerance: int, direction: int) -> None:
    timestamp = NOW + direction * tolerance
    assert check(make_headers(timestamp=str(timestamp)), tolerance_seconds=tolerance) == timestamp


@pytest.mark.parametrize("tolerance", [TOLERANCE, 60, 1])
@pytest.mark.parametrize("direction", [-1, 1], ids=["past", "future"])
def test_one_second_past_the_tolerance_is_rejected(tolerance: int, direction: int) -> None:
    headers = make_headers(timestamp=str(NOW + direction * (tolerance + 1)))
    failure = rejected(headers, tolerance_seconds=tolerance)
    assert failure is Failure.TIMESTAMP_OUT_OF_TOLERANCE


@pytest.mark.parametrize(
    ("offset", "accepted"),
    [(600, False), (120, True), (-120, True), (31_536_000, False)],
    ids=["NOW+600", "NOW+120", "NOW-120", "NOW+1y"],
)
def test_B26_window_is_two_sided(offset: int, accepted: bool) -> None:
    headers = make_headers(timestamp=str(NOW + offset))
    if accepted:
        assert check(headers) == NOW + offset
    else:
        assert rejected(headers) is Failure.TIMESTAMP_OUT_OF_TOLERANCE


def test_B25_millisecond_timestamp_is_out_of_tolerance() -> None:
    body = (
        b'{"id":"evt_b25","type":"charge.captured","data":{"orderId":"rimo_ord_25",'
        b'"amount":14999,"currency":"usd"},"timestamp":"2026-01-01T00:00:00Z"}'
    )
    headers = make_headers(
        timestamp="1767225600000",
        signature="12b267e33d492e92da7219a9a7592284cf2e2f713117a84b34d2a4c9032471f0",
        body=body,
    )
    assert rejected(headers, body=body) is Failure.TIMESTAMP_OUT_OF_TOLERANCE


def test_B25_seconds_timestamp_is_accepted_at_a_seconds_clock() -> None:
    assert check(make_headers(signature=REF_SIGNATURE)) == NOW


def test_stale_timestamp_is_reported_before_a_bad_signature() -> None:
    """Checks run cheapest first: the window is judged before any HMAC is computed."""
    headers = make_headers(timestamp=str(NOW - 3600), signature="0" * 64)
    assert rejected(headers) is Failure.TIMESTAMP_OUT_OF_TOLERANCE


# The timestamp is bound to the signature (B29)

B29_T0 = NOW - 3600
B29_SIGNATURE = "1e00ba71948f050088bb8773b02dc9cac1095584dce1176a587e5873ed24f31d"


def test_B29_replay_of_an_hour_old_delivery_is_out_of_tolerance() -> None:
    headers = make_headers(timestamp=str(B29_T0), signature=B29_SIGNATURE)
    assert rejected(headers) is Failure.TIMESTAMP_OUT_OF_TOLERANCE
    assert check(headers, now=B29_T0) == B29_T0  # the same delivery, on time


def test_B29_rewritten_timestamp_with_old_signature_is_a_mismatch() -> None:
    headers = make_headers(timestamp=str(NOW), signature=B29_SIGNATURE)
    assert rejected(headers) is Failure.SIGNATURE_MISMATCH


def test_B29_removed_timestamp_with_old_signature_is_missing_timestamp() -> None:
    headers = make_headers(timestamp=None, signature=B29_SIGNATURE)
    assert rejected(headers) is Failure.MISSING_TIMESTAMP


def test_B29_header_string_is_hashed_as_sent_not_reformatted() -> None:
    """``01767225600`` names NOW but was not what REF's signature covers."""
    assert rejected(make_headers(timestamp="0" + str(NOW), signature=REF_SIGNATURE)) is (
        Failure.SIGNATURE_MISMATCH
    )
    assert check(make_headers(timestamp="0" + str(NOW))) == NOW


# The signature header


def test_B19_uppercase_hex_is_accepted() -> None:
    assert check(make_headers(signature=REF_SIGNATURE.upper())) == NOW


def test_B19_mixed_case_hex_is_accepted() -> None:
    mixed = "".join(c.upper() if i % 2 else c for i, c in enumerate(REF_SIGNATURE))
    assert check(make_headers(signature=mixed)) == NOW


@pytest.mark.parametrize(
    "signature",
    [
        "abc",
        REF_SIGNATURE[:63],
        REF_SIGNATURE + "0",
        "z" * 64,
        REF_SIGNATURE * 2,
        "é" * 64,
        "é" * 32,  # 64 bytes once UTF-8 encoded
        "\uff10" * 64,  # full-width zero
        " ".join(REF_SIGNATURE[i : i + 2] for i in range(0, 64, 2)),
        REF_SIGNATURE[:32] + " " + REF_SIGNATURE[32:],
        " " + REF_SIGNATURE,
        REF_SIGNATURE + "\n",
        "0x" + REF_SIGNATURE[:62],
        REF_SIGNATURE[:63] + "\x00",
        " " * 64,
    ],
    ids=[
        "abc",
        "63-hex",
        "65-hex",
        "64-z",
        "128-hex",
        "64-e-acute",
        "32-e-acute",
        "fullwidth-zeros",
        "hex-with-spaces",
        "space-inside",
        "leading-space",
        "trailing-newline",
        "0x-prefix",
        "nul-byte",
        "all-spaces",
    ],
)
def test_B17_malformed_signature_is_a_typed_rejection(signature: str) -> None:
    """Only ``VerificationError`` may escape (``rejected`` lets any other exception through)."""
    assert rejected(make_headers(signature=signature)) is Failure.MALFORMED_SIGNATURE
    assert check(make_headers()) == NOW  # and the next valid REF still passes


@pytest.mark.parametrize(
    "signature",
    [
        f"sha256={REF_SIGNATURE}",
        f"bogus={REF_SIGNATURE}",
        f"={REF_SIGNATURE}",
        "sha256=",
        f"v1,{REF_SIGNATURE}",
    ],
    ids=["sha256=", "bogus=", "bare=", "sha256=-empty", "v1,"],
)
def test_B20_prefixed_signature_is_rejected(signature: str) -> None:
    """The spec defines bare hex; no prefix convention is guessed at."""
    assert rejected(make_headers(signature=signature)) is Failure.MALFORMED_SIGNATURE


@pytest.mark.parametrize("position", [0, 63], ids=["first-char", "last-char"])
def test_B16_digest_altered_in_one_hex_character_is_a_mismatch(position: int) -> None:
    altered = "f" if REF_SIGNATURE[position] != "f" else "0"
    signature = REF_SIGNATURE[:position] + altered + REF_SIGNATURE[position + 1 :]
    assert rejected(make_headers(signature=signature)) is Failure.SIGNATURE_MISMATCH


def test_wrong_secret_is_a_mismatch() -> None:
    headers = make_headers(secret=b"not_the_rimo_secret")
    assert rejected(headers) is Failure.SIGNATURE_MISMATCH


def test_tampered_body_is_a_mismatch() -> None:
    assert rejected(make_headers(), body=REF_BODY.replace(b"TRT", b"TRX")) is (
        Failure.SIGNATURE_MISMATCH
    )


# Several active secrets (B21)

OLD_SECRET = SECRET
NEW_SECRET = b"rimo_test_secret_new"
ROTATING = (NEW_SECRET, OLD_SECRET)


@pytest.mark.parametrize("secret", [OLD_SECRET, NEW_SECRET], ids=["old", "new"])
def test_B21_either_active_secret_verifies(secret: bytes) -> None:
    assert check(make_headers(secret=secret), secrets=ROTATING) == NOW
    assert check(make_headers(secret=secret), secrets=ROTATING[::-1]) == NOW


def test_B21_neither_secret_is_a_mismatch() -> None:
    headers = make_headers(secret=b"rimo_test_secret_other")
    assert rejected(headers, secrets=ROTATING) is Failure.SIGNATURE_MISMATCH


@pytest.mark.parametrize(
    "signature",
    [
        f"{sig(str(NOW), secret=NEW_SECRET)},{sig(str(NOW), secret=OLD_SECRET)}",
        f"{'0' * 64},{sig(str(NOW), secret=OLD_SECRET)}",
    ],
    ids=["new,old", "zeros,old"],
)
def test_B21_multi_value_signature_header_is_not_supported(signature: str) -> None:
    """One bare digest per header: a comma-separated list is malformed, not tried in turn."""
    headers = make_headers(signature=signature)
    assert rejected(headers, secrets=ROTATING) is Failure.MALFORMED_SIGNATURE


def test_B21_no_active_secret_never_verifies() -> None:
    assert rejected(make_headers(), secrets=()) is Failure.SIGNATURE_MISMATCH


def test_B21_every_secret_is_tried_without_stopping_early(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Constant time across secrets: the first secret matching does not end the loop."""
    calls: list[tuple[bytes, bytes]] = []
    real_compare: Callable[[bytes, bytes], bool] = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        calls.append((a, b))
        return real_compare(a, b)

    monkeypatch.setattr("receiver.verification.hmac.compare_digest", spy)
    assert check(make_headers(secret=NEW_SECRET), secrets=ROTATING) == NOW
    assert len(calls) == 2


# The window's parameters


@pytest.mark.parametrize("tolerance", [0, -1, -300])
def test_tolerance_below_one_second_is_refused(tolerance: int) -> None:
    with pytest.raises(ValueError, match="tolerance_seconds"):
        check(make_headers(), tolerance_seconds=tolerance)


# Constant-time comparison (B16)


def test_B16_verdict_comes_from_compare_digest_on_equal_length_bytes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[tuple[object, object]] = []
    real_compare: Callable[[bytes, bytes], bool] = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        calls.append((a, b))
        return real_compare(a, b)

    monkeypatch.setattr("receiver.verification.hmac.compare_digest", spy)
    assert check(make_headers(signature=REF_SIGNATURE.upper())) == NOW
    assert rejected(make_headers(signature="0" * 64)) is Failure.SIGNATURE_MISMATCH
    assert len(calls) == 2
    for a, b in calls:
        assert isinstance(a, bytes)
        assert isinstance(b, bytes)
        assert len(a) == len(b) == 32  # decoded digests: case folded away, same length


_SECRET_NAME_PARTS = ("sig", "digest", "mac", "presented", "expected")


def _names(node: ast.AST) -> set[str]:
    found = set()
    for child in ast.walk(node):
        if isinstance(child, ast.Name):
            found.add(child.id.lower())
        elif isinstance(child, ast.Attribute):
            found.add(child.attr.lower())
    return found


def _is_literal(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant)


def test_B16_source_compares_digests_only_with_compare_digest() -> None:
    """No ``==``/``!=`` between a signature or digest value and anything but a literal.

    Comparing the header with ``""`` (is it empty?) reveals nothing about the secret, so
    comparisons against a constant are allowed; a comparison of two computed values is not.
    """
    source = inspect.getsource(verification)
    assert "hmac.compare_digest(" in source
    offending = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Compare):
            continue
        if not any(isinstance(op, ast.Eq | ast.NotEq) for op in node.ops):
            continue
        operands = [node.left, *node.comparators]
        touches_secret_value = any(
            part in name for name in _names(node) for part in _SECRET_NAME_PARTS
        )
        if touches_secret_value and sum(not _is_literal(op) for op in operands) > 1:
            offending.append(f"line {node.lineno}: {ast.unparse(node)}")
    assert offending == []


def test_B16_line_grep_finds_no_equality_on_a_digest() -> None:
    """The field case's grep, literally: no source line uses == or != on a digest value."""
    lines = inspect.getsource(verification).splitlines()
    offending = [
        line
        for line in lines
        if ("==" in line or "!=" in line)
        and any(word in line.lower() for word in ("digest", "presented", "expected", "matched"))
    ]
    assert offending == []


# What an error may say (B30)


def test_B30_clock_skew_and_bad_signature_have_distinct_stable_codes() -> None:
    skewed = rejected(make_headers(), now=NOW + 600)
    wrong = rejected(make_headers(signature=sig(str(NOW), secret=b"wrong_secret")))
    assert skewed.value == "timestamp_out_of_tolerance"
    assert wrong.value == "signature_mismatch"


@pytest.mark.parametrize(
    ("overrides", "failure"),
    [
        ({"signature": None}, Failure.MISSING_SIGNATURE),
        ({"timestamp": None}, Failure.MISSING_TIMESTAMP),
        ({"timestamp": "1.7e9"}, Failure.MALFORMED_TIMESTAMP),
        ({"timestamp": str(NOW + 301)}, Failure.TIMESTAMP_OUT_OF_TOLERANCE),
        ({"signature": "abc"}, Failure.MALFORMED_SIGNATURE),
        ({"signature": "0" * 64}, Failure.SIGNATURE_MISMATCH),
    ],
    ids=lambda value: value.name if isinstance(value, Failure) else None,
)
def test_error_never_shows_the_expected_digest_or_the_secret(
    overrides: dict[str, Any], failure: Failure
) -> None:
    """``rejected`` checks str, repr, code, description and args for every failure mode."""
    assert rejected(make_headers(**overrides)) is failure
    assert VerificationError(failure).description  # a human explanation for every code


@pytest.mark.parametrize(
    ("offset", "accepted"),
    [(-TOLERANCE, True), (TOLERANCE, True), (-TOLERANCE - 1, False), (TOLERANCE + 1, False)],
)
def test_window_counts_whole_seconds_of_the_receiver_clock(offset: int, accepted: bool) -> None:
    """A delivery signed at the edge is not refused for the fraction of a second it spent in
    transit: the receiver's clock (here 0.9 s past NOW) counts in whole seconds like the header."""
    headers = make_headers(timestamp=str(NOW + offset))
    if accepted:
        assert check(headers, now=NOW + 0.9) == NOW + offset
    else:
        assert rejected(headers, now=NOW + 0.9) is Failure.TIMESTAMP_OUT_OF_TOLERANCE
