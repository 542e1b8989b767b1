"""The YouTube collector: comment threads on watched channels and videos, and new videos.

Each poll reads, newest first, the comment threads of the brand's channel
(``allThreadsRelatedToChannelId``), of each configured video, and of each
video a brand search found in the last ``follow_days`` days (the newest
``follow_max`` of them, every ``follow_every`` seconds); at most every
``search_interval`` seconds it searches each brand for new videos
(``search.list``, 100 units each) and stores those that name it.

- **Quota**: every call is counted against ``daily_budget`` before it is made
  (``crawlers.youtube.quota``); past it, the poll stops with a warning, not
  a failure, until midnight Pacific Time.
- **Edits**: the newest page of each place is read on every poll, so an
  edited comment (``updatedAt``) comes back with its new text and updates
  its mention, which is then scored again.
- **Comments off / video gone**: ``commentsDisabled`` and ``videoNotFound``
  skip that video from then on, with a warning; the rest go on.
- Only top-level comments are read (replies cost a call per thread).
- A comment is matched with its video's title (one ``videos.list`` call per
  50 new videos): comments under a video naming the brand are about it. When
  that call fails, the comments already read are kept (matched on their own
  text) and the warning names the call.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from crawlers.backoff import Backoff
from crawlers.bounds import sane_date
from crawlers.errors import BadItemError, CollectorError
from crawlers.items import MentionItem
from crawlers.match import Matcher
from crawlers.outcome import Outcome
from crawlers.pipelines import NormalizePipeline
from crawlers.poller import load_cursor, matched, store
from crawlers.youtube.client import (
    YouTubeCredentials,
    YouTubeCredentialsError,
    YouTubeDisabledError,
    YouTubeError,
    YouTubeQuotaError,
    YouTubeUnavailableError,
    execute,
    make_youtube,
)
from crawlers.youtube.quota import QuotaBudgetError, QuotaLedger
from crawlers.youtube.settings import YouTubeSource
from crawlers.youtube.things import search_query, thread_item, video_item, when

log = logging.getLogger(__name__)

MAX_TITLES = 1000  # video titles remembered in the cursor


class YouTubeCollector:
    """Polls one YouTube source; see the module docstring."""

    def __init__(
        self,
        credentials: YouTubeCredentials,
        source: YouTubeSource,
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
        self._service: Any = None
        self._normalize = NormalizePipeline()
        self.now: Callable[[], datetime] = _utcnow  # tests move the clock

    @property
    def service(self) -> Any:
        """The API client, made on first use (a missing key surfaces there)."""
        if self._service is None:
            self._service = make_youtube(self.credentials)
        return self._service

    def poll(self) -> Outcome:
        """Every watched place once, and the brand searches when due; never raises."""
        outcome = Outcome(self.source.name)
        if (wait := self.backoff.waiting()) > 0:
            outcome.error = self._named(
                f"backing off after YouTube errors: next try in {wait:.0f} s"
            )
            return outcome
        cursor: dict[str, Any] = {}
        ledger: QuotaLedger | None = None
        try:
            _ = self.service  # a missing key fails here, before any unit is counted
            cursor = load_cursor(self.sessions, self.source.name)
            ledger = QuotaLedger.load(
                cursor.get("quota"), self.source.daily_budget, self.now()
            )
            cursor["quota"] = ledger.as_json()
            self._places(outcome, cursor, ledger)
            if self._search_due(cursor):
                self._search(outcome, cursor, ledger)
            self.backoff.succeeded()
        except QuotaBudgetError as exc:
            outcome.warnings.append(str(exc))
            self._save(cursor, ledger, outcome)
        except (CollectorError, SQLAlchemyError) as exc:
            outcome.error = self._failed(exc, ledger)
            if not isinstance(exc, SQLAlchemyError):
                self._save(cursor, ledger, outcome)
        return outcome

    def _places(
        self, outcome: Outcome, cursor: dict[str, Any], ledger: QuotaLedger
    ) -> None:
        places: list[tuple[str, dict[str, str]]] = []
        if self.source.channel_id:
            channel = {"allThreadsRelatedToChannelId": self.source.channel_id}
            places.append((f"channel:{self.source.channel_id}", channel))
        places += [(f"video:{v}", {"videoId": v}) for v in self.source.videos]
        now = self.now()
        found_places = []
        for video, until in dict(cursor.get("found") or {}).items():
            if (end := when(until)) is not None and end > now:
                found_places.append((f"video:{video}", {"videoId": video}))
            else:
                cursor["found"].pop(video)
        last = when(cursor.get("followed_at"))
        if found_places and (
            last is None or (now - last).total_seconds() >= self.source.follow_every
        ):
            cursor["followed_at"] = now.isoformat()
            places += found_places
        skipped = cursor.setdefault("skipped", {})
        configured = {f"channel:{self.source.channel_id}"} | {
            f"video:{v}" for v in self.source.videos
        }
        for key, where in dict(places).items():  # a video listed twice: once
            if key in skipped:
                if key in configured:  # said on every poll until the config changes
                    outcome.warnings.append(
                        f"{key} skipped ({skipped[key]}): remove it from the config"
                    )
                continue
            try:
                self._threads(outcome, cursor, ledger, key, where)
            except YouTubeDisabledError as exc:
                skipped[key] = exc.reason
                outcome.warnings.append(f"{key} skipped from now on: {exc}")
                self._save(cursor, ledger, outcome)

    def _threads(
        self,
        outcome: Outcome,
        cursor: dict[str, Any],
        ledger: QuotaLedger,
        key: str,
        where: dict[str, str],
    ) -> None:
        """One place's new (and newest edited) comment threads, stored with the cursor."""
        newest = cursor.setdefault("newest", {})
        seen = newest.get(key)
        threads: list[dict[str, Any]] = []
        token: str | None = None
        for _ in range(self.source.max_pages):
            ledger.spend("commentThreads.list")
            page = execute(
                self.service.commentThreads().list(
                    part="snippet",
                    maxResults=100,
                    order="time",
                    textFormat="plainText",
                    pageToken=token,
                    **where,
                ),
                self.credentials,
            )
            found = [t for t in page.get("items") or [] if isinstance(t, dict)]
            threads += found
            token = page.get("nextPageToken")
            dates = [_published(t, self.now()) for t in found]
            if not token or (seen and any(d and d <= seen for d in dates)):
                break
        else:
            if seen:
                outcome.warnings.append(
                    f"{key}: more than {self.source.max_pages} pages of new comments; "
                    "the older ones were skipped (raise max_pages or poll more often)"
                )
        failed = self._titles(outcome, cursor, ledger, threads)
        titles = cursor.get("titles") or {}
        items = []
        for thread in threads:
            try:
                item = thread_item(self.source.name, thread, titles)
            except BadItemError as exc:  # one comment never stops the source
                outcome.warnings.append(f"skipped: {exc}")
                continue
            if item is not None and (hit := self._match(item)) is not None:
                items.append(hit)
            published = _published(thread, self.now())
            if published and (seen is None or published > newest.get(key, "")):
                newest[key] = published
        cursor["quota"] = ledger.as_json()
        store(self.sessions, self.source.name, items, cursor, outcome)
        if failed is not None:
            raise failed

    def _titles(
        self,
        outcome: Outcome,
        cursor: dict[str, Any],
        ledger: QuotaLedger,
        threads: list[dict[str, Any]],
    ) -> YouTubeError | None:
        """Fetch the titles of videos not seen before, 50 a call (1 unit).

        A failed call loses no comment: they are stored without the titles and
        the warning names the call. A spent quota or a refused key is returned,
        to fail the poll after the comments are stored.
        """
        titles: dict[str, str] = cursor.setdefault("titles", {})
        missing = list(
            dict.fromkeys(
                v
                for t in threads
                if (v := (t.get("snippet") or {}).get("videoId")) and v not in titles
            )
        )
        for start in range(0, len(missing), 50):
            ids = missing[start : start + 50]
            ledger.spend("videos.list")
            try:
                answer = execute(
                    self.service.videos().list(part="snippet", id=",".join(ids)),
                    self.credentials,
                )
            except (YouTubeQuotaError, YouTubeCredentialsError) as exc:
                return exc  # the poll fails, once the comments are stored
            except YouTubeError as exc:
                outcome.warnings.append(
                    f"videos.list for {len(ids)} video title(s) failed ({exc}); "
                    "their comments are kept, matched without the title"
                )
                return None
            for video in answer.get("items") or []:
                titles[str(video.get("id"))] = str(
                    (video.get("snippet") or {}).get("title") or ""
                )
        while len(titles) > MAX_TITLES:
            titles.pop(next(iter(titles)))
        return None

    def _search_due(self, cursor: dict[str, Any]) -> bool:
        if not self.source.search:
            return False
        last = when(cursor.get("searched_at"))
        return last is None or (self.now() - last).total_seconds() >= (
            self.source.search_interval
        )

    def _search(
        self, outcome: Outcome, cursor: dict[str, Any], ledger: QuotaLedger
    ) -> None:
        """New videos naming each brand; they are stored and followed for comments."""
        now = self.now()
        since = when(cursor.get("searched_at")) or now - timedelta(days=1)
        found = cursor.setdefault("found", {})
        items = []
        for rule in self.matcher.rules:
            ledger.spend("search.list")
            answer = execute(
                self.service.search().list(
                    part="snippet",
                    q=search_query(rule),
                    type="video",
                    order="date",
                    maxResults=50,
                    publishedAfter=since.isoformat().replace("+00:00", "Z"),
                ),
                self.credentials,
            )
            for result in answer.get("items") or []:
                try:
                    item = video_item(self.source.name, result)
                except BadItemError as exc:
                    outcome.warnings.append(f"skipped: {exc}")
                    continue
                if item is None or (hit := self._match(item)) is None:
                    continue
                items.append(hit)
                until = now + timedelta(days=self.source.follow_days)
                found[str(item.thread_id)] = until.isoformat()
                cursor.setdefault("titles", {})[str(item.thread_id)] = item.title
        excess = max(0, len(found) - self.source.follow_max)
        for video in sorted(found, key=found.__getitem__)[:excess]:
            del found[video]  # the oldest finds make room (ISO times sort in order)
        cursor["searched_at"] = now.isoformat()
        cursor["quota"] = ledger.as_json()
        store(self.sessions, self.source.name, items, cursor, outcome)

    def _match(self, item: MentionItem) -> MentionItem | None:
        return matched(item, self.matcher, self._normalize, self.own_accounts)

    def _save(
        self, cursor: dict[str, Any], ledger: QuotaLedger | None, outcome: Outcome
    ) -> None:
        """Keep the units spent (and videos skipped) even when the poll stopped."""
        if ledger is None:
            return
        cursor["quota"] = ledger.as_json()
        try:
            store(self.sessions, self.source.name, [], cursor, outcome)
        except SQLAlchemyError as exc:
            log.warning("youtube source %s: quota not saved: %s", self.source.name, exc)

    def _failed(self, exc: Exception, ledger: QuotaLedger | None) -> str:
        if isinstance(exc, YouTubeQuotaError) and ledger is not None:
            ledger.exhausted()
        if isinstance(exc, YouTubeUnavailableError):
            delay = self.backoff.failed()
            return self._named(f"{exc}, retrying in {delay:g} s")
        return self._named(str(exc) or type(exc).__name__)

    def _named(self, message: str) -> str:
        message = f"youtube source {self.source.name}: {message}"
        log.warning("%s", message)
        return message


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _published(thread: dict[str, Any], now: datetime) -> str | None:
    """The thread's ``publishedAt`` as given, if it can be a comment's date.

    A date out of range (year 9999 at UTC-14) would become the place's newest
    and end every later poll's reading at its first page.
    """
    snippet = thread.get("snippet")
    top = snippet.get("topLevelComment") if isinstance(snippet, dict) else None
    comment = top.get("snippet") if isinstance(top, dict) else None
    value = comment.get("publishedAt") if isinstance(comment, dict) else None
    if not isinstance(value, str) or sane_date(when(value), now)[0] is None:
        return None
    return value


def newest_items(
    credentials: YouTubeCredentials, source: YouTubeSource, limit: int = 10
) -> list[MentionItem]:
    """The newest comment threads of the channel and each video (source check).

    Costs one unit per place; nothing stored, no cursor, no search (100 units).
    """
    service = make_youtube(credentials)
    places = [{"allThreadsRelatedToChannelId": source.channel_id}] * bool(
        source.channel_id
    ) + [{"videoId": v} for v in source.videos]
    items: list[MentionItem] = []
    try:
        for where in places:
            page = execute(
                service.commentThreads().list(
                    part="snippet",
                    maxResults=max(1, min(limit, 100)),
                    order="time",
                    textFormat="plainText",
                    **where,
                ),
                credentials,
            )
            for thread in page.get("items") or []:
                item = thread_item(source.name, thread, {})
                if item is not None:
                    items.append(item)
    except CollectorError as exc:
        msg = f"youtube source {source.name}: {exc}"
        raise CollectorError(msg) from None
    return items
