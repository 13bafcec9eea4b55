"""The field cases of /work/shared/cases/field-cases.md (sections A-F) that run in-process.

Each test is named after its case id. Bodies are rebuilt byte for byte from the case text,
and where the case states a digest the test first checks that this module's independent
signer reproduces it, so a mistake in rebuilding a body cannot pass silently.

Not here: B16 (a code-level check of the verifier, covered by tests/test_verification.py)
and B34 (needs a restart on a durable backend; a contract-suite case).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from typing import Any

import falcon.testing
import pytest
from receiver_helpers import (
    NOW,
    REF,
    REF_ID,
    REF_SIG,
    SECRET,
    FrozenClock,
    RecordingStream,
    UnreadableStream,
    compact,
    default_headers,
    deliver,
    make_client,
    sig,
)

from receiver.bootstrap import app_from_env
from receiver.events import Event
from receiver.processing import EffectLedger
from receiver.settings import Secret, Settings
from receiver.store import MemoryDedupStore

MIB = 1024 * 1024


def reference_shaped(event_id: bytes, treatment: bytes, customer: bytes, offering: bytes) -> bytes:
    """A treatment.created body with REF's exact layout and the given field bytes."""
    return (
        b'{"id":"' + event_id + b'","type":"treatment.created","data":{"treatmentId":"'
        + treatment + b'","customerId":"' + customer + b'","offeringName":"' + offering
        + b'","status":"pending"},"timestamp":"2026-01-01T00:00:00Z"}'
    )  # fmt: skip


def assert_processed(result: falcon.testing.Result, event_id: str) -> None:
    assert result.status_code == 200, result.text
    assert result.json["status"] == "processed"
    assert result.json["id"] == event_id


def assert_rejected(result: falcon.testing.Result, status: int, code: str) -> None:
    assert result.status_code == status, result.text
    assert result.json["code"] == code


def assert_nothing_happened(ledger: EffectLedger, store: MemoryDedupStore) -> None:
    assert ledger.applied() == []
    assert len(store) == 0


def test_reference_body_matches_the_published_digest() -> None:
    assert len(REF) == 191
    rebuilt = reference_shaped(b"evt_ref001", b"rimo_treat_1", b"prof_t1", b"TRT Protocol")
    assert rebuilt == REF
    assert sig(NOW, REF) == REF_SIG


# --- A. The signed bytes ----------------------------------------------------------------

B01 = (
    b'{"type":"charge.captured","id":"evt_b01","data":{"orderId":"rimo_ord_1",'
    b'"amount":14999,"currency":"usd"},"timestamp":"2026-01-01T00:00:00Z"}'
)
B01_SIG = "88aed6315b4ac94e356d29264dd9427fa30403456f773927563243e7ede4d63f"


def test_B01_body_reserialised_before_hashing_is_verified_as_sent(
    client: falcon.testing.TestClient, ledger: EffectLedger
) -> None:
    assert len(B01) == 140
    assert sig(NOW, B01) == B01_SIG
    reserialised = json.dumps(json.loads(B01)).encode()
    resig = sig(NOW, reserialised)
    assert resig.startswith("965aa518")
    assert resig.endswith("5f49a48")

    # A receiver that hashed the re-encoding would reject this; ours hashes the raw bytes.
    result = deliver(client, B01, X_Rimo_Signature=B01_SIG)
    assert_processed(result, "evt_b01")
    assert ledger.applied()[0].data == {"orderId": "rimo_ord_1", "amount": 14999, "currency": "usd"}
    # And the re-encoded body does not match the original's signature.
    other = deliver(client, reserialised, X_Rimo_Signature=B01_SIG)
    assert_rejected(other, 401, "signature_mismatch")


def test_B02_unicode_escape_and_literal_utf8_both_verify_and_parse_alike(
    client: falcon.testing.TestClient, ledger: EffectLedger
) -> None:
    escaped = reference_shaped(b"evt_b02a", b"rimo_treat_2", b"prof_t2", b"Th\\u00e9rapie")
    literal = reference_shaped(b"evt_b02b", b"rimo_treat_2", b"prof_t2", "Thérapie".encode())
    assert (len(escaped), len(literal)) == (190, 186)
    escaped_sig = "a35d259809c37051aba0984ca38ba8385213fec63a57ada5a04e52a8b154fa94"
    literal_sig = "297ea59d77eb2400323215199001226d8aa0dbac1b59115ff22bf5eef0cd7e60"
    assert sig(NOW, escaped) == escaped_sig
    assert sig(NOW, literal) == literal_sig

    assert_processed(deliver(client, escaped, X_Rimo_Signature=escaped_sig), "evt_b02a")
    assert_processed(deliver(client, literal, X_Rimo_Signature=literal_sig), "evt_b02b")
    assert [event.data["offeringName"] for event in ledger.applied()] == ["Thérapie"] * 2


