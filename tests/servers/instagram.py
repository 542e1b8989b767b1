"""A local Instagram Graph API (Facebook Login for Business), as strict as its reference.

``instagram_app(server)`` serves one business account from
``tests/fixtures/instagram/acme_jp.json`` (written by us in the reference's
shapes) on a ``GraphServer``, with the Graph conventions of
``tests.servers.graph``. The nodes and edges, after
developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference:

- ``GET /{ig-user-id}``: IG User fields (``username``, ``name``,
  ``followers_count``, ``media_count``...).
- ``GET /{ig-user-id}/media``: the account's media, newest first, with
  ``comments_count`` (comments and replies) and ``like_count``.
- ``GET /{ig-media-id}/comments``: top-level comments, newest first, at most
  50 a page; ``replies{...}`` expands each comment's replies (oldest first).
- ``GET /{ig-comment-id}/replies``.
- ``GET /{ig-user-id}/tags``: media other accounts tagged the user in,
  newest first, with ``username``.
- ``GET /ig_hashtag_search?user_id=&q=``: ``{"data": [{"id": ...}]}``, or an
  empty list for a hashtag Instagram does not have.
- ``GET /{hashtag-id}/recent_media|top_media?user_id=``: ``user_id`` is
  required; ``username`` may not be asked for (code 100); at most 50 a page.
  Hashtag queries count per account: a 31st unique hashtag within 7 days is
  refused. The reference names no code for that refusal; this server answers
  code 24 with the documented sentence, and Earful never sends one.
  Only-the-last-24-hours of ``recent_media`` is not modelled.
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

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "instagram"
USER_FIELDS = {
    "id",
    "username",
    "name",
    "followers_count",
    "follows_count",
    "media_count",
    "biography",
    "profile_picture_url",
    "website",
}
MEDIA_FIELDS = {
    "id",
    "caption",
    "permalink",
    "timestamp",
    "comments_count",
    "like_count",
    "media_type",
    "media_url",
    "media_product_type",
    "shortcode",
    "thumbnail_url",
    "username",
    "owner",
    "children",
    "is_comment_enabled",
}
HASHTAG_MEDIA_FIELDS = MEDIA_FIELDS - {"username", "owner", "shortcode"}
COMMENT_FIELDS = {
    "id",
    "text",
    "timestamp",
    "username",
    "like_count",
    "replies",
    "hidden",
    "from",
    "media",
    "parent_id",
    "user",
}
HASHTAG_LIMIT = 30


@dataclass
class InstagramApp(GraphApp):
    """One business account's media, comments, tags and hashtags."""

    account: dict[str, Any] = field(default_factory=dict)
    media: list[dict[str, Any]] = field(default_factory=list)
    tagged: list[dict[str, Any]] = field(default_factory=list)
    hashtags: dict[str, dict[str, Any]] = field(default_factory=dict)
    hashtags_queried: list[str] = field(default_factory=list)
    _ids: ClassVar[itertools.count[int]] = itertools.count(17870913679160001)

    # -- what tests do to the account ------------------------------------------

    def comment(self, media_id: str, text: str, username: str = "mika_77") -> str:
        """A new top-level comment on ``media_id``, newest of all."""
        comment_id = str(next(self._ids))
        self._media(media_id)["comments"].insert(
            0,
            {
                "id": comment_id,
                "text": text,
                "timestamp": "2026-12-02T03:00:00+0000",
                "username": username,
                "like_count": 0,
                "replies": [],
            },
        )
        return comment_id

    def delete_comment(self, media_id: str, comment_id: str) -> None:
        """The commenter (or the brand) deleted it."""
        media = self._media(media_id)
        media["comments"] = [c for c in media["comments"] if c["id"] != comment_id]

    def edit_caption(self, media_id: str, caption: str) -> None:
        """The author of a tagged media edited its caption."""
        next(m for m in self.tagged if m["id"] == media_id)["caption"] = caption

    # -- the API -------------------------------------------------------------

    def route(self, path: str, params: dict[str, str]) -> Any:
        node, _, edge = path.partition("/")
        user_id = self.account["id"]
        if node == "ig_hashtag_search" and not edge:
            return self._hashtag_search(params)
        if node == user_id:
            return self._user(edge, params)
        for media in self.media:
            if media["id"] == node and edge == "comments":
                return self.paged(
                    path,
                    params,
                    media["comments"],
                    "IGComment",
                    COMMENT_FIELDS,
                    render=lambda c: self._comment(c, params),
                )
        for comment in (c for m in self.media for c in m["comments"]):
            if comment["id"] == node and edge == "replies":
                return self.paged(
                    path, params, comment["replies"], "IGComment", COMMENT_FIELDS
                )
        for tag in self.hashtags.values():
            if tag["id"] == node and edge in {"recent_media", "top_media"}:
                return self._hashtag_media(path, tag, edge, params)
        raise no_node(node)

    def _user(self, edge: str, params: dict[str, str]) -> Any:
        if not edge:
            return project(
                self.account, params.get("fields", "id"), "IGUser", USER_FIELDS
            )
        if edge == "media":
            return self.paged(
                edge_path(self, "media"),
                params,
                [self._counted(m) for m in self.media],
                "IGMedia",
                MEDIA_FIELDS,
            )
        if edge == "tags":
            return self.paged(
                edge_path(self, "tags"), params, self.tagged, "IGMedia", MEDIA_FIELDS
            )
        raise GraphFail(
            f"(#100) Tried accessing nonexisting field ({edge}) on node type (IGUser)",
            100,
        )

    def _counted(self, media: dict[str, Any]) -> dict[str, Any]:
        comments = [c for c in media["comments"] if isinstance(c, dict)]
        replies = sum(len(c["replies"]) for c in comments)
        return media | {"comments_count": len(media["comments"]) + replies}

    def _comment(
        self, comment: dict[str, Any], params: dict[str, str]
    ) -> dict[str, Any]:
        spec = params.get("fields", "id")
        answer = project(comment, spec, "IGComment", COMMENT_FIELDS)
        if not isinstance(comment, dict):
            return answer
        inner = _expansion(spec, "replies")
        if inner is not None and comment["replies"]:  # Graph leaves out empty edges
            answer["replies"] = self.paged(
                f"{comment['id']}/replies",
                {"fields": inner or "id", "_token": params.get("_token", "")},
                comment["replies"],
                "IGComment",
                COMMENT_FIELDS,
            )
        return answer

    def _hashtag_search(self, params: dict[str, str]) -> Any:
        if params.get("user_id") != self.account["id"]:
            raise GraphFail("(#100) The parameter user_id is required", 100)
        name = params.get("q", "").lstrip("#").casefold()
        self._count_hashtag(name)
        tag = self.hashtags.get(name)
        return {"data": [{"id": tag["id"]}] if tag else []}

    def _hashtag_media(
        self, path: str, tag: dict[str, Any], edge: str, params: dict[str, str]
    ) -> Any:
        if params.get("user_id") != self.account["id"]:
            raise GraphFail("(#100) The parameter user_id is required", 100)
        name = next(n for n, t in self.hashtags.items() if t is tag)
        self._count_hashtag(name)
        return self.paged(path, params, tag[edge], "IGMedia", HASHTAG_MEDIA_FIELDS)

    def _count_hashtag(self, name: str) -> None:
        if name in self.hashtags_queried:
            return
        if len(self.hashtags_queried) >= HASHTAG_LIMIT:
            msg = "You can query a maximum of 30 unique hashtags within a 7 day period."
            raise GraphFail(msg, 24)
        self.hashtags_queried.append(name)

    def _media(self, media_id: str) -> dict[str, Any]:
        return next(m for m in self.media if m["id"] == media_id)


def edge_path(app: InstagramApp, edge: str) -> str:
    """The path of one of the account's edges, for ``paging.next``."""
    return f"{app.account['id']}/{edge}"


def _expansion(spec: str, name: str) -> str | None:
    fields = split_fields(spec)
    if name not in fields:
        return None
    return fields[name] or ""


def instagram_app(
    server: GraphServer, tokens: dict[str, str], **settings: Any
) -> tuple[str, InstagramApp]:
    """A new account served by ``server``: its base URL and state."""
    data = json.loads((FIXTURES / "acme_jp.json").read_text("utf-8"))
    app = InstagramApp(
        tokens=tokens,
        business_id=data["account"]["id"],
        account=data["account"],
        media=copy.deepcopy(data["media"]),
        tagged=copy.deepcopy(data["tagged"]),
        hashtags=copy.deepcopy(data["hashtags"]),
        **settings,
    )
    return server.add(app), app
