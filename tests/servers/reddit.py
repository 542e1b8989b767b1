"""A local Reddit OAuth API that replays recorded API answers, one scenario per client id.

Scenarios are registered with ``RedditServer.scenario(...)``, which returns a
client id; PRAW sends that id (HTTP Basic) to ``POST /api/v1/access_token``, the
server answers with a bearer token equal to it, and every API call that carries
the token is answered from that scenario, so tests never share replay state:

- **Recordings** (``cassettes``): the interactions of the named files, in
  PRAW's cassette format, looked up in each fixture root's ``reddit`` folder:
  the team's own in ``tests/fixtures/reddit`` (``acme_search``), then PRAW's
  real ones in ``../shared/fixtures/reddit/{praw,prawcore}`` (a bare name is
  tried as ``praw/<name>`` too). Requests are matched by method + path +
  query (and form body) *as sets*; repeated identical requests get the recorded
  responses in order (the last one repeats). Without an exact match the next
  recorded response for the same method + path is used, then one whose recorded
  path starts with the requested path (``/comments/52o2fl/`` is served
  ``/comments/52o2fl/_/d7ltvl0``); an ``ordered`` scenario ignores the query.
  The headers PROVENANCE.md names
  (Content-Encoding, Content-Length, Transfer-Encoding, x-ratelimit-*) are
  dropped and the length recomputed. Anything else is a 404 and is recorded in
  ``Scenario.unmatched``.
- **Faults**: ``Fault(path, cassette, times)`` answers the next ``times``
  requests for ``path`` with the recorded error response of a cassette
  (``too_many_requests``: 429 + ``retry-after: 4``; ``service_unavailable``:
  503), status, headers and body as recorded.
- **Released comments**: ``Scenario.release(subreddit, body, ...)`` makes a new
  comment visible at ``/r/<subreddit>/comments/`` (built on a recorded comment,
  newest first, honouring ``before`` and ``limit``), for stream polls over time.
- **Edits**: ``Scenario.edit(fullname, text)`` answers every later listing that
  holds ``fullname`` with its body (or selftext) replaced and ``edited`` set to
  the time of the edit, as Reddit does once the author edited it. No recording
  holds two versions of one post, so edits, like released comments, are made up
  by the test on top of recorded things.

- **Posting as the brand** (a scenario with ``account``, the script app's
  user, signed in with the password grant): ``POST /api/comment`` (``thing_id``,
  ``text``) answers the new comment in ``{"json": {"errors": [], "data":
  {"things": [...]}}}``; over 10000 characters it answers ``TOO_LONG`` and
  while ``ratelimited`` ``RATELIMIT``, in ``json.errors`` with status 200, as
  Reddit does. ``GET /user/<account>/comments`` lists what was posted, newest
  first. ``post_faults`` (``accept-drop``: the comment is made, then the
  connection closes unanswered) hit ``POST /api/comment`` only.

The client id ``bad`` gets the token endpoint's 401, as wrong credentials do,
in the shape of ``invalid_access_token``.
"""

from __future__ import annotations

import base64
import copy
import html
import itertools
import json
import threading
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any, ClassVar, Self
from urllib.parse import parse_qsl, urlsplit

from tests.servers.http import LocalServer

DROP_HEADERS = frozenset(
    {"content-encoding", "content-length", "transfer-encoding", "connection"}
)
BAD_CLIENT = "bad"
COMMENT_TEMPLATE = "acme_comment_stream"
MAX_COMMENT = 10000
RATELIMIT_MESSAGE = (
    "Looks like you've been doing that a lot. Take a break for 5 minutes "
    "before trying again."
)

Key = tuple[str, str, frozenset[tuple[str, str]]]


@dataclass(frozen=True)
class Recorded:
    """One recorded response: status, headers (already filtered) and body."""

    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes


@dataclass
class Fault:
    """Answer the next ``times`` requests for ``path`` with a recorded error."""

    path: str
    cassette: str  # e.g. "prawcore/TestSession.test_request__service_unavailable"
    times: int = 1


def _text(body: Any) -> str:
    if not body:
        return ""
    return body if isinstance(body, str) else str(body.get("string", ""))


