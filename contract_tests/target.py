"""The receiver under test: one given by URL, or the bundled one booted on loopback."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import httpx

WEBHOOK_PATH: Final = "/webhooks/rimo"
HEALTH_PATH: Final = "/webhooks/rimo/health"
BOOT_TIMEOUT_SECONDS: Final = 20.0


@dataclass(frozen=True, slots=True)
class Target:
    """Where the suite sends deliveries and what it knows about that receiver."""

    base_url: str
    secret: str
    tolerance_seconds: int
    max_body_bytes: int
    bundled: bool

    @property
    def webhook_url(self) -> str:
        return self.base_url.rstrip("/") + WEBHOOK_PATH

    @property
    def health_url(self) -> str:
        return self.base_url.rstrip("/") + HEALTH_PATH


class BootError(RuntimeError):
    """The bundled receiver did not come up."""


def _free_loopback_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class BundledReceiver:
    """``rimo-receiver serve`` (gunicorn) in a child process on a free loopback port."""

    def __init__(
        self,
        *,
        secret: str | None = None,
        tolerance_seconds: int = 300,
        max_body_bytes: int = 1024 * 1024,
        extra_env: dict[str, str] | None = None,
        workers: int | None = None,
    ) -> None:
        self.secret = secret or "contract_" + secrets.token_hex(16)
        self.workers = workers
        """gunicorn worker processes (``--workers``); None keeps the CLI's default."""
        self.tolerance_seconds = tolerance_seconds
        self.max_body_bytes = max_body_bytes
        self._extra_env = extra_env or {}
        self.port = 0
        self._process: subprocess.Popen[bytes] | None = None
        self._log = tempfile.NamedTemporaryFile(  # noqa: SIM115  # lives as long as the server
            prefix="rimo-receiver-", suffix=".log", delete=False
        )

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_path(self) -> Path:
        return Path(self._log.name)

    def start(self) -> BundledReceiver:
        self.port = _free_loopback_port()
        env = {
            **os.environ,
            "RIMO_WEBHOOK_SECRET": self.secret,
            "RIMO_TIMESTAMP_TOLERANCE_SECONDS": str(self.tolerance_seconds),
            "RIMO_MAX_BODY_BYTES": str(self.max_body_bytes),
            **self._extra_env,
        }
        command = [sys.executable, "-m", "receiver", "serve", "--host", "127.0.0.1"]
        command += ["--port", str(self.port)]
        if self.workers is not None:
            command += ["--workers", str(self.workers)]
        self._process = subprocess.Popen(
            command, env=env, stdout=self._log, stderr=subprocess.STDOUT
        )
        self._wait_until_healthy()
        return self

    def _wait_until_healthy(self) -> None:
        deadline = time.monotonic() + BOOT_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if self._process is not None and self._process.poll() is not None:
                raise BootError(f"the receiver exited at start-up:\n{self.log_tail()}")
            try:
                if httpx.get(self.base_url + HEALTH_PATH, timeout=1.0).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        self.stop()
        raise BootError(f"the receiver did not answer within {BOOT_TIMEOUT_SECONDS:.0f} s")

    def log_tail(self, lines: int = 30) -> str:
        self._log.flush()
        text = self.log_path.read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._process = None
        self._log.close()
        self.log_path.unlink(missing_ok=True)

    def __enter__(self) -> BundledReceiver:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
