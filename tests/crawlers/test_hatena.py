"""The Hatena Bookmark spider against a local entry API and search RSS."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import pytest

from crawlers.spiders.hatena import bookmark_time
from tests.crawlers.conftest import crawl, mentions
from tests.servers.scripted import Reply, ScriptedSite

FAST = {"download_delay": 0, "retries": 0}
PRESS = "https://www.acme.example.jp/news/2024/0501.html"
BLOG = "https://blog.example.jp/entry/2024/05/02/mixer"

SEARCH_RSS = f"""<?xml version="1.0" encoding="UTF-8"?>
<rdf:RDF xmlns="http://purl.org/rss/1.0/"
  xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
  xmlns:content="http://purl.org/rss/1.0/modules/content/"
  xmlns:dc="http://purl.org/dc/elements/1.1/"
  xmlns:hatena="http://www.hatena.ne.jp/info/xmlns#"
  xmlns:opensearch="http://a9.com/-/spec/opensearchrss/1.0/">
<channel rdf:about="https://b.hatena.ne.jp/search/text?q=%E3%82%A2%E3%82%AF%E3%83%A1">
<title>「アクメ」の検索結果 - はてなブックマーク</title>
<link>https://b.hatena.ne.jp/search/text?q=%E3%82%A2%E3%82%AF%E3%83%A1</link>
<description>「アクメ」の検索結果</description>
<opensearch:totalResults>1</opensearch:totalResults>
<items><rdf:Seq><rdf:li rdf:resource="{BLOG}"/></rdf:Seq></items>
</channel>
<item rdf:about="{BLOG}">
<title>ｱｸﾒのミキサーが一週間で壊れた話</title>
<link>{BLOG}</link>
<description>買ったばかりのミキサーが動かなくなった。</description>
<dc:date>2024-05-02T03:00:00Z</dc:date>
<dc:subject>暮らし</dc:subject>
<hatena:bookmarkcount>87</hatena:bookmarkcount>
</item>
</rdf:RDF>
"""


def entry(eid: str, title: str, url: str, *bookmarks: dict[str, Any]) -> bytes:
    """A bookmark entry API answer (jsonlite), bookmarks newest first."""
    return json.dumps(
        {
            "eid": eid,
            "title": title,
            "count": len(bookmarks) + 40,
            "url": url,
            "entry_url": f"https://b.hatena.ne.jp/entry/s/{url.split('://')[1]}",
            "screenshot": "https://b.st-hatena.com/images/v4/public/common/noimage.png",
            "bookmarks": list(bookmarks),
        },
        ensure_ascii=False,
    ).encode()


def mark(user: str, stamp: str, comment: str, *tags: str) -> dict[str, Any]:
    return {"user": user, "timestamp": stamp, "comment": comment, "tags": list(tags)}


def run(database_url: str, site: ScriptedSite, **params: Any) -> dict[str, Any]:
    return crawl(
        database_url,
        "hatebu",
        "",
        spider="hatena",
        politeness=FAST,
        api_url=site.url,
        **params,
    )


def test_bookmark_time_is_japan_time():
    assert bookmark_time("2024/05/01 21:00") == datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    assert bookmark_time("yesterday") is None


def test_comments_on_the_brands_url_then_only_new_ones(scripted, sqlite_url):
    old = mark("taro", "2024/05/01 21:00", "値上げは残念", "家電")
    silent = mark("hanako", "2024/05/01 22:00", "")  # a bookmark without a comment
    new = mark("jiro", "2024/05/02 08:30", "<!channel> 対応が遅すぎる", "炎上", "家電")
    scripted.script(
        "/entry/jsonlite/",
        Reply(
            entry("4712345678", "価格改定のお知らせ", PRESS, silent, old),
            "application/json",
        ),
        Reply(
            entry("4712345678", "価格改定のお知らせ", PRESS, silent, old),
            "application/json",
        ),
        Reply(
            entry("4712345678", "価格改定のお知らせ", PRESS, new, silent, old),
            "application/json",
        ),
    )
    first = run(sqlite_url, scripted, urls=[PRESS], about="アクメ")
    assert first == {"seen": 1, "new": 1, "updated": 0, "error": None, "warning": None}
    (comment,) = mentions(sqlite_url, "hatebu")
    assert comment.external_id == "4712345678/taro"
    assert comment.url == f"{scripted.url}/taro/20240501#bookmark-4712345678"
    assert comment.text == "値上げは残念"
    assert comment.author == "taro"
    assert comment.title == "価格改定のお知らせ"
    assert comment.score == 42  # the article's bookmark count: its reach
    assert comment.published_at == datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    assert comment.raw == {"article": PRESS, "tags": ["家電"]}
    assert comment.language == "ja"
    assert [m.brand for m in comment.matches] == ["Acme"]  # through `about`
    asked = scripted.requests_for(f"/entry/jsonlite/?url={quote(PRESS, safe='')}")
    assert len(asked) == 1

    again = run(sqlite_url, scripted, urls=[PRESS], about="アクメ")
    assert again["new"] == 0
    third = run(sqlite_url, scripted, urls=[PRESS], about="アクメ")
    assert third["new"] == 1
    stored = {m.external_id: m for m in mentions(sqlite_url, "hatebu")}
    assert sorted(stored) == ["4712345678/jiro", "4712345678/taro"]
    assert stored["4712345678/jiro"].text == "<!channel> 対応が遅すぎる"


def test_search_finds_articles_and_their_comments(scripted, sqlite_url):
    scripted.script(
        "/search/text",
        Reply(SEARCH_RSS.encode(), "application/rss+xml; charset=UTF-8"),
    )
    scripted.script(
        "/entry/jsonlite/",
        Reply(
            entry(
                "4799999999",
                "ｱｸﾒのミキサーが一週間で壊れた話",
                BLOG,
                mark("saburo", "2024/05/02 13:00", "うちも同じ症状", "家電"),
            ),
            "application/json",
        ),
    )
    result = run(sqlite_url, scripted, query="アクメ")
    assert result == {"seen": 2, "new": 2, "updated": 0, "error": None, "warning": None}
    comment, article = mentions(sqlite_url, "hatebu")
    assert article.external_id == f"article:{BLOG}"
    assert article.url == BLOG
    assert article.title == "ｱｸﾒのミキサーが一週間で壊れた話"
    assert article.score == 87
    assert article.language == "ja"
    assert article.published_at == datetime(2024, 5, 2, 3, 0, tzinfo=UTC)
    assert comment.parent_id == article.external_id
    assert comment.text == "うちも同じ症状"
    query = "q=%E3%82%A2%E3%82%AF%E3%83%A1&mode=rss&sort=recent"
    assert len(scripted.requests_for(f"/search/text?{query}")) == 1


def test_an_unbookmarked_article_is_not_an_error(scripted, sqlite_url):
    scripted.script("/entry/jsonlite/", Reply(b"null", "application/json"))
    result = run(sqlite_url, scripted, urls=[PRESS])
    assert result == {"seen": 0, "new": 0, "updated": 0, "error": None, "warning": None}


@pytest.mark.parametrize(
    ("reply", "error"),
    [
        (Reply(b"Forbidden", "text/html", 403), "HTTP 403 from {url}"),
        (Reply(b"", "text/html", 429, {"Retry-After": "600"}), "HTTP 429 from {url}"),
        (
            Reply(b"<html>maintenance</html>", "text/html; charset=EUC-JP"),
            "not a bookmark entry at {url}: Expecting value: line 1 column 1 (char 0)",
        ),
    ],
)
def test_refusals_and_broken_answers_fail_the_source(
    scripted, sqlite_url, reply, error
):
    scripted.script("/entry/jsonlite/", reply)
    result = run(sqlite_url, scripted, urls=[PRESS])
    url = f"{scripted.url}/entry/jsonlite/?url={quote(PRESS, safe='')}"
    assert result["error"] == error.format(url=url)


def test_a_bookmark_from_the_year_2999_between_good_ones_is_stored_undated(
    scripted, sqlite_url
):
    old = mark("taro", "2024/05/01 21:00", "値上げは残念")
    poison = mark("saburo", "2999/01/01 00:00", "千年後も値上げ")
    new = mark("jiro", "2024/05/02 08:30", "対応が遅すぎる")

    def answer(*bookmarks: dict[str, Any]) -> Reply:
        body = json.loads(entry("4712345678", "価格改定のお知らせ", PRESS, *bookmarks))
        body["count"] = 10**30
        return Reply(json.dumps(body, ensure_ascii=False).encode(), "application/json")

    scripted.script("/entry/jsonlite/", answer(poison, old), answer(new, poison, old))
    first = run(sqlite_url, scripted, urls=[PRESS], about="アクメ")
    assert (first["new"], first["error"]) == (2, None)
    stored = {m.external_id: m for m in mentions(sqlite_url, "hatebu")}
    bad = stored["4712345678/saburo"]
    assert (bad.text, bad.published_at, bad.score) == ("千年後も値上げ", None, None)
    assert stored["4712345678/taro"].published_at == datetime(
        2024, 5, 1, 12, 0, tzinfo=UTC
    )
    assert "4712345678/saburo: published_at: date 2998-12-31" in first["warning"]
    assert (
        f"4712345678/taro: score {str(10**30)[:30]} is out of range"
        in (first["warning"])
    )
    # The year 2999 is not the article's newest: the next crawl reads on.
    again = run(sqlite_url, scripted, urls=[PRESS], about="アクメ")
    assert (again["new"], again["error"]) == (1, None)
    assert "4712345678/jiro" in {m.external_id for m in mentions(sqlite_url, "hatebu")}