def _recorded(response: dict[str, Any]) -> Recorded:
    headers = tuple(
        (name, value)
        for name, values in response["headers"].items()
        if name.lower() not in DROP_HEADERS
        and not name.lower().startswith("x-ratelimit")
        for value in values
    )
    body = _text(response["body"]).encode()
    return Recorded(int(response["status"]["code"]), headers, body)


def _key(method: str, target: str, body: str) -> Key:
    parts = urlsplit(target)
    params = set(parse_qsl(parts.query, keep_blank_values=True))
    if method == "POST":
        params |= set(parse_qsl(body, keep_blank_values=True))
    return method, parts.path.rstrip("/") or "/", frozenset(params)


def find_cassette(roots: Sequence[Path], name: str) -> Path:
    """The file of cassette ``name`` in the first of ``roots`` that has it."""
    tries = [name] if "/" in name else [name, f"praw/{name}"]
    for root in roots:
        for attempt in tries:
            if (file := root / f"{attempt}.json").is_file():
                return file
    msg = f"no Reddit cassette {name!r} in {', '.join(map(str, roots))}"
    raise LookupError(msg)


def load_cassette(roots: Sequence[Path], name: str) -> list[tuple[Key, Recorded]]:
    """The API interactions (token requests left out) of cassette ``name``."""
    file = find_cassette(roots, name)
    data = json.loads(file.read_text(encoding="utf-8"))
    out = []
    for interaction in data["interactions"]:
        request = interaction["request"]
        if urlsplit(request["uri"]).path == "/api/v1/access_token":
            continue
        key = _key(request["method"], request["uri"], _text(request["body"]))
        out.append((key, _recorded(interaction["response"])))
    return out


