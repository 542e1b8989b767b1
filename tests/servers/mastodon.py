"""Local Mastodon instances, as strict as Mastodon 4.3's API, one per path prefix.

``MastodonServer.instance("mstdn.jp", ...)`` returns a base URL such as
``http://127.0.0.1:PORT/3/mstdn.jp``; Mastodon.py sends every call under it,
so each test gets its own instance state. Statuses come from
``tests/fixtures/mastodon/*.json`` (written by us in the API's entity shapes).

What it checks and answers, after docs.joinmastodon.org:

- ``Authorization: Bearer``: an unknown token → 401
  ``{"error": "The access token is invalid"}``; without one, an instance
  that disables public timelines for guests answers 422
  ``{"error": "This method requires an authenticated user"}``.
- ``GET /api/v1/timelines/tag/:hashtag`` and ``/api/v1/timelines/public``:
  ``limit`` at most 40 (default 20), ``max_id``/``since_id``/``min_id``
  (``min_id``: the statuses just after it), ``local``; newest first.
- ``GET /api/v2/search`` (``q``, ``type``, ``resolve``, ``limit``): statuses
  only with a token, and only where ``full_text`` is on (Elasticsearch);
  otherwise an empty ``statuses`` list, as most instances answer.
- ``X-RateLimit-Limit/Remaining/Reset`` (ISO 8601) on every answer; past the
  limit, 429 ``{"error": "Too many requests"}``.
- ``GET /api/v2/instance/`` (Mastodon.py reads it before its first timeline
  call): a 4.3 instance, whose configuration predates ``timelines_access``.
- Faults (on API calls, not the instance info): ``503``, ``drop`` (the
  connection closes without an answer) and ``accept-drop`` (the call is
  carried out, then the connection closes without an answer: a post that
  went out while its client timed out); ``post_faults`` hit POSTs only.
- Posting as the signed-in account (the brand's, ``Instance.me``):
  ``GET /api/v1/accounts/verify_credentials``, ``GET
  /api/v1/accounts/:id/statuses`` (newest first, ``limit`` at most 40) and
  ``POST /api/v1/statuses`` (``status``, ``in_reply_to_id``: an unknown id is
  404); over 500 characters is 422 ``Validation failed: Text character limit
  of 500 exceeded``; the same ``Idempotency-Key`` answers the first status
  again, as Mastodon does for an hour. ``GET /api/v2/search`` with
  ``resolve=true`` and a status URI finds that status, signed in.
- Edits change ``content`` and set ``edited_at``; deletions remove the status.
"""

from __future__ import annotations

import copy
import html
import itertools
import json
import re
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import parse_qsl, unquote, urlsplit

from tests.servers.http import LocalServer

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "mastodon"
_TAGS = re.compile(r"<[^>]+>")


@dataclass
class Instance:
    """One instance's statuses, tokens, settings and the requests it received."""

    statuses: dict[str, dict[str, Any]]
    tokens: set[str]
    full_text: bool = False
    guests_read_timelines: bool = True
    rate_limit: int = 300
    used: int = 0
    faults: list[str] = field(default_factory=list)
    post_faults: list[str] = field(default_factory=list)  # for POSTs only
    requests: list[dict[str, str]] = field(default_factory=list)
    me: dict[str, Any] = field(default_factory=lambda: dict(BRAND_ACCOUNT))
    posted: list[str] = field(default_factory=list)  # ids of statuses posted, in order
    idempotency: dict[str, str] = field(default_factory=dict)
    _ids: ClassVar[itertools.count[int]] = itertools.count(113500000000001000)

    def toot(self, html: str, tags: tuple[str, ...] = ()) -> str:
        """A new status (by the first fixture's author), newest of all."""
        status = copy.deepcopy(next(iter(self.statuses.values())))
        sid = str(next(self._ids))
        status |= {
            "id": sid,
            "uri": f"https://mstdn.jp/users/hanako/statuses/{sid}",
            "url": f"https://mstdn.jp/@hanako/{sid}",
            "content": html,
            "created_at": "2026-12-01T00:00:00.000Z",
            "tags": [{"name": t, "url": f"https://mstdn.jp/tags/{t}"} for t in tags],
            "reblog": None,
            "spoiler_text": "",
        }
        self.statuses[sid] = status
        return sid

    def edit(self, status_id: str, html: str) -> None:
        """The author edited it: new content, ``edited_at`` set."""
        self.statuses[status_id] |= {
            "content": html,
            "edited_at": "2026-12-01T01:00:00.000Z",
        }

    def delete(self, status_id: str) -> None:
        """The author deleted it."""
        del self.statuses[status_id]


