"""The crawl process's two messages: the job the parent sends, the result it reads back.

``crawlers.crawl_parent`` builds a ``CrawlJob`` and writes it as JSON to the
child's stdin; ``crawlers.crawl_child`` validates it with the same model,
runs it, and writes one ``CrawlResult`` line to stdout, which the parent
validates in turn. One model each, so the two sides cannot drift apart.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from crawlers.match import BrandRule
from crawlers.politeness import Politeness


class CrawlJob(BaseModel):
    """One source, one spider, its arguments, brands and etiquette."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    source: str  # the config's source name
    spider: str  # the source's type, the spider's name
    params: dict[str, Any]  # validated by the spider's params model in the child
    brands: tuple[BrandRule, ...]
    database_url: str  # may hold a password: on stdin, never on the command line
    politeness: Politeness = Politeness()
    own_accounts: tuple[str, ...] = ()  # their posts are the brand's replies
    log_level: str = "WARNING"
    check: bool = False  # report every item (crawlers.check) instead of storing


class CrawlResult(BaseModel):
    """What a crawl did (``crawlers.crawl_child.outcome``), one JSON line.

    ``warning`` holds every warning, one a line; ``items`` only in check mode.
    """

    model_config = ConfigDict(extra="forbid")

    seen: int = 0
    new: int = 0
    updated: int = 0
    error: str | None = None
    warning: str | None = None
    pages: int | None = None
    extracted: int | None = None
    matched: int | None = None
    items: list[dict[str, Any]] = []
