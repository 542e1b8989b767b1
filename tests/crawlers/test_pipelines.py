"""Pipelines and text helpers: normalising, capping, canonical URLs, database errors."""

from __future__ import annotations

import socket
import subprocess
import sys

from crawlers.items import MentionItem
from crawlers.pipelines import MAX_AUTHOR, MAX_TEXT, MAX_TITLE, NormalizePipeline
from crawlers.text import canonical_url, html_to_text
from storage.queries import MENTION_FIELDS
from tests.crawlers.conftest import REPO, crawl


def test_item_fields_are_mention_columns():
    item = MentionItem(source="s", source_type="feed", external_id="1", text="t")
    assert set(item.mention_fields()) <= MENTION_FIELDS
    assert "matches" not in item.mention_fields()


def test_normalize_trims_collapses_and_caps():
    item = MentionItem(
        source="s",
        source_type="feed",
        external_id="1",
        title="  Two\n  lines " + "t" * 2_000,
        text="a  \t b\r\n\r\n\r\n\r\nc   " + "x" * 30_000,
        author="  Jane \n Doe " + "y" * 500,
    )
    out = NormalizePipeline().process_item(item)
    assert out.title is not None
    assert out.title.startswith("Two lines t")
    assert len(out.title) == MAX_TITLE
    assert out.text.startswith("a b\n\nc ")
    assert len(out.text) == MAX_TEXT
    assert out.author is not None
    assert out.author.startswith("Jane Doe y")
    assert len(out.author) == MAX_AUTHOR


def test_html_to_text_drops_script_and_style_and_keeps_paragraphs():
    html = (
        "<style>p{color:red}</style><p>One &amp; <b>two</b></p>"
        "<script>alert('x')</script><ul><li>three</li><li>four</li></ul>a<br/>b"
    )
    # Each closing block tag ends a line; at most one blank line in a row.
    assert html_to_text(html) == "One & two\nthree\nfour\n\na\nb"
    assert html_to_text("5 &lt; 6 &amp;&amp; <3") == "5 < 6 && <3"


def test_canonical_url_strips_tracking_and_fragment():
    assert (
        canonical_url("https://x.example/a?utm_source=rss&id=7&UTM_Medium=m#top")
        == "https://x.example/a?id=7"
    )
    assert canonical_url("https://x.example/a?b=&c=1") == "https://x.example/a?b=&c=1"


def test_unreachable_database_closes_the_spider_without_leaking_the_password(site):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"postgresql+psycopg://earful:s3cret-pw@127.0.0.1:{port}/earful"
    result = crawl(url, "nodb", f"{site.url}/acme/news.xml")
    assert result["error"].startswith(
        f"database unreachable at postgresql+psycopg://earful:***@127.0.0.1:{port}/"
    )
    assert result["seen"] == 0
    assert "s3cret-pw" not in result["error"]


def test_scrapy_cli_sees_the_project():
    done = subprocess.run(
        [sys.executable, "-m", "scrapy", "list"],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
        check=True,
    )
    assert done.stdout.split() == ["feed", "forum", "hackernews", "reviews"]
