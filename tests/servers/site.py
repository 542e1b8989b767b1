"""The sample site: fixture pages and feeds, Acme pages of our own, robots, failures.

Fixture files are looked up in each of the site's fixture roots in turn:
``tests/fixtures`` (the team's own, in each format's real shape) and, when it
is there, ``../shared/fixtures`` (real recordings, for the realdata layer).

Paths:

- ``/robots.txt``: allows everything but ``/private/``.
- ``/feeds/<file>``: the feeds in ``<root>/feeds`` as they are (Content-Type by
  extension: ``.atom`` or XML). Feeds in
  ``CHARSETS`` name their charset in the Content-Type only, as their sites did,
  because the files themselves do not. No validators.
- ``/acme/news.xml``: RSS 2.0 about the test brand Acme: a negative post, a
  positive post, an unrelated post (about "acmeology") and a Japanese post
  naming full-width ACME. Sent with an ETag and Last-Modified; answers 304 to a
  matching conditional GET.
- ``/acme/news-edited.xml``: the same feed after the negative post was edited.
- ``/acme/broken.xml``: two Acme posts, then the document breaks off.
- ``/private/feed.xml``: a feed robots.txt forbids.
- ``/about.html``: an HTML page about Acme, not a feed.
- ``/status/500``: always 500. ``/hang``: never answers (until the site stops).
- ``/slow/acme/news.xml``: the Acme news feed after ``SLOW_S`` seconds.
- ``/reviews/<file>``, ``/forums/<file>``: the pages in ``<root>/review-pages``
  and ``forum-pages`` (any query string is ignored, so ``?copy=N`` serves one
  page under many URLs).
- ``/acme/blender/<name>.html``: schema.org reviews of an Acme blender, page 1
  of 2 (``?page=2``); after ``edit(name)`` the first review's text is edited.
- ``/acme/forum-ja.html``: a Japanese board naming Acme in full-width letters, a
  quoted post and relative dates. ``/private/reviews.html``: robots.txt forbids.
- ``/hn/api/v1/search_by_date``: Algolia answers in ``<root>/hackernews`` (or
  its ``split`` folder) picked by ``tags`` and ``query``; hits are filtered by
  ``numericFilters=created_at_i>N``; pages after 0 are empty. An unknown query
  gets Algolia's 400 error shape.

Every request is appended to ``SampleSite.requests`` as ``(path, headers)``.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from types import TracebackType
from typing import Any, ClassVar, Self
from urllib.parse import parse_qs

from tests.servers.acme_pages import JAPANESE_FORUM, blender_page
from tests.servers.http import LocalServer

ROBOTS = "User-agent: *\nDisallow: /private/\n"
NEWS_ETAG = '"acme-news-v1"'
EDITED_ETAG = '"acme-news-v2"'
LAST_MODIFIED = "Mon, 02 Nov 2026 10:00:00 GMT"
SLOW_S = 8.0

NEGATIVE = (
    "<p>Terrible.</p><script>alert('pwned')</script><style>p {{}}</style>"
    "<p>The <b>Acme</b> blender leaked &amp; support never answered.{extra}</p>"
)
EDIT = " UPDATE: Acme replaced it after a week."

ITEMS = """
<item>
  <title>Acme blender broke after two days</title>
  <link>https://blog.example/acme-blender?utm_source=rss&amp;utm_medium=feed&amp;id=7#comments</link>
  <guid isPermaLink="false">acme-1</guid>
  <author>jane@example.com (Jane Doe)</author>
  <pubDate>Mon, 02 Nov 2026 09:30:00 +0100</pubDate>
  <description><![CDATA[{negative}]]></description>
</item>
<item>
  <title>Loving my ACME kettle</title>
  <link>https://blog.example/kettle</link>
  <guid isPermaLink="false">acme-2</guid>
  <author>ken@example.com (Ken Ito)</author>
  <pubDate>Sun, 01 Nov 2026 12:00:00 GMT</pubDate>
  <description>Best kettle I have owned, thank you acme!</description>
