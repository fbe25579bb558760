"""JSON log lines for the service (request id, model version, latency); configured once at start."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

_EXTRA = (
    "request_id",
    "model_version",
    "latency_ms",
    "route",
    "method",
    "status",
    "key_id",
    "batch",
)


class JsonFormatter(logging.Formatter):
    """One JSON object per line; only whitelisted extra fields (never ticket text)."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        line.update({k: getattr(record, k) for k in _EXTRA if hasattr(record, k)})
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)


def configure(level: str = "INFO") -> None:
    """Send `api` and `triage` logs as JSON to stderr (once; later calls only set the level)."""
    for name in ("api", "triage"):
        logger = logging.getLogger(name)
        logger.setLevel(level)
        if not any(isinstance(h.formatter, JsonFormatter) for h in logger.handlers):
            handler = logging.StreamHandler()
            handler.setFormatter(JsonFormatter())
            logger.addHandler(handler)
            logger.propagate = False