B03 = reference_shaped(b"evt_b03", b"rimo_treat_3", b"prof_t3", "TRT 😊 ç".encode())
B03_SIG = "00fe579708a98fecc87ebec68568974baae8df26d046069fd9b13ea9a22b6789"


@pytest.mark.parametrize(
    "content_type",
    ["application/json", "application/json; charset=ISO-8859-1"],
    ids=["plain", "declared-latin-1"],
)
def test_B03_multibyte_body_is_hashed_as_bytes_and_parsed_as_utf8(content_type: str) -> None:
    """Decision: a declared charset is ignored; the body is parsed as UTF-8 (RFC 8259)."""
    assert len(B03) == 187
    assert sig(NOW, B03) == B03_SIG
    ledger = EffectLedger()
    client = make_client(processor=ledger)
    result = deliver(client, B03, X_Rimo_Signature=B03_SIG, Content_Type=content_type)
    assert_processed(result, "evt_b03")
    assert ledger.applied()[0].data["offeringName"] == "TRT 😊 ç"


def test_B04_escaped_forward_slash_verifies_and_parses(
    client: falcon.testing.TestClient, ledger: EffectLedger
) -> None:
    body = (
        b'{"id":"evt_b04","type":"order.shipped","data":{"orderId":"rimo_ord_4",'
        b'"trackingNumber":"1Z999AA10123456784","carrier":"UPS\\/Ground",'
        b'"estimatedDelivery":"2026-01-04"},"timestamp":"2026-01-01T00:00:00Z"}'
    )
    digest = "a51afc2711f0bf2ff28a8415e725ebf24d2c46cb08aa163fe426986ebf675df5"
    assert len(body) == 201
    assert sig(NOW, body) == digest
    assert_processed(deliver(client, body, X_Rimo_Signature=digest), "evt_b04")
    assert ledger.applied()[0].data["carrier"] == "UPS/Ground"


B05_LF = (
    b'{\n  "id": "evt_b05",\n  "type": "charge.captured",\n'
    b'  "data": {"orderId": "rimo_ord_5", "amount": 14999, "currency": "usd"},\n'
    b'  "timestamp": "2026-01-01T00:00:00Z"\n}'
)
B05_CRLF = B05_LF.replace(b"\n", b"\r\n")
B05_LF_SIG = "681e337cfb2546f80714ff415a0f08848f767ff0500536934277a52bcc56b6ba"
B05_CRLF_SIG = "a1f27eb84fa5fd22b5f2d0bd53aa66313558f09331e6d2fe626b6da4b79dc1c5"


@pytest.mark.parametrize(
    ("body", "signature", "status"),
    [(B05_LF, B05_LF_SIG, 200), (B05_CRLF, B05_LF_SIG, 401), (B05_CRLF, B05_CRLF_SIG, 200)],
    ids=["a-lf-own-sig", "b-crlf-lf-sig", "c-crlf-own-sig"],
)
def test_B05_line_endings_are_part_of_the_signed_bytes(
    body: bytes, signature: str, status: int
) -> None:
    assert len(B05_LF) == 162
    assert sig(NOW, B05_LF) == B05_LF_SIG
    assert sig(NOW, B05_CRLF) == B05_CRLF_SIG
    ledger = EffectLedger()
    result = deliver(make_client(processor=ledger), body, X_Rimo_Signature=signature)
    assert result.status_code == status
    if status == 200:
        assert result.json["status"] == "processed"
        assert ledger.applied()[0].data["amount"] == 14999
    else:
        assert result.json["code"] == "signature_mismatch"
        assert ledger.applied() == []


def test_B08_invalid_utf8_in_a_signed_body_is_400_after_the_signature(
    client: falcon.testing.TestClient, ledger: EffectLedger, store: MemoryDedupStore
) -> None:
    body = reference_shaped(b"evt_b08", b"rimo_treat_8", b"prof_t8", b"\xff\xfe")
    digest = "0fb4de959b5446788cc283fef81e90b94bac23029b43ccddeffa53c34f59e575"
    assert len(body) == 178
    assert sig(NOW, body) == digest
    result = deliver(client, body, X_Rimo_Signature=digest)
    assert_rejected(result, 400, "malformed_payload")
    assert_nothing_happened(ledger, store)


