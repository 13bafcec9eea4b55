"""rimo-mock turns every bad input into one line and exit 2, never a traceback, and never
sends anything when an option cannot apply."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from mock_rimo.__main__ import main

URL = "http://127.0.0.1:9/webhooks/rimo"  # nothing listens: no case may reach it


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["sample", "charge.captured", "--set", "data.amount.x=5"], "it goes inside a int value"),
        (
            ["sample", "charge.captured", "--set", "data.medications.x=1"],
            "nothing at 'medications'",
        ),
        (["sample", "order.transmitted", "--set", "data.medications.x=1"], "is not an index"),
        (
            ["sample", "charge.captured", "--set", "data.amount=" + "[" * 100_000],
            "nests too deeply",
        ),
        (["sample", "charge.captured", "--set", 'id="\\ud800"'], "not valid UTF-8"),
        (["sample", "charge.captured", "--set", "data.amount=1e999"], "not a finite JSON number"),
        (["sign", "--secret", "\udcff", "/dev/null"], "not valid UTF-8"),
        (["sign", "--secret", " padded ", "/dev/null"], "leading or trailing whitespace"),
        (
            ["send", "--url", URL, "--type", "charge.captured", "--log", "/nonexistent/x.log"],
            "cannot write the log",
        ),
        (
            ["send", "--url", URL, "--raw", "/dev/null", "--seed", "3"],
            "--seed cannot apply to --raw",
        ),
        (
            ["send", "--url", URL, "--raw", "/dev/null", "--set", "a=1", "--no-validate"],
            "--set, --no-validate cannot apply",
        ),
        (["lifecycle", "--patients", "1"], "--url is required, unless --dry-run"),
        (["lifecycle", "--url", URL, "--log", "/nonexistent/x.log"], "cannot write the log"),
        (
            ["attack", "--url", URL, "--skew", "5", "--mode", "replay"],
            "--skew applies to --mode clock-skew",
        ),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    argv: list[str],
    message: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("RIMO_WEBHOOK_SECRET", "s")
    out = io.StringIO()
    assert main(argv, out=out) == 2
    err = capsys.readouterr().err
    assert message in err
    assert err.count("\n") == 1
    assert out.getvalue() == ""


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:99999/x", "http://[::1", "ftp://host/x", "notaurl"]
)
def test_bad_urls_are_refused_by_the_parser(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["send", "--url", url, "--type", "charge.captured", "--secret", "s"])
    assert exited.value.code == 2
    assert "expected an http:// or https:// URL" in capsys.readouterr().err


def test_dry_run_needs_no_url(tmp_path: Path) -> None:
    """--dry-run prints a lifecycle's five bodies without anywhere to send them."""
    out = io.StringIO()
    assert main(["lifecycle", "--patients", "1", "--dry-run", "--seed", "1"], out=out) == 0
    assert len(out.getvalue().splitlines()) == 5
