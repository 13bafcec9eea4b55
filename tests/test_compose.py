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

from receiver.__main__ import build_parser as receiver_parser
from receiver.app import HEALTH_ROUTE
from receiver.settings import (
    MAX_BODY_VARIABLE,
    PREVIOUS_SECRET_VARIABLE,
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


def test_healthcheck_probes_the_health_route_on_the_served_port() -> None:
    """The healthcheck URL is the receiver's health route on the port it serves."""
    probe = " ".join(SERVICES["receiver"]["healthcheck"]["test"])
    url = urlsplit(re.search(r"http://[^'\" ]+", probe).group(0))  # type: ignore[union-attr]
    assert url.path == HEALTH_ROUTE
    assert url.port == receiver_port()


def test_contract_waits_for_a_healthy_receiver_and_targets_it() -> None:
    """The contract service starts once the receiver is healthy and targets it by name."""
    contract = SERVICES["contract"]
    command = contract["command"]
    target = command[command.index("--target") + 1]
    assert contract["depends_on"]["receiver"]["condition"] == "service_healthy"
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
    for service in SERVICES.values():
        assert service["command"][0] in scripts


def test_dockerfile_copies_every_package_and_serves_like_compose() -> None:
    """The image holds every package pyproject installs, and its CMD is Compose's command."""
    packages = {name.split(".")[0] for name in PYPROJECT["tool"]["setuptools"]["packages"]}
    copied = set(re.findall(r"^COPY (\w+) ", DOCKERFILE, flags=re.MULTILINE))
    cmd = json.loads(re.search(r"^CMD (\[.*\])$", DOCKERFILE, re.MULTILINE).group(1))  # type: ignore[union-attr]
    assert packages <= copied
    assert cmd == SERVICES["receiver"]["command"]


def test_no_docker_script_runs_the_same_commands() -> None:
    """scripts/compose-without-docker.sh runs the receiver and contract commands Compose runs."""
    script = (ROOT / "scripts" / "compose-without-docker.sh").read_text()
    assert 'rimo-receiver" serve' in script
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
