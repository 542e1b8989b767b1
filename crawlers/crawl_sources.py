"""The Scrapy family's source settings: one class per spider, one crawl process.

Each class is its spider's arguments (``crawlers.params``) plus what every
source has (``SourceSettings``); all share ``crawlers.crawl_parent``, which
runs the spider in a child process (``crawlers.crawl_child``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, Literal

from pydantic import field_validator

from crawlers.collector import BASE_KEYS, SourceSettings, parse_duration
from crawlers.params import (
    AppStoreParams,
    BoardParams,
    ChiebukuroParams,
    CommentsParams,
    FeedParams,
    ForumParams,
    GooglePlayParams,
    HackerNewsParams,
    HatenaParams,
    ReviewsParams,
)


class CrawlSource(SourceSettings):
    """A source a spider of the same name crawls (``type`` names the spider)."""

    collector = "crawlers.crawl_parent:CrawlKind"
    if TYPE_CHECKING:
        type: str  # each class's Literal, the spider's name

    @classmethod
    def check_fields(cls, target: str) -> dict[str, Any]:
        """Where the crawl starts."""
        return {"url": target}

    def spider_args(self) -> dict[str, Any]:
        """The spider's arguments: every key but the name and the schedule."""
        return self.model_dump(mode="json", exclude=set(BASE_KEYS))


class PageSource(CrawlSource):
    """A source read from pages, which ``source check`` may take saved to a file."""

    reads_saved_pages: ClassVar[bool] = True


class FeedSource(FeedParams, PageSource):
    """An RSS, Atom or JSON Feed, fetched by the ``feed`` spider.

    Each entry is one mention, identified by its `guid` (Atom and JSON Feed:
    `id`), else its link, else a digest of its title, text, author and date: two
    reviewers' identical "Terrible support" stay two mentions, while the same
    entry fetched again is recognised. An Atom entry without an author takes its
    feed's. Entries with neither title nor text are skipped. Trailing "Continue
    reading…", "[…]", "続きを読む" and "The post … appeared first on …" are
    dropped from the text. A charset that is missing or does not fit the bytes is
    detected (a wrong one is a warning), and a feed whose XML is broken but whose
    every entry was read is a success with a warning.
    """

    type: Literal["feed"]


class ReviewsSource(ReviewsParams, PageSource):
    """Pages with schema.org reviews (JSON-LD, microdata, RDFa): the ``reviews`` spider."""

    type: Literal["reviews"]


class CommentsSource(CommentsParams, PageSource):
    """Reader comments under a blog post or an article (WordPress classic and block
    themes): ``comments``. Where the site offers a comments feed (``/feed/`` after a
    WordPress post's URL), a ``feed`` source on it is lighter (one request, dates
    exact) but holds only the newest comments (10 by default) and no nesting: prefer it
    for a busy post polled often, and this source for the whole thread with replies."""

    type: Literal["comments"]


class ForumSource(ForumParams, PageSource):
    """Forum threads and review lists without markup, read by a recipe: ``forum``."""

    type: Literal["forum"]


class HackerNewsSource(HackerNewsParams, CrawlSource):
    """Hacker News stories and comments via the Algolia API: ``hackernews``."""

    type: Literal["hackernews"]

    @classmethod
    def check_fields(cls, target: str) -> dict[str, Any]:
        """Words to search Hacker News for."""
        return {"query": target}


class BoardSource(BoardParams, CrawlSource):
    """A 5ch (2ch-style) board: its brand threads, post by post: ``board``."""

    type: Literal["board"]


class AppStoreSource(AppStoreParams, CrawlSource):
    """An app's reviews in one country's App Store (Apple's RSS JSON): ``appstore``."""

    type: Literal["appstore"]


class HatenaSource(HatenaParams, CrawlSource):
    """Hatena Bookmark comments on articles, and articles found by search: ``hatena``."""

    type: Literal["hatena"]


class GooglePlaySource(GooglePlayParams, CrawlSource):
    """An app's Google Play reviews and developer replies: ``googleplay``."""

    type: Literal["googleplay"]

    @field_validator("reply_window", mode="before")
    @classmethod
    def _duration(cls, value: Any) -> Any:
        return parse_duration(value)


class ChiebukuroSource(ChiebukuroParams, CrawlSource):
    """Yahoo!知恵袋 questions with their answers, and questions found by search:
    ``chiebukuro``."""

    type: Literal["chiebukuro"]
