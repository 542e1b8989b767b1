"""CommentsSpider: the reader comments under a blog post or an article, one mention each."""

from __future__ import annotations

from collections.abc import Iterator

from scrapy.http import TextResponse
from scrapy.utils.response import get_base_url

from crawlers.comments import page_comments
from crawlers.dates import parse_dated
from crawlers.items import MentionItem
from crawlers.page import PageSpider, page_title, site_name
from crawlers.params import CommentsParams
from crawlers.text import canonical_url


class CommentsSpider(PageSpider):
    """Yield one ``MentionItem`` per comment on each page (``crawlers.comments``).

    Arguments (see ``CommentsParams``): ``url``, ``max_pages``, ``next_page``
    (older comment pages: WordPress links them ``rel=next``). Each comment's
    permalink (its ``#comment-N`` anchor) is its id and URL, the page is its
    thread and the page's title its title; a reply names its parent's permalink.
    """

    name = "comments"
    source_type = "comments"
    params_model = CommentsParams

    def empty_reason(self, response: TextResponse) -> str:
        """What a page without comments lacked."""
        return (
            f"no comment (li.comment with a comment-N id and a text) on "
            f"{response.url}; comments loaded by script are not in the page"
        )

    def items(self, response: TextResponse) -> Iterator[MentionItem]:
        """The page's comments, replies included, in page order."""
        page_url = canonical_url(response.url)
        title = page_title(response)
        site = site_name(response)
        base = get_base_url(response)
        for comment in page_comments(response.selector.root, page_url, base):
            dated = parse_dated(comment.date, self.crawl_time)
            published = dated.at if dated else None
            missing = {}
            if not comment.author:
                missing["author"] = "no comment author (.fn, .comment-author) found"
            if published is None:
                missing["date"] = (
                    f"{comment.date!r} is not a date" if comment.date else "no date"
                )
            yield MentionItem(
                source=self.source,
                source_type=self.source_type,
                external_id=comment.permalink,
                url=comment.permalink,
                title=title,
                text=comment.text,
                author=comment.author,
                site_name=site,
                thread_id=page_url,
                # A comment answers the post, or the comment it replies to: a
                # reply either way, whose own words name its brands (attribution).
                parent_id=comment.parent or page_url,
                top_level=comment.parent is None,
                published_at=published,
                published_precision=dated.precision if dated else None,
                raw={"extractor": "comments", "parent": comment.parent},
                missing=missing,
            )
