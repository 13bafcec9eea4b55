"""Running the receiver under gunicorn, configured from Python rather than a config file."""

from __future__ import annotations

from typing import Any, Final

from gunicorn.app.base import BaseApplication

from receiver.app import ReceiverApp

DEFAULT_HOST: Final = "127.0.0.1"
DEFAULT_PORT: Final = 8000
DEFAULT_WORKERS: Final = 1
DEFAULT_THREADS: Final = 8


class _GunicornApplication(BaseApplication):  # type: ignore[misc]  # gunicorn ships no types
    def __init__(self, app: ReceiverApp, options: dict[str, Any]) -> None:
        self._app = app
        self._options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._options.items():
            self.cfg.set(key, value)
        if "control_socket_disable" in self.cfg.settings:
            # Newer gunicorn opens a control socket at one fixed path per user; two receivers
            # on one machine (tests, side-by-side runs) would fight over it.
            self.cfg.set("control_socket_disable", True)

    def load(self) -> ReceiverApp:
        return self._app


def serve(
    app: ReceiverApp,
    *,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    workers: int = DEFAULT_WORKERS,
    threads: int = DEFAULT_THREADS,
) -> None:
    """Serve ``app`` until interrupted; threads share one worker's in-memory store."""
    options = {
        "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
        "workers": workers,
        "threads": threads,
        "worker_class": "gthread",
        "accesslog": "-",
        "errorlog": "-",
        "loglevel": "info",
        "graceful_timeout": 5,
        "timeout": 30,
    }
    _GunicornApplication(app, options).run()
