"""Write tests/vectors/hmac_sha256.json: HMAC-SHA256 known answers computed by openssl.

The vectors pin both the receiver's verifier and the mock sender's signer to a tool that
shares no code with either, so this script imports neither ``receiver`` nor ``mock_rimo``
and computes no HMAC itself: every signature comes from ``openssl dgst -sha256 -hmac``,
fed ``f"{timestamp}.".encode() + body`` on stdin.

The bodies of the field cases (``field-cases.md``) are rebuilt byte for byte; their byte
counts and the digests stated in that document are checked here, and the script fails
loudly when openssl disagrees with one. Pass ``--field-cases PATH`` to also check that the
values transcribed below still appear in the document's section for each case.

    .venv/bin/python scripts/make_hmac_vectors.py --field-cases ../shared/cases/field-cases.md
    .venv/bin/python scripts/make_hmac_vectors.py --check   # exit 1 if the file is stale
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = REPO_ROOT / "tests" / "vectors" / "hmac_sha256.json"

OPENSSL_COMMAND_TEMPLATE = "openssl dgst -sha256 -hmac <secret>"
SIGNED_PAYLOAD_TEMPLATE = "stdin: <timestamp> + '.' + <body bytes>"
_OPENSSL_OUTPUT = re.compile(r"=\s*([0-9a-f]{64})\s*\Z")

# Conventions of field-cases.md.
SECRET = "rimo_test_secret"  # noqa: S105 - the published test secret, not a credential
NOW = "1767225600"  # 2026-01-01T00:00:00Z
REF_DIGEST = "e8213f2f0c1c46ce842448655a613dc53fb9bf8f18cf0ba887a6440319f7b7d8"


class VectorError(Exception):
    """A vector disagrees with a published fact; the file must not be written."""


@dataclass(frozen=True)
class Case:
    name: str
    body: bytes
    timestamp: str = NOW
    secret: str = SECRET
    # Facts stated in field-cases.md, checked against what is built and what openssl says.
    field_case: str | None = None  # section id ("REF" for the conventions section)
    stated_length: int | None = None
    stated_digest: str | None = None
    # B01's re-serialised digest is only given abbreviated ("965aa518...5f49a48").
    stated_digest_prefix: str | None = None
    stated_digest_suffix: str | None = None
    # What a secret case is about: its length in UTF-8 bytes.
    secret_length: int | None = None


def _treatment_created(event_id: str, treatment: str, customer: str, offering: bytes) -> bytes:
    """A compact body of REF's shape; ``offering`` is spliced in as raw bytes."""
    return (
        b'{"id":"' + event_id.encode() + b'","type":"treatment.created","data":'
        b'{"treatmentId":"' + treatment.encode() + b'","customerId":"' + customer.encode() + b'",'
        b'"offeringName":"' + offering + b'","status":"pending"},'
        b'"timestamp":"2026-01-01T00:00:00Z"}'
    )


