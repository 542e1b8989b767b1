"""What every local Meta Graph host shares: tokens, errors, paging, usage headers, faults.

A network's server (``tests.servers.instagram``) subclasses ``GraphApp`` with
its nodes and edges; ``GraphServer.app(...)`` serves each app under its own
prefix, ``http://127.0.0.1:PORT/<n>/v23.0``, so each test has its own state.

What it checks and answers, after developers.facebook.com/docs/graph-api
(overview, using-graph-api/error-handling, overview/rate-limiting):

- The token, from ``Authorization: Bearer`` or ``access_token``: none →
  400 code 2500; unknown → 400 code 190 ("Invalid OAuth access token");
  expired → 400 code 190, subcode 463. Every error is
  ``{"error": {"message", "type", "code", "error_subcode", "fbtrace_id"}}``.
- ``fields``: each must be one the node type has, else 400 code 100
  ("Tried accessing nonexisting field"); the answer holds those fields only.
  Field expansion ``replies{id,text}`` is parsed likewise.
- Paging: ``limit`` (capped per edge), ``after`` cursors, and
  ``paging.cursors`` / ``paging.next``, whose link carries the
  ``access_token`` as Meta's do (``token_in_next``).
- Usage: each call spends ``100 / allowance`` percent of the hour; answers
  carry ``X-App-Usage`` and ``X-Business-Use-Case-Usage`` (keyed by the
  business account, ``type`` the app's use case). Past 100 % the call fails
  with the use case's throttling code (80002 for Instagram) and
  ``estimated_time_to_regain_access``.
- Faults, one per call in order: ``"503"`` (an HTML error page), ``"drop"``
  and ``"ok"`` (answered as usual).
"""

from __future__ import annotations

import base64
import itertools
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any, ClassVar
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

from tests.servers.http import LocalServer

VERSION = "v23.0"


class GraphFail(Exception):  # noqa: N818 - an answer, not a bug
    """Answer with a Graph error."""

    def __init__(
        self,
        message: str,
        code: int,
        subcode: int | None = None,
        status: int = 400,
        kind: str = "OAuthException",
    ) -> None:
        super().__init__(message)
        self.status = status
        self.body: dict[str, Any] = {
            "message": message,
            "type": kind,
            "code": code,
            "fbtrace_id": "AbCdEfGhIjKlMnOp",
        }
        if subcode is not None:
            self.body["error_subcode"] = subcode


def no_node(node_id: str) -> GraphFail:
    """Graph's answer for an id it does not know (or the token may not see)."""
    return GraphFail(
        f"Unsupported get request. Object with ID '{node_id}' does not exist, cannot "
        "be loaded due to missing permissions, or does not support this operation.",
        100,
        33,
        kind="GraphMethodException",
    )


def split_fields(spec: str) -> dict[str, str | None]:
    """``id,replies{id,text}`` → ``{"id": None, "replies": "id,text"}``.

    A field with modifiers keeps them: ``comments.limit(0)`` → ``{"comments":
    "comments.limit(0)"}``.
    """
    fields: dict[str, str | None] = {}
    depth, start = 0, 0
    for i, char in enumerate(spec + ","):
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
        elif char == "," and depth == 0:
            part = spec[start:i].strip()
            start = i + 1
            if not part:
                continue
            head, _, inner = part.partition("{")
            name = head.split(".", 1)[0]  # comments.limit(0).summary(true)
            fields[name] = inner[:-1] if inner else (head if "." in head else None)
    return fields


def project(node: dict[str, Any], spec: str, node_type: str, allowed: set[str]) -> Any:
    """``node`` with only the fields ``spec`` asks for (and its ``id``)."""
    if not isinstance(node, dict):  # what a test planted as a broken element
        return node
    fields = split_fields(spec)
    for name in fields:
        if name not in allowed:
            msg = (
                f"(#100) Tried accessing nonexisting field ({name}) on node type "
                f"({node_type})"
            )
            raise GraphFail(msg, 100)
    shown = {"id": node["id"]} if "id" in node else {}  # a Recommendation has none
    return shown | {name: node[name] for name in fields if name in node}


