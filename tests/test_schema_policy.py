"""The compatibility policy of schemas/README.md, both sides of it.

Strict: the published schemas refuse properties they do not describe, so the contract
suite and integrators catch drift and typos. Tolerant: the receiver, by default, accepts
such properties, since Rimo may add fields in a backwards-compatible release.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import falcon.testing
import pytest
from receiver_helpers import NOW, SECRET, compact, default_headers

from receiver.app import create_app
from receiver.processing import EffectLedger
from receiver.settings import ConfigurationError, Settings
from receiver.store import MemoryDedupStore
from schemas import SCHEMA_DIR, SCHEMA_VERSION, EventValidator, published_example

EXTRA_PROPERTIES: list[tuple[str, str]] = [
    ("treatment.created", "/data/priority"),
    ("charge.captured", "/data/capturedBy"),
    ("order.transmitted", "/data/medications/0/lotNumber"),
    ("order.shipped", "/apiVersion"),
]


def with_extra_property(event_type: str, pointer: str) -> dict[str, Any]:
    event = copy.deepcopy(published_example(event_type))
    *parents, name = pointer.strip("/").split("/")
    node: Any = event
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node[part]
    node[name] = "added-later"
    return event


@pytest.mark.parametrize(("event_type", "pointer"), EXTRA_PROPERTIES)
def test_strict_schemas_name_each_undescribed_property(event_type: str, pointer: str) -> None:
    """Strict validation reports an added property at its own JSON pointer."""
    violations = EventValidator(strict=True).violations(with_extra_property(event_type, pointer))
    assert [violation.pointer for violation in violations] == [pointer]


@pytest.mark.parametrize(("event_type", "pointer"), EXTRA_PROPERTIES)
def test_tolerant_validation_accepts_undescribed_properties(event_type: str, pointer: str) -> None:
    """Tolerant validation accepts the same event: an added field is not a breaking change."""
    assert EventValidator(strict=False).violations(with_extra_property(event_type, pointer)) == []


def test_tolerant_validation_still_enforces_every_other_rule() -> None:
    """Tolerance covers unknown properties only: a wrong type or a missing field still fails."""
    event = with_extra_property("charge.captured", "/data/capturedBy")
    event["data"]["amount"] = "14999"
    del event["data"]["currency"]
    pointers = [v.pointer for v in EventValidator(strict=False).violations(event)]
    assert pointers == ["/data/amount", "/data/currency"]


def _client(*, strict: bool) -> falcon.testing.TestClient:
    settings = Settings.for_secret(SECRET, strict_schemas=strict)
    app = create_app(
        settings, store=MemoryDedupStore(), clock=lambda: NOW, processor=EffectLedger()
    )
    return falcon.testing.TestClient(app)


def test_receiver_tolerates_added_fields_by_default() -> None:
    """The default receiver processes an event carrying a field the schema does not list."""
    body = compact(with_extra_property("charge.captured", "/data/capturedBy"))
    result = _client(strict=False).simulate_post(
        "/webhooks/rimo", body=body, headers=default_headers(body)
    )
    assert result.status_code == 200
    assert result.json["status"] == "processed"


def test_strict_receiver_refuses_added_fields_with_their_pointer() -> None:
    """RIMO_SCHEMA_MODE=strict turns the same delivery into a 422 naming the field."""
    body = compact(with_extra_property("charge.captured", "/data/capturedBy"))
    result = _client(strict=True).simulate_post(
        "/webhooks/rimo", body=body, headers=default_headers(body)
    )
    assert result.status_code == 422
    assert [v["pointer"] for v in result.json["violations"]] == ["/data/capturedBy"]


@pytest.mark.parametrize(
    ("value", "strict"), [("", False), ("tolerant", False), ("strict", True), ("STRICT", True)]
)
def test_schema_mode_is_read_from_the_environment(value: str, strict: bool) -> None:
    """RIMO_SCHEMA_MODE selects the mode; unset means tolerant."""
    settings = Settings.from_env({"RIMO_WEBHOOK_SECRET": SECRET, "RIMO_SCHEMA_MODE": value})
    assert settings.strict_schemas is strict


def test_unknown_schema_mode_is_refused() -> None:
    """A typo in RIMO_SCHEMA_MODE stops start-up with the allowed values listed."""
    with pytest.raises(ConfigurationError, match="tolerant, strict"):
        Settings.from_env({"RIMO_WEBHOOK_SECRET": SECRET, "RIMO_SCHEMA_MODE": "lenient"})


def test_schema_version_is_semantic_and_documented() -> None:
    """The schema set carries a MAJOR.MINOR.PATCH version, stated in schemas/README.md."""
    readme = (SCHEMA_DIR / "README.md").read_text(encoding="utf-8")
    assert re.fullmatch(r"\d+\.\d+\.\d+", SCHEMA_VERSION)
    assert f"`{SCHEMA_VERSION}`" in readme


def test_every_object_in_the_schemas_closes_its_properties() -> None:
    """Strictness is uniform: every object schema that lists properties sets
    additionalProperties to false, so no event part silently accepts anything."""
    open_objects: list[str] = []

    def walk(node: Any, where: str) -> None:
        if isinstance(node, dict):
            # An event schema's root only narrows the envelope, and the envelope closes it.
            is_event_root = where.endswith("#") and "allOf" in node
            closed = node.get("additionalProperties") is False
            if "properties" in node and not closed and not is_event_root:
                open_objects.append(where)
            for key, value in node.items():
                walk(value, f"{where}/{key}")
        elif isinstance(node, list):
            for index, value in enumerate(node):
                walk(value, f"{where}/{index}")

    for path in sorted(SCHEMA_DIR.glob("*.json")) + sorted(SCHEMA_DIR.glob("common/*.json")):
        document = json.loads(path.read_text(encoding="utf-8"))
        document.pop("examples", None)
        walk(document, f"{path.relative_to(SCHEMA_DIR)}#")
    assert open_objects == []


def test_receiver_default_is_documented_as_tolerant() -> None:
    """The README and the schema policy agree on the receiver's default."""
    root_readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    assert "RIMO_SCHEMA_MODE" in root_readme
    assert "tolerant" in root_readme
