"""A local X API v2 (recent search), as strict as X's, one scenario per bearer token.

``XServer.scenario(...)`` returns a bearer token; every request carrying it is
answered from that scenario, so tests never share state (the Slack
token-suffix trick). Posts and users come from ``tests/fixtures/x/*.json``
(written by us in the API's shapes), and tests add, edit and delete posts as
time goes on.

What it checks and answers, after X's API reference:

- ``Authorization: Bearer <token>``: absent or unknown → 401
  ``{"title":"Unauthorized","type":"about:blank","status":401,"detail":"Unauthorized"}``.
- ``GET /2/tweets/search/recent``: ``query`` required, at most 512
  characters; ``max_results`` 10-100; ``since_id`` digits; any other
  parameter → 400 ``invalid-request`` with an ``errors`` list, and so is a
  ``since_id`` older than the 7 days recent search covers (``window_start``). The query is
  evaluated (words, "phrases", ``OR``, ``-``, parentheses, ``lang:``,
  ``is:retweet``) against NFKC-folded text, newest first, paged by
  ``next_token``. Only the fields asked for come back (``id``, ``text`` and
  ``edit_history_tweet_ids`` always); ``expansions=author_id`` adds
  ``includes.users``, and an author that no longer exists is listed in
  ``errors`` (``Not Found Error``) while the post stays.
- Every answer carries ``x-rate-limit-limit/remaining/reset``; past the
  limit → 429 with the reset time.
- Faults (``Fault``): ``429``, ``503`` (X's problem shapes), ``drop`` (the
  connection closes without an answer) and ``exhaust`` (a good answer with
  ``x-rate-limit-remaining: 0``).
- An edit makes a new post id whose ``edit_history_tweet_ids`` lists the old
  ones; a deleted post is gone from search.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import parse_qsl, urlsplit

from tests.servers.http import LocalServer
from tests.servers.x_query import XQuery

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "x"
UNAUTHORIZED = {
    "title": "Unauthorized",
    "type": "about:blank",
    "status": 401,
    "detail": "Unauthorized",
}
SEARCH_PARAMS = frozenset(
    {
        "query",
        "max_results",
        "since_id",
        "until_id",
        "next_token",
        "pagination_token",
        "start_time",
        "end_time",
        "sort_order",
        "tweet.fields",
        "user.fields",
        "expansions",
    }
)
ALWAYS = ("id", "text", "edit_history_tweet_ids")
WINDOW_S = 900


@dataclass
class Fault:
    """Answer the next ``times`` searches with ``kind``: 429, 503, drop or exhaust."""

    kind: str
    times: int = 1
    reset_in: int = 30


@dataclass
class Scenario:
    """One bearer token's posts, users, faults and the requests it received."""

    tweets: dict[str, dict[str, Any]]
    users: dict[str, dict[str, Any]]
    faults: list[Fault] = field(default_factory=list)
    rate_limit: int = 450
    used: int = 0
    # Posts older than this id are past recent search's 7 days: a since_id below
    # it is refused, as X refuses one created before the window.
    window_start: int = 0
    requests: list[dict[str, str]] = field(default_factory=list)
    _ids: ClassVar[itertools.count[int]] = itertools.count(1864000000000001000)

    def post(self, text: str, author_id: str, lang: str = "ja", **extra: Any) -> str:
        """A new post, newest of all; returns its id."""
        tweet_id = str(next(self._ids))
        self.tweets[tweet_id] = {
            "id": tweet_id,
            "author_id": author_id,
            "created_at": "2026-12-01T00:00:00.000Z",
            "lang": lang,
            "conversation_id": tweet_id,
            "edit_history_tweet_ids": [tweet_id],
            "text": text,
            "public_metrics": {
                "retweet_count": 0,
                "reply_count": 0,
                "like_count": 0,
                "quote_count": 0,
                "bookmark_count": 0,
                "impression_count": 0,
            },
            **extra,
        }
        return tweet_id

    def edit(self, tweet_id: str, text: str) -> str:
        """Edit a post as X does: a new id, the history listing the old ones."""
        old = self.tweets.pop(tweet_id)
        new_id = str(next(self._ids))
        self.tweets[new_id] = {
            **old,
            "id": new_id,
            "text": text,
            "edit_history_tweet_ids": [*old["edit_history_tweet_ids"], new_id],
        }
        return new_id

    def delete(self, tweet_id: str) -> None:
        """The author deleted it: search no longer finds it."""
        del self.tweets[tweet_id]


