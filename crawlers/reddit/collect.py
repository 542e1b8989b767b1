"""The Reddit collector: brand searches and paused subreddit streams, stored as mentions.

One ``RedditCollector`` per configured source lives as long as the process.
Each ``poll()`` is bounded: every stream (``subreddit.stream.submissions()`` /
``.comments()`` with ``pause_after=-1``) makes one request and stops at its
pause, and every brand search makes one request, so one job thread serves many
sources and shuts down cleanly between polls. A stream starts from the stored
cursor (``continue_after_id``), so after a restart it backfills from the newest
item seen, as far as Reddit's listings reach, and the cursor skips whatever was
stored already. Any Reddit or database failure ends the poll with an error in
the outcome (never an exception); 429 and 5xx also back the source off.

Streams are the fast path and run on every poll. Brand searches cost one
request per brand and place and read Reddit's search index, which lags
minutes behind anyway, so they run at most every ``search_every`` seconds.
A search result that was edited since it was stored is stored again (its
new text is then scored again); the streams only ever see new items.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import praw
from praw.exceptions import PRAWException
from praw.models import Comment, Submission
from prawcore.exceptions import PrawcoreException, ServerError, TooManyRequests
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from crawlers.attribution import Attributor
from crawlers.backoff import FIRST_BACKOFF_S, Backoff
from crawlers.errors import CollectorError
from crawlers.items import MentionItem
from crawlers.match import Matcher
from crawlers.outcome import Outcome
from crawlers.pipelines import NormalizePipeline, detect_item_language
from crawlers.reddit.client import (
    RedditCredentials,
    RedditCredentialsError,
    credentials_error,
    make_reddit,
)
from crawlers.reddit.cursor import RedditCursor
from crawlers.reddit.things import (
    comment_item,
    search_query,
    submission_item,
)
from storage.queries import get_cursor, set_cursor, upsert_mention

log = logging.getLogger(__name__)

SEARCH_LIMIT = 100


@dataclass(frozen=True)
class RedditParams:
    """What one Reddit source watches."""

    source: str
    subreddits: tuple[str, ...] = ()
    search: bool = True
    search_time: str = "day"  # hour, day, week, month, year, all
    search_every: float = 300.0  # seconds; 0 searches on every poll
    stream_submissions: bool = True
    stream_comments: bool = True
    include_all: bool = False  # also stream r/all comments
    follow_threads: bool = False  # read the comment tree of matching submissions
    thread_more_limit: int | None = 32  # "load more comments" requests per thread


@dataclass
class _Batch:
    items: list[MentionItem] = field(default_factory=list)


ErrorTypes = (PRAWException, PrawcoreException, RedditCredentialsError, SQLAlchemyError)


class RedditCollector:
    """Polls one Reddit source; see the module docstring."""

    def __init__(
        self,
        credentials: RedditCredentials,
        params: RedditParams,
        matcher: Matcher,
        sessions: sessionmaker[Session],
        own_accounts: Iterable[str] = (),
    ) -> None:
        self.credentials = credentials
        self._reddit: praw.Reddit | None = None
        self.params = params
        self.matcher = matcher
        self.attributor = Attributor(matcher, own_accounts)
        self.sessions = sessions
        self.cursor: RedditCursor | None = None
        self._streams: dict[str, Iterator[Any]] = {}
        self._subscribers: dict[str, int] = {}
        self._normalize = NormalizePipeline()
        self.backoff = Backoff()
        self._searched_at: float | None = None

    @property
    def reddit(self) -> praw.Reddit:
        """The Reddit client, made on first use (credential errors surface there)."""
        if self._reddit is None:
            self._reddit = make_reddit(self.credentials)
        return self._reddit

    def poll(self) -> Outcome:
        """One bounded pass over every stream and search of this source."""
        outcome = Outcome(self.params.source)
        if (wait := self.backoff.waiting()) > 0:
            outcome.error = f"backing off after Reddit errors: next try in {wait:.0f} s"
            return outcome
        try:
            self._load_cursor()
            for key, stream in self._stream_list():
                self._store(outcome, key, self._drain(key, stream))
            if self._search_due():
                self._search(outcome)
                self._searched_at = time.monotonic()
            self.backoff.succeeded()
        except ErrorTypes as exc:
            outcome.error = self._failed(exc)
        return outcome

    def collect_thread(self, submission_id: str) -> Outcome:
        """Store the comments of one thread that name a brand.

        Up to ``thread_more_limit`` "load more comments" links are followed,
        one request each (None: all of them; 0: the first page only).
        """
        outcome = Outcome(self.params.source)
        try:
            self._load_cursor()
            self._store(outcome, None, self._thread(submission_id))
        except ErrorTypes as exc:
            outcome.error = self._failed(exc)
        return outcome

    def _failed(self, exc: Exception) -> str:
        self._streams.clear()  # a stream that raised is finished; resume from cursor
        self.cursor = None
        if isinstance(exc, TooManyRequests):
            delay = float(exc.retry_after or FIRST_BACKOFF_S)
            self.backoff.wait_for(delay)
            message = f"rate limited by Reddit (HTTP 429), retrying after {delay:g} s"
        elif isinstance(exc, ServerError):
            status = exc.response.status_code
            delay = self.backoff.failed()
            message = f"Reddit unavailable (HTTP {status}), retrying in {delay:g} s"
        else:
            rejected = credentials_error(self.credentials, exc)
            message = str(rejected or exc) or type(exc).__name__
        message = f"reddit source {self.params.source}: {message}"
        log.warning("%s", message)
        return message

    def _load_cursor(self) -> None:
        if self.cursor is None:
            with self.sessions.begin() as session:
                self.cursor = RedditCursor(get_cursor(session, self.params.source))

    def _stream_list(self) -> list[tuple[str, Iterator[Any]]]:
        assert self.cursor is not None  # noqa: S101 - loaded by the caller
        wanted = []
        for name in self.params.subreddits:
            if self.params.stream_submissions:
                wanted.append((f"submissions:{name.lower()}", name, "submissions"))
            if self.params.stream_comments:
                wanted.append((f"comments:{name.lower()}", name, "comments"))
        if self.params.include_all:
            wanted.append(("comments:all", "all", "comments"))
        for key, name, kind in wanted:
            if key not in self._streams:
                stream = getattr(self.reddit.subreddit(name).stream, kind)
                self._streams[key] = stream(
                    pause_after=-1, continue_after_id=self.cursor.get(key)
                )
        return [(key, self._streams[key]) for key, _, _ in wanted]

    def _drain(self, key: str, stream: Iterator[Any]) -> Iterator[tuple[Any, str]]:
        """The items of one stream request, up to its pause."""
        for thing in stream:
            if thing is None:
                return
            yield thing, key

    def _search_due(self) -> bool:
        if not self.params.search:
            return False
        last = self._searched_at
        return last is None or time.monotonic() - last >= self.params.search_every

    def _search(self, outcome: Outcome) -> None:
        places = ["all", *self.params.subreddits]
        for rule in self.matcher.rules:
            query = search_query(rule)
            for place in places:
                key = f"search:{place.lower()}:{rule.name}"
                results = self.reddit.subreddit(place).search(
                    query,
                    sort="new",
                    time_filter=self.params.search_time,
                    limit=SEARCH_LIMIT,
                )
                self._store(outcome, key, ((post, key) for post in results))

    def _thread(self, submission_id: str) -> Iterator[tuple[Any, str | None]]:
        post = self.reddit.submission(submission_id)
        post.comments.replace_more(limit=self.params.thread_more_limit)
        yield post, None
        for comment in post.comments.list():
            yield comment, None

    def _store(
        self,
        outcome: Outcome,
        key: str | None,
        things: Iterator[tuple[Any, str | None]],
    ) -> None:
        """Match and store ``things`` and move the cursor, in one transaction."""
        assert self.cursor is not None  # noqa: S101 - loaded by the caller
        batch = _Batch()
        before = RedditCursor(
            self.cursor.as_json()
        )  # search results are not in id order
        titles: dict[str, str] = {}
        for thing, thing_key in things:
            if isinstance(thing, Submission):
                titles[thing.name] = thing.title
            if thing_key is not None:
                if not before.is_new(thing_key, thing.name) and not (
                    thing_key.startswith("search:") and vars(thing).get("edited")
                ):
                    continue
                self.cursor.advance(thing_key, thing.name)
            found = self._mention(thing, titles)
            if found is not None:
                batch.items.append(found)
        with self.sessions.begin() as session:
            for item in batch.items:
                outcome.warn(*item.warnings)  # dates and counts dropped
                result = upsert_mention(session, item.mention_fields(), item.matches)
                outcome.seen += 1
                outcome.new += result.status == "new"
                outcome.updated += result.status == "updated"
            if key is not None:
                set_cursor(session, self.params.source, self.cursor.as_json())
        follow = [i.external_id for i in batch.items if i.external_id[:3] == "t3_"]
        if self.params.follow_threads and key is not None:
            for name in follow:
                self._store(outcome, None, self._thread(name[3:]))

    def _mention(self, thing: Any, titles: dict[str, str]) -> MentionItem | None:
        """The matched, normalised mention for ``thing``, or None."""
        source = self.params.source
        if isinstance(thing, Submission):
            item = submission_item(source, thing)
            if item is not None and item.followers is not None:
                self._subscribers[item.site_name or ""] = item.followers
        elif isinstance(thing, Comment):
            site = f"r/{thing.subreddit.display_name}"
            item = comment_item(
                source,
                thing,
                title=titles.get(thing.link_id),
                followers=self._subscribers.get(site),
            )
        else:
            return None
        if item is None:
            return None
        item = self._normalize.process_item(item)
        # A comment's language is its own, not its thread title's.
        own = item.text if isinstance(thing, Comment) else None
        if self.matcher.needs_language:
            detect_item_language(item, own)
        if isinstance(thing, Comment) and not self.attributor.is_own(item):
            # Stricter than crawlers.attribution: the stream knows a comment's
            # thread title only now and then, so it never counts.
            item.matches = self.matcher.match(item.text, item.language)
        else:
            item.matches = self.attributor.brands(item)
        if not self.attributor.keeps(item, item.matches):
            return None
        detect_item_language(item, own)
        return item


def newest_items(
    credentials: RedditCredentials, params: RedditParams, limit: int = 5
) -> list[MentionItem]:
    """The ``limit`` newest submissions and comments of each watched subreddit.

    For ``earful source check``: one listing each, nothing stored, no cursor.
    A source without subreddits reads r/all. Errors raise ``CollectorError``
    with the reason (missing or refused credentials, HTTP status).
    """
    reddit = make_reddit(credentials)
    items: list[MentionItem | None] = []
    try:
        for name in params.subreddits or ("all",):
            subreddit = reddit.subreddit(name)
            if params.stream_submissions:
                items.extend(
                    submission_item(params.source, post)
                    for post in subreddit.new(limit=limit)
                )
            if params.stream_comments:
                items.extend(
                    comment_item(params.source, comment)
                    for comment in subreddit.comments(limit=limit)
                )
    except ErrorTypes as exc:
        rejected = credentials_error(credentials, exc)
        message = str(rejected or exc) or type(exc).__name__
        msg = f"reddit source {params.source}: {message}"
        raise CollectorError(msg) from None
    return [item for item in items if item is not None]
