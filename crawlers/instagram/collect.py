"""The Instagram collector: comments on the brand's media, media it is tagged in, hashtags.

Each poll, with the brand's business or creator account (Instagram Graph API):

- **Comments**: lists the account's newest ``media_max`` media with their
  ``comments_count``; the comments (and their replies) of each media whose
  count changed since the last poll, or that were posted in the last two
  days, are read again, up to ``max_pages`` pages of 50 (one comment added
  and another deleted on an older media leave its count as it was; the new
  one is read when the count next changes). A comment under the brand's media is about the brand even when
  it does not name it (``about``: the account). Comments by the account
  itself are the brand's replies.
- **Deletions**: when a media's comments were read to the end, the ids
  stored for it in the cursor that are gone now are counted as deleted
  (``Outcome.counts["deleted"]``); their mentions stay, as the record.
- **Edits**: Instagram does not let comments be edited; a caption can be,
  and a tagged media's first page is read every poll, so a new caption
  updates its mention.
- **Tags**: ``/{user-id}/tags``, newest first, until a media no newer than
  the newest stored.
- **Hashtags**: ``ig_hashtag_search`` once per hashtag (its id is kept),
  then ``recent_media`` (the last 24 hours, in no order, so every poll reads
  the first pages again and storing once per id keeps nothing twice) and,
  if asked, ``top_media``. The 30-per-7-days limit is counted
  (``crawlers.instagram.hashtags``).
- **Mentions in captions and comments** (``mentioned_media``,
  ``mentioned_comment``) are reachable only by the id a ``mentions`` webhook
  delivers; Earful has no webhook receiver, so they are not read.
- **Rate limits and tokens**: ``crawlers.metagraph``. Nearing Meta's
  allowance pauses the source with a warning; a refused token fails the run
  naming its variable.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from crawlers.bounds import parse_iso
from crawlers.errors import CollectorError
from crawlers.instagram.hashtags import HashtagLedger, hashtag_key
from crawlers.instagram.things import (
    ACCOUNT_FIELDS,
    COMMENT_FIELDS,
    HASHTAG_MEDIA_FIELDS,
    OWN_MEDIA_FIELDS,
    REPLY_FIELDS,
    TAGGED_FIELDS,
    Account,
    account_of,
    comment_item,
    media_item,
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

PAGE = 50  # the largest page the comments and hashtag edges give
# Media this young have their comments read every poll: one comment added and
# another deleted leave ``comments_count`` as it was.


@dataclass(frozen=True)
class InstagramParams:
    """What one Instagram source reads."""

    source: str
    access: GraphAccess
    user_id: str
    comments: bool = True
    media_max: int = 25
    tags: bool = True
    hashtags: tuple[str, ...] = ()
    top_media: bool = False
    hashtag_budget: int = 30
    max_pages: int = 3


class InstagramCollector(GraphPoller):
    """Polls one Instagram source; see the module docstring."""

    kind = "instagram"

    def __init__(
        self,
        params: InstagramParams,
        matcher: Matcher,
        sessions: sessionmaker[Session],
        own_accounts: Iterable[str] = (),
    ) -> None:
        super().__init__(params.source, params.access, matcher, sessions, own_accounts)
        self.params = params
        self.account: Account | None = None

    def _poll(self, outcome: Outcome) -> None:
        if self.account is None:
            node = self.client.get(self.params.user_id, {"fields": ACCOUNT_FIELDS})
            self.account = account_of(node)
        if self.params.comments:
            self._comments(self.client, self.account, outcome)
        if self.params.tags:
            self._tags(self.client, self.account, outcome)
        if self.params.hashtags:
            self._hashtags(self.client, outcome)

    def _read(
        self, parse: Callable[[], MentionItem], outcome: Outcome
    ) -> list[MentionItem]:
        own = (f"@{self.account.username}",) if self.account else ()
        return self.read(parse, outcome, own)

    # -- comments under the brand's own media -------------------------------

    def _comments(
        self, client: GraphClient, account: Account, outcome: Outcome
    ) -> None:
        params = {"fields": OWN_MEDIA_FIELDS, "limit": self.params.media_max}
        media_list = next(client.pages(f"{account.user_id}/media", params, 1), [])
        watches = {
            str(media.get("id")): Watch(
                media, media.get("comments_count"), self.fresh(media.get("timestamp"))
            )
            for media in media_list
        }
        self.follow(
            "media",
            watches,
            lambda media: self._media_comments(client, account, media, outcome),
            outcome,
        )

    def _media_comments(
        self, client: GraphClient, account: Account, media: Any, outcome: Outcome
    ) -> tuple[list[Any], set[str], bool]:
        """The media's comments and replies, their ids, and whether all were read."""
        source = self.params.source
        items: list[MentionItem] = []
        ids: set[str] = set()
        params: dict[str, Any] = {"fields": COMMENT_FIELDS, "limit": PAGE}
        path: str = f"{media['id']}/comments"
        query: dict[str, Any] | None = params
        complete = True
        for page_no in range(self.params.max_pages):
            body = client.get(path, query)
            for comment in body.get("data") or []:
                if isinstance(comment, dict) and comment.get("id"):
                    ids.add(str(comment["id"]))
                items += self._read(
                    partial(comment_item, source, comment, media, account, None),
                    outcome,
                )
                items += self._replies(client, account, media, comment, outcome)
            link = next_link(body)
            if link is None:
                break
            path, query = link, None
            complete = page_no + 1 < self.params.max_pages
        return items, ids, complete

    def _replies(
        self,
        client: GraphClient,
        account: Account,
        media: Any,
        comment: Any,
        outcome: Outcome,
    ) -> list[Any]:
        replies = comment.get("replies") if isinstance(comment, dict) else None
        if not isinstance(replies, dict):
            return []
        parent = str(comment.get("id"))
        pages = [replies.get("data") or []]
        if (link := next_link(replies)) is not None:
            pages += client.pages(link, {}, self.params.max_pages - 1)
        source = self.params.source
        return [
            found
            for page in pages
            for reply in page
            for found in self._read(
                partial(comment_item, source, reply, media, account, parent),
                outcome,
            )
        ]

    # -- media the brand is tagged in ------------------------------------------

    def _tags(self, client: GraphClient, account: Account, outcome: Outcome) -> None:
        cursor = load_cursor(self.sessions, self.params.source)
        since = parse_iso(str(cursor.get("tags_newest") or ""))
        newest = since
        items: list[Any] = []
        params = {"fields": TAGGED_FIELDS, "limit": PAGE}
        pages = client.pages(f"{account.user_id}/tags", params, self.params.max_pages)
        for page in pages:
            reached = False
            for media in page:
                when = parse_iso(str(media.get("timestamp") or ""))
                if when is not None and (newest is None or when > newest):
                    newest = when
                reached = reached or (
                    since is not None and when is not None and when <= since
                )
                items += self._read(
                    partial(
                        media_item, self.params.source, media, "tags", account.about
                    ),
                    outcome,
                )
            if reached:
                break
        if newest is not None:
            cursor["tags_newest"] = newest.isoformat()
        store(self.sessions, self.params.source, items, cursor, outcome)

    # -- hashtags ----------------------------------------------------------------

    def _hashtags(self, client: GraphClient, outcome: Outcome) -> None:
        cursor = load_cursor(self.sessions, self.params.source)
        ledger = HashtagLedger.load(
            cursor.get("hashtags_queried"), self.params.hashtag_budget, self.now()
        )
        hashtag_ids: dict[str, str] = dict(cursor.get("hashtag_ids") or {})
        for tag in self.params.hashtags:
            key = hashtag_key(tag)
            if not ledger.allows(key):
                frees = ledger.frees_at()
                outcome.warnings.append(
                    f"#{key} not read: {len(ledger.first_queried)} of "
                    f"{ledger.budget} unique hashtags already queried in the last "
                    "7 days (Instagram's limit is 30); the next frees up "
                    f"{frees:%Y-%m-%d %H:%M} UTC"
                )
                continue
            ledger.count(key)
            cursor["hashtags_queried"] = ledger.as_json()
            cursor["quota"] = ledger.quota()
            store(
                self.sessions, self.params.source, (), cursor, outcome
            )  # before the call
            if key not in hashtag_ids:
                found = client.get(
                    "ig_hashtag_search", {"user_id": self.params.user_id, "q": key}
                )
                data = found.get("data") or []
                if not data:
                    outcome.warnings.append(f"#{key}: Instagram has no such hashtag")
                    continue
                hashtag_ids[key] = str(data[0]["id"])
                cursor["hashtag_ids"] = hashtag_ids
            items = self._hashtag_media(client, key, hashtag_ids[key], outcome)
            store(self.sessions, self.params.source, items, cursor, outcome)
        cursor["quota"] = ledger.quota()
        store(self.sessions, self.params.source, (), cursor, outcome)

    def _hashtag_media(
        self, client: GraphClient, key: str, hashtag_id: str, outcome: Outcome
    ) -> list[Any]:
        edges = (
            ["recent_media", "top_media"] if self.params.top_media else ["recent_media"]
        )
        params = {
            "user_id": self.params.user_id,
            "fields": HASHTAG_MEDIA_FIELDS,
            "limit": PAGE,
        }
        items: list[Any] = []
        for edge in edges:
            for page in client.pages(
                f"{hashtag_id}/{edge}", params, self.params.max_pages
            ):
                for media in page:
                    items += self._read(
                        partial(
                            media_item,
                            self.params.source,
                            media,
                            f"hashtag:{key}",
                            None,
                        ),
                        outcome,
                    )
        return items


