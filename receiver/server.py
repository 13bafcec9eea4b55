"""Running the receiver under gunicorn, configured from Python rather than a config file."""

from __future__ import annotations

import socket
from typing import Any, Final

from gunicorn.app.base import BaseApplication
from gunicorn.workers.gthread import ThreadWorker

from receiver.app import ReceiverApp
from receiver.logs import JsonLineFormatter

DEFAULT_HOST: Final = "127.0.0.1"
DEFAULT_PORT: Final = 8000
DEFAULT_WORKERS: Final = 1
DEFAULT_THREADS: Final = 16
CLIENT_READ_TIMEOUT_SECONDS: Final = 5.0
"""How long one read from a client may block before the connection is dropped."""


class _DeadlineSocket:
    """A client socket whose blocking mode always carries a read deadline.

    gunicorn's threaded worker switches client sockets to plain blocking mode, so a
    client that opens a request and then goes quiet would hold a worker thread for ever;
    with enough such clients no thread is left for real deliveries. Here "blocking" means
    "blocking for at most the deadline", and a stalled client is cut off.
    """

    def __init__(self, sock: socket.socket, timeout: float) -> None:
        self._sock = sock
        self._timeout = timeout

    def setblocking(self, flag: bool) -> None:
        self._sock.settimeout(self._timeout if flag else 0.0)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)


class _DeadlineListener:
    """A listening socket whose accepted connections are ``_DeadlineSocket``s."""

    def __init__(self, listener: Any, timeout: float) -> None:
        self._listener = listener
        self._timeout = timeout

    def accept(self) -> tuple[_DeadlineSocket, Any]:
        client, address = self._listener.accept()
        return _DeadlineSocket(client, self._timeout), address

    def __getattr__(self, name: str) -> Any:
        return getattr(self._listener, name)

    def __str__(self) -> str:
        return str(self._listener)


class DeadlineThreadWorker(ThreadWorker):  # type: ignore[misc]  # gunicorn ships no types
    """gunicorn's threaded worker, with a read deadline on every client connection."""

    sockets: list[Any]

    def init_process(self) -> None:
        listeners = self.sockets
        self.sockets = [
            _DeadlineListener(listener, CLIENT_READ_TIMEOUT_SECONDS) for listener in listeners
        ]
        super().init_process()


def _logging_config() -> dict[str, Any]:
    """gunicorn's own error and access logs as JSON lines, like the receiver's."""
    handler = {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": JsonLineFormatter}},
        "handlers": {"stderr": handler},
        "root": {"handlers": ["stderr"], "level": "WARNING"},
        "loggers": {
            "gunicorn.error": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
            "gunicorn.access": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
        },
    }


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
        "worker_class": f"{__name__}.DeadlineThreadWorker",
        "accesslog": "-",
        "errorlog": "-",
        "loglevel": "info",
        "logconfig_dict": _logging_config(),
        "graceful_timeout": 5,
        "timeout": 30,
    }
    _GunicornApplication(app, options).run()
