"""A site whose answers each test scripts: documents, validators and failures in order.

``site.script(path, *replies)`` sets what ``path`` answers: the first request
gets the first reply, the next the next, and the last reply repeats. A reply
with an ``etag`` answers 304 to a request that sends it back. ``/robots.txt``
answers from ``site.robots`` unless a test scripts it. Every request is kept
with its arrival time (``time.monotonic()``), headers and, for a POST, its body.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from types import TracebackType
from typing import ClassVar, Self

from tests.servers.http import LocalServer


@dataclass(frozen=True)
class Reply:
    """One scripted answer."""

    body: bytes = b""
    content_type: str | None = "application/octet-stream"
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    etag: str | None = None


@dataclass(frozen=True)
class Seen:
    """One request as it arrived."""

    path: str
    at: float
    headers: dict[str, str]
    body: bytes = b""  # what a POST sent


class ScriptedHandler(BaseHTTPRequestHandler):
    """Answers from the site's script; unscripted paths are 404."""

    site: ClassVar[ScriptedSite]

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        """Keep the test output quiet."""

    def do_POST(self) -> None:
        """Serve the next scripted reply for this path, keeping the posted body."""
        length = int(self.headers.get("Content-Length") or 0)
        self.do_GET(self.rfile.read(length))

    def do_GET(self, body: bytes = b"") -> None:
        """Serve the next scripted reply for this path."""
        path = self.path.split("?", 1)[0]
        headers = dict(self.headers.items())
        reply = self.site.next_reply(path, self.path, headers, body)
        if reply.etag is not None and self.headers.get("If-None-Match") == reply.etag:
            reply = Reply(b"", None, 304, {"ETag": reply.etag})
        self.send_response(reply.status)
        if reply.content_type:
            self.send_header("Content-Type", reply.content_type)
        if reply.etag is not None:
            self.send_header("ETag", reply.etag)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        if reply.body:
            self.wfile.write(reply.body)


class ScriptedSite:
    """The scripted site on 127.0.0.1 (a free port); use as a context manager."""

    def __init__(self) -> None:
        self.robots = "User-agent: *\nDisallow: /private/\n"
        self.seen: list[Seen] = []
        self._scripts: dict[str, list[Reply]] = {}
        self._lock = threading.Lock()
        handler = type("BoundScriptedHandler", (ScriptedHandler,), {"site": self})
        self.server = LocalServer(handler)

    @property
    def url(self) -> str:
        """Base URL without a trailing slash."""
        return self.server.url

    def script(self, path: str, *replies: Reply) -> str:
        """Answer ``path`` with ``replies`` in order (the last repeats); its URL."""
        with self._lock:
            self._scripts[path] = list(replies)
        return f"{self.url}{path}"

    def next_reply(
        self, path: str, target: str, headers: dict[str, str], body: bytes = b""
    ) -> Reply:
        """The reply for this request (and remember the request)."""
        with self._lock:
            self.seen.append(Seen(target, time.monotonic(), headers, body))
            replies = self._scripts.get(path)
            if replies is None:
                if path == "/robots.txt":
                    return Reply(self.robots.encode(), "text/plain")
                return Reply(b"not found", "text/plain", 404)
            return replies.pop(0) if len(replies) > 1 else replies[0]

    def requests_for(self, path: str) -> list[Seen]:
        """Every request for ``path`` (query string included), oldest first."""
        with self._lock:
            return [s for s in self.seen if s.path == path]

    def __enter__(self) -> Self:
        self.server.__enter__()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.server.__exit__(exc_type, exc, tb)