# --- B. Reading the body ----------------------------------------------------------------


def test_B10_raw_body_is_read_once_and_both_verified_and_parsed_from_it(
    client: falcon.testing.TestClient, ledger: EffectLedger
) -> None:
    stream = RecordingStream(REF)
    result = deliver(client, REF, extras={"wsgi.input": stream})
    assert_processed(result, REF_ID)
    assert b"".join(stream.reads) == REF  # every byte consumed once, nothing read twice
    assert ledger.applied()[0].payload == json.loads(REF)


@pytest.mark.usefixtures("restore_receiver_logging")
def test_B10_production_wiring_accepts_the_reference_delivery() -> None:
    """The app exactly as ``receiver.wsgi`` builds it (real clock, logging configured)."""
    app = app_from_env({"RIMO_WEBHOOK_SECRET": SECRET})
    client = falcon.testing.TestClient(app)
    now = int(time.time())
    result = deliver(client, REF, ts=now)
    assert_processed(result, REF_ID)
    assert deliver(client, REF, ts=now).json["status"] == "duplicate"


def test_B12_empty_body_is_400_when_signed_and_401_when_not(
    client: falcon.testing.TestClient, ledger: EffectLedger, store: MemoryDedupStore
) -> None:
    digest = "f3535624107c9913905e98063beb530ffcbc0a27f5d3cc4703ea7938241520b3"
    assert sig(NOW, b"") == digest
    signed = deliver(client, b"", X_Rimo_Signature=digest, Content_Length="0")
    assert_rejected(signed, 400, "malformed_payload")
    unsigned = deliver(client, b"", X_Rimo_Signature=None, Content_Length="0")
    assert_rejected(unsigned, 401, "missing_signature")
    assert_nothing_happened(ledger, store)


@pytest.mark.parametrize(
    "content_type",
    [None, "text/plain", "application/x-www-form-urlencoded"],
    ids=["a-absent", "b-text-plain", "c-form-urlencoded"],
)
def test_B13_non_json_content_type_is_415_after_the_signature_holds(
    client: falcon.testing.TestClient,
    ledger: EffectLedger,
    store: MemoryDedupStore,
    content_type: str | None,
) -> None:
    """Decision: 415 unsupported_media_type, never a 401 caused by an emptied body."""
    result = deliver(client, REF, Content_Type=content_type)
    assert_rejected(result, 415, "unsupported_media_type")
    assert_nothing_happened(ledger, store)
    # The signature is still checked first, over the raw bytes, whatever the content type.
    forged = deliver(client, REF, Content_Type=content_type, X_Rimo_Signature="0" * 64)
    assert_rejected(forged, 401, "signature_mismatch")


@pytest.mark.parametrize(
    "content_type",
    ["application/json; charset=utf-8", "APPLICATION/JSON"],
    ids=["d-charset-utf8", "e-upper-case"],
)
def test_B13_json_content_type_in_any_form_is_processed(
    client: falcon.testing.TestClient, ledger: EffectLedger, content_type: str
) -> None:
    assert_processed(deliver(client, REF, Content_Type=content_type), REF_ID)
    assert ledger.effect_count(REF_ID) == 1


def padding_event(total_bytes: int) -> bytes:
    """A validly shaped event of an unknown type, exactly ``total_bytes`` long."""
    shell = compact(
        {
            "id": "evt_b14",
            "type": "test.padding",
            "data": {"pad": ""},
            "timestamp": "2026-01-01T00:00:00Z",
        }
    )
    body = shell.replace(b'"pad":""', b'"pad":"' + b"x" * (total_bytes - len(shell)) + b'"')
    assert len(body) == total_bytes
    return body


@pytest.mark.parametrize("size", [900 * 1024, MIB], ids=["a-900KiB", "exactly-1MiB"])
def test_B14_large_body_within_the_default_limit_is_accepted(
    client: falcon.testing.TestClient, store: MemoryDedupStore, size: int
) -> None:
    result = deliver(client, padding_event(size))
    assert result.status_code == 200, result.text
    assert result.json["status"] == "ignored"
    assert result.json["type"] == "test.padding"
    assert len(store) == 0


