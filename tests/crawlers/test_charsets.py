"""Feeds and pages in legacy charsets, undeclared or declared wrongly, in real crawls."""

from __future__ import annotations

import json

import pytest

from crawlers.match import BrandRule
from tests.crawlers.conftest import crawl, mentions
from tests.servers.scripted import Reply

# The brand as each script writes it.
ACME = BrandRule("Acme", ("アクメ", "阿克米", "아크메", "Акме"))
TEXTS = {
    "shift_jis": (
        "アクメのミキサー",
        "アクメのミキサーは二日で壊れました。サポートに電話しても誰も出ません。",
        "ja",
    ),
    "euc_jp": (
        "アクメの炊飯器",
        "アクメの炊飯器は最悪です。ご飯が焦げて、返金もしてくれませんでした。",
        "ja",
    ),
    "gb2312": (
        "阿克米搅拌机",
        "阿克米的搅拌机用了两天就坏了，客服电话没人接，也不给退款，我再也不买了。",
        "zh",
    ),
    "euc_kr": (
        "아크메 믹서",
        "아크메 믹서는 이틀 만에 고장 났습니다. 고객 지원은 최악이고 환불도 안 해 줍니다.",
        "ko",
    ),
    "koi8_r": (
        "Миксер Акме",
        "Миксер Акме сломался через два дня. Поддержка не отвечает, денег не вернули.",
        "ru",
    ),
}


def _rss(title: str, text: str, declaration: str = "") -> str:
    return (
        f'<?xml version="1.0"{declaration}?>\n<rss version="2.0"><channel>'
        "<title>Kitchen</title><link>https://blog.example/</link>"
        f"<item><title>{title}</title><guid>post-1</guid>"
        f"<description>{text}</description></item></channel></rss>"
    )


@pytest.mark.parametrize("encoding", sorted(TEXTS))
def test_an_undeclared_legacy_charset_feed_is_read_in_its_charset(
    encoding, scripted, sqlite_url
):
    title, text, language = TEXTS[encoding]
    body = _rss(title, text).encode(encoding)
    url = scripted.script("/feed.xml", Reply(body, "application/rss+xml"))
    result = crawl(sqlite_url, "legacy", url, [ACME])
    assert result == {"seen": 1, "new": 1, "updated": 0, "error": None, "warning": None}
    [stored] = mentions(sqlite_url, "legacy")
    assert (stored.title, stored.text, stored.language) == (title, text, language)
    assert [m.brand for m in stored.matches] == ["Acme"]


def test_a_shift_jis_feed_declared_as_euc_jp_is_read_as_shift_jis_with_a_warning(
    scripted, sqlite_url
):
    title, text, _ = TEXTS["shift_jis"]
    body = _rss(title, text, ' encoding="EUC-JP"').encode("cp932")
    url = scripted.script("/feed.xml", Reply(body, "application/rss+xml"))
    result = crawl(sqlite_url, "misdeclared", url, [ACME])
    assert result == {
        "seen": 1,
        "new": 1,
        "updated": 0,
        "error": None,
        "warning": (
            f"feed at {url}: the declared charset euc_jp does not fit the bytes; "
            "read as cp932"
        ),
    }
    [stored] = mentions(sqlite_url, "misdeclared")
    assert (stored.title, stored.text, stored.language) == (title, text, "ja")


def _review_page(meta: str, text: str) -> str:
    product = {
        "@context": "https://schema.org",
        "@type": "Product",
        "name": "アクメ ミキサー",
        "review": [
            {
                "@type": "Review",
                "author": "山田",
                "datePublished": "2026-11-02",
                "reviewRating": {"@type": "Rating", "ratingValue": 1},
                "reviewBody": text,
            }
        ],
    }
    return (
        f"<!doctype html><html><head>{meta}<title>レビュー</title>"
        '<script type="application/ld+json">'
        f"{json.dumps(product, ensure_ascii=False)}</script></head>"
        "<body><h1>アクメ ミキサー</h1></body></html>"
    )


@pytest.mark.parametrize(
    ("encoding", "meta", "content_type", "warning"),
    [
        ("shift_jis", "", "text/html", None),
        ("euc_jp", "", "text/html", None),
        ("cp932", '<meta charset="EUC-JP">', "text/html", "euc_jp"),
        ("euc_jp", "", "text/html; charset=Shift_JIS", "cp932"),
    ],
)
def test_review_pages_in_japanese_legacy_charsets(
    encoding, meta, content_type, warning, scripted, sqlite_url
):
    text = TEXTS["shift_jis"][1]
    body = _review_page(meta, text).encode(encoding)
    url = scripted.script("/reviews.html", Reply(body, content_type))
    result = crawl(sqlite_url, "shop", url, [ACME], spider="reviews")
    assert result["error"] is None
    assert result["seen"] == 1
    if warning is None:
        assert result["warning"] is None
    else:
        assert result["warning"].startswith(
            f"page {url}: the declared charset {warning} does not fit the bytes; "
        )
    [stored] = mentions(sqlite_url, "shop")
    assert (stored.text, stored.author, stored.language) == (text, "山田", "ja")
    assert [m.terms for m in stored.matches] == [["アクメ"]]
