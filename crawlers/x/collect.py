"""The X collector: recent search for each brand, stored as mentions with reach.

Each poll runs each brand's X queries (``crawlers.x.query``) once, newest
first, from the ``since_id`` stored per query, reading at most ``max_pages``
pages of 100 posts; a backlog deeper than that is skipped with a warning
(recent search reaches back 7 days, so a long outage loses the oldest).

- **Reach**: the author (``expansions=author_id``) gives ``followers``; the
  post's ``public_metrics`` give ``score`` (likes), ``comments`` (replies)
  and, in ``raw``, reposts, quotes and impressions.
- **Edits**: an edited post gets a new id; the mention keeps the id of its
  first version (``edit_history_tweet_ids[0]``), so the edit updates it and is
  scored again.
- **Deleted or withheld** items that X lists in the answer's ``errors`` (an
  author gone, a post withheld) are counted in the run's warning; a post
  withheld in some countries is stored with ``raw.withheld``.
- **Rate limits**: a 429 waits until ``x-rate-limit-reset``; an answer with
  ``x-rate-limit-remaining: 0`` stops the poll early and waits too, without
  failing the source. 5xx and dropped connections back off 60 s, doubling.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from crawlers.backoff import Backoff
from crawlers.bounds import parse_iso, reads_item
from crawlers.errors import BadItemError, CollectorError
from crawlers.items import MentionItem
from crawlers.match import Matcher
from crawlers.outcome import Outcome
from crawlers.pipelines import NormalizePipeline
from crawlers.poller import load_cursor, matched, newer, store
from crawlers.x.client import (
    Page,
    XClient,
    XCredentials,
    XError,
    XRateLimitError,
    XUnavailableError,
)
from crawlers.x.query import XQueryError, x_queries
from crawlers.x.settings import XSource

log = logging.getLogger(__name__)

X_URL = "https://x.com"


def _when(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    return parse_iso(value)


@reads_item
def tweet_item(
    source: str, tweet: dict[str, Any], users: dict[str, dict[str, Any]]
) -> MentionItem:
    """One post of a search answer as a mention (``users``: the expanded authors)."""
    author = users.get(str(tweet.get("author_id")), {})
    handle = author.get("username")
    tweet_id = str(tweet["id"])
    history = tweet.get("edit_history_tweet_ids") or [tweet_id]
    metrics = tweet.get("public_metrics") or {}
    followers = (author.get("public_metrics") or {}).get("followers_count")
    raw: dict[str, Any] = {
        "id": tweet_id,
        "reposts": metrics.get("retweet_count"),
        "quotes": metrics.get("quote_count"),
        "impressions": metrics.get("impression_count"),
        "edits": len(history) - 1,
    }
    if tweet.get("withheld"):
        raw["withheld"] = tweet["withheld"]
    return MentionItem(
        source=source,
        source_type="x",
        external_id=str(history[0]),
        url=f"{X_URL}/{handle or 'i/web'}/status/{tweet_id}",
        text=str(tweet.get("text") or ""),
        author=f"@{handle}" if handle else None,
        site_name="X",
        thread_id=tweet.get("conversation_id"),
        score=metrics.get("like_count"),
        comments=metrics.get("reply_count"),
        followers=followers,
        language=None,  # X's `lang` is a guess too ("qme", "und"): we detect our own
        published_at=_when(tweet.get("created_at")),
        raw=raw,
    )


@reads_item
def page_items(
    source: str, body: dict[str, Any], skipped: list[str] | None = None
) -> list[MentionItem]:
    """Every post of one search answer as a mention; unreadable ones go to ``skipped``."""
    users = {
        str(u.get("id")): u
        for u in (body.get("includes") or {}).get("users", [])
        if isinstance(u, dict)
    }
    items = []
    for tweet in body.get("data") or []:
        if isinstance(tweet, dict) and "id" in tweet:
            try:
                items.append(tweet_item(source, tweet, users))
            except BadItemError as exc:  # one post never costs the page
                (skipped if skipped is not None else []).append(f"skipped: {exc}")
    return items


def left_out(body: dict[str, Any]) -> list[str]:
    """The answer's ``errors``: items X left out (deleted, withheld, suspended)."""
    found = []
    for error in body.get("errors") or []:
        if isinstance(error, dict):
            title = error.get("title", "error")
            detail = error.get("detail") or error.get("message") or ""
            found.append(f"X left out an item: {title}: {detail}"[:300])
    return found


def incomplete(body: dict[str, Any]) -> list[str]:
    """What the answer lacks that a mention needs: authors, dates (stored without).

    An answer without ``includes.users`` (no ``expansions=author_id``) or posts
    without ``created_at`` (no ``tweet.fields=created_at``) still store, but
    without author or date, and say so. (One missing author beside others is a
    deleted account, which ``errors`` names: ``left_out``.)
    """
    posts = [t for t in body.get("data") or [] if isinstance(t, dict) and "id" in t]
    found = []
    if posts and not (body.get("includes") or {}).get("users"):
        found.append(
            f"{len(posts)} post{'s' * (len(posts) != 1)} stored without an "
            "author: the answer has no includes.users"
        )
    if undated := sum(not isinstance(t.get("created_at"), str) for t in posts):
        found.append(
            f"{undated} post{'s' * (undated != 1)} stored without a date: "
            "the answer has no created_at for them"
        )
    return found


ErrorTypes = (CollectorError, SQLAlchemyError)


