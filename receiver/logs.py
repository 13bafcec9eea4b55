"""JSON-lines logging for the receiver: one object per line, fields a log pipeline can index.

Only fields named in ``SAFE_FIELDS`` are copied from a record's extras, so a careless
``extra=`` can never put a secret, a signature or a body into the logs.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from datetime import UTC, datetime
from typing import Any, Final

SAFE_FIELDS: Final = ("event_id", "event_type", "code", "status", "outcome", "latency_ms")


class JsonLineFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for field in SAFE_FIELDS:
            if field in record.__dict__:
                line[field] = record.__dict__[field]
        if record.exc_info and record.exc_info[0] is not None:
            line["exception"] = record.exc_info[0].__name__
        return json.dumps(line, ensure_ascii=False)


def configure_logging(level: int = logging.INFO) -> None:
    """Send the receiver's logs to stderr as JSON lines."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonLineFormatter())
    logger = logging.getLogger("receiver")
    logger.handlers[:] = [handler]
    logger.setLevel(level)
    logger.propagate = False


class DeliveryLogMiddleware:
    """One log line per delivery: event id and type (when known), outcome, status, latency.

    The one place deliveries are logged, so every answer, accepted or not, is accounted for
    the same way: INFO for 2xx and 4xx, WARNING for 401 (a wrong secret or a skewed clock
    is worth an operator's look), ERROR for 5xx.
    """

    def process_request(self, req: Any, resp: Any) -> None:
        req.context.started = time.perf_counter()

    def process_response(self, req: Any, resp: Any, resource: object, req_succeeded: bool) -> None:
        if not getattr(resource, "logs_deliveries", False):
            return
        media = resp.media if isinstance(resp.media, dict) else {}
        status = int(str(resp.status).split()[0])
        level = (
            logging.ERROR if status >= 500 else logging.WARNING if status == 401 else logging.INFO
        )
        extra: dict[str, object] = {
            "status": status,
            "latency_ms": round((time.perf_counter() - req.context.started) * 1000, 2),
            "event_id": req.context.get("event_id"),
            "event_type": req.context.get("event_type"),
        }
        if "code" in media:
            extra["code"] = media["code"]
        else:
            extra["outcome"] = media.get("status")
        _deliveries.log(level, "delivery", extra=extra)


_deliveries = logging.getLogger("receiver.deliveries")
