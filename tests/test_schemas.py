"""The published JSON Schemas: well-formed, faithful to the spec's examples, and strict."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from schemas import (
    ENVELOPE,
    EVENT_TYPES,
    SCHEMA_DIR,
    EventValidator,
    Violation,
    load_schema,
    published_example,
    registry,
)

SCHEMA_FILES = sorted(SCHEMA_DIR.glob("*.json")) + sorted(SCHEMA_DIR.glob("common/*.json"))

# The published examples, restated from spec/rimo-webhooks.md (not read from the schemas).
SPEC_EXAMPLES: dict[str, dict[str, Any]] = {
    "treatment.created": {
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
    "treatment.approved": {
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
    "order.transmitted": {
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
    "order.shipped": {
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
    "charge.captured": {
        "id": "evt_mno345",
        "type": "charge.captured",
        "data": {"orderId": "rimo_ord_789", "amount": 14999, "currency": "usd"},
        "timestamp": "2024-06-15T14:30:00Z",
    },
}

REQUIRED_DATA_FIELDS = [
    (event_type, field) for event_type in EVENT_TYPES for field in SPEC_EXAMPLES[event_type]["data"]
]
ENVELOPE_FIELDS = ["id", "type", "data", "timestamp"]


@pytest.fixture(scope="module")
def validator() -> EventValidator:
    return EventValidator()


def pointers(violations: list[Violation]) -> list[str]:
    return [violation.pointer for violation in violations]


def with_data(event_type: str, **changes: Any) -> dict[str, Any]:
    payload = copy.deepcopy(SPEC_EXAMPLES[event_type])
    payload["data"].update(changes)
    return payload


# --- the schema files themselves -----------------------------------------------------


def test_there_is_one_schema_per_event_type_plus_envelope_and_definitions() -> None:
    names = {path.relative_to(SCHEMA_DIR).as_posix() for path in SCHEMA_FILES}
    expected = {f"{t}.json" for t in EVENT_TYPES} | {"envelope.json", "common/definitions.json"}
    assert names == expected


@pytest.mark.parametrize("path", SCHEMA_FILES, ids=lambda path: path.name)
def test_schema_file_is_a_valid_draft_2020_12_schema(path: Path) -> None:
    document = json.loads(path.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(document)
    assert document["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    # No $id: a file is identified by its path, so relative $refs resolve from disk in
    # any tool (schemas/README.md).
    assert "$id" not in document
    assert document["title"]
    assert document["description"]


def test_every_schema_file_is_registered_under_its_path_for_offline_refs() -> None:
    for path in SCHEMA_FILES:
        key = path.relative_to(SCHEMA_DIR).as_posix()
        assert registry().contents(key) == json.loads(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("event_type", EVENT_TYPES)
def test_event_schema_pins_its_type(event_type: str) -> None:
    schema = load_schema(event_type)
    assert schema["properties"]["type"]["const"] == event_type


# --- examples ---------------------------------------------------------------------------


@pytest.mark.parametrize("event_type", EVENT_TYPES)
def test_published_example_is_the_spec_example(event_type: str) -> None:
    assert published_example(event_type) == SPEC_EXAMPLES[event_type]


@pytest.mark.parametrize("event_type", EVENT_TYPES)
def test_published_example_validates_against_its_own_schema(
    event_type: str, validator: EventValidator
) -> None:
    example = published_example(event_type)
    assert validator.violations(example) == []
    assert validator.envelope_violations(example) == []
    # And with a plain validator built from the file, as an integrator would.
    plain = Draft202012Validator(
        load_schema(event_type),
        registry=registry(),
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )
    assert list(plain.iter_errors(example)) == []


@pytest.mark.parametrize("event_type", EVENT_TYPES)
def test_an_example_does_not_validate_against_another_types_schema(
    event_type: str, validator: EventValidator
) -> None:
    other = EVENT_TYPES[(EVENT_TYPES.index(event_type) + 1) % len(EVENT_TYPES)]
    relabelled = copy.deepcopy(SPEC_EXAMPLES[event_type])
    relabelled["type"] = other
    assert validator.violations(relabelled) != []


def test_envelope_example_validates(validator: EventValidator) -> None:
    for example in load_schema(ENVELOPE)["examples"]:
        assert validator.envelope_violations(example) == []


# --- required fields --------------------------------------------------------------------


@pytest.mark.parametrize(("event_type", "field"), REQUIRED_DATA_FIELDS)
def test_missing_required_data_field_is_reported_at_its_pointer(
    event_type: str, field: str, validator: EventValidator
) -> None:
    payload = copy.deepcopy(SPEC_EXAMPLES[event_type])
    del payload["data"][field]
    assert pointers(validator.violations(payload)) == [f"/data/{field}"]


@pytest.mark.parametrize("event_type", EVENT_TYPES)
def test_schema_requires_exactly_the_fields_of_the_spec_example(event_type: str) -> None:
    required = load_schema(event_type)["properties"]["data"]["required"]
    assert sorted(required) == sorted(SPEC_EXAMPLES[event_type]["data"])


@pytest.mark.parametrize("field", ENVELOPE_FIELDS)
@pytest.mark.parametrize("event_type", EVENT_TYPES)
def test_missing_envelope_field_is_reported_at_its_pointer(
    event_type: str, field: str, validator: EventValidator
) -> None:
    payload = copy.deepcopy(SPEC_EXAMPLES[event_type])
    del payload[field]
    assert f"/{field}" in pointers(validator.violations(payload))
    assert pointers(validator.envelope_violations(payload)) == [f"/{field}"]


def test_several_violations_are_all_reported_sorted(validator: EventValidator) -> None:
    payload = copy.deepcopy(SPEC_EXAMPLES["charge.captured"])
    del payload["data"]["orderId"]
    payload["data"]["amount"] = "14999"
    payload["data"]["currency"] = "USD"
    assert pointers(validator.violations(payload)) == [
        "/data/amount",
        "/data/currency",
        "/data/orderId",
    ]


# --- wrong types and values ------------------------------------------------------------


@pytest.mark.parametrize(
    ("event_type", "field", "value", "pointer"),
    [
        ("charge.captured", "amount", "14999", "/data/amount"),
        ("charge.captured", "amount", 149.99, "/data/amount"),
        ("charge.captured", "amount", True, "/data/amount"),
        ("charge.captured", "amount", -1, "/data/amount"),
        ("charge.captured", "amount", None, "/data/amount"),
        ("charge.captured", "currency", "USD", "/data/currency"),
        ("charge.captured", "currency", "usdt", "/data/currency"),
        ("charge.captured", "orderId", "", "/data/orderId"),
        ("charge.captured", "orderId", 789, "/data/orderId"),
        ("treatment.created", "customerId", ["prof_abc123"], "/data/customerId"),
        ("treatment.created", "offeringName", "", "/data/offeringName"),
        ("treatment.created", "treatmentId", "x" * 129, "/data/treatmentId"),
        ("treatment.approved", "clinicianName", {"name": "Dr. Smith"}, "/data/clinicianName"),
        ("order.transmitted", "medications", [], "/data/medications"),
        ("order.transmitted", "medications", "Testosterone", "/data/medications"),
        (
            "order.transmitted",
            "medications",
            [{"name": "T", "dosage": "1mg", "quantity": 0}],
            "/data/medications/0/quantity",
        ),
        (
            "order.transmitted",
            "medications",
            [{"name": "T", "dosage": "1mg", "quantity": "1"}],
            "/data/medications/0/quantity",
        ),
        ("order.shipped", "trackingNumber", 1234567890, "/data/trackingNumber"),
    ],
)
def test_wrong_type_or_value_is_reported_at_its_pointer(
    event_type: str, field: str, value: Any, pointer: str, validator: EventValidator
) -> None:
    assert pointers(validator.violations(with_data(event_type, **{field: value}))) == [pointer]


@pytest.mark.parametrize("bad", [None, 42, "", ["evt_1"]], ids=["null", "number", "empty", "list"])
def test_id_must_be_a_non_empty_string(bad: Any, validator: EventValidator) -> None:
    payload = copy.deepcopy(SPEC_EXAMPLES["treatment.created"])
    payload["id"] = bad
    assert pointers(validator.violations(payload)) == ["/id"]


def test_data_must_be_an_object(validator: EventValidator) -> None:
    payload = copy.deepcopy(SPEC_EXAMPLES["treatment.created"])
    payload["data"] = ["rimo_treat_456"]
    assert "/data" in pointers(validator.violations(payload))


# --- formats (format checking is on) ----------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "2024-06-15 14:00:00Z",
        "2024-06-15T14:00:00",
        "2024-13-01T00:00:00Z",
        "2024-06-15T24:00:00Z",
        "2024-06-15",
        "1718460000",
        "yesterday",
    ],
)
def test_bad_date_time_fails(value: str, validator: EventValidator) -> None:
    approved = with_data("treatment.approved", approvedAt=value)
    assert pointers(validator.violations(approved)) == ["/data/approvedAt"]
    envelope = copy.deepcopy(SPEC_EXAMPLES["charge.captured"])
    envelope["timestamp"] = value
    assert pointers(validator.violations(envelope)) == ["/timestamp"]


@pytest.mark.parametrize(
    "value", ["2024-06-15T14:00:00+02:00", "2024-06-15T14:00:00.123Z", "2024-06-15T14:00:00-05:00"]
)
def test_rfc3339_date_times_with_offsets_and_fractions_pass(
    value: str, validator: EventValidator
) -> None:
    assert validator.violations(with_data("treatment.approved", approvedAt=value)) == []


@pytest.mark.parametrize(
    "value", ["2024-06-19T00:00:00Z", "19/06/2024", "2024-02-30", "20240619", "2024-6-19", ""]
)
def test_bad_date_fails(value: str, validator: EventValidator) -> None:
    shipped = with_data("order.shipped", estimatedDelivery=value)
    assert pointers(validator.violations(shipped)) == ["/data/estimatedDelivery"]


# --- unknown types and the loader -------------------------------------------------------


def test_unknown_type_is_validated_against_the_envelope_only(validator: EventValidator) -> None:
    payload = {
        "id": "evt_future",
        "type": "charge.refunded",
        "data": {"amount": "not checked", "anything": [1, 2]},
        "timestamp": "2026-01-01T00:00:00Z",
    }
    assert validator.violations(payload) == []
    broken = {**payload, "timestamp": "soon"}
    del broken["id"]
    assert pointers(validator.violations(broken)) == ["/id", "/timestamp"]


@pytest.mark.parametrize(
    ("event_type", "known"),
    [
        *((event_type, True) for event_type in EVENT_TYPES),
        ("Order.Shipped", False),
        ("charge.refunded", False),
        ("", False),
        (None, False),
        (5, False),
    ],
)
def test_is_known_type(event_type: object, known: bool) -> None:
    assert EventValidator.is_known_type(event_type) is known


def test_violation_as_dict() -> None:
    assert Violation("/data/amount", "bad").as_dict() == {
        "pointer": "/data/amount",
        "message": "bad",
    }


def test_loader_refuses_unknown_names() -> None:
    with pytest.raises(KeyError):
        published_example("charge.refunded")
    with pytest.raises(KeyError):
        load_schema("no.such.type")


@pytest.mark.parametrize(
    ("event_type", "field", "too_big", "pointer"),
    [
        ("charge.captured", "amount", 10**14 + 1, "/data/amount"),
        ("order.transmitted", "quantity", 1001, "/data/medications/0/quantity"),
    ],
)
def test_amounts_and_quantities_are_bounded(
    event_type: str, field: str, too_big: int, pointer: str, validator: EventValidator
) -> None:
    """Money stays below 10^14 minor units and quantities below 1001, so totals are exact."""
    event = copy.deepcopy(published_example(event_type))
    target = event["data"] if field == "amount" else event["data"]["medications"][0]
    target[field] = too_big
    assert [v.pointer for v in validator.violations(event)] == [pointer]
    target[field] = too_big - 1
    assert validator.violations(event) == []
