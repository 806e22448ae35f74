"""Structured JSON logs carrying the request's correlation id.

Log lines name records by id and fields by name; personal data is never passed
to a logger (the formatter emits only the message and whitelisted extras).
"""

import json
import logging
import sys
from contextvars import ContextVar
from datetime import UTC, datetime

correlation_id: ContextVar[str | None] = ContextVar("correlation_id", default=None)

# Extras that may appear in a log line: ids, counts, names of things, never values a person typed.
_ALLOWED_EXTRAS = (
    "service",
    "method",
    "path",
    "status",
    "duration_ms",
    "error",
    "record",
    "record_id",
    "event_type",
    "event_id",
    "subject",
    "consumer",
    "stream",
    "count",
    "attempt",
    "port",
    "url",
    "task",
)


class JsonFormatter(logging.Formatter):
    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "service": self.service,
            "logger": record.name,
            "message": record.getMessage(),
        }
        cid = correlation_id.get()
        if cid:
            line["correlation_id"] = cid
        for key in _ALLOWED_EXTRAS:
            if key in record.__dict__ and key != "service":
                line[key] = record.__dict__[key]
        if record.exc_info and record.exc_info[0] is not None:
            # The exception's type and where it was raised; its message may echo input, so not that.
            exc_type, _, tb = record.exc_info
            frames = []
            while tb is not None:
                frames.append(f"{tb.tb_frame.f_code.co_filename.rsplit('/', 1)[-1]}:{tb.tb_lineno}")
                tb = tb.tb_next
            line["exception"] = {"type": exc_type.__name__, "at": frames[-5:]}
        return json.dumps(line, default=str)


def configure_logging(service: str, level: str = "INFO") -> None:
    # The formatter writes none of the thread, process or process-name fields: not gathering them spares
    # every log line (an access line per request) three look-ups.
    logging.logThreads = logging.logProcesses = logging.logMultiprocessing = False
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter(service))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for noisy in ("uvicorn.access",):
        logging.getLogger(noisy).disabled = True
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
