"""Source kinds by name: each ``type`` a config may use, and where its settings live.

Like Scrapy's ``SpiderLoader``: a kind is found by its name and loaded on
first use. ``KINDS`` maps each ``type`` to its settings class as
``"module:attr"``; a settings module imports pydantic and the standard
library only, and names its collector the same way (``collector``), so that
reading a config, or ``earful --help``, imports no network client. Adding a
kind is a package and one line here.
"""

from __future__ import annotations

from functools import cache
from importlib import import_module
from typing import Any, cast

from crawlers.collector import Collector, Context, SourceSettings

KINDS: dict[str, str] = {
    "feed": "crawlers.crawl_sources:FeedSource",
    "reviews": "crawlers.crawl_sources:ReviewsSource",
    "comments": "crawlers.crawl_sources:CommentsSource",
    "forum": "crawlers.crawl_sources:ForumSource",
    "hackernews": "crawlers.crawl_sources:HackerNewsSource",
    "board": "crawlers.crawl_sources:BoardSource",
    "appstore": "crawlers.crawl_sources:AppStoreSource",
    "hatena": "crawlers.crawl_sources:HatenaSource",
    "googleplay": "crawlers.crawl_sources:GooglePlaySource",
    "chiebukuro": "crawlers.crawl_sources:ChiebukuroSource",
    "reddit": "crawlers.reddit.settings:RedditSource",
    "x": "crawlers.x.settings:XSource",
    "youtube": "crawlers.youtube.settings:YouTubeSource",
    "mastodon": "crawlers.mastodon.settings:MastodonSource",
    "bluesky": "crawlers.bluesky.settings:BlueskySource",
    "instagram": "crawlers.instagram.settings:InstagramSource",
    "facebook": "crawlers.facebook.settings:FacebookSource",
    "threads": "crawlers.threads.settings:ThreadsSource",
    "tiktok": "crawlers.tiktok.settings:TikTokSource",
}
SOURCE_TYPES = frozenset(KINDS)


def load(path: str) -> Any:
    """The object ``"package.module:attr"`` names."""
    module, _, attr = path.partition(":")
    return getattr(import_module(module), attr)


@cache
def settings_class(kind: str) -> type[SourceSettings]:
    """The settings model of source type ``kind`` (``KeyError`` if unknown)."""
    cls = load(KINDS[kind])
    if not (isinstance(cls, type) and issubclass(cls, SourceSettings)):
        msg = f"{KINDS[kind]} is not a SourceSettings class"
        raise TypeError(msg)
    return cls


def settings_classes() -> list[type[SourceSettings]]:
    """Every kind's settings model, in ``KINDS`` order."""
    return [settings_class(kind) for kind in KINDS]


def open_collector(source: SourceSettings, context: Context) -> Collector:
    """The collector of ``source``'s kind, its module imported now."""
    return cast("Collector", load(source.collector)(source, context))


def lazy_exports(names: dict[str, str]) -> Any:
    """A package's ``__getattr__`` that imports each name's module on first use.

    ``names`` maps an exported name to its module; the kind's package then
    imports its client library only when a collector is asked for, never
    when its settings are read.
    """

    def __getattr__(name: str) -> Any:  # noqa: N807 - PEP 562 module hook
        if name not in names:
            msg = f"module has no attribute {name!r}"
            raise AttributeError(msg)
        return getattr(import_module(names[name]), name)

    return __getattr__
