"""schemas/openapi.yaml: a valid OpenAPI 3.1 description that references the schema files
(never copies them) and states the same status contract the receiver implements."""

from __future__ import annotations

import re
from typing import Any

import falcon
import pytest
import yaml
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

from mock_rimo.signing import signature
from receiver.app import STATUS_BY_ERROR
from receiver.verification import Failure
from schemas import (
    EVENT_TYPES,
    SCHEMA_DIR,
    SCHEMA_VERSION,
    load_schema,
    published_example,
    registry,
)

DOCUMENT_PATH = SCHEMA_DIR / "openapi.yaml"
DOCUMENT: dict[str, Any] = yaml.safe_load(DOCUMENT_PATH.read_text(encoding="utf-8"))


def external_refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = (
            [node["$ref"]]
            if isinstance(node.get("$ref"), str) and not node["$ref"].startswith("#")
            else []
        )
        return found + [ref for value in node.values() for ref in external_refs(value)]
    if isinstance(node, list):
        return [ref for value in node for ref in external_refs(value)]
    return []


def request_schema(operation: dict[str, Any]) -> dict[str, Any]:
    schema: dict[str, Any] = operation["requestBody"]["content"]["application/json"]["schema"]
    return schema


def test_document_is_valid_openapi_3_1() -> None:
    """openapi-spec-validator accepts the document."""
    validate(DOCUMENT, base_uri=DOCUMENT_PATH.resolve().as_uri())
    assert DOCUMENT["openapi"].startswith("3.1")


def test_there_is_one_webhook_per_event_type_referencing_its_schema_file() -> None:
    """Each event type is a webhook whose body is a $ref to that type's schema file."""
    assert list(DOCUMENT["webhooks"]) == list(EVENT_TYPES)
    for event_type, item in DOCUMENT["webhooks"].items():
        assert request_schema(item["post"]) == {"$ref": f"./{event_type}.json"}


def test_every_external_ref_names_an_existing_schema_file() -> None:
    """Every file $ref resolves to a schema file beside the document."""
    refs = external_refs(DOCUMENT)
    assert sorted(set(refs)) == sorted({f"./{t}.json" for t in EVENT_TYPES} | {"./envelope.json"})
    for ref in refs:
        path = (DOCUMENT_PATH.parent / ref).resolve()
        assert path.is_file(), ref
        assert load_schema(path.stem)["$schema"].endswith("/draft/2020-12/schema")


def test_document_copies_no_payload_field() -> None:
    """No field of any event is restated in the document: the schemas are referenced only."""
    text = DOCUMENT_PATH.read_text(encoding="utf-8")
    for field in ("treatmentId", "customerId", "orderId", "trackingNumber", "medications"):
        assert field not in text


@pytest.mark.parametrize("event_type", EVENT_TYPES)
def test_referenced_schema_validates_the_published_example(event_type: str) -> None:
    """Following the document's $ref with the schema registry validates the example."""
    schema = request_schema(DOCUMENT["webhooks"][event_type]["post"])
    validator = Draft202012Validator(
        {"$ref": schema["$ref"].removeprefix("./")},
        registry=registry(),
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )
    assert list(validator.iter_errors(published_example(event_type))) == []
    broken = published_example(event_type)
    del broken["data"]
    assert not validator.is_valid(broken)


def test_version_is_the_schema_set_version() -> None:
    """info.version is the schema set's version."""
    assert DOCUMENT["info"]["version"] == SCHEMA_VERSION


def test_documented_statuses_are_the_receivers() -> None:
    """The responses listed are exactly the statuses the receiver can answer."""
    documented = {
        int(code)
        for code in DOCUMENT["components"]["pathItems"]["AnyDelivery"]["post"]["responses"]
    }
    implemented = {int(status.split()[0]) for status in STATUS_BY_ERROR.values()}
    implemented |= {int(falcon.HTTP_200.split()[0]), int(falcon.HTTP_401.split()[0])}
    assert documented == implemented


def test_every_error_code_is_documented() -> None:
    """Each stable error code the receiver returns appears in the response descriptions."""
    descriptions = " ".join(
        response["description"] for response in DOCUMENT["components"]["responses"].values()
    )
    codes = {failure.value for failure in Failure}
    codes |= {error.code for error in STATUS_BY_ERROR}
    assert {code for code in codes if code not in descriptions} == set()


def test_header_patterns_match_what_the_sender_emits() -> None:
    """The documented header patterns accept the mock's headers and refuse prefixed forms."""
    parameters = DOCUMENT["components"]["parameters"]
    signature_pattern = re.compile(parameters["Signature"]["schema"]["pattern"])
    timestamp_pattern = re.compile(parameters["Timestamp"]["schema"]["pattern"])
    digest = signature("s", 1767225600, b"{}")
    assert signature_pattern.search(digest)
    assert signature_pattern.search(digest.upper())
    assert not signature_pattern.search("sha256=" + digest)
    assert timestamp_pattern.search("1767225600")
    assert not timestamp_pattern.search("1767225600.5")


def test_readme_lists_the_document() -> None:
    """The schemas README points integrators at the OpenAPI document."""
    assert "openapi.yaml" in (SCHEMA_DIR / "README.md").read_text(encoding="utf-8")