def test_B14_body_one_byte_over_the_default_limit_is_413(
    client: falcon.testing.TestClient, store: MemoryDedupStore
) -> None:
    result = deliver(client, padding_event(MIB + 1))
    assert_rejected(result, 413, "payload_too_large")
    assert len(store) == 0


def test_B14_huge_declared_content_length_is_413_without_reading_the_body(
    client: falcon.testing.TestClient, store: MemoryDedupStore
) -> None:
    stream = UnreadableStream()
    result = deliver(client, b"{}", extras={"wsgi.input": stream, "CONTENT_LENGTH": str(50 * MIB)})
    assert_rejected(result, 413, "payload_too_large")
    assert stream.reads == 0
    assert len(store) == 0


# --- C. The signature header ------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("", "missing_signature"),
        ("abc", "malformed_signature"),
        (REF_SIG[:63], "malformed_signature"),
        (REF_SIG + "0", "malformed_signature"),
        ("z" * 64, "malformed_signature"),
        (REF_SIG * 2, "malformed_signature"),
    ],
    ids=["empty", "abc", "63-hex", "65-hex", "64-z", "128-hex"],
)
def test_B17_malformed_signature_is_401_and_the_receiver_keeps_working(
    client: falcon.testing.TestClient,
    ledger: EffectLedger,
    store: MemoryDedupStore,
    value: str,
    code: str,
) -> None:
    assert_rejected(deliver(client, REF, X_Rimo_Signature=value), 401, code)
    assert_nothing_happened(ledger, store)
    assert_processed(deliver(client, REF), REF_ID)


def test_B19_uppercase_hex_signature_is_accepted(
    client: falcon.testing.TestClient, ledger: EffectLedger
) -> None:
    upper = "E8213F2F0C1C46CE842448655A613DC53FB9BF8F18CF0BA887A6440319F7B7D8"
    assert upper.lower() == sig(NOW, REF)
    assert_processed(deliver(client, REF, X_Rimo_Signature=upper), REF_ID)
    assert ledger.effect_count(REF_ID) == 1


@pytest.mark.parametrize(
    "value",
    [f"sha256={REF_SIG}", f"bogus={REF_SIG}", f"={REF_SIG}", "sha256=", f"v1,{REF_SIG}"],
    ids=["a-sha256", "b-bogus", "c-bare-equals", "d-sha256-empty", "e-v1-comma"],
)
def test_B20_prefixed_signatures_are_401(
    client: falcon.testing.TestClient, ledger: EffectLedger, store: MemoryDedupStore, value: str
) -> None:
    """Decision: the spec defines bare hex; ``sha256=`` is not tolerated."""
    assert_rejected(deliver(client, REF, X_Rimo_Signature=value), 401, "malformed_signature")
    assert_nothing_happened(ledger, store)
    assert_processed(deliver(client, REF), REF_ID)


NEW_SECRET = "rimo_test_secret_new"


@pytest.mark.parametrize(
    ("signature", "status", "code"),
    [
        (sig(NOW, REF, SECRET), 200, None),
        (sig(NOW, REF, NEW_SECRET), 200, None),
        (f"{sig(NOW, REF, NEW_SECRET)},{sig(NOW, REF, SECRET)}", 401, "malformed_signature"),
        (f"{'0' * 64},{sig(NOW, REF, SECRET)}", 401, "malformed_signature"),
        (sig(NOW, REF, "rimo_other_secret"), 401, "signature_mismatch"),
    ],
    ids=["a-old", "b-new", "c-new-comma-old", "d-zeros-comma-old", "e-neither"],
)
def test_B21_rotation_accepts_either_active_secret_with_one_bare_value(
    signature: str, status: int, code: str | None
) -> None:
    """Decision: several active secrets, but the header carries one bare hex value."""
    assert sig(NOW, REF, SECRET) == REF_SIG
    ledger = EffectLedger()
    settings = Settings(secrets=(Secret(NEW_SECRET), Secret(SECRET)))
    client = make_client(settings, processor=ledger)
    result = deliver(client, REF, X_Rimo_Signature=signature)
    assert result.status_code == status
    if code is None:
        assert result.json["status"] == "processed"
        assert ledger.effect_count(REF_ID) == 1
    else:
        assert result.json["code"] == code
        assert ledger.applied() == []


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"X_Rimo_Signature": None}, "missing_signature"),
        ({"X_Rimo_Signature": ""}, "missing_signature"),
        ({"X_Rimo_Signature": None, "X_Rimo_Timestamp": None}, "missing_signature"),
    ],
    ids=["a-absent", "b-empty", "c-both-absent"],
)
def test_B22_missing_signature_is_never_processed_and_burns_no_id(
    client: falcon.testing.TestClient,
    ledger: EffectLedger,
    store: MemoryDedupStore,
    overrides: dict[str, str | None],
    code: str,
) -> None:
    assert_rejected(deliver(client, REF, **overrides), 401, code)
    assert_nothing_happened(ledger, store)
    assert_processed(deliver(client, REF), REF_ID)  # a first delivery, not a duplicate
    assert ledger.effect_count(REF_ID) == 1


