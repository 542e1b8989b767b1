"""A local Jetstream: Bluesky's firehose as JSON over a WebSocket, with cursor replay.

It follows Jetstream's documentation (github.com/bluesky-social/jetstream,
README "Consuming Jetstream"): clients connect to ``/subscribe`` with
``wantedCollections`` (NSIDs, or a prefix ending in ``.*``; at most 100) and an
optional ``cursor``, a Unix time in microseconds. Without a cursor (or with
one in the future) a client gets the live tail; with one, every event from
that ``time_us`` on is replayed, then the live tail follows. Events have
Jetstream's shapes: ``did``, ``time_us``, ``kind`` (``commit``, ``identity``,
``account``) and, for commits, ``commit{rev, operation, collection, rkey,
record, cid}`` (no record or cid on a delete). Identity and account events
reach every client; commits only those that asked for their collection. A
malformed ``cursor`` or collection is refused with HTTP 400 at the handshake.

Events are "published" by the test (``publish``): those published are the
relay's history, sent to every connection. ``drop_after`` cuts each new
connection after that many events without a closing handshake, as a lost
network would. A real WebSocket server (``websockets``) on 127.0.0.1, port 0.
"""

from __future__ import annotations

import bisect
import json
import re
import socket
import threading
from collections.abc import Callable, Iterable
from http import HTTPStatus
from types import TracebackType
from typing import Any, Self
from urllib.parse import parse_qs, urlsplit

from websockets.datastructures import Headers
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response
from websockets.sync.server import ServerConnection, serve

POST = "app.bsky.feed.post"
_NSID = re.compile(r"^[a-zA-Z][a-zA-Z0-9-]*(\.[a-zA-Z0-9-]+)+(\.\*)?$")
MAX_COLLECTIONS = 100


