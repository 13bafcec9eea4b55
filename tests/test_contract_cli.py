"""`rimo-contract` refuses bad options with one clear line instead of 60 failing cases."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from contract_tests.__main__ import main


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--target", "http://127.0.0.1:9"], "--target needs the receiver's secret"),
        (["--target", "notaurl", "--secret", "s"], "expected an http:// or https:// URL such as"),
        (
            ["--target", "http://127.0.0.1:9/webhooks/rimo", "--secret", "s"],
            "without /webhooks/rimo: try http://127.0.0.1:9",
        ),
        (["--tolerance", "abc"], "expected a whole number, got 'abc'"),
        (["--max-body-bytes", "-1"], "expected at least 1, got -1"),
    ],
    ids=["target-without-secret", "not-a-url", "webhook-path-as-target", "tolerance", "limit"],
)
def test_bad_options_are_usage_errors(
    argv: list[str],
    message: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Each mistake exits 2 with a message naming it, before any case runs."""
    monkeypatch.delenv("RIMO_WEBHOOK_SECRET", raising=False)
    monkeypatch.delenv("RIMO_CONTRACT_TARGET", raising=False)
    with pytest.raises(SystemExit) as exited:
        main(argv)
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert message in err
    assert err.count("\n") < 8


def test_bad_environment_value_is_a_usage_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """RIMO_TIMESTAMP_TOLERANCE_SECONDS=abc is reported like the option, not as a traceback."""
    monkeypatch.setenv("RIMO_TIMESTAMP_TOLERANCE_SECONDS", "abc")
    with pytest.raises(SystemExit) as exited:
        main([])
    assert exited.value.code == 2
    assert "argument --tolerance: expected a whole number, got 'abc'" in capsys.readouterr().err


def test_unreachable_target_stops_the_run_with_one_line() -> None:
    """Nothing listening at the target: exit 3 and a short message, no per-case failures."""
    completed = subprocess.run(
        [sys.executable, "-m", "contract_tests", "--target", "http://127.0.0.1:9", "--secret", "s"],
        capture_output=True,
        text=True,
        timeout=120,
        env={k: v for k, v in os.environ.items() if not k.startswith("RIMO_")},
        check=False,
    )
    output = completed.stdout + completed.stderr
    assert completed.returncode == 3
    assert "cannot reach http://127.0.0.1:9/webhooks/rimo/health" in output
    assert "FAIL " not in output
    assert len(output.splitlines()) < 15


def test_schema_mode_from_the_environment_is_read_like_the_receiver_reads_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """RIMO_SCHEMA_MODE=" Strict " is strict, as for the receiver; a bogus value is exit 2."""
    from contract_tests.__main__ import build_parser

    monkeypatch.setenv("RIMO_SCHEMA_MODE", " Strict ")
    assert build_parser().parse_args([]).schema_mode == "strict"
    monkeypatch.setenv("RIMO_SCHEMA_MODE", "bogus")
    with pytest.raises(SystemExit) as exited:
        build_parser().parse_args([])
    assert exited.value.code == 2
    assert "invalid choice: 'bogus'" in capsys.readouterr().err