BRAND_ACCOUNT = {
    "id": "109000000000000042",
    "username": "acme_support",
    "acct": "acme_support",
    "display_name": "ACME サポート",
    "url": "https://mstdn.jp/@acme_support",
    "followers_count": 1200,
}
MAX_CHARS = 500


def _text(status: dict[str, Any]) -> str:
    return _TAGS.sub("", status.get("content") or "").casefold()


class _Handler(BaseHTTPRequestHandler):
    owner: ClassVar[MastodonServer]

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass

    def do_GET(self) -> None:
        self._handle("GET", {})

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode() if length else ""
        if self.headers.get("Content-Type", "").startswith("application/json"):
            form = {k: str(v) for k, v in json.loads(raw or "{}").items()}
        else:
            form = dict(parse_qsl(raw, keep_blank_values=True))
        self._handle("POST", form)

    def _handle(self, method: str, form: dict[str, str]) -> None:
        url = urlsplit(self.path)
        parts = url.path.split("/", 3)  # "", n, name, "api/..."
        instance = self.owner.instances.get("/".join(parts[1:3]))
        if instance is None or len(parts) < 4:
            self._json(404, {"error": "Record not found"})
            return
        path = "/" + parts[3]
        params = dict(parse_qsl(url.query, keep_blank_values=True)) | form
        token = self.headers.get("Authorization", "").removeprefix("Bearer ") or None
        with self.owner.lock:
            instance.requests.append({"path": unquote(path), **params})
            fault = None
            if method == "POST" and instance.post_faults:
                fault = instance.post_faults.pop(0)
            elif instance.faults and path != "/api/v2/instance/":
                fault = instance.faults.pop(0)
            instance.used += 1
            remaining = max(0, instance.rate_limit - instance.used)
        if fault == "drop":
            self.close_connection = True
            self.connection.close()
            return
        if fault is not None and fault != "accept-drop":
            self._json(int(fault), {"error": "Service Unavailable"}, remaining)
            return
        if instance.used > instance.rate_limit:
            self._json(429, {"error": "Too many requests"}, 0)
            return
        if token is not None and token not in instance.tokens:
            self._json(401, {"error": "The access token is invalid"}, remaining)
            return
        if method == "POST":
            key = self.headers.get("Idempotency-Key")
            with self.owner.lock:
                status, body = _post(instance, path, params, token, key)
        else:
            status, body = self._answer(
                instance, path, params, signed_in=token is not None
            )
        if fault == "accept-drop":
            self.close_connection = True
            self.connection.close()
            return
        self._json(status, body, remaining)

    def _answer(
        self, instance: Instance, path: str, params: dict[str, str], *, signed_in: bool
    ) -> tuple[int, Any]:
        if path.startswith("/api/v1/timelines/"):
            if not signed_in and not instance.guests_read_timelines:
                return 422, {"error": "This method requires an authenticated user"}
            return _timeline(instance, path.removeprefix("/api/v1/timelines/"), params)
        if path == "/api/v2/instance/":  # Mastodon.py reads it once, cached
            return 200, INSTANCE_INFO
        if path == "/api/v2/search":
            return _search(instance, params, signed_in=signed_in)
        if path.startswith("/api/v1/accounts/"):
            return _account(instance, path.removeprefix("/api/v1/accounts/"), params)
        return 404, {"error": "Record not found"}

    def _json(self, status: int, body: Any, remaining: int | None = None) -> None:
        data = json.dumps(body, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        if remaining is not None:
            reset = datetime.now(UTC) + timedelta(minutes=5)
            self.send_header("X-RateLimit-Limit", "300")
            self.send_header("X-RateLimit-Remaining", str(remaining))
            self.send_header(
                "X-RateLimit-Reset", reset.isoformat(timespec="microseconds")
            )
        self.end_headers()
        self.wfile.write(data)


INSTANCE_INFO = {
    "domain": "mstdn.jp",
    "title": "mstdn.jp",
    "version": "4.3.2",
    "api_versions": {"mastodon": 2},
    "source_url": "https://github.com/mastodon/mastodon",
    "description": "",
    "configuration": {"urls": {"streaming": "wss://mstdn.jp"}},
    "registrations": {"enabled": True, "approval_required": False},
}


def _timeline(
    instance: Instance, which: str, params: dict[str, str]
) -> tuple[int, Any]:
    if which == "public":
        found = list(instance.statuses.values())
    elif which.startswith("tag/"):
        tag = unquote(which[4:]).casefold()
        found = [
            s
            for s in instance.statuses.values()
            if any(t["name"].casefold() == tag for t in s["tags"])
        ]
    else:
        return 404, {"error": "Record not found"}
    if params.get("local") in {"true", "1", "True"}:
        found = [s for s in found if "@" not in s["account"]["acct"]]
    return _paged(found, params)


def _search(
    instance: Instance, params: dict[str, str], *, signed_in: bool
) -> tuple[int, Any]:
    if not params.get("q"):
        return 400, {"error": "Validation failed: q can't be blank"}
    statuses = []
    if signed_in and params.get("resolve") in {"true", "1", "True"}:
        statuses = [s for s in instance.statuses.values() if s["uri"] == params["q"]]
    if not statuses and signed_in and instance.full_text:
        q = params["q"].casefold()
        statuses = [s for s in instance.statuses.values() if q in _text(s)]
        statuses.sort(key=lambda s: int(s["id"]), reverse=True)
        statuses = statuses[: _limit(params)]
    return 200, {"accounts": [], "statuses": statuses, "hashtags": []}


def _account(instance: Instance, rest: str, params: dict[str, str]) -> tuple[int, Any]:
    if rest == "verify_credentials":
        return 200, instance.me
    account_id, _, what = rest.partition("/")
    if what != "statuses":
        return 404, {"error": "Record not found"}
    own = [s for s in instance.statuses.values() if s["account"]["id"] == account_id]
    own.sort(key=lambda s: int(s["id"]), reverse=True)
    return 200, own[: _limit(params)]


def _invalid(text: str) -> str | None:
    if not text.strip():
        return "Text can't be blank"
    if len(text) > MAX_CHARS:
        return f"Text character limit of {MAX_CHARS} exceeded"
    return None


def _post(
    instance: Instance,
    path: str,
    form: dict[str, str],
    token: str | None,
    key: str | None,
) -> tuple[int, Any]:
    """``POST /api/v1/statuses`` as the signed-in account."""
    if path != "/api/v1/statuses":
        return 404, {"error": "Record not found"}
    if token is None:
        return 401, {"error": "The access token is invalid"}
    if key and key in instance.idempotency:
        return 200, instance.statuses[instance.idempotency[key]]
    text = form.get("status") or ""
    if invalid := _invalid(text):
        return 422, {"error": f"Validation failed: {invalid}"}
    parent = form.get("in_reply_to_id")
    if parent and parent not in instance.statuses:
        return 404, {"error": "Record not found"}
    sid = str(next(instance._ids))
    name = instance.me["username"]
    paragraphs = "".join(f"<p>{html.escape(p)}</p>" for p in text.split("\n\n"))
    instance.statuses[sid] = {
        "id": sid,
        "uri": f"https://mstdn.jp/users/{name}/statuses/{sid}",
        "url": f"https://mstdn.jp/@{name}/{sid}",
        "created_at": "2026-12-02T03:04:05.000Z",
        "edited_at": None,
        "in_reply_to_id": parent,
        "in_reply_to_account_id": (
            instance.statuses[parent]["account"]["id"] if parent else None
        ),
        "content": paragraphs,
        "spoiler_text": "",
        "visibility": "public",
        "language": None,
        "account": instance.me,
        "tags": [],
        "reblog": None,
        "replies_count": 0,
        "reblogs_count": 0,
        "favourites_count": 0,
    }
    instance.posted.append(sid)
    if key:
        instance.idempotency[key] = sid
    return 200, instance.statuses[sid]


def _limit(params: dict[str, str]) -> int:
    return min(int(params.get("limit") or 20), 40)


def _paged(found: list[dict[str, Any]], params: dict[str, str]) -> tuple[int, Any]:
    limit = _limit(params)
    found = sorted(found, key=lambda s: int(s["id"]))
    if "max_id" in params:
        found = [s for s in found if int(s["id"]) < int(params["max_id"])]
    if "since_id" in params:
        found = [s for s in found if int(s["id"]) > int(params["since_id"])]
    if "min_id" in params:
        after = [s for s in found if int(s["id"]) > int(params["min_id"])]
        page = after[:limit]
    else:
        page = found[-limit:]
    return 200, list(reversed(page))


class MastodonServer(LocalServer):
    """Serves many local instances; ``instance()`` adds one and returns its URL."""

    def __init__(self) -> None:
        super().__init__(type("Handler", (_Handler,), {"owner": self}))
        self.instances: dict[str, Instance] = {}
        self.lock = threading.Lock()
        self._numbers = itertools.count(1)

    def instance(
        self,
        name: str = "mstdn.jp",
        fixture: str | None = "mstdn_jp",
        *,
        tokens: tuple[str, ...] = (),
        **settings: Any,
    ) -> tuple[str, Instance]:
        """A new instance's base URL and state."""
        statuses = []
        if fixture:
            data = json.loads((FIXTURES / f"{fixture}.json").read_text("utf-8"))
            statuses = data["statuses"]
        key = f"{next(self._numbers)}/{name}"
        instance = Instance(
            statuses={s["id"]: s for s in statuses}, tokens=set(tokens), **settings
        )
        self.instances[key] = instance
        return f"{self.url}/{key}", instance