def commit(
    did: str,
    time_us: int,
    rkey: str,
    *,
    text: str | None = None,
    operation: str = "create",
    langs: tuple[str, ...] = (),
    created_at: str = "2026-12-01T05:00:00.000Z",
    collection: str = POST,
    reply: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A commit event as Jetstream sends it (a delete has no record and no cid)."""
    body: dict[str, Any] = {
        "rev": f"3l{time_us:x}"[:13],
        "operation": operation,
        "collection": collection,
        "rkey": rkey,
    }
    if operation != "delete":
        record: dict[str, Any] = {
            "$type": collection,
            "createdAt": created_at,
            "text": text or "",
        }
        if langs:
            record["langs"] = list(langs)
        if reply:
            record["reply"] = reply
        body["record"] = record
        body["cid"] = f"bafyreig{time_us:x}{rkey}"
    return {"did": did, "time_us": time_us, "kind": "commit", "commit": body}


def identity(did: str, time_us: int, handle: str) -> dict[str, Any]:
    """An identity event (a handle change), which every client receives."""
    return {
        "did": did,
        "time_us": time_us,
        "kind": "identity",
        "identity": {"did": did, "handle": handle, "seq": time_us, "time": "x"},
    }


class JetstreamServer:
    """Jetstream's ``/subscribe``; see the module docstring."""

    def __init__(self, *, drop_after: int | None = None) -> None:
        self.cond = threading.Condition()
        self.times: list[int] = []  # time_us of each published event, ascending
        self.messages: list[str] = []  # each event as sent
        self.collections: list[str | None] = []
        self.drop_after = drop_after
        self.opened = 0
        self.requests: list[dict[str, list[str]]] = []
        self.connections: list[ServerConnection] = []
        self.sent = 0
        self.reached: list[int] = []  # per connection: how far into history it got
        self._closing = False
        self._server = serve(
            self._serve,
            "127.0.0.1",
            0,
            process_request=self._check,
            compression=None,
        )
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        """``ws://127.0.0.1:<port>/subscribe``."""
        host, port = self._server.socket.getsockname()[:2]
        return f"ws://{host}:{port}/subscribe"

    def publish(self, events: Iterable[dict[str, Any] | str]) -> None:
        """Add events (dicts, or JSON already encoded) to the relay's history."""
        with self.cond:
            for event in events:
                message = event if isinstance(event, str) else json.dumps(event)
                decoded = json.loads(message) if isinstance(event, str) else event
                if self.times and decoded["time_us"] <= self.times[-1]:
                    msg = "events are published in time_us order"
                    raise ValueError(msg)
                self.times.append(decoded["time_us"])
                self.messages.append(message)
                body = decoded.get("commit")
                self.collections.append(body["collection"] if body else None)
            self.cond.notify_all()

    def publish_raw(self, message: str, after_us: int) -> None:
        """Add a message that is not a readable event (too deep, absurd ``time_us``).

        It takes the place in history of an event at ``after_us``, so a
        cursor replays it like the events around it.
        """
        with self.cond:
            if self.times and after_us <= self.times[-1]:
                msg = "events are published in time_us order"
                raise ValueError(msg)
            self.times.append(after_us)
            self.messages.append(message)
            self.collections.append(POST)
            self.cond.notify_all()

    def wait(
        self, what: str, predicate: Callable[[], object], timeout: float = 20.0
    ) -> None:
        """Block until ``predicate()`` holds (checked on every change), or fail."""
        with self.cond:
            if not self.cond.wait_for(predicate, timeout):
                msg = f"Jetstream server: timed out waiting for {what}"
                raise TimeoutError(msg)

    def drop(self) -> None:
        """Cut every connection without a closing handshake: a lost network."""
        with self.cond:
            connections = self.connections[:]
        for connection in connections:
            connection.socket.shutdown(socket.SHUT_RDWR)

    def _check(
        self, _connection: ServerConnection, request: Request
    ) -> Response | None:
        parts = urlsplit(request.path)
        if parts.path != "/subscribe":
            return _refuse(HTTPStatus.NOT_FOUND, "not found")
        query = parse_qs(parts.query)
        cursor = query.get("cursor", [])
        if len(cursor) > 1 or (cursor and not cursor[0].isdigit()):
            return _refuse(HTTPStatus.BAD_REQUEST, "invalid cursor")
        wanted = query.get("wantedCollections", [])
        if len(wanted) > MAX_COLLECTIONS or not all(_NSID.match(c) for c in wanted):
            return _refuse(HTTPStatus.BAD_REQUEST, "invalid wantedCollections")
        with self.cond:
            self.requests.append(query)
        return None

    def _start(self, query: dict[str, list[str]]) -> int:
        cursor = query.get("cursor")
        if not cursor:
            return len(self.times)
        return bisect.bisect_left(self.times, int(cursor[0]))

    def _serve(self, connection: ServerConnection) -> None:
        query = parse_qs(urlsplit(connection.request.path).query)  # type: ignore[union-attr]
        wanted = query.get("wantedCollections", [])
        with self.cond:
            self.connections.append(connection)
            self.opened += 1
            number = len(self.reached)
            at = self._start(query)
            self.reached.append(at)
            self.cond.notify_all()
        sent = 0
        try:
            while True:
                with self.cond:
                    self.cond.wait_for(
                        lambda at=at: at < len(self.messages) or self._closing, 1.0
                    )
                    if self._closing:
                        return
                    batch = self.messages[at:]
                    kinds = self.collections[at:]
                at += len(batch)
                for message, collection in zip(batch, kinds, strict=True):
                    if collection is not None and not _wanted(collection, wanted):
                        continue
                    if self.drop_after is not None and sent >= self.drop_after:
                        connection.socket.shutdown(socket.SHUT_RDWR)
                        return
                    connection.send(message)
                    sent += 1
                with self.cond:
                    self.sent += len(batch)
                    self.reached[number] = at
                    self.cond.notify_all()
        except (ConnectionClosed, OSError):
            pass
        finally:
            with self.cond:
                self.connections.remove(connection)
                self.cond.notify_all()

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        with self.cond:
            self._closing = True
            self.cond.notify_all()
        self._server.shutdown()
        self._thread.join(timeout=5)


def _wanted(collection: str, wanted: list[str]) -> bool:
    if not wanted:
        return True
    return any(
        collection == w or (w.endswith(".*") and collection.startswith(w[:-1]))
        for w in wanted
    )


def _refuse(status: HTTPStatus, reason: str) -> Response:
    body = reason.encode()
    headers = Headers(
        [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))]
    )
    return Response(status, status.phrase, headers, body)
