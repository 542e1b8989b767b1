"""ChiebukuroSpider: Yahoo!知恵袋 questions, their answers and best answer.

Question pages are read from their schema.org ``QAPage`` markup
(``crawlers.qapage``): the question, the best answer and the other answers
each become a mention with its author and date, the answers linked to the
question (``parent_id``) and the best one marked (``raw.best``). A search page
for ``query`` is read only for its links to question pages. Pages are decoded
by the charset that fits their bytes, whatever the header claims. A question
page that answers 404 or 410 was deleted: a warning, not a failure; a page
without the markup is the source's failure (nothing could be read). Answers are
stored once: re-reading a question stores only what is new or edited.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from scrapy import Request, Spider
from scrapy.http import Response
from twisted.python.failure import Failure

from crawlers.errors import record_error, record_fetch_failure, record_warning
from crawlers.items import MentionItem
from crawlers.params import ChiebukuroParams
from crawlers.qapage import Post, page_text, qa_page

GONE = (404, 410)
_LINK = re.compile(r"""href=["'][^"']*question_detail/q(\d{6,})""")


def _utc(stamp: str | None) -> datetime | None:
    if not stamp:
        return None
    try:
        parsed = datetime.fromisoformat(stamp.strip())
    except ValueError:
        return None
    if parsed.tzinfo is None:
        return None
    try:
        return parsed.astimezone(UTC)
    except OverflowError:  # year 9999 at UTC-14: NormalizePipeline drops it, says so
        return parsed


class ChiebukuroSpider(Spider):
    """Yield each question read and its answers as mentions.

    Arguments (see ``ChiebukuroParams``): ``questions``, ``query``,
    ``max_questions``, ``search_url``, ``question_url``.
    """

    name = "chiebukuro"
    source_type = "chiebukuro"
    params_model = ChiebukuroParams

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.params = ChiebukuroParams.model_validate(kwargs)
        super().__init__(*args)

    @property
    def source(self) -> str:
        """The config's source name, else one made from the query or question."""
        default = f"chiebukuro:{self.params.query or self.params.questions[0]}"
        return str(self.settings.get("EARFUL_SOURCE") or default)

    def _question(self, number: str) -> Request:
        return Request(
            f"{self.params.question_url}q{number}",
            callback=self.parse_question,
            errback=self.failed,
            cb_kwargs={"number": number},
            meta={"handle_httpstatus_list": GONE},
        )

    async def start(self) -> AsyncIterator[Request]:
        """The configured questions, then the search."""
        for number in self.params.questions:
            yield self._question(number)
        if self.params.query:
            query = urlencode({"p": self.params.query})
            yield Request(
                f"{self.params.search_url}?{query}",
                callback=self.parse,
                errback=self.failed,
            )

    def _text(self, response: Response) -> str:
        content_type = response.headers.get("Content-Type")
        kind = content_type.decode("latin-1") if content_type else None
        text, problem = page_text(response.body, kind)
        if problem:
            record_warning(self.crawler, f"{response.url}: {problem}")
        return text

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Request]:
        """The questions a search page links to."""
        found = list(dict.fromkeys(_LINK.findall(self._text(response))))
        for number in found[: self.params.max_questions]:
            if number not in self.params.questions:
                yield self._question(number)

    def parse_question(self, response: Response, number: str) -> Iterator[MentionItem]:
        """The question, its best answer and its other answers."""
        if response.status in GONE:
            record_warning(
                self.crawler,
                f"question q{number} was deleted: HTTP {response.status} "
                f"from {response.url}",
            )
            return
        page = qa_page(self._text(response))
        if page is None:
            record_error(self.crawler, f"no QAPage markup at {response.url}")
            return
        question = f"q{number}"
        url = f"{self.params.question_url}{question}"
        yield self._item(page.question, question, url, page.title, None)
        if page.best is not None:
            yield self._item(page.best, question, url, page.title, True)
        for answer in page.answers:
            yield self._item(answer, question, url, page.title, False)

    def _item(
        self, post: Post, question: str, url: str, title: str, best: bool | None
    ) -> MentionItem:
        """A mention of the question (``best`` None) or of one of its answers."""
        if best is None:
            ident, parent = question, None
        else:
            # Its own URL, else who answered when: an edit keeps the answer's id.
            key = post.url or f"{post.author}\x00{post.created}"
            if not post.author and not post.created:
                key = post.text
            ident = f"{question}/a/{hashlib.sha256(key.encode()).hexdigest()[:16]}"
            parent = question
        return MentionItem(
            source=self.source,
            source_type=self.source_type,
            external_id=ident,
            url=post.url or url,
            title=title or None,
            text=post.text,
            author=post.author,
            site_name="Yahoo!知恵袋",
            thread_id=question,
            parent_id=parent,
            top_level=None if best is None else True,
            score=post.upvotes,
            published_at=_utc(post.created),
            raw={"best": best} if best is not None else {"question": True},
        )

    def failed(self, failure: Failure) -> None:
        """Record why a page could not be fetched (403, 429, …)."""
        record_fetch_failure(self.crawler, failure, self.params.question_url)
