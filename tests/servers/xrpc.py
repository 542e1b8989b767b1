"""A local Bluesky XRPC API: sessions, ``searchPosts``, and posting as an account.

Shapes follow the published lexicons (``com.atproto.server.createSession``,
``app.bsky.feed.searchPosts``, ``app.bsky.feed.defs#postView``) and the XRPC
error convention, a JSON body ``{"error": ..., "message": ...}``:

- ``createSession`` takes ``{"identifier", "password"}``; a wrong pair is 401
  ``AuthenticationRequired`` ("Invalid identifier or password"), a missing
  one 400 ``InvalidRequest``. Tokens are JWTs with an ``exp``, as the client
  checks.
- ``searchPosts`` needs ``Authorization: Bearer <accessJwt>`` (else 401
  ``AuthenticationRequired``); ``limit`` 1-100; ``cursor`` is opaque (an offset
  here); ``sort`` ``latest`` or ``top``.

Posting (the brand's replies), after ``com.atproto.repo.*`` and the
``app.bsky.feed.post`` lexicon:

- ``app.bsky.feed.getPosts`` (``uris``, at most 25; auth) answers the
  ``postView`` of each known post (``posts`` and records created here).
- ``com.atproto.repo.createRecord`` (auth; ``repo`` must be the session's
  handle or DID, else 400 ``InvalidRequest``): a post's ``text`` over 300 graphemes or
  3000 bytes is 400 ``InvalidRequest``; a ``reply`` needs ``root`` and
  ``parent`` strong refs (``uri`` + ``cid``) of known posts. Answers
  ``{uri, cid, validationStatus}``; ``post_faults`` (``accept-drop``: the
  record is created, then the connection closes unanswered) hit it.
- ``com.atproto.repo.listRecords`` (``repo`` a handle or DID, ``collection``, ``limit`` 1-100;
  no auth): the repo's records, newest first, as the PDS has them at once
  (the AppView's author feed may lag).

Scenarios by account: ``expired.test``'s first session expires after one
search (400 ``ExpiredToken`` from then on; a new session works); ``busy.test`` is rate limited
on searches (429 ``RateLimitExceeded`` with ``ratelimit-limit``,
``ratelimit-remaining``, ``ratelimit-reset`` and ``ratelimit-policy``).
"""

from __future__ import annotations

import base64
import json
import threading
import time
import unicodedata
import uuid
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

import regex

from tests.servers.http import LocalServer

PASSWORD = "abcd-efgh-ijkl-mnop"  # noqa: S105 - the fake server's app password
ACCOUNTS = {
    "alice.test": "did:plc:alice7nxzyoun6zhxrhs64oiz",
    "expired.test": "did:plc:expired7nxzyoun6zhxrhs64o",
    "busy.test": "did:plc:busy7nxzyoun6zhxrhs64oiza",
    "acme.test": "did:plc:acme7nxzyoun6zhxrhs64oizaa",
}
MAX_GRAPHEMES, MAX_BYTES = 300, 3000


def _b64(data: dict[str, Any]) -> str:
    raw = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _jwt(did: str, scope: str, lifetime: int) -> str:
    now = int(time.time())
    header = _b64({"typ": "at+jwt", "alg": "HS256"})
    body = _b64(
        {
            "scope": scope,
            "sub": did,
            "iat": now,
            "exp": now + lifetime,
            "aud": "did:web:localhost",
        }
    )
    return f"{header}.{body}.{uuid.uuid4().hex}"


def post_view(
    handle: str, did: str, rkey: str, text: str, *, langs=("ja",), likes=0, replies=0
) -> dict[str, Any]:
    """A ``postView`` as searchPosts returns it."""
    return {
        "uri": f"at://{did}/app.bsky.feed.post/{rkey}",
        "cid": f"bafyreig{rkey}",
        "author": {
            "did": did,
            "handle": handle,
            "displayName": handle.split(".", maxsplit=1)[0],
            "labels": [],
            "createdAt": "2024-01-01T00:00:00.000Z",
        },
        "record": {
            "$type": "app.bsky.feed.post",
            "createdAt": "2026-11-30T10:00:00.000Z",
            "langs": list(langs),
            "text": text,
        },
        "replyCount": replies,
        "repostCount": 0,
        "likeCount": likes,
        "quoteCount": 0,
        "indexedAt": "2026-11-30T10:00:01.000Z",
        "labels": [],
    }