def test_B23_header_names_are_case_insensitive(
    client: falcon.testing.TestClient, ledger: EffectLedger
) -> None:
    result = deliver(client, REF, x_rimo_signature=REF_SIG, X_RIMO_TIMESTAMP=str(NOW))
    assert_processed(result, REF_ID)
    assert ledger.effect_count(REF_ID) == 1


# --- D. The timestamp -------------------------------------------------------------------


def test_B25_milliseconds_timestamp_is_401_and_seconds_are_200(
    client: falcon.testing.TestClient, ledger: EffectLedger
) -> None:
    body = (
        b'{"id":"evt_b25","type":"charge.captured","data":{"orderId":"rimo_ord_25",'
        b'"amount":14999,"currency":"usd"},"timestamp":"2026-01-01T00:00:00Z"}'
    )
    digest = "12b267e33d492e92da7219a9a7592284cf2e2f713117a84b34d2a4c9032471f0"
    assert len(body) == 141
    assert sig("1767225600000", body) == digest
    millis = deliver(client, body, X_Rimo_Timestamp="1767225600000", X_Rimo_Signature=digest)
    assert_rejected(millis, 401, "timestamp_out_of_tolerance")
    assert_processed(deliver(client, REF), REF_ID)
    assert [event.id for event in ledger.applied()] == [REF_ID]


@pytest.mark.parametrize(
    ("offset", "status"),
    [(600, 401), (120, 200), (-120, 200), (31_536_000, 401)],
    ids=["plus-600", "plus-120", "minus-120", "plus-a-year"],
)
def test_B26_window_is_two_sided(offset: int, status: int) -> None:
    ledger = EffectLedger()
    result = deliver(make_client(processor=ledger), REF, ts=NOW + offset)
    assert result.status_code == status
    if status == 200:
        assert result.json["status"] == "processed"
        assert ledger.effect_count(REF_ID) == 1
    else:
        assert result.json["code"] == "timestamp_out_of_tolerance"
        assert ledger.applied() == []


def test_B29_timestamp_is_bound_to_the_signature(
    client: falcon.testing.TestClient, ledger: EffectLedger, store: MemoryDedupStore
) -> None:
    old_sig = "1e00ba71948f050088bb8773b02dc9cac1095584dce1176a587e5873ed24f31d"
    assert sig(NOW - 3600, REF) == old_sig
    rewritten = deliver(client, REF, X_Rimo_Timestamp=str(NOW), X_Rimo_Signature=old_sig)
    assert_rejected(rewritten, 401, "signature_mismatch")
    removed = deliver(client, REF, X_Rimo_Timestamp=None, X_Rimo_Signature=old_sig)
    assert_rejected(removed, 401, "missing_timestamp")
    as_sent = deliver(client, REF, X_Rimo_Timestamp=str(NOW - 3600), X_Rimo_Signature=old_sig)
    assert_rejected(as_sent, 401, "timestamp_out_of_tolerance")
    # The same number spelled differently is not what was signed.
    padded = deliver(client, REF, X_Rimo_Timestamp="0" + str(NOW))
    assert_rejected(padded, 401, "signature_mismatch")
    assert_nothing_happened(ledger, store)