</item>
<item>
  <title>A lecture on acmeology</title>
  <link>https://blog.example/lecture</link>
  <guid isPermaLink="false">acme-3</guid>
  <pubDate>Sat, 31 Oct 2026 12:00:00 GMT</pubDate>
  <description>Nothing about any brand here.</description>
</item>
<item>
  <title>ＡＣＭＥの新製品は最悪です</title>
  <link>https://blog.example/ja/acme</link>
  <guid isPermaLink="false">acme-4</guid>
  <pubDate>Fri, 30 Oct 2026 03:00:00 GMT</pubDate>
  <description>ＡＣＭＥのミキサーが二日で壊れました。</description>
</item>
"""

CHANNEL = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel>
<title>Gadget Talk</title>
<link>https://blog.example/</link>
<description>Reviews of kitchen gadgets</description>
<language>en</language>
{items}
</channel></rss>
"""

BROKEN = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel>
<title>Broken Gadgets</title>
<item><title>Acme toaster review</title><guid isPermaLink="false">broken-1</guid>
<description>The Acme toaster burns everything.</description></item>
<item><title>Acme mixer review</title><guid isPermaLink="false">broken-2</guid>
<description>The Acme mixer is fine.</description></item>
<item><title>Acme oven rev"""

CHARSETS = {
    "rss-parser__uolNoticias.rss": "ISO-8859-1",
    "acme-shift-jis.rss": "Shift_JIS",
}

ABOUT = "<!doctype html><html><body><h1>About Acme</h1><p>Acme fans.</p></body></html>"


def news_feed(*, edited: bool = False) -> str:
    """The Acme feed, before or after the negative post was edited."""
    negative = NEGATIVE.format(extra=EDIT if edited else "")
    return CHANNEL.format(items=ITEMS.format(negative=negative))


class SampleSiteHandler(BaseHTTPRequestHandler):
    """Answers the paths listed in the module docstring."""

    roots: ClassVar[Sequence[Path]]
    requests: ClassVar[list[tuple[str, dict[str, str]]]]
    stopping: ClassVar[threading.Event]
    edited: ClassVar[set[str]]

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        """Keep the test output quiet."""

    def do_GET(self) -> None:
        """Serve one path."""
        self.requests.append((self.path, dict(self.headers.items())))
        path = self.path.split("?", 1)[0]
        if path == "/robots.txt":
            self._send(200, ROBOTS.encode(), "text/plain")
        elif path.startswith("/feeds/"):
            self._fixture(path.removeprefix("/feeds/"))
        elif path == "/acme/news.xml":
            self._conditional(news_feed().encode(), NEWS_ETAG)
        elif path == "/acme/news-edited.xml":
            self._conditional(news_feed(edited=True).encode(), EDITED_ETAG)
        elif path in {"/acme/broken.xml", "/private/feed.xml"}:
            body = BROKEN if path == "/acme/broken.xml" else news_feed()
            self._send(200, body.encode(), "application/rss+xml")
        elif self._html(path):
            pass
        elif path == "/about.html":
            self._send(200, ABOUT.encode(), "text/html; charset=utf-8")
        elif path == "/status/500":
            self._send(500, b"internal error", "text/plain")
        elif path == "/slow/acme/news.xml":  # a crawl long enough to interrupt
            self.stopping.wait(SLOW_S)
            self._send(200, news_feed().encode(), "application/rss+xml")
        elif path == "/hang":
            self.stopping.wait(60)
            self.close_connection = True
        else:
            self._send(404, b"not found", "text/plain")

    def _find(self, folders: Sequence[str], name: str) -> Path | None:
        """The first file called ``name`` in one of ``folders`` of a root."""
        if "/" in name or name.startswith("."):
            return None
        for root in self.roots:
            for folder in folders:
                if (file := root / folder / name).is_file():
                    return file
        return None

    def _fixture(self, name: str) -> None:
        file = self._find(["feeds"], name)
        if file is None:
            self._send(404, b"not found", "text/plain")
            return
        kind = "application/xml"
        if name.endswith(".atom"):
            kind = "application/atom+xml"
        elif name in CHARSETS:
            kind = f"application/rss+xml; charset={CHARSETS[name]}"
        self._send(200, file.read_bytes(), kind)

    def _html(self, path: str) -> bool:
        """Serve the HTML pages and the Algolia API; ``False`` for other paths."""
        if path.startswith(("/reviews/", "/forums/")):
            folder = "review-pages" if path.startswith("/reviews/") else "forum-pages"
            self._page(self._find([folder], path.split("/", 2)[2]))
        elif path.startswith("/acme/blender/"):
            name = path.removeprefix("/acme/blender/")
            page = 2 if "page=2" in self.path else 1
            body = blender_page(page, edited=name in self.edited)
            self._send(200, body.encode(), "text/html; charset=utf-8")
        elif path in {"/acme/forum-ja.html", "/private/reviews.html"}:
            self._send(200, JAPANESE_FORUM.encode(), "text/html; charset=utf-8")
        elif path == "/hn/api/v1/search_by_date":
            self._algolia()
        else:
            return False
        return True

    def _page(self, file: Path | None) -> None:
        if file is None:
            self._send(404, b"not found", "text/plain")
            return
        self._send(200, file.read_bytes(), "text/html")

    def _algolia(self) -> None:
        query = parse_qs(self.path.partition("?")[2])
        tags = query.get("tags", [""])[0].strip("()").replace(",", "_2C")
        name = f"search_by_date_hitsPerPage_1_tags_{tags}"
        if words := query.get("query", [""])[0]:
            name += f"_query_{words}"
        file = self._find(["hackernews", "hackernews/split"], f"{name}.json")
        if file is None:
            error = {"message": f"no recording for {name}", "status": 400}
            self._send(400, json.dumps(error).encode(), "application/json")
            return
        reply: dict[str, Any] = json.loads(file.read_text(encoding="utf-8"))
        after = 0
        for condition in query.get("numericFilters", []):
            if condition.startswith("created_at_i>"):
                after = int(condition.removeprefix("created_at_i>"))
        page = int(query.get("page", ["0"])[0])
        reply["hits"] = [
            hit for hit in reply["hits"] if hit["created_at_i"] > after and page == 0
        ]
        reply["page"] = page
        self._send(200, json.dumps(reply).encode(), "application/json")

    def _conditional(self, body: bytes, etag: str) -> None:
        match = self.headers.get("If-None-Match")
        since = self.headers.get("If-Modified-Since")
        if match == etag or (match is None and since == LAST_MODIFIED):
            self._send(304, b"", None, {"ETag": etag})
            return
        validators = {"ETag": etag, "Last-Modified": LAST_MODIFIED}
        self._send(200, body, "application/rss+xml; charset=utf-8", validators)

    def _send(
        self,
        status: int,
        body: bytes,
        content_type: str | None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body:
            self.wfile.write(body)


class SampleSite:
    """The sample site on 127.0.0.1 (a free port); use as a context manager."""

    def __init__(self, roots: Sequence[Path]) -> None:
        self.stopping = threading.Event()
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.edited: set[str] = set()
        handler = type(
            "BoundSampleSiteHandler",
            (SampleSiteHandler,),
            {
                "roots": tuple(roots),
                "requests": self.requests,
                "stopping": self.stopping,
                "edited": self.edited,
            },
        )
        self.server = LocalServer(handler)

    @property
    def url(self) -> str:
        """Base URL without a trailing slash."""
        return self.server.url

    def edit(self, name: str) -> None:
        """Serve the edited version of ``/acme/blender/<name>`` from now on."""
        self.edited.add(name)

    def requests_for(self, path: str) -> list[dict[str, str]]:
        """Headers of every request made for ``path``, oldest first."""
        return [headers for p, headers in self.requests if p == path]

    def __enter__(self) -> Self:
        self.server.__enter__()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stopping.set()
        self.server.__exit__(exc_type, exc, tb)
