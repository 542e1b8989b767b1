"""A local Slack Socket Mode server: the WebSocket that ``apps.connections.open`` names.

It speaks the protocol Slack documents (docs.slack.dev, "Using Socket Mode"):
each connection's URL carries a one-time ``ticket`` issued by
``apps.connections.open`` (an unknown ticket is refused at the handshake); the
server greets every connection with a ``hello`` message, sends the envelopes a
test pushes (``interactive`` ones carry a ``block_actions`` payload), and
records every acknowledgement the app sends back (``{"envelope_id": ...}``).
``refresh()`` sends Slack's ``disconnect`` message (``refresh_requested``), after
which a client must open a new connection; ``drop()`` cuts the connections as a
lost network would. It is a real WebSocket server (the
``websockets`` package), bound to 127.0.0.1 on port 0.
"""

from __future__ import annotations

import json
import socket
import threading
import time
import uuid
from collections.abc import Callable
from http import HTTPStatus
from types import TracebackType
from typing import Any, Self
from urllib.parse import parse_qs, urlsplit

from websockets.datastructures import Headers
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response
from websockets.sync.server import ServerConnection, serve

APP_ID = "A0KRD7HC3"
TEAM_ID = "T9TK3CUKW"
DEBUG_INFO = {"host": "applink-7fc4fdbb64-4x5xq", "build_number": 10}


def block_actions(
    message: dict[str, Any],
    action_id: str,
    user: dict[str, str],
    *,
    channel: dict[str, str],
    response_url: str,
    selected_user: str | None = None,
) -> dict[str, Any]:
    """The ``block_actions`` payload of a click on button ``action_id`` in ``message``.

    For a ``users_select`` element it is the choice of ``selected_user``, which
    Slack also reports in ``state.values``.

    Its shape follows Slack's documentation (docs.slack.dev, "block_actions
    payload"): who clicked, the container, the whole message as Slack stores
    it, and the clicked element with its block and the time of the click.
    """
    [(block_id, element)] = [
        (block.get("block_id") or f"b{i}", e)  # Slack makes one up when unset
        for i, block in enumerate(message.get("blocks", []))
        for e in block.get("elements", [])
        if block.get("type") == "actions" and e.get("action_id") == action_id
    ]
    action_ts = f"{time.time():.6f}"
    action = {**element, "block_id": block_id, "action_ts": action_ts}
    state: dict[str, Any] = {}
    if element["type"] == "users_select":  # a choice, not a click: no text, no value
        if not selected_user:
            msg = "a users_select action needs the selected user"
            raise ValueError(msg)
        action = {
            "type": "users_select",
            "action_id": action_id,
            "block_id": block_id,
            "selected_user": selected_user,
            "action_ts": action_ts,
        }
        if "initial_user" in element:
            action["initial_user"] = element["initial_user"]
        choice = {"type": "users_select", "selected_user": selected_user}
        state = {block_id: {action_id: choice}}
    else:
        action["text"] = {**element["text"], "emoji": True}
    return {
        "type": "block_actions",
        "user": {**user, "team_id": TEAM_ID},
        "api_app_id": APP_ID,
        "token": "verification-token-placeholder",
        "container": {
            "type": "message",
            "message_ts": message["ts"],
            "channel_id": channel["id"],
            "is_ephemeral": False,
        },
        "trigger_id": f"{action_ts}.{uuid.uuid4().hex}",
        "team": {"id": TEAM_ID, "domain": "example"},
        "enterprise": None,
        "is_enterprise_install": False,
        "channel": channel,
        "message": message,
        "state": {"values": state},
        "response_url": response_url,
        "actions": [action],
    }


class SocketModeServer:
    """Slack's Socket Mode endpoint; ``url()`` issues a ticket as Slack's API does."""

    def __init__(self) -> None:
        self.cond = threading.Condition()
        self.tickets: set[str] = set()
        self.connections: list[ServerConnection] = []
        self.opened = 0
        self.acks: list[dict[str, Any]] = []
        self._server = serve(
            self._serve,
            "127.0.0.1",
            0,
            process_request=self._check_ticket,
            compression=None,
        )
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def url(self) -> str:
        """A fresh ``ws://`` URL, valid for one connection, like apps.connections.open's."""
        ticket = str(uuid.uuid4())
        with self.cond:
            self.tickets.add(ticket)
        host, port = self._server.socket.getsockname()[:2]
        return f"ws://{host}:{port}/link/?ticket={ticket}&app_id={APP_ID}"

    def reset(self) -> None:
        """Close what an earlier test left open; forget acknowledgements and counts."""
        with self.cond:
            stale = self.connections[:]
        for connection in stale:
            connection.close()
        self.wait("earlier connections to close", lambda: not self.connections)
        with self.cond:
            self.acks.clear()
            self.opened = 0

    def wait(
        self, what: str, predicate: Callable[[], object], timeout: float = 20.0
    ) -> None:
        """Block until ``predicate()`` holds (checked on every event), or fail."""
        with self.cond:
            if not self.cond.wait_for(predicate, timeout):
                msg = f"Socket Mode server: timed out waiting for {what}"
                raise TimeoutError(msg)

    def send(self, message: dict[str, Any]) -> None:
        """Send ``message`` on the newest open connection, as Slack picks one."""
        with self.cond:
            if not self.connections:
                msg = "no Socket Mode connection is open"
                raise RuntimeError(msg)
            connection = self.connections[-1]
        connection.send(json.dumps(message))

    def interactive(self, payload: dict[str, Any]) -> str:
        """Send an ``interactive`` envelope carrying ``payload``; its envelope id."""
        envelope_id = str(uuid.uuid4())
        self.send(
            {
                "envelope_id": envelope_id,
                "payload": payload,
                "type": "interactive",
                "accepts_response_payload": False,
            }
        )
        return envelope_id

    def refresh(self) -> None:
        """Ask the client to reconnect, as Slack does before it rotates a connection."""
        self.send(
            {
                "type": "disconnect",
                "reason": "refresh_requested",
                "debug_info": DEBUG_INFO,
            }
        )

    def drop(self) -> None:
        """Cut every connection without a closing handshake: a lost network."""
        with self.cond:
            connections = self.connections[:]
        for connection in connections:
            connection.socket.shutdown(socket.SHUT_RDWR)

    def _check_ticket(
        self, _connection: ServerConnection, request: Request
    ) -> Response | None:
        query = parse_qs(urlsplit(request.path).query)
        ticket = (query.get("ticket") or [""])[0]
        with self.cond:
            if ticket in self.tickets:
                self.tickets.discard(ticket)
                return None
        return Response(HTTPStatus.UNAUTHORIZED, "Unauthorized", Headers(), b"")

    def _serve(self, connection: ServerConnection) -> None:
        with self.cond:
            self.connections.append(connection)
            self.opened += 1
            count = len(self.connections)
            self.cond.notify_all()
        try:
            connection.send(
                json.dumps(
                    {
                        "type": "hello",
                        "num_connections": count,
                        "debug_info": {
                            **DEBUG_INFO,
                            "approximate_connection_time": 18060,
                        },
                        "connection_info": {"app_id": APP_ID},
                    }
                )
            )
            for raw in connection:
                with self.cond:
                    self.acks.append(json.loads(raw))
                    self.cond.notify_all()
        except ConnectionClosed:
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
        self._server.shutdown()
        self._thread.join(timeout=5)
