"""What the polled collectors (X, YouTube, Mastodon, Reddit) share: storing, kind.

Each of them polls a JSON API in the daemon's job thread, like the Reddit
collector, rather than crawling pages in a Scrapy child process: the APIs
are paged by cursors (``since_id``, page tokens), answer in JSON, and rate
limit per token, none of which Scrapy's scheduler knows about. A poll is
bounded (a few requests per brand), never raises, and ends with a
``Outcome`` whose ``error`` the pipeline records against the source.

The matched items of a poll and the source's new cursor are stored in one
transaction, so a crash between them loses nothing and stores nothing twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Generic, Protocol, TypeVar

from sqlalchemy.orm import Session, sessionmaker

from crawlers.attribution import Attributor
from crawlers.check import sampled
from crawlers.collector import Check, Context, SourceSettings
from crawlers.items import MentionItem
from crawlers.match import Matcher
from crawlers.outcome import Outcome
from crawlers.pipelines import NormalizePipeline, detect_item_language
from storage.queries import get_cursor, set_cursor, upsert_mention

log = logging.getLogger(__name__)

MAX_POLL_WARNINGS = 50  # a poll's warning lists at most about this many lines


def matched(
    item: MentionItem,
    matcher: Matcher,
    normalize: NormalizePipeline,
    own_accounts: Iterable[str] = (),
) -> MentionItem | None:
    """``item`` normalised, with its language and brand matches; None if it names none.

    The brands are credited by ``crawlers.attribution``'s rule; a post by one
    of ``own_accounts`` is kept with none (the brand's reply).
    """
    item = normalize.process_item(item)
    if matcher.needs_language:
        detect_item_language(item)
    attributor = Attributor(matcher, own_accounts)
    item.matches = attributor.brands(item)
    if not attributor.keeps(item, item.matches):
        return None
    detect_item_language(item)
    return item


def load_cursor(sessions: sessionmaker[Session], source: str) -> dict[str, Any]:
    """The stored cursor of ``source`` (empty before its first poll)."""
    with sessions.begin() as session:
        return get_cursor(session, source)


def store(
    sessions: sessionmaker[Session],
    source: str,
    items: Iterable[MentionItem],
    cursor: Mapping[str, Any] | None,
    outcome: Outcome,
) -> None:
    """Store matched ``items`` and, if given, the source's ``cursor``, in one transaction."""
    with sessions.begin() as session:
        for item in items:
            if len(outcome.warnings) < MAX_POLL_WARNINGS:
                outcome.warnings.extend(item.warnings)  # dates and counts dropped
            result = upsert_mention(session, item.mention_fields(), item.matches)
            outcome.seen += 1
            outcome.new += result.status == "new"
            outcome.updated += result.status == "updated"
        if cursor is not None:
            set_cursor(session, source, cursor)


def newer(candidate: str, than: str | None) -> bool:
    """Whether the numeric id ``candidate`` is newer than ``than`` (ids grow with time)."""
    if than is None:
        return True
    try:
        return int(candidate) > int(than)
    except ValueError:
        return candidate > than


S = TypeVar("S", bound=SourceSettings)


class Polled(Protocol):
    """A collector that polls in the job thread and lives on between polls."""

    def poll(self) -> Outcome:
        """One bounded pass; failures come back in the outcome."""
        ...


class PollingKind(Generic[S]):
    """A polled kind's ``Collector``: its poller is built on first run and kept.

    A kind says how to build the poller (``open``) and how to read its newest
    items for a sample (``newest``); neither stores anything before a run.
    """

    def __init__(self, source: S, context: Context) -> None:
        self.source = source
        self.context = context
        self._poller: Polled | None = None

    def open(self, matcher: Matcher, sessions: sessionmaker[Session]) -> Polled:
        """The kind's poller for ``source``."""
        raise NotImplementedError

    def newest(self, limit: int) -> list[MentionItem]:
        """The newest items a poll would read, not stored (``CollectorError``)."""
        raise NotImplementedError

    def collect(
        self,
        *,
        once: bool = False,
        wake: Callable[[], object] | None = None,
    ) -> Outcome:
        """One poll."""
        if self._poller is None:
            matcher = Matcher(self.context.brands)
            self._poller = self.open(matcher, self.context.stored())
        return self._poller.poll()

    def sample(self, check: Check) -> dict[str, Any]:
        """The newest items, matched with the brands."""
        return sampled(self.newest(check.limit), self.context.brands)
