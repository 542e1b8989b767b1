"""Pipelines and text helpers: normalising, capping, canonical URLs, storing in batches."""

from __future__ import annotations

import socket
import subprocess
import sys
from datetime import UTC, datetime

import pytest
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler

from crawlers.errors import ERROR_STAT, NEW_STAT, SEEN_STAT, UPDATED_STAT
from crawlers.items import MentionItem
from crawlers.match import BrandRule, Matcher
from crawlers.pipelines import (
    BATCH_SIZE,
    MAX_AUTHOR,
    MAX_TEXT,
    MAX_TITLE,
    LanguagePipeline,
    MatchPipeline,
    NormalizePipeline,
    StorePipeline,
    detect_item_language,
)
from crawlers.text import canonical_url, html_to_text
from storage.queries import MENTION_FIELDS, Match
from tests.crawlers.conftest import REPO, crawl, mentions


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


ENGLISH = "The Acme blender leaked all over the counter and support never answered."
JAPANESE = "アクメのミキサーが二日で壊れました。サポートからの返事もありません。"


def _item(text: str) -> MentionItem:
    return MentionItem(source="s", source_type="feed", external_id=text[:8], text=text)


def test_language_is_detected_only_for_items_that_name_a_brand():
    normalize, language = NormalizePipeline(), LanguagePipeline()
    match = MatchPipeline(Matcher((BrandRule("Acme", ("acme",)),)))
    dropped = normalize.process_item(_item("A long enough post about blenders only."))
    with pytest.raises(DropItem):
        match.process_item(dropped)
    assert dropped.language is None  # never detected: it names no brand
    kept = language.process_item(
        match.process_item(normalize.process_item(_item(ENGLISH)))
    )
    assert kept.language == "en"


def test_a_reply_has_its_own_language_not_its_thread_titles():
    reply = MentionItem(
        source="r", source_type="reddit", external_id="t1_x", title=JAPANESE,
        text="Acme support never answered my emails about the broken blender.",
    )  # fmt: skip
    detect_item_language(reply, reply.text)
    assert reply.language == "en"
    thread = MentionItem(
        source="r", source_type="reddit", external_id="t3_y", title=JAPANESE,
        text="Acme",
    )  # fmt: skip
    detect_item_language(thread)
    assert thread.language == "ja"


def test_text_that_lost_bytes_is_stored_without_them_and_gets_no_language():
    normalize, language = NormalizePipeline(), LanguagePipeline()
    item = _item(JAPANESE.replace("。", "\ufffd\ufffd。") + "\x00\x85")
    item.title = "アクメ\x96 \ufffdレビュー"
    out = language.process_item(normalize.process_item(item))
    assert (out.text, out.title) == (JAPANESE + "\u2026", "アクメ\u2013 レビュー")
    assert out.garbled
    assert out.language is None
    clean = language.process_item(normalize.process_item(_item(JAPANESE + "\x85")))
    assert (clean.text, clean.garbled, clean.language) == (
        JAPANESE + "\u2026",
        False,
        "ja",
    )


def test_a_language_limited_rule_sees_the_detected_language():
    rules = (
        BrandRule("Acme-ja", ("acme", "アクメ"), languages=("ja",)),
        BrandRule("Acme-en", ("acme",), languages=("en",)),
    )
    match = MatchPipeline(Matcher(rules))
    english = match.process_item(NormalizePipeline().process_item(_item(ENGLISH)))
    japanese = match.process_item(NormalizePipeline().process_item(_item(JAPANESE)))
    assert [m.brand for m in english.matches] == ["Acme-en"]
    assert [m.brand for m in japanese.matches] == ["Acme-ja"]
    assert (english.language, japanese.language) == ("en", "ja")


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
    assert done.stdout.split() == [
        "appstore",
        "board",
        "chiebukuro",
        "comments",
        "feed",
        "forum",
        "googleplay",
        "hackernews",
        "hatena",
        "reviews",
    ]


def store(database_url: str) -> tuple[Crawler, StorePipeline]:
    """A StorePipeline of a real (not started) crawler, its database open."""
    crawler = get_crawler(
        settings_dict={"EARFUL_DATABASE_URL": database_url, "EARFUL_SOURCE": "news"}
    )
    pipeline = StorePipeline.from_crawler(crawler)
    pipeline.open_spider()
    return crawler, pipeline


def mention(external_id: str, **overrides) -> MentionItem:
    values = {
        "source": "news",
        "source_type": "feed",
        "external_id": external_id,
        "text": "Acme again",
        "published_at": datetime(2026, 11, 1, tzinfo=UTC),
        "matches": [Match("Acme", competitor=False, terms=("acme",))],
    }
    return MentionItem(**(values | overrides))


def counts(crawler: Crawler) -> tuple[int, int, int]:
    stats = crawler.stats
    return tuple(stats.get_value(k, 0) for k in (SEEN_STAT, NEW_STAT, UPDATED_STAT))


def test_the_store_counts_every_item_of_its_batches(database_url):
    crawler, pipeline = store(database_url)
    for i in range(BATCH_SIZE - 1):
        pipeline.process_item(mention(f"{i:02}"))
    assert counts(crawler) == (0, 0, 0)  # buffered
    pipeline.process_item(mention("last"))
    assert counts(crawler) == (BATCH_SIZE, BATCH_SIZE, 0)  # a full batch is stored
    pipeline.process_item(mention("00"))  # unchanged
    pipeline.process_item(mention("01", text="Acme, edited"))
    pipeline.process_item(mention("new"))
    pipeline.process_item(mention("new"))  # twice in one batch
    pipeline.close_spider()
    assert counts(crawler) == (BATCH_SIZE + 4, BATCH_SIZE + 1, 1)
    assert crawler.stats.get_value(ERROR_STAT) is None
    stored = mentions(database_url, "news")
    assert len(stored) == BATCH_SIZE + 1
    assert stored[1].external_id == "01"
    assert stored[1].text == "Acme, edited"


def test_an_item_the_database_refuses_is_lost_alone(database_url):
    crawler, pipeline = store(database_url)
    pipeline.process_item(mention("a"))
    pipeline.process_item(mention("b", published_at=datetime(2026, 11, 1)))  # noqa: DTZ001
    pipeline.process_item(mention("c"))
    pipeline.close_spider()
    assert [m.external_id for m in mentions(database_url, "news")] == ["a", "c"]
    assert counts(crawler) == (2, 2, 0)
    error = crawler.stats.get_value(ERROR_STAT)
    assert error.startswith("storing 'b' failed: (builtins.ValueError) naive datetime")


@pytest.mark.postgres
def test_a_row_postgresql_refuses_is_lost_alone(postgres_url):
    # The batch's INSERT fails in the server (SQLite does not check lengths),
    # which aborts the transaction; the items are stored again one by one.
    crawler, pipeline = store(postgres_url)
    for external_id in ("a", "b", "c"):
        author = "x" * 300 if external_id == "b" else None  # the column holds 256
        pipeline.process_item(mention(external_id, author=author))
    pipeline.close_spider()
    assert [m.external_id for m in mentions(postgres_url, "news")] == ["a", "c"]
    assert counts(crawler) == (2, 2, 0)
    assert crawler.stats.get_value(ERROR_STAT).startswith(
        "storing 'b' failed: (psycopg.errors.StringDataRightTruncation)"
    )
