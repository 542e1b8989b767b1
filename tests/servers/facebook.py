"""A local Facebook Pages Graph API, as strict as its reference.

``facebook_app(server)`` serves one Page from
``tests/fixtures/facebook/acme_page.json`` (written by us in the reference's
shapes) on a ``GraphServer`` (``tests.servers.graph``: tokens, errors,
paging, usage headers with the ``pages`` use case, throttling code 32).
After developers.facebook.com/docs/graph-api/reference (page, page/feed,
object/comments, page/ratings, recommendation):

- ``GET /{page-id}``: Page fields.
- ``GET /{page-id}/posts``: the Page's posts, newest first; the field
  ``comments.filter(stream).limit(0).summary(true)`` gives
  ``{"data": [], "summary": {"total_count": n}}`` (replies counted only
  with ``filter(stream)``).
- ``GET /{post-id}/comments``: ``filter=toplevel`` (default) or ``stream``
  (replies too, each with ``parent``); ``order=chronological`` (default) or
  ``reverse_chronological``; at most 100 a page. ``from`` is left out for
  people who did not allow it, as on Facebook.
- ``GET /{page-id}/ratings``: recommendations, newest first; from Graph
  API v22.0 (``ratings_removed``), 400 code 12, as the Recommendation
  reference says.
"""

from __future__ import annotations

import copy
import itertools
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from tests.servers.graph import (
    GraphApp,
    GraphFail,
    GraphServer,
    no_node,
    project,
    split_fields,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "facebook"
PAGE_FIELDS = {
    "id",
    "name",
    "username",
    "followers_count",
    "fan_count",
    "link",
    "about",
}
POST_FIELDS = {
    "id",
    "message",
    "permalink_url",
    "created_time",
    "updated_time",
    "comments",
    "from",
    "story",
}
COMMENT_FIELDS = {
    "id",
    "message",
    "created_time",
    "from",
    "like_count",
    "comment_count",
    "parent",
    "permalink_url",
    "is_hidden",
    "message_tags",
    "attachment",
}
RATING_FIELDS = {
    "created_time",
    "recommendation_type",
    "review_text",
    "rating",
    "reviewer",
    "open_graph_story",
    "has_rating",
    "has_review",
}


@dataclass
class FacebookApp(GraphApp):
    """One Page's posts, comments and ratings."""

    page: dict[str, Any] = field(default_factory=dict)
    posts: list[dict[str, Any]] = field(default_factory=list)
    ratings: list[dict[str, Any]] = field(default_factory=list)
    ratings_removed: bool = False
    _ids: ClassVar[itertools.count[int]] = itertools.count(1111111111200001)

    def comment(self, post_id: str, text: str, name: str = "鈴木 一郎") -> str:
        """A new top-level comment on ``post_id``, newest of all."""
        post = self._post(post_id)
        comment_id = f"{post_id.split('_')[1]}_{next(self._ids)}"
        post["comments"].append(
            {
                "id": comment_id,
                "message": text,
                "created_time": "2026-12-02T03:00:00+0000",
                "from": {"name": name, "id": "7000000000000077"},
                "like_count": 0,
                "comment_count": 0,
            }
        )
        return comment_id

    def edit(self, post_id: str, comment_id: str, text: str) -> None:
        """The commenter edited it (Facebook keeps its id and created_time)."""
        next(c for c in self._post(post_id)["comments"] if c["id"] == comment_id)[
            "message"
        ] = text

    def delete(self, post_id: str, comment_id: str) -> None:
        """The commenter, or the Page, deleted it."""
        post = self._post(post_id)
        post["comments"] = [c for c in post["comments"] if c["id"] != comment_id]

    def route(self, path: str, params: dict[str, str]) -> Any:
        node, _, edge = path.partition("/")
        page_id = self.page["id"]
        if node == page_id and not edge:
            return project(self.page, params.get("fields", "id"), "Page", PAGE_FIELDS)
        if node == page_id and edge == "posts":
            return self.paged(
                path,
                params,
                self.posts,
                "PagePost",
                POST_FIELDS,
                max_limit=100,
                render=lambda p: self._post_node(p, params),
            )
        if node == page_id and edge == "ratings":
            if self.ratings_removed:
                msg = (
                    "(#12) recommendations is deprecated for versions v22.0 and higher"
                )
                raise GraphFail(msg, 12)
            return self.paged(
                path,
                params,
                self.ratings,
                "Recommendation",
                RATING_FIELDS,
                max_limit=100,
            )
        for post in self.posts:
            if post["id"] == node and edge == "comments":
                return self._comments(path, post, params)
        raise no_node(node)

    def _post_node(self, post: dict[str, Any], params: dict[str, str]) -> Any:
        spec = params.get("fields", "id")
        answer = project(post, spec, "PagePost", POST_FIELDS)
        modifiers = split_fields(spec).get("comments")
        if modifiers is not None:
            stream = "filter(stream)" in modifiers
            total = [c for c in post["comments"] if stream or "parent" not in c]
            answer["comments"] = {
                "data": [],
                "summary": {
                    "order": "chronological",
                    "total_count": len(total),
                    "can_comment": True,
                },
            }
        return answer

    def _comments(self, path: str, post: dict[str, Any], params: dict[str, str]) -> Any:
        found = post["comments"]
        if params.get("filter", "toplevel") == "toplevel":
            found = [c for c in found if "parent" not in c]
        elif params["filter"] != "stream":
            raise GraphFail(
                "(#100) filter must be one of the following values: toplevel, stream",
                100,
            )
        found = sorted(found, key=lambda c: c["created_time"])
        if params.get("order") == "reverse_chronological":
            found.reverse()
        return self.paged(path, params, found, "Comment", COMMENT_FIELDS, max_limit=100)

    def _post(self, post_id: str) -> dict[str, Any]:
        return next(p for p in self.posts if p["id"] == post_id)


def facebook_app(
    server: GraphServer, tokens: dict[str, str], **settings: Any
) -> tuple[str, FacebookApp]:
    """A new Page served by ``server``: its base URL and state."""
    data = json.loads((FIXTURES / "acme_page.json").read_text("utf-8"))
    settings = {"use_case": "pages", "throttle_code": 32} | settings
    app = FacebookApp(
        tokens=tokens,
        business_id=data["page"]["id"],
        page=data["page"],
        posts=copy.deepcopy(data["posts"]),
        ratings=copy.deepcopy(data["ratings"]),
        **settings,
    )
    return server.add(app), app
