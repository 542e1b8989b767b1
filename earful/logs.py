"""Logging for the CLI and daemon: readable text or JSON lines, sources named, secrets masked.

Every record logged while a source's job runs carries that source's name (a
``source`` field in JSON, ``[source=…]`` in text), set with ``source_context``;
a call may also pass ``extra={"source": name}``. Secret values registered with
``add_secret`` (the Slack token and webhook, the database password) are replaced
by ``***`` in every formatted line, whatever logged them.
"""

from __future__ import annotations

import contextvars
import json
import logging
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Literal, TextIO

LogFormat = Literal["text", "json"]

_source: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "earful_source", default=None
)
_secrets: set[str] = set()
_secrets_lock = threading.Lock()
NOISY = ("scrapy", "twisted", "urllib3", "filelock", "httpx", "apscheduler")
MIN_SECRET_LEN = 4  # masking "a" everywhere would garble the logs
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


@contextmanager
def source_context(source: str) -> Iterator[None]:
    """Name ``source`` on every record logged in this thread until the block ends."""
    token = _source.set(source)
    try:
        yield
    finally:
        _source.reset(token)


def add_secret(value: str | None) -> None:
    """Never let ``value`` appear in a log line (ignored when empty or very short)."""
    if value and len(value) >= MIN_SECRET_LEN:
        with _secrets_lock:
            _secrets.add(value)


def mask(text: str) -> str:
    """``text`` with every registered secret replaced by ``***``."""
    with _secrets_lock:
        secrets = sorted(_secrets, key=len, reverse=True)
    for secret in secrets:
        text = text.replace(secret, "***")
    return text


class _SourceFilter(logging.Filter):
    """Copies the current source onto each record that does not name one."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "source", None) is None:
            record.source = _source.get()
        return True


class TextFormatter(logging.Formatter):
    """One readable line: time, level, logger, message, and the source if any."""

    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        source = getattr(record, "source", None)
        if source:
            line = f"{line} [source={source}]"
        return mask(line)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC), level, logger, message, source, error."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        source = getattr(record, "source", None)
        if source:
            entry["source"] = source
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return mask(json.dumps(entry, ensure_ascii=False))


def setup_logging(
    level: int = logging.WARNING,
    fmt: LogFormat = "text",
    stream: TextIO | None = None,
) -> None:
    """Send log records at ``level`` and above to ``stream`` (stderr) as text or JSON."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    handler.addFilter(_SourceFilter())
    root = logging.getLogger()
    for old in root.handlers[:]:
        if type(old) is logging.StreamHandler:  # ours or basicConfig's, not pytest's
            root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for noisy in NOISY:
        logging.getLogger(noisy).setLevel(max(level, logging.WARNING))
