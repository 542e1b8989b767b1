"""The Threads collector: replies to the brand's posts, mentions of it, keyword search.

Each poll, with the brand's Threads user token (graph.threads.net):

- **Replies**: the brand's posts of the last ``follow_days`` days (its
  newest ``posts_max``, ``/{user-id}/threads``) have their whole
  conversation read (``/{media-id}/conversation``: replies at every depth,
  up to ``max_pages`` pages of 100). A reply to the brand's post is about
  the brand even when it does not name it; the brand's own replies are kept
  with no brand. When a conversation was read to its end, reply ids stored
  for it that are gone are counted as deleted; an edited reply updates its
  mention.
- **Mentions**: ``/{user-id}/mentions``, newest first, until a post no newer
  than the newest stored (needs ``threads_manage_mentions``). Mentioning the
  brand's profile is about the brand (``@acme_jp`` names no term itself).
- **Keyword search** (``search = true``): ``/keyword_search`` with
  ``search_type=RECENT`` for each brand's terms, ``since`` the newest post
  found for that term. It needs the ``threads_keyword_search`` permission:
  refused, the run says so in its warning every time; not yet approved,
  Threads searches only the account's own posts, so a search that has never
  found anyone else's post says that too, rather than looking like a quiet
  day. Threads allows 2,200 queries per user per rolling 24 hours (those
  that find nothing are free); the collector counts them (``SearchLedger``)
  and ``earful status`` shows the count.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from crawlers.bounds import parse_iso
from crawlers.errors import CollectorError
from crawlers.items import MentionItem
from crawlers.match import Matcher
from crawlers.metagraph import (
    GraphAccess,
    GraphClient,
    GraphError,
    GraphPermissionError,
    next_link,
)
from crawlers.metapoll import GraphPoller, Watch
from crawlers.outcome import Outcome
from crawlers.poller import load_cursor, store
from crawlers.query import positive_terms
from crawlers.threads.settings import SEARCH_LIMIT
from crawlers.threads.things import (
    POST_FIELDS,
    USER_FIELDS,
    Account,
    SearchLedger,
    account_of,
    post_item,
)

PAGE = 100
MAX_SEARCH_TERMS = 5  # searches per brand and poll (one term each)


@dataclass(frozen=True)
class ThreadsParams:
    """What one Threads source reads."""

    source: str
    access: GraphAccess
    user_id: str
    replies: bool = True
    follow_days: float = 7.0
    posts_max: int = 25
    mentions: bool = True
    search: bool = False
    search_budget: int = SEARCH_LIMIT
    max_pages: int = 3


class ThreadsCollector(GraphPoller):
    """Polls one Threads source; see the module docstring."""

    kind = "threads"

    def __init__(
        self,
        params: ThreadsParams,
        matcher: Matcher,
        sessions: sessionmaker[Session],
        own_accounts: Iterable[str] = (),
    ) -> None:
        super().__init__(params.source, params.access, matcher, sessions, own_accounts)
        self.params = params
        self.account: Account | None = None

    def _poll(self, outcome: Outcome) -> None:
        if self.account is None:
            node = self.client.get(self.params.user_id, {"fields": USER_FIELDS})
            self.account = account_of(node)
        if self.params.replies:
            self._replies(self.client, self.account, outcome)
        if self.params.mentions:
            self._mentions(self.client, outcome)
        if self.params.search:
            self._search(self.client, self.account, outcome)

    def _own(self) -> tuple[str, ...]:
        return (f"@{self.account.username}",) if self.account else ()

    def _replies(self, client: GraphClient, account: Account, outcome: Outcome) -> None:
        params = {"fields": POST_FIELDS, "limit": self.params.posts_max}
        posts = next(client.pages(f"{account.user_id}/threads", params, 1), [])
        since = self.now() - timedelta(days=self.params.follow_days)
        followed = [p for p in posts if _after(p, since)]
        # Threads gives no reply count: every followed post is read each poll
        watches = {str(post["id"]): Watch(post, None, due=True) for post in followed}
        self.follow(
            "posts",
            watches,
            lambda post: self._conversation(client, account, post, outcome),
            outcome,
        )

    def _conversation(
        self, client: GraphClient, account: Account, post: Any, outcome: Outcome
    ) -> tuple[list[MentionItem], set[str], bool]:
        """The replies under ``post``, their ids, and whether all were read."""
        items: list[MentionItem] = []
        ids: set[str] = set()
        path: str = f"{post['id']}/conversation"
        query: dict[str, Any] | None = {
            "fields": POST_FIELDS,
            "reverse": "true",
            "limit": PAGE,
        }
        for _ in range(self.params.max_pages):
            body = client.get(path, query)
            for reply in body.get("data") or []:
                if isinstance(reply, dict) and reply.get("id"):
                    ids.add(str(reply["id"]))
                parse = partial(
                    post_item, self.source, reply, "reply", post, account.about
                )
                items += self.read(parse, outcome, self._own())
            link = next_link(body)
            if link is None:
                return items, ids, True
            path, query = link, None
        return items, ids, False

    def _mentions(self, client: GraphClient, outcome: Outcome) -> None:
        """Mentions, newest first, until one no newer than the newest stored."""
        cursor = load_cursor(self.sessions, self.source)
        since = parse_iso(str(cursor.get("mentions_newest") or ""))
        about = self.account.about if self.account else None  # naming it is about it
        newest = since
        items: list[MentionItem] = []
        params = {"fields": POST_FIELDS, "limit": PAGE}
        path = f"{self.params.user_id}/mentions"
        for page in client.pages(path, params, self.params.max_pages):
            reached = False
            for post in page:
                when = _when(post)
                if when is not None and (newest is None or when > newest):
                    newest = when
                reached = reached or (
                    since is not None and when is not None and when <= since
                )
                parse = partial(post_item, self.source, post, "mention", None, about)
                items += self.read(parse, outcome, self._own())
            if reached:
                break
        if newest is not None:
            cursor["mentions_newest"] = newest.isoformat()
        store(self.sessions, self.source, items, cursor, outcome)

    def _search(self, client: GraphClient, account: Account, outcome: Outcome) -> None:
        cursor = load_cursor(self.sessions, self.source)
        ledger = SearchLedger.load(
            cursor.get("searches"), self.params.search_budget, self.now()
        )
        newest: dict[str, str] = dict(cursor.get("search_newest") or {})
        for term in self._terms():
            if not ledger.allows():
                outcome.warnings.append(
                    f"keyword search paused: {ledger.used} of {ledger.budget} queries "
                    "used in the last 24 hours (Threads allows 2,200 a user)"
                )
                break
            try:
                posts = _query(client, term, parse_iso(newest.get(term, "")))
            except GraphPermissionError as exc:
                outcome.warnings.append(
                    f"keyword search refused ({exc}): it needs the "
                    "threads_keyword_search permission, approved in app review; "
                    "replies and mentions still run"
                )
                return
            if posts:
                ledger.count()  # a query that finds nothing is free
            if any(p.get("username") != account.username for p in posts):
                cursor["search_found_others"] = True
            times = [w for p in posts if (w := _when(p)) is not None]
            if times:
                newest[term] = max(times).isoformat()
            items: list[MentionItem] = []
            for post in posts:
                parse = partial(post_item, self.source, post, f"search:{term}")
                items += self.read(parse, outcome, self._own())
            cursor["search_newest"] = newest
            cursor |= {"searches": ledger.hours, "quota": ledger.quota()}
            store(self.sessions, self.source, items, cursor, outcome)
        if not cursor.get("search_found_others"):
            outcome.warnings.append(
                "keyword search has found only the account's own posts so far: until "
                "Meta approves the threads_keyword_search permission, Threads searches "
                "only them; replies and mentions still run"
            )
        cursor |= {"searches": ledger.hours, "quota": ledger.quota()}
        store(self.sessions, self.source, (), cursor, outcome)

    def _terms(self) -> list[str]:
        terms: list[str] = []
        for rule in self.matcher.rules:
            terms += positive_terms(rule.tree())[:MAX_SEARCH_TERMS]
        return list(dict.fromkeys(terms))


def _query(client: GraphClient, term: str, since: datetime | None) -> list[Any]:
    """Recent public posts with ``term``, newer than ``since`` (the last found)."""
    params: dict[str, Any] = {
        "q": term,
        "search_type": "RECENT",
        "fields": POST_FIELDS,
        "limit": PAGE,
    }
    if since is not None:
        params["since"] = int(since.timestamp()) + 1
    body = client.get("keyword_search", params)
    return [p for p in body.get("data") or [] if isinstance(p, dict)]


def _when(post: Any) -> datetime | None:
    if not isinstance(post, dict):
        return None
    return parse_iso(str(post.get("timestamp") or ""))


def _after(post: Any, since: datetime) -> bool:
    when = _when(post)
    return when is not None and when >= since


def newest_items(params: ThreadsParams, limit: int = 10) -> list[MentionItem]:
    """The replies to the brand's newest post and its newest mentions.

    For ``earful source check``: nothing stored, no cursor, no keyword search
    (each query counts against the 2,200 a day).
    """
    if not params.access.token:
        msg = (
            f"threads source {params.source}: the access token is not set: "
            f"set {params.access.token_env}"
        )
        raise CollectorError(msg)
    client = GraphClient(params.access)
    items: list[MentionItem] = []
    try:
        account = account_of(client.get(params.user_id, {"fields": USER_FIELDS}))
        if params.replies:
            first = {"fields": POST_FIELDS, "limit": 1}
            for post in next(client.pages(f"{account.user_id}/threads", first, 1), []):
                query = {"fields": POST_FIELDS, "limit": limit}
                body = client.get(f"{post['id']}/conversation", query)
                items += [
                    post_item(params.source, r, "reply", post, account.about)
                    for r in body.get("data") or []
                ]
        if params.mentions:
            query = {"fields": POST_FIELDS, "limit": limit}
            body = client.get(f"{account.user_id}/mentions", query)
            items += [
                post_item(params.source, p, "mention", None, account.about)
                for p in body.get("data") or []
            ]
    except GraphError as exc:
        msg = f"threads source {params.source}: {exc}"
        raise CollectorError(msg) from None
    finally:
        client.close()
    return items