@dataclass
class GraphApp:
    """One app's tokens, business account, usage and requests; subclasses add nodes."""

    tokens: dict[str, str]  # token → "ok" | "expired"
    business_id: str
    use_case: str = "instagram"
    throttle_code: int = 80002
    allowance: int = 200  # calls an hour before the business use case throttles
    used: int = 0
    regain_minutes: int = 12
    faults: list[str] = field(default_factory=list)
    requests: list[dict[str, str]] = field(default_factory=list)
    base_url: str = ""

    def route(self, path: str, params: dict[str, str]) -> Any:
        """The answer to ``GET path`` (subclasses); raise ``GraphFail`` for errors."""
        raise no_node(path)

    def usage_percent(self) -> int:
        """The share of the hour's allowance used."""
        return min(100, self.used * 100 // self.allowance)

    def paged(
        self,
        path: str,
        params: dict[str, str],
        items: list[dict[str, Any]],
        node_type: str,
        allowed: set[str],
        *,
        max_limit: int = 50,
        default_limit: int = 25,
        render: Callable[[dict[str, Any]], Any] | None = None,
    ) -> dict[str, Any]:
        """One page of an edge, with Graph's ``paging`` block."""
        limit = min(int(params.get("limit") or default_limit), max_limit)
        offset = _offset(params.get("after"))
        page = items[offset : offset + limit]
        spec = params.get("fields", "id")
        show = render or (lambda item: project(item, spec, node_type, allowed))
        body: dict[str, Any] = {"data": [show(item) for item in page]}
        if page:
            body["paging"] = {
                "cursors": {
                    "before": _cursor(offset),
                    "after": _cursor(offset + len(page)),
                }
            }
            if offset + limit < len(items):
                query = {k: v for k, v in params.items() if k != "after"}
                query["after"] = _cursor(offset + len(page))
                if token := params.get("_token"):
                    query["access_token"] = token
                query.pop("_token", None)
                body["paging"]["next"] = f"{self.base_url}/{path}?{urlencode(query)}"
        return body


def _cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode().rstrip("=")


def _offset(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        return int(text.removeprefix("offset:"))
    except ValueError:
        raise GraphFail("(#100) Invalid after cursor", 100) from None


class _Handler(BaseHTTPRequestHandler):
    owner: ClassVar[GraphServer]

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        parts = url.path.split("/", 3)  # "", n, version, "node/edge"
        app = self.owner.apps.get("/".join(parts[1:3]))
        if app is None or len(parts) < 4:
            self._json(404, {"error": {"message": "Unknown path", "code": 803}})
            return
        params = dict(parse_qsl(url.query, keep_blank_values=True))
        header = self.headers.get("Authorization", "").removeprefix("Bearer ")
        in_query = params.pop("access_token", None)
        token = header or in_query
        with self.owner.lock:
            app.requests.append(
                {
                    "path": unquote(parts[3]),
                    "token_in_url": str(bool(in_query)),
                    **params,
                }
            )
            fault = app.faults.pop(0) if app.faults else None
            app.used += 1
        if fault == "drop":
            self.close_connection = True
            self.connection.close()
            return
        if fault == "503":
            self._raw(
                503, b"<html><body>Service Unavailable</body></html>", "text/html"
            )
            return
        try:
            self._check(app, token)
            if app.used > app.allowance:
                msg = "There have been too many calls from this account. Wait a bit and try again."
                raise GraphFail(msg, app.throttle_code)
            body = app.route(unquote(parts[3]), {**params, "_token": token or ""})
        except GraphFail as fail:
            self._json(fail.status, {"error": fail.body}, app)
            return
        self._json(200, body, app)

    def _check(self, app: GraphApp, token: str | None) -> None:
        if not token:
            msg = "An active access token must be used to query information about the current user."
            raise GraphFail(msg, 2500)
        state = app.tokens.get(token)
        if state is None:
            raise GraphFail(
                "Invalid OAuth access token - Cannot parse access token", 190
            )
        if state == "expired":
            msg = (
                "Error validating access token: Session has expired on Sunday, "
                "06-Dec-26 16:00:00 PST. The current time is Monday, 07-Dec-26 "
                "01:00:00 PST."
            )
            raise GraphFail(msg, 190, 463)

    def _json(self, status: int, body: Any, app: GraphApp | None = None) -> None:
        headers = {}
        if app is not None:
            percent = app.usage_percent()
            headers["X-App-Usage"] = json.dumps(
                {"call_count": percent // 2, "total_cputime": 1, "total_time": 1}
            )
            headers["X-Business-Use-Case-Usage"] = json.dumps(
                {
                    app.business_id: [
                        {
                            "type": app.use_case,
                            "call_count": percent,
                            "total_cputime": 1,
                            "total_time": 1,
                            "estimated_time_to_regain_access": (
                                app.regain_minutes if percent >= 100 else 0
                            ),
                        }
                    ]
                }
            )
        data = json.dumps(body, ensure_ascii=False).encode()
        self._raw(status, data, "application/json; charset=UTF-8", headers)

    def _raw(
        self,
        status: int,
        data: bytes,
        content_type: str,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)


class GraphServer(LocalServer):
    """Serves many local Graph apps; ``add()`` gives one its prefix and URL."""

    def __init__(self) -> None:
        super().__init__(type("Handler", (_Handler,), {"owner": self}))
        self.apps: dict[str, GraphApp] = {}
        self.lock = threading.Lock()
        self._numbers = itertools.count(1)

    def add(self, app: GraphApp) -> str:
        """Serve ``app``; its base URL (with the API version)."""
        key = f"{next(self._numbers)}/{VERSION}"
        app.base_url = f"{self.url}/{key}"
        self.apps[key] = app
        return app.base_url