def test_B30_clock_skew_and_wrong_secret_are_distinguishable_and_logged_safely(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="receiver")
    skewed = make_client(clock=FrozenClock(NOW + 600))
    skew = deliver(skewed, REF, X_Rimo_Signature=REF_SIG)
    assert_rejected(skew, 401, "timestamp_out_of_tolerance")

    wrong_secret = deliver(make_client(), REF, secret="rimo_not_the_secret")
    assert_rejected(wrong_secret, 401, "signature_mismatch")

    records = [r for r in caplog.records if r.name.startswith("receiver")]
    logged_codes = [getattr(r, "code", None) for r in records if r.levelno == logging.WARNING]
    assert logged_codes == ["timestamp_out_of_tolerance", "signature_mismatch"]
    assert all(r.levelno < logging.ERROR for r in records)
    for text in [skew.text, wrong_secret.text, *(repr(r.__dict__) for r in records)]:
        assert SECRET not in text
        assert REF_SIG not in text.lower()


def test_B31_replays_of_a_processed_id_are_duplicates_for_hours(
    client: falcon.testing.TestClient, ledger: EffectLedger, clock: FrozenClock
) -> None:
    first_headers = default_headers(REF)
    assert_processed(deliver(client, REF), REF_ID)

    # (a) the very same bytes and headers, 60 s later: still fresh, so dedup answers.
    clock.advance(60)
    replay = deliver(client, REF, **{k.replace("-", "_"): v for k, v in first_headers.items()})
    assert replay.status_code == 200
    assert replay.json["status"] == "duplicate"

    # (b) re-signed with a fresh timestamp 6 h later: freshness passes, dedup still holds.
    clock.advance(6 * 3600 - 60)
    stale = deliver(client, REF, ts=NOW)
    assert_rejected(stale, 401, "timestamp_out_of_tolerance")
    resigned = deliver(client, REF, ts=NOW + 6 * 3600)
    assert resigned.status_code == 200
    assert resigned.json["status"] == "duplicate"
    assert ledger.effect_count(REF_ID) == 1


class SlowLedger(EffectLedger):
    """An effect that takes ~200 ms, so concurrent duplicates overlap with it."""

    def process(self, event: Event) -> None:
        time.sleep(0.2)
        super().process(event)


def test_B32_concurrent_duplicates_have_exactly_one_effect() -> None:
    ledger = SlowLedger()
    client = make_client(processor=ledger)
    body = REF.replace(b"evt_ref001", b"evt_b32")
    headers = default_headers(body)
    start = threading.Barrier(20)
    results: list[falcon.testing.Result] = []
    lock = threading.Lock()

    def post() -> None:
        start.wait()
        result = client.simulate_post("/webhooks/rimo", body=body, headers=headers)
        with lock:
            results.append(result)

    threads = [threading.Thread(target=post) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)

    assert len(results) == 20
    outcomes: list[Any] = [
        r.json["status"] if r.status_code == 200 else (r.status_code, r.json["code"])
        for r in results
    ]
    assert outcomes.count("processed") == 1
    others = [o for o in outcomes if o != "processed"]
    assert set(others) <= {(409, "delivery_in_progress"), "duplicate"}
    assert ledger.effect_count("evt_b32") == 1
    assert deliver(client, body).json["status"] == "duplicate"


# --- F. Event semantics -----------------------------------------------------------------

B36 = (
    b'{"id":"evt_b36","type":"charge.refunded","data":{"orderId":"rimo_ord_36"},'
    b'"timestamp":"2026-01-01T00:00:00Z"}'
)


@pytest.mark.parametrize(
    "body",
    [B36, B36.replace(b"charge.refunded", b"Order.Shipped")],
    ids=["charge-refunded", "Order-Shipped-not-case-folded"],
)
def test_B36_unknown_event_types_are_acknowledged_and_ignored(
    client: falcon.testing.TestClient, ledger: EffectLedger, store: MemoryDedupStore, body: bytes
) -> None:
    result = deliver(client, body)
    assert result.status_code == 200
    assert result.json["status"] == "ignored"
    assert result.json["type"] == json.loads(body)["type"]
    assert_nothing_happened(ledger, store)


@pytest.mark.parametrize(
    "body",
    [
        B36.replace(b'"type":"charge.refunded"', b'"type":""'),
        B36.replace(b'"type":"charge.refunded",', b""),
    ],
    ids=["empty-type", "missing-type"],
)
def test_B36_empty_or_missing_type_is_an_invalid_envelope(
    client: falcon.testing.TestClient, ledger: EffectLedger, store: MemoryDedupStore, body: bytes
) -> None:
    result = deliver(client, body)
    assert_rejected(result, 422, "invalid_event")
    assert [v["pointer"] for v in result.json["violations"]] == ["/type"]
    assert_nothing_happened(ledger, store)
