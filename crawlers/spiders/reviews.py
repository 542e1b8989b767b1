"""ReviewsSpider: reviews marked up with schema.org (JSON-LD, microdata or RDFa)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from urllib.parse import urljoin, urlsplit

from scrapy.http import TextResponse

from crawlers.dates import parse_dated
from crawlers.errors import record_warning
from crawlers.guessed import generic_items
from crawlers.items import MentionItem
from crawlers.page import PageSpider, site_name
from crawlers.params import ReviewsParams
from crawlers.schemaorg import Review, page_reviews
from crawlers.text import canonical_url


def review_id(page_url: str, review: Review) -> str:
    """A stable id for a review: its own URL, else the page plus who wrote it when.

    A review's own ``@id`` or ``url`` keeps its fragment: many sites tell their
    reviews apart only there (``/p/x1#review-101``, ``#review-102``), so without
    it every review on the page would share one id. A relative one is resolved
    against the page. The text is left out when the review names its author or
    date, so an edited review keeps its id and updates the stored one.
    """
    if review.ident:
        fragment = urlsplit(review.ident).fragment
        own = canonical_url(urljoin(page_url, review.ident))
        if not fragment or urlsplit(own).fragment == fragment:
            return own
        return f"{own.partition('#')[0]}#{fragment}"  # even one canonical_url drops
    parts = [review.author or "", review.published or "", review.title or ""]
    if not review.author and not review.published:
        parts.append(review.text)
    digest = hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:16]
    return f"{page_url}#review-{digest}"


class ReviewsSpider(PageSpider):
    """Yield one ``MentionItem`` per schema.org Review on each page, following pages.

    Arguments (see ``ReviewsParams``): ``url``, ``max_pages``, ``next_page``. The
    rating is kept as the page gives it, with the top of its scale from the
    review's own bestRating, else the page's AggregateRating's, else schema.org's
    default (5). The page's aggregate rating and the item reviewed go into ``raw``.
    """

    name = "reviews"
    source_type = "reviews"
    params_model = ReviewsParams

    def empty_reason(self, response: TextResponse) -> str:
        """What a page without reviews lacked."""
        return (
            f"no schema.org Review (JSON-LD, microdata or RDFa) on {response.url}, "
            "and no repeated review blocks for the generic extractor; "
            "a forum source with a recipe or selectors can read it"
        )

    def items(self, response: TextResponse) -> Iterator[MentionItem]:
        """The reviews in the page's markup, else as the generic extractor reads them."""
        page_url = canonical_url(response.url)
        found = page_reviews(response.text, response.url, response.selector.root)
        if found.not_reviews:
            record_warning(
                self.crawler,
                f"{found.not_reviews} schema.org Review on {response.url} skipped: "
                "no rating and no author (an article marked up as a review)",
            )
        if not found.reviews:
            guessed, doubt = generic_items(
                response, self.source, self.source_type, self.crawl_time
            )
            if guessed:
                record_warning(
                    self.crawler,
                    f"no schema.org Review on {response.url}; the generic "
                    f"extractor read {len(guessed)} instead",
                )
            elif doubt:
                record_warning(self.crawler, f"{response.url}: {doubt}")
            yield from guessed
            return
        site = site_name(response)
        for review in found.reviews:
            dated = parse_dated(review.published, self.crawl_time)
            ident = review_id(page_url, review)
            yield MentionItem(
                source=self.source,
                source_type=self.source_type,
                external_id=ident,
                url=ident if review.ident and "://" in ident else page_url,
                title=review.title,
                text=review.text,
                author=review.author,
                site_name=site,
                thread_id=page_url,
                rating=review.rating,
                rating_best=review.rating_best,
                published_at=dated.at if dated else None,
                published_precision=dated.precision if dated else None,
                about=review.item_reviewed,
                raw={
                    "extractor": "schema.org",
                    "item_reviewed": review.item_reviewed,
                    "aggregate_rating": found.aggregate,
                },
                missing=_missing(review, dated),
            )


def _missing(review: Review, published: object) -> dict[str, str]:
    """The schema.org properties a review lacks (for `source check`)."""
    missing = {}
    if not review.author:
        missing["author"] = "no schema.org author in the Review"
    if not review.published:
        missing["date"] = "no schema.org datePublished in the Review"
    elif published is None:
        missing["date"] = f"datePublished {review.published!r} is not a date"
    if review.rating is None:
        missing["rating"] = "no schema.org reviewRating in the Review"
    if not review.ident:
        missing["permalink"] = "no @id or url in the Review (the page's URL is used)"
    return missing
