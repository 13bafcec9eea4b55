"""JSON-lines logging for the receiver: one object per line, fields a log pipeline can index.

Only fields named in ``SAFE_FIELDS`` are copied from a record's extras, so a careless
``extra=`` can never put a secret, a signature or a body into the logs.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Final

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
