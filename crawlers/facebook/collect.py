"""The Facebook Pages collector: comments under the Page's posts, and its ratings.

Each poll, with a Page access token:

- **Comments**: lists the Page's newest ``posts_max`` posts with the count
  of their comments and replies (``comments.filter(stream).summary(true)``,
  no comment read); each post whose count changed, or that was posted in the
  last two days, has its comments read again (``/{post-id}/comments``,
  ``filter=stream``: replies too, each with its ``parent``; newest first,
  up to ``max_pages`` pages of 100). A comment there is about the Page even
  when it does not name it; the Page's own replies are kept with no brand.
- **Edits and deletions**: an edited comment comes back with its new text and
  updates its mention. When a post's comments were read to the end, the ids
  stored for it that are gone are counted as deleted; their mentions stay.
- **Ratings** (``ratings = true``): ``/{page-id}/ratings``, newest first,
  until a review no newer than the newest stored. A recommendation is stored
  as a rating of 1 or 0 of 1 (``crawlers.facebook.things``). Meta's
  reference marks the Recommendation node deprecated from Graph API v22.0
  (error code 12); that answer is the run's warning on every poll, never a
  quiet day, and the comments go on.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from crawlers.bounds import parse_iso
from crawlers.errors import CollectorError
from crawlers.facebook.things import (
    COMMENT_FIELDS,
    PAGE_FIELDS,
    POST_FIELDS,
    RATING_FIELDS,
    Page,
    comment_item,
    comment_total,
    page_of,
    rating_item,
)
from crawlers.items import MentionItem
from crawlers.match import Matcher
from crawlers.metagraph import (
    GraphAccess,
    GraphClient,
    GraphError,
    next_link,
)
from crawlers.metapoll import GraphPoller, Watch
from crawlers.outcome import Outcome
from crawlers.poller import load_cursor, store

PAGE = 100  # comments per page
DEPRECATED = 12  # Graph's code for a field or edge removed in this version


@dataclass(frozen=True)
class FacebookParams:
    """What one Facebook Page source reads."""

    source: str
    access: GraphAccess
    page_id: str
    comments: bool = True
    posts_max: int = 25
    ratings: bool = False
    max_pages: int = 3


class FacebookCollector(GraphPoller):
    """Polls one Facebook Page source; see the module docstring."""

    kind = "facebook"

    def __init__(
        self,
        params: FacebookParams,
        matcher: Matcher,
        sessions: sessionmaker[Session],
        own_accounts: Iterable[str] = (),
    ) -> None:
        super().__init__(params.source, params.access, matcher, sessions, own_accounts)
        self.params = params
        self.page: Page | None = None

    def _poll(self, outcome: Outcome) -> None:
        if self.page is None:
            node = self.client.get(self.params.page_id, {"fields": PAGE_FIELDS})
            self.page = page_of(node)
        if self.params.comments:
            self._comments(self.client, self.page, outcome)
        if self.params.ratings:
            self._ratings(self.client, self.page, outcome)

    def _own(self) -> tuple[str, ...]:
        return (self.page.name,) if self.page else ()

    def _comments(self, client: GraphClient, page: Page, outcome: Outcome) -> None:
        params = {"fields": POST_FIELDS, "limit": self.params.posts_max}
        posts = next(client.pages(f"{page.page_id}/posts", params, 1), [])
        watches = {
            str(post.get("id")): Watch(
                post, comment_total(post), self.fresh(post.get("created_time"))
            )
            for post in posts
        }
        self.follow(
            "posts",
            watches,
            lambda post: self._post_comments(client, page, post, outcome),
            outcome,
        )

    def _post_comments(
        self, client: GraphClient, page: Page, post: Any, outcome: Outcome
    ) -> tuple[list[MentionItem], set[str], bool]:
        """The post's comments and replies, their ids, and whether all were read."""
        items: list[MentionItem] = []
        ids: set[str] = set()
        path: str = f"{post['id']}/comments"
        query: dict[str, Any] | None = {
            "fields": COMMENT_FIELDS,
            "filter": "stream",
            "order": "reverse_chronological",
            "limit": PAGE,
        }
        for _ in range(self.params.max_pages):
            body = client.get(path, query)
            for comment in body.get("data") or []:
                if isinstance(comment, dict) and comment.get("id"):
                    ids.add(str(comment["id"]))
                parse = partial(comment_item, self.source, comment, post, page)
                items += self.read(parse, outcome, self._own())
            link = next_link(body)
            if link is None:
                return items, ids, True
            path, query = link, None
        return items, ids, False

    def _ratings(self, client: GraphClient, page: Page, outcome: Outcome) -> None:
        cursor = load_cursor(self.sessions, self.source)
        since = parse_iso(str(cursor.get("ratings_newest") or ""))
        newest = since
        items: list[MentionItem] = []
        params = {"fields": RATING_FIELDS, "limit": PAGE}
        try:
            for batch in client.pages(
                f"{page.page_id}/ratings", params, self.params.max_pages
            ):
                reached = False
                for rating in batch:
                    when = parse_iso(str(rating.get("created_time") or ""))
                    if when is not None and (newest is None or when > newest):
                        newest = when
                    reached = reached or (
                        since is not None and when is not None and when <= since
                    )
                    parse = partial(rating_item, self.source, rating, page)
                    items += self.read(parse, outcome)
                if reached:
                    break
        except GraphError as exc:
            if exc.code != DEPRECATED:
                raise
            outcome.warnings.append(
                f"ratings not read: Meta no longer serves Page ratings in this Graph "
                f"API version ({exc}); comments are still read"
            )
        if newest is not None:
            cursor["ratings_newest"] = newest.isoformat()
        store(self.sessions, self.source, items, cursor, outcome)


def newest_items(params: FacebookParams, limit: int = 10) -> list[MentionItem]:
    """The comments under the Page's newest posts (and its newest ratings).

    For ``earful source check``: nothing stored, no cursor.
    """
    if not params.access.token:
        msg = (
            f"facebook source {params.source}: the access token is not set: "
            f"set {params.access.token_env}"
        )
        raise CollectorError(msg)
    client = GraphClient(params.access)
    items: list[MentionItem] = []
    try:
        page = page_of(client.get(params.page_id, {"fields": PAGE_FIELDS}))
        if params.comments:
            post_params = {"fields": POST_FIELDS, "limit": 3}
            for post in next(client.pages(f"{page.page_id}/posts", post_params, 1), []):
                query = {"fields": COMMENT_FIELDS, "filter": "stream", "limit": limit}
                body = client.get(f"{post['id']}/comments", query)
                items += [
                    comment_item(params.source, c, post, page)
                    for c in body.get("data") or []
                ]
        if params.ratings:
            rating_params = {"fields": RATING_FIELDS, "limit": limit}
            for rating in next(
                client.pages(f"{page.page_id}/ratings", rating_params, 1), []
            ):
                items.append(rating_item(params.source, rating, page))
    except GraphError as exc:
        msg = f"facebook source {params.source}: {exc}"
        raise CollectorError(msg) from None
    finally:
        client.close()
    return items