class XrpcServer(LocalServer):
    """The Bluesky API on 127.0.0.1; ``posts`` is what search finds, newest first."""

    def __init__(self) -> None:
        self.posts: list[dict[str, Any]] = []
        self.tokens: dict[str, str] = {}  # access token -> handle
        self.expired: set[str] = set()
        self.sessions: dict[str, int] = {}  # handle -> sessions created
        self.expiring = ""  # expired.test's first token: it expires after one use
        self.requests: list[tuple[str, dict[str, list[str]]]] = []
        self.records: dict[
            str, list[dict[str, Any]]
        ] = {}  # did -> records, oldest first
        self.post_faults: list[str] = []
        self.lock = threading.Lock()
        server = self

        class Handler(_Handler):
            xrpc = server

        super().__init__(Handler)


class _Handler(BaseHTTPRequestHandler):
    xrpc: XrpcServer

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        return

    def _reply(self, status: int, body: dict[str, Any], headers=()) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _error(self, status: int, error: str, message: str, headers=()) -> None:
        self._reply(status, {"error": error, "message": message}, headers)

    def do_POST(self) -> None:
        path = urlsplit(self.path).path
        length = int(self.headers.get("Content-Length") or 0)
        try:
            body = json.loads(self.rfile.read(length) or b"{}")
        except ValueError:
            self._error(400, "InvalidRequest", "Request body is not JSON")
            return
        if path == "/xrpc/com.atproto.repo.createRecord":
            self._create_record(body)
            return
        if path != "/xrpc/com.atproto.server.createSession":
            self._error(501, "MethodNotImplemented", "Method Not Implemented")
            return
        identifier, password = body.get("identifier"), body.get("password")
        if not isinstance(identifier, str) or not isinstance(password, str):
            self._error(
                400, "InvalidRequest", 'Input must have the property "identifier"'
            )
            return
        did = ACCOUNTS.get(identifier)
        if did is None or password != PASSWORD:
            self._error(401, "AuthenticationRequired", "Invalid identifier or password")
            return
        access = _jwt(did, "com.atproto.appPass", 7200)
        with self.xrpc.lock:
            self.xrpc.tokens[access] = identifier
            self.xrpc.sessions[identifier] = self.xrpc.sessions.get(identifier, 0) + 1
            if identifier == "expired.test" and self.xrpc.sessions[identifier] == 1:
                self.xrpc.expiring = access
            self.xrpc.requests.append((path, {"identifier": [identifier]}))
        self._reply(
            200,
            {
                "accessJwt": access,
                "refreshJwt": _jwt(did, "com.atproto.refresh", 86400),
                "handle": identifier,
                "did": did,
                "active": True,
            },
        )

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        query = parse_qs(parts.query)
        with self.xrpc.lock:
            self.xrpc.requests.append((parts.path, query))
        if parts.path == "/xrpc/com.atproto.repo.listRecords":
            self._list_records(query)
            return
        if parts.path == "/xrpc/app.bsky.feed.getPosts":
            if self._session() is not None:
                self._get_posts(query)
            return
        if parts.path != "/xrpc/app.bsky.feed.searchPosts":
            self._error(501, "MethodNotImplemented", "Method Not Implemented")
            return
        token = (self.headers.get("Authorization") or "").removeprefix("Bearer ")
        with self.xrpc.lock:
            handle = self.xrpc.tokens.get(token)
            expired = token in self.xrpc.expired
            if token == self.xrpc.expiring:
                self.xrpc.expired.add(token)
        if handle is None:
            self._error(401, "AuthenticationRequired", "Authentication Required")
        elif expired:
            self._error(400, "ExpiredToken", "Token has expired")
        elif handle == "busy.test":
            reset = int(time.time()) + 120
            self._error(
                429,
                "RateLimitExceeded",
                "Rate Limit Exceeded",
                [
                    ("ratelimit-limit", "3000"),
                    ("ratelimit-remaining", "0"),
                    ("ratelimit-reset", str(reset)),
                    ("ratelimit-policy", "3000;w=300"),
                ],
            )
        else:
            self._search(query)

    def _search(self, query: dict[str, list[str]]) -> None:
        q = (query.get("q") or [""])[0].strip('"')
        try:
            limit = int((query.get("limit") or ["25"])[0])
            offset = int((query.get("cursor") or ["0"])[0])
        except ValueError:
            self._error(400, "InvalidRequest", "Invalid limit or cursor")
            return
        if not q or not 1 <= limit <= 100:
            self._error(400, "InvalidRequest", "q is required; limit must be 1-100")
            return
        fold = lambda s: unicodedata.normalize("NFKC", s).casefold()
        hits = [p for p in self.xrpc.posts if fold(q) in fold(p["record"]["text"])]
        page = hits[offset : offset + limit]
        body: dict[str, Any] = {"posts": page, "hitsTotal": len(hits)}
        if offset + limit < len(hits):
            body["cursor"] = str(offset + limit)
        self._reply(200, body)

    def _session(self) -> str | None:
        """The signed-in handle, or None after answering 401."""
        token = (self.headers.get("Authorization") or "").removeprefix("Bearer ")
        with self.xrpc.lock:
            handle = self.xrpc.tokens.get(token)
        if handle is None:
            self._error(401, "AuthenticationRequired", "Authentication Required")
        return handle

    def _known(self) -> dict[str, dict[str, Any]]:
        views = {p["uri"]: p for p in self.xrpc.posts}
        for did, records in self.xrpc.records.items():
            handle = next(h for h, d in ACCOUNTS.items() if d == did)
            for r in records:
                view = post_view(handle, did, r["uri"].rsplit("/", 1)[1], "")
                views[r["uri"]] = view | {"cid": r["cid"], "record": r["value"]}
        return views

    def _get_posts(self, query: dict[str, list[str]]) -> None:
        uris = query.get("uris") or []
        if not 1 <= len(uris) <= 25:
            self._error(400, "InvalidRequest", "uris must hold 1-25 items")
            return
        with self.xrpc.lock:
            known = self._known()
        self._reply(200, {"posts": [known[u] for u in uris if u in known]})

    def _list_records(self, query: dict[str, list[str]]) -> None:
        repo = (query.get("repo") or [""])[0]
        repo = ACCOUNTS.get(repo, repo)  # an at-identifier: a handle or a DID
        collection = (query.get("collection") or [""])[0]
        limit = int((query.get("limit") or ["50"])[0])
        if repo not in ACCOUNTS.values() or not 1 <= limit <= 100:
            self._error(400, "InvalidRequest", f"Could not find repo: {repo}")
            return
        with self.xrpc.lock:
            records = [
                r
                for r in self.xrpc.records.get(repo, [])
                if r["uri"].split("/")[3] == collection
            ]
        self._reply(200, {"records": list(reversed(records))[:limit]})

    def _invalid(self, record: dict[str, Any], known: dict[str, Any]) -> str | None:
        text = record.get("text")
        if not isinstance(text, str) or not isinstance(record.get("createdAt"), str):
            return 'Record must have the properties "text" and "createdAt"'
        if len(regex.findall(r"\X", text)) > MAX_GRAPHEMES:
            return f"Record/text must not be longer than {MAX_GRAPHEMES} graphemes"
        if len(text.encode()) > MAX_BYTES:
            return f"Record/text must not be longer than {MAX_BYTES} characters"
        return _bad_reply(record.get("reply"), known)

    def _create_record(self, body: dict[str, Any]) -> None:
        handle = self._session()
        if handle is None:
            return
        did = ACCOUNTS[handle]
        record, collection = body.get("record"), body.get("collection")
        with self.xrpc.lock:
            fault = self.xrpc.post_faults.pop(0) if self.xrpc.post_faults else None
            self.xrpc.requests.append(
                ("createRecord", {"repo": [str(body.get("repo"))]})
            )
            problem = (
                "Invalid repo: not the session's account"
                if body.get("repo") not in {did, handle}
                else self._invalid(record, self._known())
                if collection == "app.bsky.feed.post" and isinstance(record, dict)
                else "Invalid collection or record"
            )
            if problem is None:
                records = self.xrpc.records.setdefault(did, [])
                rkey = f"3lz{len(records):010d}"
                uri = f"at://{did}/{collection}/{rkey}"
                cid = f"bafyreih{uuid.uuid4().hex[:20]}"
                records.append({"uri": uri, "cid": cid, "value": record})
        if fault == "accept-drop":
            self.close_connection = True
            self.connection.close()
            return
        if problem is not None:
            self._error(400, "InvalidRequest", problem)
            return
        self._reply(200, {"uri": uri, "cid": cid, "validationStatus": "valid"})


def _bad_reply(reply: Any, known: dict[str, Any]) -> str | None:
    """What is wrong with a post's ``reply`` ref (None when absent or right)."""
    if reply is None:
        return None
    for part in ("root", "parent"):
        ref = reply.get(part) if isinstance(reply, dict) else None
        if not isinstance(ref, dict) or not {"uri", "cid"} <= ref.keys():
            return f'Record/reply must have the property "{part}" (uri, cid)'
        if known.get(ref["uri"], {}).get("cid") != ref["cid"]:
            return f"Record/reply/{part} is not a known post"
    return None
