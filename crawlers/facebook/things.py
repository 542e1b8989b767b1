"""Facebook Page comments and ratings as MentionItems, and how a recommendation is rated.

A Page's reviews are *recommendations* since 2018: ``recommendation_type``
is ``positive`` ("recommends") or ``negative`` ("doesn't recommend"), with
no stars. Reviews written before kept their 1-5 ``rating``. Either way the
reviewer gave a verdict, so it is stored as a rating on its own scale
(``storage.ratings``):

- a star rating as given: ``rating`` of ``rating_best = 5``;
- a recommendation as ``1`` of ``1`` (recommends) or ``0`` of ``1``
  (doesn't): the scale's top is the only positive answer the reviewer had,
  and its bottom the only negative one. Its share (1.0 or 0.0) then decides
  the verdict as 5 or 1 stars would, and an alert rule's ``max_rating``
  (stars of 5) sees 5 or 0. Nothing finer is invented: the text model's
  scores are kept beside it, and ``raw["recommendation"]`` keeps Meta's word.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from crawlers.bounds import bounded_int, parse_iso, reads_item
from crawlers.errors import BadItemError
from crawlers.items import MentionItem
from crawlers.text import one_line, truncate

SITE = "Facebook"
PAGE_FIELDS = "id,name,username,followers_count,link"
# ``comments.filter(stream).limit(0).summary(true)``: the count of comments
# and replies without reading them, to tell which posts changed.
POST_FIELDS = (
    "id,message,permalink_url,created_time,"
    "comments.filter(stream).limit(0).summary(true)"
)
COMMENT_FIELDS = (
    "id,message,created_time,from,like_count,comment_count,parent,permalink_url"
)
RATING_FIELDS = (
    "created_time,recommendation_type,review_text,rating,reviewer,open_graph_story"
)
MAX_TITLE = 200
STARS = 5


@dataclass(frozen=True)
class Page:
    """The brand's Facebook Page."""

    page_id: str
    name: str
    followers: int | None

    @property
    def about(self) -> str:
        """What a comment under the Page's own post is about: the Page."""
        return self.name


def page_of(node: Any) -> Page:
    """The Page node read with ``PAGE_FIELDS``."""
    return Page(
        page_id=str(node["id"]),
        name=str(node.get("name") or ""),
        followers=bounded_int(node.get("followers_count")),
    )


def post_key(post_id: str) -> str:
    """A post's external id (and its comments' thread id)."""
    return f"facebook:post:{post_id}"


def comment_total(post: Any) -> int | None:
    """The post's comments and replies as ``summary.total_count`` gives them."""
    comments = post.get("comments") if isinstance(post, dict) else None
    summary = comments.get("summary") if isinstance(comments, dict) else None
    return (
        bounded_int(summary.get("total_count")) if isinstance(summary, dict) else None
    )


@reads_item
def comment_item(source: str, comment: Any, post: Any, page: Page) -> MentionItem:
    """A comment or reply (``filter=stream`` gives both, replies with ``parent``)."""
    comment_id = str(comment["id"])
    post_id = str(post["id"])
    parent = comment.get("parent")
    parent_id = str(parent["id"]) if isinstance(parent, dict) else None
    author = comment.get("from")
    name = author.get("name") if isinstance(author, dict) else None
    return MentionItem(
        source=source,
        source_type="facebook",
        external_id=f"facebook:comment:{comment_id}",
        url=comment.get("permalink_url") or post.get("permalink_url") or None,
        title=truncate(one_line(str(post.get("message") or "")), MAX_TITLE) or None,
        text=str(comment.get("message") or ""),
        author=str(name) if name else None,
        site_name=SITE,
        thread_id=post_key(post_id),
        parent_id=f"facebook:comment:{parent_id}" if parent_id else post_key(post_id),
        top_level=parent_id is None,
        score=comment.get("like_count"),
        comments=comment.get("comment_count"),
        published_at=parse_iso(str(comment.get("created_time") or "")),
        about=page.about,
        raw={"id": comment_id, "post_id": post_id, "from_id": _id(author)},
    )


@reads_item
def rating_item(source: str, rating: Any, page: Page) -> MentionItem:
    """A Page review: its text, and its recommendation or stars as a rating."""
    kind = rating.get("recommendation_type")
    stars = bounded_int(rating.get("rating"), 1, STARS)
    if stars is not None:
        value, best = float(stars), float(STARS)
    elif kind in {"positive", "negative"}:
        value, best = (1.0 if kind == "positive" else 0.0), 1.0
    else:
        msg = (
            f"rating_item: a review with neither stars nor a recommendation ({kind!r})"
        )
        raise BadItemError(msg[:200])
    reviewer = rating.get("reviewer")
    name = reviewer.get("name") if isinstance(reviewer, dict) else None
    created = str(rating.get("created_time") or "")
    text = str(rating.get("review_text") or "")
    return MentionItem(
        source=source,
        source_type="facebook",
        external_id=f"facebook:rating:{_rating_id(rating, created, text)}",
        url=f"https://www.facebook.com/{page.page_id}/reviews",
        text=text,
        author=str(name) if name else None,
        site_name=SITE,
        rating=value,
        rating_best=best,
        published_at=parse_iso(created),
        about=page.about,
        raw={"recommendation": kind, "stars": stars, "reviewer_id": _id(reviewer)},
    )


def _id(node: Any) -> str | None:
    return str(node["id"]) if isinstance(node, dict) and node.get("id") else None


def _rating_id(rating: Any, created: str, text: str) -> str:
    """Its story's id, else a digest of who, when and what (a rating has no id)."""
    story = _id(rating.get("open_graph_story"))
    if story:
        return story
    who = _id(rating.get("reviewer")) or ""
    return hashlib.sha256(f"{who}\x00{created}\x00{text}".encode()).hexdigest()[:32]
