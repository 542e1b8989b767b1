"""A local Threads API (graph.threads.net), as strict as its reference.

``threads_app(server)`` serves one profile from
``tests/fixtures/threads/acme_jp.json`` (written by us in the reference's
shapes) on a ``GraphServer`` (``tests.servers.graph``). After
developers.facebook.com/docs/threads (reference, retrieve-and-manage-replies,
keyword-search):

- ``GET /{user-id}``, ``/{user-id}/threads`` (newest first).
- ``GET /{media-id}/conversation``: every reply at any depth, flattened,
  with ``root_post`` and ``replied_to``; ``reverse=true`` (the default)
  newest first.
- ``GET /{user-id}/mentions``: needs ``threads_manage_mentions``, else 400
  code 10.
- ``GET /keyword_search?q=&search_type=&since=``: needs the
  ``threads_keyword_search`` permission, else 400 code 10; until Meta
  approves it (``search_approved``), it searches only the profile's own
  posts, as the reference says. Each query that finds posts counts.
"""

from __future__ import annotations

import copy
import itertools
import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

from tests.servers.graph import GraphApp, GraphFail, GraphServer, no_node, project

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "threads"
USER_FIELDS = {
    "id",
    "username",
    "name",
    "threads_profile_picture_url",
    "threads_biography",
}
MEDIA_FIELDS = {
    "id",
    "text",
    "timestamp",
    "permalink",
    "username",
    "is_reply",
    "root_post",
    "replied_to",
    "media_type",
    "media_product_type",
    "shortcode",
    "has_replies",
    "is_quote_post",
    "hide_status",
    "owner",
}
ALL_PERMISSIONS = frozenset(
    {"threads_basic", "threads_manage_mentions", "threads_keyword_search"}
)


def _refused(permission: str) -> GraphFail:
    return GraphFail(
        f"(#10) Application does not have permission for this action ({permission})",
        10,
        kind="THApiException",
    )


@dataclass
class ThreadsApp(GraphApp):
    """One profile's posts, their replies, its mentions and the public posts."""

    account: dict[str, Any] = field(default_factory=dict)
    posts: list[dict[str, Any]] = field(default_factory=list)
    mentions: list[dict[str, Any]] = field(default_factory=list)
    public: list[dict[str, Any]] = field(default_factory=list)
    permissions: frozenset[str] = ALL_PERMISSIONS
    search_approved: bool = True
    searches: list[str] = field(default_factory=list)  # queries that found posts
    _ids: ClassVar[itertools.count[int]] = itertools.count(18050000000010001)

    def reply(self, text: str, username: str = "mika_88") -> str:
        """A new reply to the profile's first post, newest of all."""
        post = self.posts[0]
        reply_id = str(next(self._ids))
        post["replies"].append(
            {
                "id": reply_id,
                "text": text,
                "timestamp": "2026-12-02T03:00:00+0000",
                "permalink": f"https://www.threads.net/@{username}/post/D{reply_id}",
                "username": username,
                "is_reply": True,
                "root_post": {"id": post["id"]},
                "replied_to": {"id": post["id"]},
            }
        )
        return reply_id

    def delete_reply(self, reply_id: str) -> None:
        """Its author deleted it."""
        post = self.posts[0]
        post["replies"] = [r for r in post["replies"] if r["id"] != reply_id]

    def route(self, path: str, params: dict[str, str]) -> Any:
        node, _, edge = path.partition("/")
        user_id = self.account["id"]
        fields = params.get("fields", "id")
        if node == user_id and not edge:
            return project(self.account, fields, "ThreadsUser", USER_FIELDS)
        if node == user_id and edge == "threads":
            return self._paged(path, params, _newest(self.posts))
        if node == user_id and edge == "mentions":
            if "threads_manage_mentions" not in self.permissions:
                raise _refused("threads_manage_mentions")
            return self._paged(path, params, _newest(self.mentions))
        if node == "keyword_search" and not edge:
            return self._search(path, params)
        for post in self.posts:
            if post["id"] == node and edge == "conversation":
                replies = sorted(post["replies"], key=lambda r: r["timestamp"])
                if params.get("reverse", "true") == "true":
                    replies.reverse()
                return self._paged(path, params, replies)
        raise no_node(node)

    def _paged(
        self, path: str, params: dict[str, str], items: list[dict[str, Any]]
    ) -> Any:
        return self.paged(
            path, params, items, "ThreadsMedia", MEDIA_FIELDS, max_limit=100
        )

    def _search(self, path: str, params: dict[str, str]) -> Any:
        if "threads_keyword_search" not in self.permissions:
            raise _refused("threads_keyword_search")
        q = params.get("q", "").casefold()
        if not q:
            raise GraphFail("(#100) The parameter q is required", 100)
        corpus = self.public + self.posts if self.search_approved else self.posts
        found = [p for p in corpus if q in p["text"].casefold()]
        if "since" in params:
            since = int(params["since"])
            found = [p for p in found if _unix(p["timestamp"]) >= since]
        if found:
            self.searches.append(q)
        return self._paged(path, params, _newest(found))


def _newest(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(items, key=lambda p: p["timestamp"], reverse=True)


def _unix(stamp: str) -> int:
    return int(datetime.fromisoformat(stamp).timestamp())


def threads_app(
    server: GraphServer, tokens: dict[str, str], **settings: Any
) -> tuple[str, ThreadsApp]:
    """A new profile served by ``server``: its base URL and state."""
    data = json.loads((FIXTURES / "acme_jp.json").read_text("utf-8"))
    settings = {"use_case": "threads", "throttle_code": 4} | settings
    app = ThreadsApp(
        tokens=tokens,
        business_id=data["account"]["id"],
        account=data["account"],
        posts=copy.deepcopy(data["posts"]),
        mentions=copy.deepcopy(data["mentions"]),
        public=copy.deepcopy(data["public"]),
        **settings,
    )
    return server.add(app), app