def _compact(event: dict[str, Any]) -> bytes:
    return json.dumps(event, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _unix_seconds(iso: str) -> str:
    return str(int(datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()))


# The five examples of the published integration page (spec/rimo-webhooks.md), field for field.
PUBLISHED_EXAMPLES: list[dict[str, Any]] = [
    {
        "id": "evt_abc123",
        "type": "treatment.created",
        "data": {
            "treatmentId": "rimo_treat_456",
            "customerId": "prof_abc123",
            "offeringName": "TRT Protocol",
            "status": "pending",
        },
        "timestamp": "2024-06-15T12:00:00Z",
    },
    {
        "id": "evt_def456",
        "type": "treatment.approved",
        "data": {
            "treatmentId": "rimo_treat_456",
            "customerId": "prof_abc123",
            "clinicianId": "dr_smith",
            "clinicianName": "Dr. Smith",
            "approvedAt": "2024-06-15T14:00:00Z",
        },
        "timestamp": "2024-06-15T14:00:00Z",
    },
    {
        "id": "evt_ghi789",
        "type": "order.transmitted",
        "data": {
            "orderId": "rimo_ord_789",
            "treatmentId": "rimo_treat_456",
            "customerId": "prof_abc123",
            "medications": [
                {"name": "Testosterone Cypionate", "dosage": "200mg/mL", "quantity": 1}
            ],
        },
        "timestamp": "2024-06-16T09:00:00Z",
    },
    {
        "id": "evt_jkl012",
        "type": "order.shipped",
        "data": {
            "orderId": "rimo_ord_789",
            "trackingNumber": "1Z999AA10123456784",
            "carrier": "UPS",
            "estimatedDelivery": "2024-06-19",
        },
        "timestamp": "2024-06-17T10:00:00Z",
    },
    {
        "id": "evt_mno345",
        "type": "charge.captured",
        "data": {"orderId": "rimo_ord_789", "amount": 14999, "currency": "usd"},
        "timestamp": "2024-06-15T14:30:00Z",
    },
]

REF_BODY = _treatment_created("evt_ref001", "rimo_treat_1", "prof_t1", b"TRT Protocol")
B01_BODY = (
    b'{"type":"charge.captured","id":"evt_b01","data":{"orderId":"rimo_ord_1","amount":14999,'
    b'"currency":"usd"},"timestamp":"2026-01-01T00:00:00Z"}'
)
B05_LF_BODY = (
    b'{\n  "id": "evt_b05",\n  "type": "charge.captured",\n'
    b'  "data": {"orderId": "rimo_ord_5", "amount": 14999, "currency": "usd"},\n'
    b'  "timestamp": "2026-01-01T00:00:00Z"\n}'
)
LONG_SECRET = ("rimo_long_secret_" + "0123456789" * 9)[:100]  # past one SHA-256 block: hashed
BLOCK_SECRET = "rimo_block_secret_" + "x" * 46  # exactly one 64-byte block: used as is


def build_cases() -> list[Case]:
    cases = [
        Case("REF", REF_BODY, field_case="REF", stated_length=191, stated_digest=REF_DIGEST),
        Case(
            "B01_type_before_id",
            B01_BODY,
            field_case="B01",
            stated_length=140,
            stated_digest="88aed6315b4ac94e356d29264dd9427fa30403456f773927563243e7ede4d63f",
        ),
        Case(
            "B01_redumped_by_json_dumps",
            json.dumps(json.loads(B01_BODY)).encode("ascii"),
            field_case="B01",
            stated_digest_prefix="965aa518",
            stated_digest_suffix="5f49a48",
        ),
        Case(
            "B02a_unicode_escape",
            _treatment_created("evt_b02a", "rimo_treat_2", "prof_t2", b"Th\\u00e9rapie"),
            field_case="B02",
            stated_length=190,
            stated_digest="a35d259809c37051aba0984ca38ba8385213fec63a57ada5a04e52a8b154fa94",
        ),
        Case(
            "B02b_literal_utf8",
            _treatment_created("evt_b02b", "rimo_treat_2", "prof_t2", "Thérapie".encode()),
            field_case="B02",
            stated_length=186,
            stated_digest="297ea59d77eb2400323215199001226d8aa0dbac1b59115ff22bf5eef0cd7e60",
        ),
        Case(
            "B03_emoji_and_cedilla",
            _treatment_created("evt_b03", "rimo_treat_3", "prof_t3", "TRT 😊 ç".encode()),
            field_case="B03",
            stated_length=187,
            stated_digest="00fe579708a98fecc87ebec68568974baae8df26d046069fd9b13ea9a22b6789",
        ),
        Case(
            "B04_escaped_forward_slash",
            b'{"id":"evt_b04","type":"order.shipped","data":{"orderId":"rimo_ord_4",'
            b'"trackingNumber":"1Z999AA10123456784","carrier":"UPS\\/Ground",'
            b'"estimatedDelivery":"2026-01-04"},"timestamp":"2026-01-01T00:00:00Z"}',
            field_case="B04",
            stated_length=201,
            stated_digest="a51afc2711f0bf2ff28a8415e725ebf24d2c46cb08aa163fe426986ebf675df5",
        ),
        Case(
            "B05a_pretty_printed_lf",
            B05_LF_BODY,
            field_case="B05",
            stated_length=162,
            stated_digest="681e337cfb2546f80714ff415a0f08848f767ff0500536934277a52bcc56b6ba",
        ),
        Case(
            "B05c_pretty_printed_crlf",
            B05_LF_BODY.replace(b"\n", b"\r\n"),
            field_case="B05",
            stated_length=167,  # not stated: 162 bytes and five newlines, one byte more each
            stated_digest="a1f27eb84fa5fd22b5f2d0bd53aa66313558f09331e6d2fe626b6da4b79dc1c5",
        ),
        Case(
            "B08_invalid_utf8_ff_fe",
            _treatment_created("evt_b08", "rimo_treat_8", "prof_t8", b"\xff\xfe"),
            field_case="B08",
            stated_length=178,
            stated_digest="0fb4de959b5446788cc283fef81e90b94bac23029b43ccddeffa53c34f59e575",
        ),
        Case(
            "B12_empty_body",
            b"",
            field_case="B12",
            stated_length=0,
            stated_digest="f3535624107c9913905e98063beb530ffcbc0a27f5d3cc4703ea7938241520b3",
        ),
        Case(
            "B25_millisecond_timestamp",
            b'{"id":"evt_b25","type":"charge.captured","data":{"orderId":"rimo_ord_25",'
            b'"amount":14999,"currency":"usd"},"timestamp":"2026-01-01T00:00:00Z"}',
            timestamp=NOW + "000",
            field_case="B25",
            stated_length=141,
            stated_digest="12b267e33d492e92da7219a9a7592284cf2e2f713117a84b34d2a4c9032471f0",
        ),
        Case(
            "B29_ref_signed_an_hour_earlier",
            REF_BODY,
            timestamp=str(int(NOW) - 3600),
            field_case="B29",
            stated_digest="1e00ba71948f050088bb8773b02dc9cac1095584dce1176a587e5873ed24f31d",
        ),
    ]
    cases += [
        # Signed at the Unix time of the event's own timestamp, as the spec reads literally.
        Case(
            f"example_{event['type'].replace('.', '_')}",
            _compact(event),
            _unix_seconds(event["timestamp"]),
        )
        for event in PUBLISHED_EXAMPLES
    ]
    cases += [
        Case(
            "non_ascii_text_body",
            _treatment_created(
                "evt_kat_unicode", "rimo_treat_k1", "prof_k1", "Thérapie 😊 治疗 Ωmega".encode()
            ),
        ),
        Case("trailing_newline", REF_BODY + b"\n"),
        Case("secret_non_ascii_utf8", REF_BODY, secret="rimo_tëst_sécret_🔑_秘密"),  # noqa: S106
        Case("secret_100_bytes", REF_BODY, secret=LONG_SECRET, secret_length=100),
        Case("secret_64_bytes_one_block", REF_BODY, secret=BLOCK_SECRET, secret_length=64),
        # The header string is what is signed, not a re-formatted number: with a leading
        # zero the digest differs from REF's although both name the same second.
        Case("timestamp_leading_zero", REF_BODY, timestamp="0" + NOW),
    ]
    return cases


def openssl_hmac_sha256(secret: str, timestamp: str, body: bytes) -> str:
    """Lower-case hex HMAC-SHA256 as computed by ``openssl dgst -sha256 -hmac <secret>``."""
    openssl = shutil.which("openssl")
    if openssl is None:
        raise VectorError("openssl is not on PATH; it is the independent tool these pin to")
    # argv as bytes so a non-ASCII secret reaches openssl as its UTF-8 bytes whatever the locale.
    argv = [openssl.encode(), b"dgst", b"-sha256", b"-hmac", secret.encode("utf-8")]
    result = subprocess.run(
        argv, input=f"{timestamp}.".encode("ascii") + body, capture_output=True, check=True
    )
    output = result.stdout.decode("ascii").strip()
    match = _OPENSSL_OUTPUT.search(output)
    if match is None:
        raise VectorError(f"cannot read a SHA-256 hex digest from openssl's output {output!r}")
    return match.group(1)


def _check(case: Case, digest: str) -> None:
    if case.secret_length is not None and len(case.secret.encode()) != case.secret_length:
        raise VectorError(f"{case.name}: the secret is not {case.secret_length} bytes")
    if case.stated_length is not None and len(case.body) != case.stated_length:
        raise VectorError(
            f"{case.name}: body is {len(case.body)} bytes, field-cases.md says "
            f"{case.stated_length}; the body is not rebuilt byte for byte"
        )
    if case.stated_digest is not None and digest != case.stated_digest:
        raise VectorError(
            f"{case.name}: openssl gives {digest}, field-cases.md states {case.stated_digest}"
        )
    if case.stated_digest_prefix is not None and not digest.startswith(case.stated_digest_prefix):
        raise VectorError(f"{case.name}: openssl gives {digest}, not {case.stated_digest_prefix}…")
    if case.stated_digest_suffix is not None and not digest.endswith(case.stated_digest_suffix):
        raise VectorError(f"{case.name}: openssl gives {digest}, not …{case.stated_digest_suffix}")


def _sections(document: str) -> dict[str, str]:
    """Text of each ``### Bnn`` section; the conventions before the first one under "REF"."""
    parts = re.split(r"^### (B\d+)\b.*$", document, flags=re.MULTILINE)
    sections = {"REF": parts[0]}
    sections.update(zip(parts[1::2], parts[2::2], strict=True))
    return sections


def check_transcription(cases: list[Case], document: str) -> None:
    """Every digest and byte count transcribed above appears in its case's section."""
    sections = _sections(document)
    for case in cases:
        if case.field_case is None:
            continue
        text = sections.get(case.field_case)
        if text is None:
            raise VectorError(f"{case.name}: no section {case.field_case} in field-cases.md")
        expected_texts = []
        if case.stated_digest is not None:
            expected_texts.append(case.stated_digest)
        if case.stated_digest_prefix is not None:
            expected_texts.append(f"{case.stated_digest_prefix}...{case.stated_digest_suffix}")
        if case.stated_length and case.name != "B05c_pretty_printed_crlf":
            expected_texts.append(f"{case.stated_length} bytes")
        for expected in expected_texts:
            if expected not in " ".join(text.split()):
                raise VectorError(
                    f"{case.name}: {expected!r} is not in section {case.field_case} of "
                    "field-cases.md; the transcription here is stale"
                )


def _vector(case: Case, digest: str) -> dict[str, str]:
    vector = {"name": case.name, "secret": case.secret, "timestamp": case.timestamp}
    try:
        vector["body_utf8"] = case.body.decode("utf-8")
    except UnicodeDecodeError:
        vector["body_hex"] = case.body.hex()
    vector["signature"] = digest
    return vector


def render(cases: list[Case]) -> str:
    vectors = []
    for case in cases:
        digest = openssl_hmac_sha256(case.secret, case.timestamp, case.body)
        _check(case, digest)
        vectors.append(_vector(case, digest))
    names = [vector["name"] for vector in vectors]
    if len(set(names)) != len(names):
        raise VectorError("case names must be unique")
    document = {
        "generated_by": OPENSSL_COMMAND_TEMPLATE,
        "signed_payload": SIGNED_PAYLOAD_TEMPLATE,
        "cases": vectors,
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument(
        "--field-cases",
        type=Path,
        help="field-cases.md, to check the digests and byte counts transcribed here",
    )
    parser.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 if the file differs"
    )
    args = parser.parse_args(argv)
    cases = build_cases()
    try:
        if args.field_cases is not None:
            check_transcription(cases, args.field_cases.read_text(encoding="utf-8"))
        text = render(cases)
    except (VectorError, subprocess.CalledProcessError) as error:
        print(f"make_hmac_vectors: {error}", file=sys.stderr)
        return 1
    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.exists() else None
        if current != text:
            print(f"{args.output} is stale; run scripts/make_hmac_vectors.py", file=sys.stderr)
            return 1
        print(f"{args.output}: up to date ({len(cases)} cases)")
        return 0
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8", newline="\n")
    print(f"wrote {args.output} ({len(cases)} cases)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
