"""note.com and Ameba blog feeds through the feed spider, in their real shapes and encodings."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.crawlers.conftest import crawl, mentions
from tests.servers.scripted import Reply

FAST = {"download_delay": 0, "retries": 0}

NOTE_RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"
     xmlns:note="https://note.com" xmlns:atom="http://www.w3.org/2005/Atom">
<channel>
<title>かでん日記｜note</title>
<link>https://note.com/kaden_nikki</link>
<description>家電のレビューを書いています</description>
<language>ja</language>
<item>
<title>ＡＣＭＥの新型ミキサーを一週間使ってみた</title>
<media:thumbnail>https://assets.st-note.com/production/uploads/images/1/x.png</media:thumbnail>
<description><![CDATA[<p>結論から言うと、音が大きすぎて朝は使えません。</p>
<p>&lt;script&gt;alert(1)&lt;/script&gt; 返品しようか迷っています。</p>]]></description>
<note:creatorImage>https://assets.st-note.com/production/uploads/images/2/y.png</note:creatorImage>
<note:creatorName>かでん日記</note:creatorName>
<pubDate>Wed, 01 May 2024 21:00:00 +0900</pubDate>
<link>https://note.com/kaden_nikki/n/n0a1b2c3d4e5f</link>
<guid>https://note.com/kaden_nikki/n/n0a1b2c3d4e5f</guid>
</item>
<item>
<title>今日のお弁当</title>
<description><![CDATA[<p>卵焼きがうまく焼けた。</p>]]></description>
<note:creatorName>かでん日記</note:creatorName>
<pubDate>Tue, 30 Apr 2024 12:00:00 +0900</pubDate>
<link>https://note.com/kaden_nikki/n/n9f8e7d6c5b4a</link>
<guid>https://note.com/kaden_nikki/n/n9f8e7d6c5b4a</guid>
</item>
</channel>
</rss>
"""

# An Ameba-style blog feed from an older export: EUC-JP, declared in the XML.
AMEBA_RSS = """<?xml version="1.0" encoding="EUC-JP"?>
<rss version="2.0">
<channel>
<title>ゆるり主婦のブログ</title>
<link>https://ameblo.jp/yururi-shufu/</link>
<description>毎日のこと</description>
<language>ja</language>
<item>
<title>アクメの掃除機が壊れました</title>
<description>買って三か月で吸わなくなりました。サポートの返事もまだです。</description>
<link>https://ameblo.jp/yururi-shufu/entry-12845678901.html</link>
<pubDate>Thu, 02 May 2024 08:15:00 +0900</pubDate>
</item>
</channel>
</rss>
"""


def test_a_note_creator_feed_then_nothing_new(scripted, sqlite_url):
    url = scripted.script(
        "/kaden_nikki/rss",
        Reply(NOTE_RSS.encode(), "application/rss+xml; charset=UTF-8"),
    )
    first = crawl(sqlite_url, "note", url, politeness=FAST)
    assert first == {"seen": 1, "new": 1, "updated": 0, "error": None, "warning": None}
    (found,) = mentions(sqlite_url, "note")
    assert found.url == "https://note.com/kaden_nikki/n/n0a1b2c3d4e5f"
    assert found.title == "ＡＣＭＥの新型ミキサーを一週間使ってみた"
    assert found.author == "かでん日記"
    assert found.site_name == "かでん日記｜note"
    assert found.language == "ja"
    assert "<script>alert(1)</script> 返品しようか迷っています。" in found.text
    assert found.published_at == datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    again = crawl(sqlite_url, "note", url, politeness=FAST)
    assert again["new"] == 0
    assert len(mentions(sqlite_url, "note")) == 1


def test_an_ameba_feed_whose_charset_header_is_wrong(scripted, sqlite_url):
    url = scripted.script(
        "/yururi-shufu/rss20.xml",
        Reply(AMEBA_RSS.encode("euc-jp"), "text/xml; charset=UTF-8"),
    )
    result = crawl(sqlite_url, "ameba", url, politeness=FAST)
    assert result["seen"] == 1
    assert result["error"] is None
    # The header's charset is wrong: the bytes are read as what they are, and the
    # run says so.
    assert result["warning"] == (
        f"feed at {url}: the declared charset utf-8 does not fit the bytes; "
        "read as euc_jp"
    )
    (found,) = mentions(sqlite_url, "ameba")
    assert found.title == "アクメの掃除機が壊れました"
    assert found.text == "買って三か月で吸わなくなりました。サポートの返事もまだです。"
    assert found.url == "https://ameblo.jp/yururi-shufu/entry-12845678901.html"
    assert found.language == "ja"
