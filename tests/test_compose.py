"""The Compose and Docker wiring, checked without a Docker engine.

No engine runs here, so these tests hold the files to what the code accepts: each service
command parses with the real CLI parser, ports and paths agree, and the no-Docker script
runs the same commands.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tomllib
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from mock_rimo.__main__ import build_parser as mock_parser
from receiver.__main__ import build_parser as receiver_parser
from receiver.app import READINESS_ROUTE, WEBHOOK_ROUTE
from receiver.settings import (
    CLAIM_TIMEOUT_VARIABLE,
    DEDUP_STORE_VARIABLE,
    MAX_BODY_VARIABLE,
    PATIENT_VIEW_VARIABLE,
    PREVIOUS_SECRET_VARIABLE,
    RETENTION_VARIABLE,
    SCHEMA_MODE_VARIABLE,
    SECRET_VARIABLE,
    TOLERANCE_VARIABLE,
)

ROOT = Path(__file__).resolve().parent.parent
COMPOSE: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES: dict[str, Any] = COMPOSE["services"]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
DOCKERFILE = (ROOT / "Dockerfile").read_text()
KNOWN_VARIABLES = {
    SECRET_VARIABLE,
    PREVIOUS_SECRET_VARIABLE,
    TOLERANCE_VARIABLE,
    MAX_BODY_VARIABLE,
    SCHEMA_MODE_VARIABLE,
    DEDUP_STORE_VARIABLE,
    RETENTION_VARIABLE,
    CLAIM_TIMEOUT_VARIABLE,
    PATIENT_VIEW_VARIABLE,
}


def receiver_port() -> int:
    args = receiver_parser().parse_args(SERVICES["receiver"]["command"][1:])
    port: int = args.port
    return port


def test_receiver_command_parses_and_binds_all_interfaces() -> None:
    """The receiver service runs `rimo-receiver serve` with arguments the CLI accepts."""
    command = SERVICES["receiver"]["command"]
    args = receiver_parser().parse_args(command[1:])
    assert command[0] == "rimo-receiver"
    assert args.command == "serve"
    assert args.host == "0.0.0.0"  # noqa: S104  # inside its container, reached by name


def test_receiver_environment_names_only_known_settings() -> None:
    """Every variable given to the receiver is one the settings read (no silent typos)."""
    environment = SERVICES["receiver"]["environment"]
    assert set(environment) <= KNOWN_VARIABLES
    assert SECRET_VARIABLE in environment


def _probe_url(text: str) -> Any:
    return urlsplit(re.search(r"http://[^'\" ]+", text).group(0))  # type: ignore[union-attr]


def test_healthcheck_probes_readiness_on_the_served_port() -> None:
    """The healthchecks (Compose and Dockerfile) probe readiness, which includes the store,
    on the port the receiver serves."""
    for probe in (" ".join(SERVICES["receiver"]["healthcheck"]["test"]), DOCKERFILE):
        url = _probe_url(probe.split("HEALTHCHECK", 1)[-1])
        assert url.path == READINESS_ROUTE
        assert url.port == receiver_port()


def test_receiver_shares_the_redis_service_between_workers() -> None:
    """Two workers, one Redis: the receiver waits for a healthy redis and names it."""
    receiver = SERVICES["receiver"]
    args = receiver_parser().parse_args(receiver["command"][1:])
    assert args.workers == 2
    assert urlsplit(receiver["environment"][DEDUP_STORE_VARIABLE]).hostname == "redis"
    assert receiver["depends_on"]["redis"]["condition"] == "service_healthy"


def test_sender_bursts_lifecycles_at_the_webhook_once_the_receiver_is_healthy() -> None:
    """The sender runs `rimo-mock lifecycle` against the receiver's webhook route."""
    sender = SERVICES["sender"]
    args = mock_parser().parse_args(sender["command"][1:])
    url = urlsplit(args.url)
    assert sender["command"][0] == "rimo-mock"
    assert args.command == "lifecycle"
    assert (url.hostname, url.port, url.path) == ("receiver", receiver_port(), WEBHOOK_ROUTE)
    assert sender["depends_on"]["receiver"]["condition"] == "service_healthy"


def test_contract_runs_after_the_sender_and_targets_the_receiver() -> None:
    """The contract service starts once the sender finished, and targets the receiver."""
    contract = SERVICES["contract"]
    command = contract["command"]
    target = command[command.index("--target") + 1]
    assert contract["depends_on"]["sender"]["condition"] == "service_completed_successfully"
    assert command[0] == "rimo-contract"
    assert urlsplit(target).hostname == "receiver"
    assert urlsplit(target).port == receiver_port()
    assert (
        contract["environment"][SECRET_VARIABLE]
        == (SERVICES["receiver"]["environment"][SECRET_VARIABLE])
    )


def test_console_scripts_used_by_compose_exist() -> None:
    """Each command Compose runs is a console script the package installs."""
    scripts = PYPROJECT["project"]["scripts"]
    ours = [service for service in SERVICES.values() if "build" in service]
    assert len(ours) == 3
    for service in ours:
        assert service["command"][0] in scripts


def test_dockerfile_copies_every_package_and_serves_like_compose() -> None:
    """The image holds every package pyproject installs, and its CMD serves the receiver on
    the host and port Compose uses."""
    packages = {name.split(".")[0] for name in PYPROJECT["tool"]["setuptools"]["packages"]}
    copied = set(re.findall(r"^COPY (\w+) ", DOCKERFILE, flags=re.MULTILINE))
    cmd = json.loads(re.search(r"^CMD (\[.*\])$", DOCKERFILE, re.MULTILINE).group(1))  # type: ignore[union-attr]
    assert packages <= copied
    image_args = receiver_parser().parse_args(cmd[1:])
    assert cmd[0] == "rimo-receiver"
    assert (image_args.host, image_args.port) == ("0.0.0.0", receiver_port())  # noqa: S104


def test_no_docker_script_runs_the_same_commands() -> None:
    """scripts/compose-without-docker.sh runs the receiver and contract commands Compose runs."""
    script = (ROOT / "scripts" / "compose-without-docker.sh").read_text()
    assert 'rimo-receiver" serve' in script
    assert "--workers 2" in script
    assert 'rimo-mock" lifecycle' in script
    sender_options = " ".join(SERVICES["sender"]["command"][4:])  # after --url URL
    assert sender_options == "--patients 50 --order shuffled --seed 7"
    assert sender_options in script
    assert 'rimo-contract" --target' in script
    assert "--junitxml reports/contract.xml" in script
    for variable in SERVICES["receiver"]["environment"]:
        assert variable in script


@pytest.mark.skipif(shutil.which("docker-compose") is None, reason="docker-compose not installed")
def test_docker_compose_accepts_the_file() -> None:
    """docker-compose validates the file (no engine needed for `config`)."""
    completed = subprocess.run(
        ["docker-compose", "-f", str(ROOT / "docker-compose.yml"), "config", "-q"],
        capture_output=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr.decode()