class _Handler(BaseHTTPRequestHandler):
    server_version = "tsa_b"
    owner: ClassVar[XServer]

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        scenario = self.owner.scenarios.get(
            self.headers.get("Authorization", "").removeprefix("Bearer ")
        )
        if scenario is None:
            self._json(401, UNAUTHORIZED)
            return
        params = dict(parse_qsl(url.query, keep_blank_values=True))
        with self.owner.lock:
            scenario.requests.append({"path": url.path, **params})
            fault = scenario.faults[0] if scenario.faults else None
            if fault is not None:
                fault.times -= 1
                if fault.times <= 0:
                    scenario.faults.pop(0)
        if url.path != "/2/tweets/search/recent":
            self._json(
                404,
                {
                    "title": "Not Found Error",
                    "status": 404,
                    "type": "about:blank",
                    "detail": "Not Found",
                },
            )
            return
        if fault is not None and fault.kind != "exhaust":
            self._fault(fault)
            return
        scenario.used += 1
        if scenario.used > scenario.rate_limit:
            self._fault(Fault("429"))
            return
        problem = _invalid(params) or _outside_window(scenario, params)
        if problem is not None:
            self._json(400, problem)
            return
        remaining = 0 if fault else scenario.rate_limit - scenario.used
        self._json(
            200,
            _search(scenario, params),
            remaining=remaining,
            limit=scenario.rate_limit,
        )

    def _fault(self, fault: Fault) -> None:
        if fault.kind == "drop":
            self.close_connection = True
            self.connection.close()
            return
        status = int(fault.kind)
        title = "Too Many Requests" if status == 429 else "Service Unavailable"
        body = {
            "title": title,
            "detail": title,
            "type": "about:blank",
            "status": status,
        }
        self._json(status, body, remaining=0, reset_in=fault.reset_in)

    def _json(
        self,
        status: int,
        body: dict[str, Any],
        *,
        remaining: int | None = None,
        limit: int = 450,
        reset_in: int = WINDOW_S,
    ) -> None:
        data = json.dumps(body, ensure_ascii=False).encode()
        self.send_response(status)
        content = "application/problem+json" if status >= 400 else "application/json"
        self.send_header("Content-Type", f"{content}; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        if remaining is not None:
            self.send_header("x-rate-limit-limit", str(limit))
            self.send_header("x-rate-limit-remaining", str(remaining))
            self.send_header("x-rate-limit-reset", str(int(time.time()) + reset_in))
        self.end_headers()
        self.wfile.write(data)


def _invalid_request(message: str, parameter: str, value: str) -> dict[str, Any]:
    return {
        "errors": [{"parameters": {parameter: [value]}, "message": message}],
        "title": "Invalid Request",
        "detail": "One or more parameters to your request was invalid.",
        "type": "https://api.twitter.com/2/problems/invalid-request",
    }


def _outside_window(
    scenario: Scenario, params: dict[str, str]
) -> dict[str, Any] | None:
    since = params.get("since_id")
    if since is None or int(since) >= scenario.window_start:
        return None
    return _invalid_request(
        f"Invalid 'since_id':'{since}'. 'since_id' must be a tweet id created after "
        "2026-11-24T00:00Z.",
        "since_id",
        since,
    )


def _invalid(params: dict[str, str]) -> dict[str, Any] | None:
    for name, value in params.items():
        if name not in SEARCH_PARAMS:
            return _invalid_request(
                f"The query parameter [{name}] is not one of "
                f"[{','.join(sorted(SEARCH_PARAMS))}]",
                name,
                value,
            )
    query = params.get("query", "")
    if not query:
        return _invalid_request(
            "The `query` query parameter can not be empty", "query", ""
        )
    if len(query) > 512:
        return _invalid_request(
            "There were errors processing your request: Rules must be no longer "
            "than 512 characters (at position 1)",
            "query",
            query,
        )
    size = params.get("max_results", "10")
    if not size.isdigit() or not 10 <= int(size) <= 100:
        return _invalid_request(
            f"The `max_results` query parameter value [{size}] is not between 10 "
            "and 100",
            "max_results",
            size,
        )
    since = params.get("since_id")
    if since is not None and not since.isdigit():
        return _invalid_request(
            f"The `since_id` query parameter value [{since}] does not match ^[0-9]"
            "{1,19}$",
            "since_id",
            since,
        )
    return None


def _search(scenario: Scenario, params: dict[str, str]) -> dict[str, Any]:
    query = XQuery(params["query"])
    since = int(params.get("since_id") or 0)
    found = sorted(
        (
            t
            for t in scenario.tweets.values()
            if int(t["id"]) > since and query.matches(t)
        ),
        key=lambda t: int(t["id"]),
        reverse=True,
    )
    start = int(params.get("next_token", "p0")[1:])
    size = int(params.get("max_results", "10"))
    page = found[start : start + size]
    fields = set(ALWAYS) | set(filter(None, params.get("tweet.fields", "").split(",")))
    data = [{k: v for k, v in t.items() if k in fields} for t in page]
    body: dict[str, Any] = {"meta": {"result_count": len(page)}}
    if page:
        body["data"] = data
        body["meta"] |= {"newest_id": page[0]["id"], "oldest_id": page[-1]["id"]}
    if start + size < len(found):
        body["meta"]["next_token"] = f"p{start + size}"
    if "author_id" in params.get("expansions", "").split(","):
        ufields = {"id", "name", "username"} | set(
            filter(None, params.get("user.fields", "").split(","))
        )
        users, errors = [], []
        for author in dict.fromkeys(t["author_id"] for t in page):
            user = scenario.users.get(author)
            if user is None:
                errors.append(
                    {
                        "value": author,
                        "detail": f"Could not find user with id: [{author}].",
                        "title": "Not Found Error",
                        "resource_type": "user",
                        "parameter": "id",
                        "resource_id": author,
                        "type": "https://api.twitter.com/2/problems/resource-not-found",
                    }
                )
            else:
                users.append({k: v for k, v in user.items() if k in ufields})
        if users:
            body["includes"] = {"users": users}
        if errors:
            body["errors"] = errors
    return body


class XServer(LocalServer):
    """The replay server; ``scenario()`` registers posts and returns a bearer token."""

    def __init__(self) -> None:
        handler = type("Handler", (_Handler,), {"owner": self})
        super().__init__(handler)
        self.scenarios: dict[str, Scenario] = {}
        self.lock = threading.Lock()
        self._tokens = itertools.count(1)

    def scenario(
        self,
        fixture: str | None = "acme_search",
        faults: tuple[Fault, ...] = (),
        rate_limit: int = 450,
    ) -> tuple[str, Scenario]:
        """A token (``AAAA…`` like X's) and its scenario, from ``fixture``'s posts."""
        loaded: dict[str, Any] = {"tweets": [], "users": []}
        if fixture:
            loaded = json.loads((FIXTURES / f"{fixture}.json").read_text("utf-8"))
        token = f"AAAAAAAAAAAAAAAAAAAAA{next(self._tokens):04d}earfultest"
        scenario = Scenario(
            tweets={t["id"]: dict(t) for t in loaded["tweets"]},
            users={u["id"]: dict(u) for u in loaded["users"]},
            faults=list(faults),
            rate_limit=rate_limit,
        )
        self.scenarios[token] = scenario
        return token, scenario
