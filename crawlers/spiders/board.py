"""BoardSpider: 5ch (2ch-style) boards, their brand threads read post by post from ``dat``.

Each crawl reads the board's ``subject.txt`` and follows the threads whose titles
name a watched brand, plus the configured ones, most recently active first, up to
``max_threads``. The cursor keeps, per thread, how many posts were read; a
thread whose ``subject.txt`` count has not grown is not fetched again, and of one
that has, only the posts after the last one read become mentions. A thread gone
from ``subject.txt`` has fallen (dat落ち) and leaves the cursor; a ``dat`` that
answers 404, 410 or a redirect has fallen too (a warning says so, nothing is
lost). 403, 429 and other errors are the source's failure, and the cursor stays
where it was, so the next crawl reads the same posts again (stored once).

A ``dat`` larger than ``[crawler] max_download_size`` is not downloaded: the
thread and its ``subject.txt`` post count are remembered in the cursor
(``oversize``), and the thread is skipped with a warning, not a failure, until
``subject.txt`` lists it with another count (or it falls), so a huge thread costs
one cancelled download, not one per crawl.

5ch limits clients, so the spider asks one request at a time, at least
``delay`` seconds apart (never less than ``[crawler] download_delay``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any, Self

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import DownloadCancelledError, IgnoreRequest
from scrapy.http import Response
from twisted.internet.defer import CancelledError
from twisted.python.failure import Failure

from crawlers.dat import Post, ThreadEntry, decode_line, parse_post, parse_subject_line
from crawlers.errors import record_error, record_fetch_failure, record_warning
from crawlers.health import known_before
from crawlers.items import MentionItem
from crawlers.match import Matcher
from crawlers.params import BoardParams
from crawlers.pipelines import brand_rules

FALLEN = (301, 302, 303, 307, 308, 404, 410)


def too_large(failure: Failure) -> bool:
    """Whether Scrapy gave up on a body for ``DOWNLOAD_MAXSIZE``.

    Known from ``Content-Length``, reached while reading (a bare cancel), or
    reached while un-gzipping (an ``IgnoreRequest`` that names the setting).
    """
    error = failure.value
    if isinstance(error, DownloadCancelledError | CancelledError):
        return True
    return isinstance(error, IgnoreRequest) and "DOWNLOAD_MAXSIZE" in str(error)


class BoardSpider(Spider):
    """Yield one ``MentionItem`` per new live post of the board's followed threads.

    Arguments (see ``BoardParams``): ``url`` (the board), ``threads``,
    ``encoding``, ``delay``, ``max_threads``. Cursor: ``{"threads": {key: posts
    read}}``, plus ``"oversize": {key: listed post count}`` for threads too large
    to download.
    """

    name = "board"
    source_type = "board"
    params_model = BoardParams

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.params = BoardParams.model_validate(kwargs)
        super().__init__(*args)
        self.cursor: dict[str, Any] = {}
        self.next_cursor: dict[str, Any] | None = None
        root = self.params.url.removesuffix(f"{self.params.board}/")
        self.root = root.rstrip("/")
        self.host = root.split("/")[2]

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        """Apply the board's delay (settings are not frozen yet when spiders are made)."""
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        if settings.getfloat("DOWNLOAD_DELAY") < spider.params.delay:
            settings.set("DOWNLOAD_DELAY", spider.params.delay, priority="cmdline")
        settings.set("CONCURRENT_REQUESTS_PER_DOMAIN", 1, priority="cmdline")
        return spider

    @property
    def source(self) -> str:
        """The config's source name, else one made from the board's URL."""
        return str(self.settings.get("EARFUL_SOURCE") or f"board:{self.params.url}")

    def _read(self, key: str) -> int:
        return int((self.cursor.get("threads") or {}).get(key) or 0)

    async def start(self) -> AsyncIterator[Request]:
        """The board's thread list first."""
        self.next_cursor = {"threads": {}}
        yield Request(
            f"{self.params.url}subject.txt",
            callback=self.parse,
            errback=self.failed,
        )

    def _lines(self, response: Response) -> list[bytes]:
        """The body's lines (the last newline ends a line, it starts none)."""
        lines = response.body.split(b"\n")
        if lines and not lines[-1].strip():
            lines.pop()
        return lines

    def _decode(self, raw: bytes, where: str) -> str:
        """``raw`` in the board's encoding; bad bytes become U+FFFD and a warning."""
        text, problem = decode_line(raw, self.params.encoding)
        if problem:
            record_warning(self.crawler, f"{where}: {problem}")
        return text

    def empty_reason(self, response: Response) -> str | None:
        """``subject.txt`` lists threads, not posts: a day without brand threads is quiet."""
        if response.url.endswith("subject.txt"):
            return None
        return f"no posts read from {response.url} (not the dat format?)"

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        """Ask for the new posts of each thread worth following."""
        listed = [
            entry
            for number, raw in enumerate(self._lines(response), start=1)
            if (
                entry := parse_subject_line(
                    self._decode(raw, f"{response.url} line {number}")
                )
            )
            is not None
        ]
        if response.body.strip() and not listed:
            record_error(self.crawler, f"no threads in {response.url}")
            return
        matcher = Matcher(brand_rules(self.settings.getlist("EARFUL_BRANDS", [])))
        configured = set(self.params.threads)
        followed = [t for t in listed if t.key in configured or matcher.match(t.title)][
            : self.params.max_threads
        ]
        keys = {t.key for t in listed}
        assert self.next_cursor is not None  # noqa: S101 - set in start()
        # Listed threads left out by max_threads keep their place for the next
        # crawl; threads gone from subject.txt have fallen and leave the cursor.
        self.next_cursor["threads"] = {
            key: read
            for key, read in (self.cursor.get("threads") or {}).items()
            if key in keys or key in configured
        }
        oversize = {
            key: posts
            for key, posts in (self.cursor.get("oversize") or {}).items()
            if key in keys or key in configured
        }
        if oversize:
            self.next_cursor["oversize"] = oversize
        unlisted = [ThreadEntry(k, "", 0) for k in self.params.threads if k not in keys]
        for entry in followed + unlisted:
            yield from self._follow(entry)

    def _follow(self, entry: ThreadEntry) -> Iterator[Request]:
        assert self.next_cursor is not None  # noqa: S101 - set in start()
        read = self._read(entry.key)
        self.next_cursor["threads"][entry.key] = read
        if entry.posts and entry.posts <= read:
            return  # nothing new since the last crawl
        oversize: dict[str, dict[str, int]] = self.next_cursor.get("oversize") or {}
        if entry.key in oversize:
            known = oversize[entry.key]
            if known.get("posts") == entry.posts and known.get("cap", 0) >= self.cap:
                record_warning(self.crawler, self._oversize_message(entry))
                return
            del oversize[entry.key]  # it changed, or the cap grew: try again
            if not oversize:
                self.next_cursor.pop("oversize", None)
        yield Request(
            f"{self.params.url}dat/{entry.key}.dat",
            callback=self.parse_dat,
            errback=self.failed,
            cb_kwargs={"entry": entry, "read": read},
            meta={"handle_httpstatus_list": FALLEN, "dont_redirect": True},
        )

    def parse_dat(
        self, response: Response, entry: ThreadEntry, read: int
    ) -> Iterator[MentionItem]:
        """The thread's posts after the ``read`` first, as mentions."""
        assert self.next_cursor is not None  # noqa: S101 - set in start()
        if response.status in FALLEN:
            self.next_cursor["threads"].pop(entry.key, None)
            record_warning(
                self.crawler,
                f"thread {entry.key} has fallen (dat落ち): HTTP {response.status} "
                f"from {response.url}",
            )
            return
        title = entry.title
        last = read
        for number, raw in enumerate(self._lines(response), start=1):
            last = number
            if number <= read and (title or number > 1):
                known_before(response)
                continue  # read before; the first post only for an unlisted title
            line = self._decode(raw, f"{response.url} post {number}")
            try:
                post = parse_post(line, number)
            except ValueError as exc:
                record_warning(self.crawler, f"{response.url}: {exc}")
                continue
            if post is not None and number == 1 and post.title:
                title = title or post.title
            if post is not None and number > read:
                yield self._item(entry.key, title, post)
        self.next_cursor["threads"][entry.key] = last

    def _item(self, key: str, title: str, post: Post) -> MentionItem:
        thread = f"{self.params.board}/{key}"
        # The first post opens the thread; a later one answers the post it
        # quotes first (>>5), else the thread itself (crawlers.attribution).
        parent: str | None = None
        if post.number > 1:
            parent = f"{thread}/{post.quotes[0]}" if post.quotes else thread
        return MentionItem(
            source=self.source,
            source_type=self.source_type,
            external_id=f"{thread}/{post.number}",
            url=f"{self.root}/test/read.cgi/{thread}/{post.number}",
            title=title or None,
            text=post.text,
            author=post.name or None,
            site_name=self.host,
            thread_id=thread,
            parent_id=parent,
            top_level=None if parent is None else parent in {thread, f"{thread}/1"},
            published_at=post.published_at,
            raw={
                "number": post.number,
                "poster_id": post.poster_id,
                "mail": post.mail or None,
                "quotes": post.quotes,
            },
        )

    @property
    def cap(self) -> int:
        """The download size cap in bytes (``[crawler] max_download_size``)."""
        return self.settings.getint("DOWNLOAD_MAXSIZE")

    def _oversize_message(self, entry: ThreadEntry) -> str:
        title = f" 「{entry.title}」" if entry.title else ""
        posts = f" at {entry.posts} posts" if entry.posts else ""
        return (
            f"thread {entry.key}{title} skipped: its dat{posts} is larger than "
            f"[crawler] max_download_size ({self.cap} bytes); it is read again when "
            "subject.txt lists another post count"
        )

    def failed(self, failure: Failure) -> None:
        """Record why the board or a thread could not be fetched (403, 429, …).

        A ``dat`` cancelled for its size (Scrapy's ``DOWNLOAD_MAXSIZE``, known from
        ``Content-Length`` or reached while reading) is remembered, not a failure.
        """
        request = getattr(failure, "request", None)
        entry = request.cb_kwargs.get("entry") if request is not None else None
        if isinstance(entry, ThreadEntry) and too_large(failure):
            assert self.next_cursor is not None  # noqa: S101 - set in start()
            remembered = {"posts": entry.posts, "cap": self.cap}
            self.next_cursor.setdefault("oversize", {})[entry.key] = remembered
            record_warning(self.crawler, self._oversize_message(entry))
            return
        record_fetch_failure(self.crawler, failure, self.params.url)
