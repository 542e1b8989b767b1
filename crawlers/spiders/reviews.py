"""ReviewsSpider: reviews marked up with schema.org (JSON-LD, microdata or RDFa)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

from scrapy.http import TextResponse

from crawlers.dates import parse_date
from crawlers.items import MentionItem
from crawlers.page import PageSpider, site_name
from crawlers.params import ReviewsParams
from crawlers.schemaorg import Review, page_reviews
from crawlers.text import canonical_url


def review_id(page_url: str, review: Review) -> str:
    """A stable id for a review: its own URL, else the page plus who wrote it when.

    The text is left out when the review names its author or date, so an edited
    review keeps its id and updates the stored one.
    """
    if review.ident:
        return canonical_url(review.ident) if "://" in review.ident else review.ident
    parts = [review.author or "", review.published or "", review.title or ""]
    if not review.author and not review.published:
        parts.append(review.text)
    digest = hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:16]
    return f"{page_url}#review-{digest}"


class ReviewsSpider(PageSpider):
    """Yield one ``MentionItem`` per schema.org Review on each page, following pages.

    Arguments (see ``ReviewsParams``): ``url``, ``max_pages``, ``next_page``. The
    rating is normalised to 0-1 with the review's own best/worst rating, else the
    page's AggregateRating's, else schema.org's defaults (5 and 1). The page's
    aggregate rating and the item reviewed go into ``raw``.
    """

    name = "reviews"
    source_type = "reviews"
    params_model = ReviewsParams

    def items(self, response: TextResponse) -> Iterator[MentionItem]:
        """The reviews in the page's markup."""
        page_url = canonical_url(response.url)
        found = page_reviews(response.text, response.url, response.selector.root)
        site = site_name(response)
        for review in found.reviews:
            published = parse_date(review.published, self.crawl_time)
            yield MentionItem(
                source=self.source,
                source_type=self.source_type,
                external_id=review_id(page_url, review),
                url=page_url,
                title=review.title,
                text=review.text,
                author=review.author,
                site_name=site,
                thread_id=page_url,
                rating=review.rating,
                published_at=published,
                about=review.item_reviewed,
                raw={
                    "item_reviewed": review.item_reviewed,
                    "rating_value": review.rating_value,
                    "aggregate_rating": found.aggregate,
                },
            )
