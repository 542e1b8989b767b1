"""Logging for the CLI and daemon: readable text or JSON lines, sources named, secrets masked.

Every record logged while a source's job runs carries that source's name (a
``source`` field in JSON, ``[source=…]`` in text), set with ``source_context``;
a call may also pass ``extra={"source": name}``. Secret values registered with
``add_secret`` (the Slack token and webhook, the database password) are replaced
by ``***`` in every formatted line, whatever logged them.
"""

from __future__ import annotations

import contextvars
import io
import json
import logging
import os
import re
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
_secrets: tuple[str, ...] = ()  # replaced whole, so readers need no lock
_secrets_lock = threading.Lock()
_formatter: logging.Formatter = logging.Formatter()
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
    global _secrets  # noqa: PLW0603 - one registry for every handler
    if value and len(value) >= MIN_SECRET_LEN:
        with _secrets_lock:
            _secrets = tuple(sorted({*_secrets, value}, key=len, reverse=True))


def mask(text: str) -> str:
    """``text`` with every registered secret replaced by ``***``."""
    for secret in _secrets:
        text = text.replace(secret, "***")
    return text


def write_now(level: int, message: str) -> None:
    """Write one log line straight to stderr's file descriptor, taking no lock.

    For signal handlers, which may interrupt a thread holding logging's locks.
    """
    record = logging.LogRecord("earful.daemon", level, __file__, 0, message, (), None)
    record.source = None
    line = _formatter.format(record) + "\n"
    os.write(2, line.encode("utf-8", "replace"))


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


class ChildOutput(io.TextIOBase):
    """Stands in for ``sys.stderr``: each line written (a crawl child's log, which
    ``crawlers.crawl_parent`` forwards) becomes a log record, so it is masked, names its
    source and, with JSON logs, is JSON too."""

    def __init__(self) -> None:
        self._partial = ""
        self._log = logging.getLogger("earful.crawl.child")

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        lines = (self._partial + text).split("\n")
        self._partial = lines.pop()
        for line in lines:
            if line.strip():
                level = _CHILD_LEVEL.search(line)
                name = level[1] if level else "WARNING"
                self._log.log(logging.getLevelNamesMapping().get(name, 30), "%s", line)
        return len(text)


_CHILD_LEVEL = re.compile(r"\] (DEBUG|INFO|WARNING|ERROR|CRITICAL): ")


def setup_logging(
    level: int = logging.WARNING,
    fmt: LogFormat = "text",
    stream: TextIO | None = None,
    *,
    capture_stderr: bool = False,
) -> None:
    """Send log records at ``level`` and above to ``stream`` (stderr) as text or JSON.

    With ``capture_stderr`` (the daemon), anything else written to
    ``sys.stderr`` goes through logging too (see ``ChildOutput``).
    """
    stream = stream or sys.stderr
    if capture_stderr:
        sys.stderr = ChildOutput()
    global _formatter  # noqa: PLW0603 - write_now formats as the handler does
    _formatter = JsonFormatter() if fmt == "json" else TextFormatter()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(_formatter)
    handler.addFilter(_SourceFilter())
    root = logging.getLogger()
    for old in root.handlers[:]:
        if type(old) is logging.StreamHandler:  # ours or basicConfig's, not pytest's
            root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for noisy in NOISY:
        logging.getLogger(noisy).setLevel(max(level, logging.WARNING))
