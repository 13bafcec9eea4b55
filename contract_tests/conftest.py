"""Options, fixtures and the per-case report of the contract suite."""

from __future__ import annotations

import secrets
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from contract_tests.client import ContractClient
from contract_tests.options import option_specs
from contract_tests.target import BootError, BundledReceiver, Target


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("rimo-contract", "Rimo webhook contract suite")
    for flag, keywords in option_specs():
        group.addoption(flag, **keywords)


@dataclass
class _CaseResult:
    description: str
    outcome: str
    module: str


_RESULTS: dict[str, _CaseResult] = {}
_DESCRIPTIONS: dict[str, tuple[str, str]] = {}
_STATE: dict[str, str] = {}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "contract: a case of the Rimo webhook contract")
    if config.getoption("--target") and not config.getoption("--secret"):
        raise pytest.UsageError(
            "--target needs the receiver's signing secret: pass --secret or set RIMO_WEBHOOK_SECRET"
        )
    seed = config.getoption("--contract-seed")
    _STATE["seed"] = str(seed if seed is not None else secrets.randbelow(2**31))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        function = getattr(item, "function", None)
        doc = (getattr(function, "__doc__", None) or item.name).strip().splitlines()[0]
        doc = doc.rstrip(".")
        callspec = getattr(item, "callspec", None)
        if callspec is not None:
            doc = f"{doc} [{callspec.id}]"
        module = item.nodeid.split("::", 1)[0].rsplit("/", 1)[-1].removeprefix("test_")
        _DESCRIPTIONS[item.nodeid] = (doc, module.removesuffix(".py"))


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    # A case is decided by its call, or by a setup that failed or skipped it, or by a
    # teardown that failed after it passed.
    decisive = report.when == "call" or not report.passed
    if not decisive:
        return
    description, module = _DESCRIPTIONS.get(report.nodeid, (report.nodeid, ""))
    outcome = "FAIL" if report.failed else "SKIP" if report.skipped else "PASS"
    _RESULTS[report.nodeid] = _CaseResult(description, outcome, module)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not _RESULTS:
        return
    where = _STATE.get("target", "?")
    terminalreporter.section(f"Rimo webhook contract report: {where}", sep="=")
    terminalreporter.write_line(f"event seed {_STATE['seed']} (rerun with --contract-seed)")
    width = max(len(result.module) for result in _RESULTS.values())
    for result in _RESULTS.values():
        colour = {"PASS": "green", "FAIL": "red", "SKIP": "yellow"}[result.outcome]
        line = f"{result.outcome:<5} {result.module:<{width}}  {result.description}"
        terminalreporter.write_line(line, **{colour: True})
    counts = Counter(result.outcome for result in _RESULTS.values())
    terminalreporter.write_line(
        f"contract: {counts['PASS']} passed, {counts['FAIL']} failed, {counts['SKIP']} skipped",
        bold=True,
    )


@pytest.fixture(scope="session")
def target(request: pytest.FixtureRequest) -> Iterator[Target]:
    """The receiver under test, booted on loopback when no ``--target`` is given."""
    config = request.config
    url = config.getoption("--target")
    tolerance = config.getoption("--tolerance")
    max_body = config.getoption("--max-body-bytes")
    if url:
        _STATE["target"] = url
        given = Target(url, config.getoption("--secret"), tolerance, max_body, bundled=False)
        _require_reachable(given)
        yield given
        return
    receiver = BundledReceiver(
        secret=config.getoption("--secret"),
        tolerance_seconds=tolerance,
        max_body_bytes=max_body,
        extra_env={"RIMO_SCHEMA_MODE": config.getoption("--schema-mode")},
    )
    try:
        receiver.start()
    except BootError as error:
        pytest.exit(f"rimo-contract: the bundled receiver did not start: {error}", returncode=3)
    try:
        _STATE["target"] = f"{receiver.base_url} (bundled receiver, in-memory store)"
        yield Target(receiver.base_url, receiver.secret, tolerance, max_body, bundled=True)
    finally:
        receiver.stop()


def _require_reachable(target: Target) -> None:
    """Stop the run with one clear line when the target does not answer at all, rather than
    failing every case with the same connection error."""
    try:
        httpx.get(target.health_url, timeout=10.0)
    except httpx.HTTPError as error:
        pytest.exit(
            f"rimo-contract: cannot reach {target.health_url}: {type(error).__name__}: {error}",
            returncode=3,
        )


@pytest.fixture(scope="session")
def schema_mode(request: pytest.FixtureRequest) -> str:
    """The receiver's schema mode the suite expects."""
    mode: str = request.config.getoption("--schema-mode")
    return mode


@pytest.fixture(scope="session")
def seed() -> int:
    """Seed of this run's generated events."""
    return int(_STATE["seed"])


@pytest.fixture(scope="session")
def client(target: Target, seed: int) -> Iterator[ContractClient]:
    contract_client = ContractClient(target, run_id=f"{seed:x}{secrets.token_hex(3)}")
    yield contract_client
    contract_client.close()
