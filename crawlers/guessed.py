"""Mentions from the generic extractor: the fallback of the reviews and forum spiders.

``crawlers.generic`` finds a page's repeated post blocks; this turns them into
``MentionItem`` objects, naming each field the guess did not find.
"""

from __future__ import annotations

from datetime import datetime

from scrapy.http import TextResponse

from crawlers.dates import parse_dated
from crawlers.generic import guess_posts
from crawlers.items import MentionItem
from crawlers.page import page_title, rating, site_name
from crawlers.text import canonical_url


def generic_items(
    response: TextResponse, source: str, kind: str, crawl_time: datetime
) -> tuple[list[MentionItem], str | None]:
    """The page's repeated post/review blocks, read by the generic extractor, and
    why it took none where it saw blocks it was not sure of."""
    page_url = canonical_url(response.url)
    title = page_title(response)
    site = site_name(response)
    items = []
    guess = guess_posts(response.selector.root)
    for block in guess.blocks:
        value, best = rating(block.rating, 5.0)
        dated = parse_dated(block.date, crawl_time)
        items.append(
            MentionItem(
                source=source,
                source_type=kind,
                external_id=f"{page_url}#{block.ident}",
                url=canonical_url(response.urljoin(block.link))
                if block.link
                else page_url,
                title=title,
                text=block.text,
                author=block.author,
                site_name=site,
                thread_id=page_url,
                rating=value,
                rating_best=best,
                published_at=dated.at if dated else None,
                published_precision=dated.precision if dated else None,
                raw={"extractor": "generic"},
                missing={
                    name: "the generic extractor found none"
                    for name, found in (
                        ("author", block.author),
                        ("date", block.date),
                        ("rating", block.rating),
                    )
                    if not found
                },
            )
        )
    return items, guess.doubt
