"""The schema artifacts integrators touch: the generated field reference and third-party tools."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from schemas import EVENT_TYPES, SCHEMA_DIR, load_schema, published_example
from schemas.reference import REFERENCE_PATH, main, render


def test_field_reference_is_current() -> None:
    """schemas/FIELDS.md is what the generator produces from today's schemas."""
    assert main(["--check"]) == 0
    assert REFERENCE_PATH.read_text(encoding="utf-8") == render()


def test_stale_field_reference_is_detected(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """--check fails, naming the file, when the reference differs from the schemas."""
    stale = tmp_path / "FIELDS.md"
    stale.write_text(render().replace("yes", "no", 1), encoding="utf-8")
    monkeypatch.setattr("schemas.reference.REFERENCE_PATH", stale)
    assert main(["--check"]) == 1
    assert "out of date" in capsys.readouterr().out


@pytest.mark.parametrize("event_type", EVENT_TYPES)
def test_field_reference_lists_every_data_field_with_its_requiredness(event_type: str) -> None:
    """Every property of a type's data appears in its section, marked required or not."""
    section = render().split(f"## {event_type}\n", 1)[1].split("\n## ", 1)[0]
    data = load_schema(event_type)["properties"]["data"]
    for name in data["properties"]:
        required = "yes" if name in data["required"] else "no"
        assert f"| `data.{name}` |" in section
        row = next(line for line in section.splitlines() if f"`data.{name}`" in line)
        assert row.split(" | ")[2] == required


def _check_jsonschema() -> str:
    found = shutil.which("check-jsonschema") or str(
        Path(__file__).resolve().parent.parent / ".venv" / "bin" / "check-jsonschema"
    )
    if not Path(found).exists():
        pytest.skip("check-jsonschema is not installed")
    return found


@pytest.mark.parametrize("event_type", EVENT_TYPES)
def test_check_jsonschema_validates_each_published_example(event_type: str, tmp_path: Path) -> None:
    """The README's check-jsonschema command passes on each published example, offline."""
    example = tmp_path / f"{event_type}.json"
    example.write_text(json.dumps(published_example(event_type)), encoding="utf-8")
    completed = subprocess.run(
        [_check_jsonschema(), "--schemafile", str(SCHEMA_DIR / f"{event_type}.json"), str(example)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr


def test_check_jsonschema_rejects_an_invalid_event(tmp_path: Path) -> None:
    """The same tool reports a missing data.orderId, so the schemas bite outside our code too."""
    event = published_example("charge.captured")
    del event["data"]["orderId"]
    example = tmp_path / "bad.json"
    example.write_text(json.dumps(event), encoding="utf-8")
    completed = subprocess.run(
        [
            _check_jsonschema(),
            "--schemafile",
            str(SCHEMA_DIR / "charge.captured.json"),
            str(example),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 1
    assert "orderId" in completed.stdout + completed.stderr


def test_unknown_reference_option_is_an_error_not_a_rewrite(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A typo such as --chek exits 2 and writes nothing, instead of regenerating the file."""
    before = REFERENCE_PATH.stat().st_mtime_ns
    with pytest.raises(SystemExit) as exited:
        main(["--chek"])
    assert exited.value.code == 2
    assert REFERENCE_PATH.stat().st_mtime_ns == before