def newest_items(params: InstagramParams, limit: int = 10) -> list[Any]:
    """The comments under the brand's newest media and the newest tagged media.

    For ``earful source check``: nothing stored, no cursor, and no hashtag is
    queried (each would count against the 30-per-7-days limit).
    """
    client = GraphClient(params.access) if params.access.token else None
    if client is None:
        msg = f"instagram source {params.source}: the access token is not set: set {params.access.token_env}"
        raise CollectorError(msg)
    try:
        account = account_of(client.get(params.user_id, {"fields": ACCOUNT_FIELDS}))
        items: list[Any] = []
        if params.comments:
            media = next(
                client.pages(
                    f"{account.user_id}/media",
                    {"fields": OWN_MEDIA_FIELDS, "limit": 3},
                    1,
                ),
                [],
            )
            for one in media:
                body = client.get(
                    f"{one['id']}/comments", {"fields": REPLY_FIELDS, "limit": limit}
                )
                items += [
                    comment_item(params.source, c, one, account, None)
                    for c in body.get("data") or []
                ]
        if params.tags:
            tagged = next(
                client.pages(
                    f"{account.user_id}/tags",
                    {"fields": TAGGED_FIELDS, "limit": limit},
                    1,
                ),
                [],
            )
            items += [
                media_item(params.source, m, "tags", account.about) for m in tagged
            ]
    except GraphError as exc:
        msg = f"instagram source {params.source}: {exc}"
        raise CollectorError(msg) from None
    finally:
        client.close()
    return items[: limit * 2]