class XCollector:
    """Polls one X source; see the module docstring."""

    def __init__(
        self,
        credentials: XCredentials,
        source: XSource,
        matcher: Matcher,
        sessions: sessionmaker[Session],
        own_accounts: Iterable[str] = (),
    ) -> None:
        self.credentials = credentials
        self.source = source
        self.matcher = matcher
        self.own_accounts = tuple(own_accounts)  # their posts: the brand's replies
        self.sessions = sessions
        self.backoff = Backoff()
        self._client: XClient | None = None
        self._normalize = NormalizePipeline()
        self._paused = False  # waiting out a rate limit we saw coming: no failure

    @property
    def client(self) -> XClient:
        """The client, made on first use (a missing token surfaces there)."""
        if self._client is None:
            self._client = XClient(self.credentials)
        return self._client

    def poll(self) -> Outcome:
        """Run every brand's queries once; never raises."""
        outcome = Outcome(self.source.name)
        if (wait := self.backoff.waiting()) > 0:
            message = f"waiting for X's rate limit to reset: next try in {wait:.0f} s"
            if self._paused:
                outcome.warnings.append(message)
            else:
                outcome.error = self._named(f"backing off after X errors ({message})")
            return outcome
        self._paused = False
        queries, unsayable = self._queries()
        try:
            stored = load_cursor(self.sessions, self.source.name).get("since_id")
            # Keys of queries no longer asked (a brand's terms changed) are dropped.
            since = {k: v for k, v in (stored or {}).items() if k in queries}
            for key, query in queries.items():
                if not self._search(outcome, query, key, since):
                    return outcome
            self.backoff.succeeded()
        except ErrorTypes as exc:
            outcome.error = self._failed(exc)
        if unsayable and outcome.error is None:
            outcome.error = self._named("; ".join(unsayable))
        return outcome

    def _queries(self) -> tuple[dict[str, str], list[str]]:
        """Every brand's X queries by cursor key, and the brands that have none."""
        queries: dict[str, str] = {}
        unsayable = []
        for rule in self.matcher.rules:
            try:
                found = x_queries(rule, retweets=self.source.retweets)
            except XQueryError as exc:
                unsayable.append(str(exc))
                continue
            for query in found:
                digest = hashlib.sha1(query.encode()).hexdigest()[:10]  # noqa: S324 - a key
                queries[f"{rule.name}:{digest}"] = query
        return queries, unsayable

    def _search(
        self, outcome: Outcome, query: str, key: str, since: dict[str, str]
    ) -> bool:
        """One query's new posts, stored with its cursor; False when rate limited."""
        items: list[MentionItem] = []
        newest = since.get(key)
        token: str | None = None
        page: Page | None = None
        for _ in range(self.source.max_pages):
            page = self._page(outcome, query, since, key, token)
            meta = page.body.get("meta") or {}
            newest_id = meta.get("newest_id")
            if newest_id and newer(str(newest_id), newest):
                newest = str(newest_id)
            outcome.warnings.extend(left_out(page.body) + incomplete(page.body))
            for item in page_items(self.source.name, page.body, outcome.warnings):
                found = matched(item, self.matcher, self._normalize, self.own_accounts)
                if found is not None:
                    items.append(found)
            token = meta.get("next_token")
            if not token or page.remaining == 0:
                break
        if token and page is not None and page.remaining != 0:
            outcome.warnings.append(
                f"more than {self.source.max_pages} pages of new posts for {query!r}:"
                " the older ones were skipped (raise max_pages or poll more often)"
            )
        if newest:
            since[key] = newest
        store(self.sessions, self.source.name, items, {"since_id": since}, outcome)
        if page is not None and page.remaining == 0:
            wait = page.reset_in if page.reset_in is not None else 900.0
            self.backoff.wait_for(wait)
            self._paused = True
            outcome.warnings.append(
                f"X's rate limit is used up until its reset in {wait:.0f} s: "
                "the remaining queries wait for the next poll"
            )
            return False
        return True

    def _page(
        self,
        outcome: Outcome,
        query: str,
        since: dict[str, str],
        key: str,
        token: str | None,
    ) -> Page:
        """One page; a ``since_id`` older than the 7-day window is dropped, once."""
        try:
            return self.client.search_recent(
                query, since_id=since.get(key), next_token=token
            )
        except XError as exc:
            if key not in since or "since_id" not in str(exc):
                raise
        del since[key]
        outcome.warnings.append(
            f"the last post seen for {query!r} is older than recent search's 7 days: "
            "reading from the newest again (posts in between are lost)"
        )
        return self.client.search_recent(query, next_token=token)

    def _failed(self, exc: Exception) -> str:
        if isinstance(exc, XRateLimitError):
            self.backoff.wait_for(exc.reset_in)
            self._paused = False
        elif isinstance(exc, XUnavailableError):
            delay = self.backoff.failed()
            return self._named(f"{exc}, retrying in {delay:g} s")
        return self._named(str(exc) or type(exc).__name__)

    def _named(self, message: str) -> str:
        message = f"x source {self.source.name}: {message}"
        log.warning("%s", message)
        return message


def newest_items(
    credentials: XCredentials, source: XSource, matcher: Matcher, limit: int = 10
) -> list[MentionItem]:
    """The newest posts of each brand's first query, for ``earful source check``.

    One request per brand, nothing stored, no cursor. Errors raise
    ``CollectorError`` with the reason.
    """
    client = XClient(credentials)
    items: list[MentionItem] = []
    try:
        for rule in matcher.rules:
            query = x_queries(rule, retweets=source.retweets)[0]
            page = client.search_recent(query, max_results=max(10, min(limit, 100)))
            items.extend(page_items(source.name, page.body)[:limit])
    except CollectorError as exc:
        msg = f"x source {source.name}: {exc}"
        raise CollectorError(msg) from None
    finally:
        client.close()
    return items
