"""``earful demo``: a sample site of our own, served on 127.0.0.1, and a config that watches it."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, cast

from earful.config import Config, parse_config

SITE = Path(__file__).resolve().parent / "sample_site"
PLACEHOLDER = b"http://127.0.0.1/"


class _SiteHandler(SimpleHTTPRequestHandler):
    """Serves the sample site, writing the real base URL into the feed's links."""

    def do_GET(self) -> None:
        if self.path.split("?")[0] != "/feed.xml":
            super().do_GET()
            return
        port = cast("ThreadingHTTPServer", self.server).server_port
        base = f"http://127.0.0.1:{port}/".encode()
        body = (SITE / "feed.xml").read_bytes().replace(PLACEHOLDER, base)
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib name
        """Keep the demo's output to the summary."""


@contextmanager
def serve_sample_site() -> Iterator[str]:
    """Serve the sample site on 127.0.0.1 (a free port); yields its base URL."""
    handler = partial(_SiteHandler, directory=str(SITE))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        host, port = httpd.server_address[:2]
        yield f"http://{host!s}:{port}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


def japanese_sources(site_url: str) -> list[dict[str, Any]]:
    """A 5ch board thread (Shift_JIS) and an App Store review, both in Japanese."""
    return [
        {"name": "5ch-kaden", "type": "board", "url": f"{site_url}/kaden/", "delay": 0},
        {
            "name": "acme-ios-jp",
            "type": "appstore",
            "app_id": 1234567890,
            "about": "アクメ",
            "api_url": f"{site_url}/appstore",
        },
    ]


def demo_config(site_url: str, database_url: str) -> Config:
    """Watch the fictional brand Acme on the sample site; alert on negative posts.

    Besides the English feed, Japanese users see a review page (a complaint that
    alerts, and a compliment in half-width katakana, which matching folds, that
    stays quiet), a 5ch thread and an App Store review flow through.
    """
    return parse_config(
        {
            "database_url": database_url,
            "brands": [
                {
                    "name": "Acme",
                    "terms": ["Acme", "アクメ"],
                    "exclude": ["Acme Road Runner"],
                }
            ],
            "sources": [
                {"name": "gadget-talk", "type": "feed", "url": f"{site_url}/feed.xml"},
                {
                    "name": "kettle-reviews-ja",
                    "type": "reviews",
                    "url": f"{site_url}/reviews/acme-kettle-ja.html",
                },
                *japanese_sources(site_url),
            ],
            "alerts": [
                {
                    "name": "acme-negative",
                    "brands": ["Acme"],
                    "channel": "#earful-demo",
                    "min_negative": 0.5,
                }
            ],
        },
        origin="demo",
        environ=False,
    )
