"""Item pipelines: normalise text, match brands (dropping the rest), detect language, store."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any, Self

from scrapy.crawler import Crawler
from scrapy.exceptions import CloseSpider, DropItem, NotConfigured
from scrapy.statscollectors import StatsCollector
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from crawlers.attribution import Attributor
from crawlers.bounds import MAX_LANGUAGE, bound_item, typed_item
from crawlers.errors import (
    ERROR_STAT,
    MATCHED_STAT,
    NEW_STAT,
    SEEN_STAT,
    UPDATED_STAT,
    record_error,
    record_warning,
)
from crawlers.items import MentionItem
from crawlers.language import detect_language
from crawlers.match import BrandRule, Matcher
from crawlers.text import clean_text, normalize_whitespace, one_line, truncate
from storage import StorageError, open_database, redact_url
from storage.queries import (
    UpsertResult,
    get_cursor,
    set_cursor,
    upsert_mention,
    upsert_mentions,
)

logger = logging.getLogger(__name__)

MAX_TITLE = 1_000
MAX_TEXT = 20_000
MAX_AUTHOR = 256
MAX_SITE_NAME = 256
BATCH_SIZE = 50


def detect_item_language(item: MentionItem, own_text: str | None = None) -> None:
    """Set ``item.language`` from its title and text (or ``own_text``) unless it has one.

    ``own_text`` is for items whose title is someone else's: a Reddit comment
    carries its thread's title, and an English reply under a Japanese thread is
    English. Text that lost bytes in decoding is left without: a guess from
    mojibake is noise (``zxx``, ``lij``) that language filters would then trust.
    """
    if item.language is None and not item.garbled:
        text = own_text if own_text is not None else f"{item.title or ''}\n{item.text}"
        item.language = detect_language(text)


class NormalizePipeline:
    """Drop control characters, normalise whitespace, cap lengths to what storage takes.

    Control characters (NUL, C1) never reach storage: a C1 character is read as
    the windows-1252 character its byte stands for, as browsers do. Replacement
    characters (U+FFFD, bytes lost in decoding) are dropped too, and the item
    marked ``garbled`` so no language is guessed from it.

    A language the source declares keeps only its primary subtag (``en-US`` →
    ``en``), so brand and alert ``languages`` filters see the same codes as
    detection produces. Detection itself waits for ``LanguagePipeline``, so
    items that name no brand never pay for it.

    Values a stranger can make absurd are bounded (``crawlers.bounds``) so one
    post never makes storage refuse a batch: a date before 1990 or more than a
    day ahead and a count past ``INTEGER`` are dropped with a warning on the
    item (in a crawl, the crawl's warning), and ids past their column are
    shortened with a digest.
    """

    def __init__(self, crawler: Crawler | None = None) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        """In a crawl, dropped values become the crawl's warnings."""
        return cls(crawler)

    def process_item(self, item: MentionItem) -> MentionItem:
        """Normalise ``item`` in place and pass it on."""
        typed_item(item)
        text, clean = clean_text(item.text)
        item.text = truncate(normalize_whitespace(text), MAX_TEXT) or ""
        if item.title is not None:
            title, clean_title = clean_text(item.title)
            clean = clean and clean_title
            item.title = truncate(one_line(title), MAX_TITLE) or None
        item.garbled = not clean
        if item.author is not None:
            author = clean_text(item.author)[0]
            item.author = truncate(one_line(author), MAX_AUTHOR) or None
        if item.site_name is not None:
            site = clean_text(item.site_name)[0]
            item.site_name = truncate(one_line(site), MAX_SITE_NAME) or None
        if item.language is not None:  # "en-US" or "pt_BR": as detection gives it
            item.language = item.language.replace("_", "-").split("-")[0].lower()
            if not item.language or len(item.language) > MAX_LANGUAGE:
                item.language = None
        bound_item(item)
        if self.crawler is not None:
            for warning in item.warnings:
                record_warning(self.crawler, warning)
        return item


def brand_rules(raw: Iterable[Mapping[str, Any]]) -> tuple[BrandRule, ...]:
    """Brand rules from the ``EARFUL_BRANDS`` setting (a list of dicts)."""
    return tuple(
        BrandRule(
            name=str(rule["name"]),
            terms=tuple(rule.get("terms") or ()),
            exclude=tuple(rule.get("exclude") or ()),
            competitor=bool(rule.get("competitor", False)),
            query=rule.get("query"),
            languages=tuple(rule.get("languages") or ()),
        )
        for rule in raw
    )


class MatchPipeline:
    """Keep only items that name a watched brand by their own words, with the matches.

    Which words count is ``crawlers.attribution``'s rule: a reply's own text,
    its thread's title only when it names nothing and answers the opening post.
    Posts by the brand's own accounts (``EARFUL_OWN_ACCOUNTS``) pass with no
    brand, so their replies are seen in the thread.
    """

    def __init__(
        self,
        matcher: Matcher,
        stats: StatsCollector | None = None,
        own_accounts: Iterable[str] = (),
    ) -> None:
        self.matcher = matcher
        self.attributor = Attributor(matcher, own_accounts)
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        """Build the matcher from ``EARFUL_BRANDS``; switched off when unset."""
        raw = crawler.settings.getlist("EARFUL_BRANDS", None)
        if raw is None:
            msg = "set EARFUL_BRANDS to the brand rules to match"
            raise NotConfigured(msg)
        own = crawler.settings.getlist("EARFUL_OWN_ACCOUNTS", [])
        return cls(Matcher(brand_rules(raw)), crawler.stats, own)

    def process_item(self, item: MentionItem) -> MentionItem:
        """Attach matches to ``item``, or drop it when it names no brand.

        The language is detected first only when a brand rule is limited to
        some languages; otherwise ``LanguagePipeline`` detects it afterwards.
        """
        if self.matcher.needs_language:
            detect_item_language(item)
        matches = self.attributor.brands(item)
        if not self.attributor.keeps(item, matches):
            msg = "no brand matched"
            raise DropItem(msg, log_level="DEBUG")  # routine, not a problem
        item.matches = matches
        if self.stats is not None and matches:
            self.stats.inc_value(MATCHED_STAT)
        return item


class LanguagePipeline:
    """Detect the language of each item that still has none (after matching)."""

    def process_item(self, item: MentionItem) -> MentionItem:
        """Set ``item.language`` and pass it on."""
        detect_item_language(item)
        return item


class StorePipeline:
    """Store mentions in batches of ``BATCH_SIZE``, a few statements and a commit each.

    Counts ``earful/seen``, ``earful/new`` and ``earful/updated`` in the crawl
    stats as each batch is stored, loads the source's cursor into the spider
    before its first request and stores the spider's ``next_cursor`` when the
    crawl closes without error. Items pass on as they are buffered; the last
    batch is stored when the crawl closes. A batch the database refuses is
    stored again item by item, so only the item that fails is lost; it is
    recorded as the crawl's error, so the cursor stays where it was and the
    next run fetches the item again.
    """

    def __init__(self, crawler: Crawler, database_url: str) -> None:
        self.crawler = crawler
        self.database_url = database_url
        self.source = str(crawler.settings.get("EARFUL_SOURCE") or "")
        self.session: Session | None = None
        self.batch: list[MentionItem] = []

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        """Read ``EARFUL_DATABASE_URL``; switched off when unset."""
        url = crawler.settings.get("EARFUL_DATABASE_URL")
        if not url:
            msg = "set EARFUL_DATABASE_URL to store mentions"
            raise NotConfigured(msg)
        return cls(crawler, str(url))

    def open_spider(self) -> None:
        """Open the database (migrating it) and hand the stored cursor to the spider."""
        try:
            self.session = open_database(self.database_url)()
            spider = self.crawler.spider
            if spider is not None and self.source and hasattr(spider, "cursor"):
                spider.cursor = get_cursor(self.session, self.source)
                self.session.commit()
        except (StorageError, SQLAlchemyError) as exc:
            message = f"database unreachable at {redact_url(self.database_url)}"
            detail = str(exc).replace(self.database_url, redact_url(self.database_url))
            record_error(self.crawler, f"{message}: {detail.splitlines()[0]}")
            raise CloseSpider(message) from None

    def process_item(self, item: MentionItem) -> MentionItem:
        """Add ``item`` to the batch, storing the batch when it is full."""
        self.batch.append(item)
        if len(self.batch) >= BATCH_SIZE:
            self._store_batch()
        return item

    def _store_batch(self) -> None:
        """Store and commit the buffered items, and count what storing them did."""
        assert self.session is not None  # noqa: S101 - opened in open_spider
        batch, self.batch = self.batch, []
        if not batch:
            return
        try:
            results = upsert_mentions(
                self.session, [(item.mention_fields(), item.matches) for item in batch]
            )
            self.session.commit()
        except SQLAlchemyError:
            self.session.rollback()
            results = [r for item in batch if (r := self._store_one(item)) is not None]
        stats = self.crawler.stats
        assert stats is not None  # noqa: S101 - a running crawl has stats
        for result in results:
            stats.inc_value(SEEN_STAT)
            if result.status == "new":
                stats.inc_value(NEW_STAT)
            elif result.status == "updated":
                stats.inc_value(UPDATED_STAT)

    def _store_one(self, item: MentionItem) -> UpsertResult | None:
        """Store and commit one item; record it as the crawl's error if that fails."""
        assert self.session is not None  # noqa: S101 - opened in open_spider
        try:
            result = upsert_mention(self.session, item.mention_fields(), item.matches)
            self.session.commit()
        except SQLAlchemyError as exc:
            self.session.rollback()
            message = f"storing {item.external_id!r} failed: {str(exc).splitlines()[0]}"
            record_error(self.crawler, message)
            return None
        return result

    def close_spider(self) -> None:
        """Store the last batch and the new cursor, and close the session."""
        if self.session is None:
            return
        try:
            self._store_batch()
            spider = self.crawler.spider
            next_cursor = getattr(spider, "next_cursor", None)
            stats = self.crawler.stats
            failed = stats is not None and stats.get_value(ERROR_STAT) is not None
            if next_cursor and self.source and not failed:
                set_cursor(self.session, self.source, next_cursor)
            self.session.commit()
        finally:
            bind = self.session.get_bind()
            self.session.close()
            bind.dispose()  # type: ignore[union-attr]
