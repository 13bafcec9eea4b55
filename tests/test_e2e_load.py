"""The locustfile drives a real receiver: every request a signed, new, processed event."""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from contract_tests.target import BundledReceiver

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.skipif(
    shutil.which("locust") is None and not (ROOT / ".venv/bin/locust").exists(),
    reason="locust is not installed",
)
def test_locust_headless_run_has_requests_and_no_failures(tmp_path: Path) -> None:
    """Four users for three seconds: many requests, zero failures, exit 0."""
    locust = shutil.which("locust") or str(ROOT / ".venv/bin/locust")
    with BundledReceiver(secret="load_secret") as receiver:
        completed = subprocess.run(
            [
                locust,
                "-f",
                str(ROOT / "mock_rimo" / "locustfile.py"),
                "--headless",
                "--host",
                receiver.base_url,
                "-u",
                "4",
                "-r",
                "4",
                "-t",
                "3s",
                "--csv",
                str(tmp_path / "load"),
                "--only-summary",
            ],
            capture_output=True,
            text=True,
            timeout=120,
            env={**os.environ, "RIMO_WEBHOOK_SECRET": "load_secret"},
            check=False,
        )
    assert completed.returncode == 0, completed.stderr[-2000:]
    with (tmp_path / "load_stats.csv").open() as stats:
        total = next(row for row in csv.DictReader(stats) if row["Name"] == "Aggregated")
    assert int(total["Request Count"]) > 50
    assert int(total["Failure Count"]) == 0