@dataclass
class Scenario:
    """What one client id is answered with; see the module docstring."""

    roots: tuple[Path, ...]
    cassettes: tuple[str, ...] = ()
    ordered: bool = False  # replay each path in recorded order, whatever the query
    faults: list[Fault] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)
    requests: list[tuple[float, str]] = field(default_factory=list)
    released: dict[str, list[dict[str, Any]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    edits: dict[str, dict[str, Any]] = field(default_factory=dict)
    account: str | None = None
    posted: list[dict[str, Any]] = field(default_factory=list)  # newest first
    post_faults: list[str] = field(default_factory=list)
    ratelimited: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self._queues: dict[Key, list[Recorded]] = defaultdict(list)
        self._order: list[tuple[Key, Recorded]] = []
        for name in self.cassettes:
            for found, recorded in load_cassette(self.roots, name):
                key = (*found[:2], frozenset()) if self.ordered else found
                self._queues[key].append(recorded)
                self._order.append((key, recorded))
        self._ids = itertools.count(int("zz00000", 36))
        self._template: dict[str, Any] | None = None

    def release(
        self, subreddit: str, body: str, *, author: str = "someone"
    ) -> dict[str, Any]:
        """Make a new comment visible in ``subreddit``'s comment listing now."""
        data = self._comment_data()
        cid = base36(next(self._ids))
        now = time.time()
        data.update(
            id=cid,
            name=f"t1_{cid}",
            body=body,
            body_html=body,
            author=author,
            created_utc=now,
            created=now,
            subreddit=subreddit,
            subreddit_name_prefixed=f"r/{subreddit}",
            parent_id="t3_bench1",
            link_id="t3_bench1",
            link_title=f"A thread in r/{subreddit}",
            score=1,
            edited=False,
        )
        with self.lock:
            self.released[subreddit.lower()].insert(0, {"kind": "t1", "data": data})
        return data

    def _comment_data(self) -> dict[str, Any]:
        if self._template is None:
            (_, recorded), *_ = load_cassette(self.roots, COMMENT_TEMPLATE)
            listing = json.loads(recorded.body)
            self._template = listing["data"]["children"][0]["data"]
        return copy.deepcopy(self._template)

    def _post_comment(self, form: dict[str, str]) -> Recorded:
        """``POST /api/comment`` as ``account``: a reply to ``thing_id``."""
        text, parent = form.get("text") or "", form.get("thing_id") or ""
        errors = []
        if self.ratelimited:
            errors.append(
                [
                    "RATELIMIT",
                    RATELIMIT_MESSAGE,
                    "ratelimit",
                ]
            )
        elif len(text) > MAX_COMMENT:
            errors.append(
                ["TOO_LONG", f"this is too long (max: {MAX_COMMENT})", "text"]
            )
        elif not text.strip():
            errors.append(["NO_TEXT", "we need something here", "text"])
        if errors:
            return _json({"json": {"errors": errors}})
        data = self._comment_data()
        cid = base36(next(self._ids))
        link = parent if parent.startswith("t3_") else "t3_acme02"
        data.update(
            id=cid,
            name=f"t1_{cid}",
            body=text,
            body_html=html.escape(text),
            author=self.account,
            parent_id=parent,
            link_id=link,
            permalink=f"/r/acmejp/comments/{link[3:]}/_/{cid}/",
            created_utc=1796180645.0,  # 2026-12-02T03:04:05Z
            created=1796180645.0,
            replies="",
        )
        self.posted.insert(0, {"kind": "t1", "data": data})
        return _json({"json": {"errors": [], "data": {"things": [self.posted[0]]}}})

    def _own_comments(self, path: str, params: dict[str, str]) -> Recorded | None:
        if path.rstrip("/") != f"/user/{self.account}/comments":
            return None
        items = self.posted[: int(params.get("limit", 25))]
        return _json({"kind": "Listing", "data": {"children": items, "after": None}})

    def edit(self, fullname: str, text: str) -> None:
        """Answer ``fullname`` with ``text`` from now on, as after an edit."""
        key = "body" if fullname.startswith("t1_") else "selftext"
        with self.lock:
            self.edits[fullname] = {
                key: text,
                f"{key}_html": html.escape(text),
                "edited": time.time(),
            }

    def answer(self, method: str, target: str, body: str) -> Recorded:
        """The response to one API request."""
        key = _key(method, target, body)
        with self.lock:
            self.requests.append((time.monotonic(), f"{method} {target}"))
            if self.account is not None:
                if method == "POST" and key[1] == "/api/comment":
                    return self._post_comment(dict(parse_qsl(body)))
                own = self._own_comments(key[1], dict(key[2]))
                if method == "GET" and own is not None:
                    return own
            for fault in self.faults:
                if fault.times > 0 and fault.path.rstrip("/") == key[1]:
                    fault.times -= 1
                    return self._fault(fault)
            found = self._released(key) or self._replay(key)
            if found is not None:
                return self._edited(found)
        self.unmatched.append(f"{method} {target}")
        return Recorded(404, (("Content-Type", "application/json"),), b"{}")

    def _edited(self, recorded: Recorded) -> Recorded:
        if not self.edits or recorded.status != 200:
            return recorded
        data = json.loads(recorded.body)
        _apply_edits(data, self.edits)
        return Recorded(recorded.status, recorded.headers, json.dumps(data).encode())

    def _fault(self, fault: Fault) -> Recorded:
        for _, recorded in load_cassette(self.roots, fault.cassette):
            if recorded.status >= 400:
                return recorded
        msg = f"{fault.cassette} has no error response"
        raise LookupError(msg)

    def _replay(self, key: Key) -> Recorded | None:
        if self.ordered:
            key = next((k for k, _ in self._order if k[:2] == key[:2]), key)
        queue = self._queues.get(key)
        if not queue:
            method, path, _ = key
            same_path = [k for k, _ in self._order if k[:2] == key[:2]]
            prefixed = [
                k for k, _ in self._order if k[0] == method and k[1].startswith(path)
            ]
            candidates = same_path or prefixed
            queue = self._queues.get(candidates[0]) if candidates else None
        if not queue:
            return None
        return queue.pop(0) if len(queue) > 1 else queue[0]

    def _released(self, key: Key) -> Recorded | None:
        method, path, params = key
        parts = path.strip("/").split("/")
        if method != "GET" or parts[::2] != ["r", "comments"] or len(parts) != 3:
            return None
        items = self.released.get(parts[1].lower())
        if items is None:
            return None
        query = dict(params)
        if before := query.get("before"):
            names = [c["data"]["name"] for c in items]
            items = items[: names.index(before)] if before in names else []
        items = items[-int(query.get("limit", 100)) :] if query.get("before") else items
        items = items[: int(query.get("limit", 100))]
        listing = {"kind": "Listing", "data": {"children": items, "after": None}}
        body = json.dumps(listing).encode()
        return Recorded(
            200, (("Content-Type", "application/json; charset=UTF-8"),), body
        )


def _json(body: Any) -> Recorded:
    headers = (("Content-Type", "application/json; charset=UTF-8"),)
    return Recorded(200, headers, json.dumps(body).encode())


def _apply_edits(data: Any, edits: dict[str, dict[str, Any]]) -> None:
    """Replace the edited fields of every thing in ``data`` named in ``edits``."""
    if isinstance(data, dict):
        changes = edits.get(str(data.get("name")))
        if changes is not None:
            data.update(changes)
        for value in data.values():
            _apply_edits(value, edits)
    elif isinstance(data, list):
        for value in data:
            _apply_edits(value, edits)


def base36(number: int) -> str:
    """``number`` written as Reddit writes ids."""
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while number:
        number, rest = divmod(number, 36)
        out = digits[rest] + out
    return out or "0"


class RedditHandler(BaseHTTPRequestHandler):
    """Answers the token endpoint and API calls from the caller's scenario."""

    scenarios: ClassVar[dict[str, Scenario]]
    token_error: ClassVar[Recorded]

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        """Keep the test output quiet."""

    def do_GET(self) -> None:
        """Answer an API read."""
        self._api("GET", "")

    def do_POST(self) -> None:
        """Answer the token endpoint, or an API call with a form body."""
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode()
        if urlsplit(self.path).path == "/api/v1/access_token":
            self._token()
        else:
            self._api("POST", body)

    def _token(self) -> None:
        auth = self.headers.get("Authorization", "")
        client_id = ""
        if auth.startswith("Basic "):
            client_id = base64.b64decode(auth[6:]).decode().partition(":")[0]
        if client_id not in self.scenarios:
            self._send(self.token_error)
            return
        token = {"access_token": client_id, "token_type": "bearer"}
        token |= {"expires_in": 3600, "scope": "*"}
        headers = (("Content-Type", "application/json; charset=UTF-8"),)
        self._send(Recorded(200, headers, json.dumps(token).encode()))

    def _api(self, method: str, body: str) -> None:
        token = self.headers.get("Authorization", "").removeprefix("bearer ")
        scenario = self.scenarios.get(token)
        if scenario is None:
            self._send(self.token_error)
            return
        fault = None
        if method == "POST" and urlsplit(self.path).path.rstrip("/") == "/api/comment":
            with scenario.lock:
                fault = scenario.post_faults.pop(0) if scenario.post_faults else None
        recorded = scenario.answer(method, self.path, body)
        if fault == "accept-drop":
            self.close_connection = True
            self.connection.close()
            return
        self._send(recorded)

    def _send(self, recorded: Recorded) -> None:
        self.send_response(recorded.status)
        for name, value in recorded.headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(recorded.body)))
        self.end_headers()
        self.wfile.write(recorded.body)


class RedditServer:
    """The replay server on 127.0.0.1 (a free port); use as a context manager."""

    def __init__(self, roots: Sequence[Path]) -> None:
        """Serve cassettes from the ``reddit`` folder of each fixture root."""
        self.roots = tuple(root / "reddit" for root in roots)
        self.scenarios: dict[str, Scenario] = {}
        self._ids = itertools.count(1)
        (_, unauthorized), *_ = load_cassette(self.roots, "invalid_access_token")
        handler = type(
            "BoundRedditHandler",
            (RedditHandler,),
            {"scenarios": self.scenarios, "token_error": unauthorized},
        )
        self.server = LocalServer(handler)

    @property
    def url(self) -> str:
        """Base URL without a trailing slash: PRAW's oauth_url and reddit_url."""
        return self.server.url

    def scenario(
        self,
        *cassettes: str,
        faults: tuple[Fault, ...] = (),
        ordered: bool = False,
        account: str | None = None,
    ) -> tuple[str, Scenario]:
        """Register a scenario; returns (client id, scenario).

        ``ordered`` replays each path's recorded responses in order whatever the
        query: a restarted stream asks with a different ``limit`` than the
        recording did, yet Reddit would answer it the same way.
        """
        client_id = f"scenario{next(self._ids)}"
        scenario = Scenario(self.roots, cassettes, ordered, list(faults))
        scenario.account = account
        self.scenarios[client_id] = scenario
        return client_id, scenario

    def __enter__(self) -> Self:
        self.server.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.__exit__(None, None, None)
