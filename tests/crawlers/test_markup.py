"""Spiders on pages that reproduce real sites' markup: nothing lost, nothing undated."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError
from scrapy.crawler import Crawler
from scrapy.http import HtmlResponse
from scrapy.settings import Settings
from scrapy.statscollectors import MemoryStatsCollector

from crawlers.items import MentionItem
from crawlers.params import ForumParams
from crawlers.spiders.forum import ForumSpider
from crawlers.spiders.reviews import ReviewsSpider
from tests.crawlers import markup_pages as pages
from tests.crawlers.conftest import crawl, mentions
from tests.servers.scripted import Reply

HTML = "text/html; charset=utf-8"


def extract(
    spider_cls: type[ForumSpider | ReviewsSpider], url: str, html: str, **params: str
) -> list[MentionItem]:
    """What the spider reads from ``html`` served at ``url`` (no crawl, no store)."""
    crawler = Crawler(spider_cls, Settings({"EARFUL_SOURCE": "test"}))
    crawler.stats = MemoryStatsCollector(crawler)  # warnings are recorded there
    spider = spider_cls.from_crawler(crawler, url=url, **params)
    response = HtmlResponse(url=url, body=html.encode(), encoding="utf-8")
    return list(spider.items(response))


def test_reviews_whose_ids_differ_after_the_fragment_are_all_stored(
    scripted, sqlite_url
):
    url = scripted.url + "/p/x1"
    page = pages.fragment_id_reviews(scripted.url)
    scripted.script("/p/x1", Reply(page.encode(), HTML))
    result = crawl(sqlite_url, "shop", url, spider="reviews", counts=True)
    assert (result["seen"], result["new"], result["error"]) == (3, 3, None)
    assert (result["pages"], result["extracted"], result["matched"]) == (1, 3, 3)
    stored = {m.external_id: m for m in mentions(sqlite_url, "shop")}
    assert sorted(stored) == [
        f"{url}#review-101",
        f"{url}#review-102",
        f"{url}#review-103",
    ]
    worst = stored[f"{url}#review-103"]
    assert (worst.author, worst.rating, worst.rating_best) == ("鈴木一郎", 1, 5)
    assert worst.text == "ｱｸﾒのブレンダーが二日で壊れた。返品します。"
    assert worst.url == f"{url}#review-103"  # a link to the review itself
    assert stored[f"{url}#review-101"].author == "山田太郎"
    assert stored[f"{url}#review-101"].rating == 5


def test_a_placeholder_review_body_gives_way_to_the_visible_text():
    (review,) = extract(
        ReviewsSpider, "https://shop.example/p/x1", pages.PLACEHOLDER_BODY
    )
    assert review.text == "ＡＣＭＥのブレンダーは音がうるさすぎます。"
    assert (review.author, review.rating) == ("田中", 2)


def test_vbulletin4_dates_in_the_user_stats_box():
    url = "https://forum.example/showthread.php?t=77"
    posts = extract(ForumSpider, url, pages.VBULLETIN4_THREAD, recipe="vbulletin")
    assert [p.author for p in posts] == ["山本", "Ken"]
    assert [p.published_at for p in posts] == [
        datetime(2026, 3, 15, 10, 22, tzinfo=UTC),
        datetime(2026, 3, 16, 8, 5, tzinfo=UTC),
    ]  # the post dates, not the join dates
    assert posts[0].text == "ＡＣＭＥの新型はどうですか？"
    assert posts[0].url == "https://forum.example/showthread.php?t=77&p=2001#post2001"
    assert "date" not in posts[0].missing


def test_xenforo2_posts_link_to_themselves():
    url = "https://forum.example/threads/acme.12/"
    posts = extract(ForumSpider, url, pages.XENFORO2_THREAD, recipe="xenforo")
    assert [(p.author, p.url) for p in posts] == [
        ("中村", "https://forum.example/threads/acme.12/post-301"),
        ("小林", "https://forum.example/threads/acme.12/post-302"),
    ]
    assert posts[1].published_at == datetime(2026, 11, 20, 1, 30, tzinfo=UTC)
    assert posts[1].missing == {
        "title": "no selector",
        "rating": "no selector",
    }


def test_a_page_without_markup_or_recipe_is_read_by_the_generic_extractor():
    url = "https://reviews.example/toaster"
    found = extract(ReviewsSpider, url, pages.PLAIN_REVIEW_LIST)
    assert [(r.author, r.rating) for r in found] == [
        ("高橋", 4),
        ("伊藤", 1),
        ("渡辺", 3),
    ]
    assert found[1].text == "アクメのトースター、一週間でタイマーが壊れました。"
    assert found[0].published_at == datetime(2026, 11, 3, tzinfo=UTC)
    assert {r.raw["extractor"] for r in found if r.raw} == {"generic"}


def test_a_recipe_that_fits_nothing_falls_back_to_the_generic_extractor(
    scripted, sqlite_url
):
    url = scripted.script("/toaster", Reply(pages.PLAIN_REVIEW_LIST.encode(), HTML))
    result = crawl(sqlite_url, "toaster", url, spider="forum", recipe="xenforo")
    assert (result["seen"], result["error"]) == (3, None)
    assert result["warning"] == (
        f"the xenforo recipe matched no post on {url} (item selector "
        "'article.message--post' or 'li.message[id^=post-]'); "
        "the generic extractor read 3 instead"
    )


def test_a_forum_source_without_recipe_or_selectors_says_so():
    with pytest.raises(ValidationError) as raised:
        ForumParams.model_validate({"url": "https://forum.example/t/1"})
    assert "set recipe (a shipped one's name) or selectors (your own)" in str(
        raised.value
    )
    assert "not both" not in str(raised.value)


def _day(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


RECIPES = {
    "amazon": (
        "https://www.amazon.co.jp/gp/aw/d/B000000001",
        pages.AMAZON_MOBILE,
        [
            (
                "ゆき",
                _day("2026-10-12"),
                2,
                "https://www.amazon.co.jp/gp/aw/d/B000000001",
            ),
            (
                "Taro",
                _day("2026-11-01"),
                5,
                "https://www.amazon.co.jp/gp/aw/d/B000000001",
            ),
        ],
        "ＡＣＭＥのミキサー、三週間でモーターが止まりました。",
    ),
    "googleplay": (
        "https://play.google.com/store/apps/details?id=example.acme",
        pages.GOOGLE_PLAY,
        [
            (
                "佐々木",
                _day("2026-11-08"),
                1,
                "https://play.google.com/store/apps/details?id=example.acme",
            ),
            (
                "Mia",
                _day("2026-11-09"),
                4,
                "https://play.google.com/store/apps/details?id=example.acme",
            ),
        ],
        "ＡＣＭＥアプリ、ログインできません。",
    ),
    "kakaku": (
        "https://review.kakaku.com/review/K0000000001/",
        pages.KAKAKU,
        [
            (
                "かかくたろう",
                _day("2026-09-30T21:15"),
                4,
                "https://review.kakaku.com/review/K0000000001/ReviewCD=1234/",
            ),
            (
                "はなこ",
                _day("2026-10-02T08:01"),
                1,
                "https://review.kakaku.com/review/K0000000001/ReviewCD=1235/",
            ),
        ],
        "ＡＣＭＥ製品は初めてですが、\n音が静かで満足しています。",
    ),
    "tabelog": (
        "https://tabelog.com/tokyo/A1301/A130101/13000001/dtlrvwlst/",
        pages.TABELOG,
        [
            (
                "グルメ太郎",
                _day("2026-10-01"),
                3.5,
                "https://tabelog.com/tokyo/A1301/A130101/13000001/dtlrvwlst/B400001/",
            ),
            (
                "はな",
                _day("2026-11-03"),
                2,
                "https://tabelog.com/tokyo/A1301/A130101/13000001/dtlrvwlst/B400002/",
            ),
        ],
        "アクメのトースターで焼いたパンが美味しい。",
    ),
    "cosme": (
        "https://www.cosme.net/products/100/review/",
        pages.COSME,
        [
            (
                "みさき",
                _day("2026-11-10T22:01:09"),
                6,
                "https://www.cosme.net/products/100/review/700001/",
            ),
            (
                "ゆう",
                _day("2026-11-12T07:45"),
                1,
                "https://www.cosme.net/products/100/review/700002/",
            ),
        ],
        "ＡＣＭＥの化粧水は、肌がしっとりします。",
    ),
    "tripadvisor": (
        "https://www.tripadvisor.com/Hotel_Review-g1-d2-Reviews-Acme_Hotel.html",
        pages.TRIPADVISOR,
        [
            (
                "旅人",
                _day("2026-11-06"),
                2,
                "https://www.tripadvisor.com/ShowUserReviews-g1-d2-r900001-Acme_Hotel.html",
            ),
            (
                "kyoto_fan",
                _day("2026-11-07"),
                5,
                "https://www.tripadvisor.com/ShowUserReviews-g1-d2-r900002-Acme_Hotel.html",
            ),
        ],
        "ＡＣＭＥホテルの部屋が寒かったです。",
    ),
    "yelp": (
        "https://www.yelp.com/biz/acme-ramen",
        pages.YELP,
        [
            (
                "Yuki T.",
                _day("2026-11-03"),
                2,
                "https://www.yelp.com/biz/acme-ramen",
            ),
            ("Sam K.", _day("2026-11-04"), 5, "https://www.yelp.com/biz/acme-ramen"),
        ],
        "ＡＣＭＥラーメンは麺がのびていました。",
    ),
    "trustpilot": (
        "https://www.trustpilot.com/review/acme.example",
        pages.TRUSTPILOT,
        [
            (
                "Aiko S.",
                _day("2026-11-04T10:11:12"),
                1,
                "https://www.trustpilot.com/reviews/6543210fedcba",
            ),
            (
                "Ken",
                _day("2026-11-05"),
                5,
                "https://www.trustpilot.com/reviews/6543210fedcbb",
            ),
        ],
        "ＡＣＭＥの注文が二週間届きません。",
    ),
    "appstore": (
        "https://apps.apple.com/jp/app/acme/id100000001",
        pages.APP_STORE,
        [
            (
                "appfan",
                _day("2026-10-20"),
                2,
                "https://apps.apple.com/jp/app/acme/id100000001",
            ),
            (
                "jo",
                _day("2026-10-21"),
                5,
                "https://apps.apple.com/jp/app/acme/id100000001",
            ),
        ],
        "ＡＣＭＥアプリが起動直後に落ちます。",
    ),
}


@pytest.mark.parametrize("recipe", sorted(RECIPES))
def test_review_site_recipes(recipe):
    url, page, expected, first_text = RECIPES[recipe]
    found = extract(ForumSpider, url, page, recipe=recipe)
    assert [(r.author, r.published_at, r.rating, r.url) for r in found] == [*expected]
    assert {r.rating_best for r in found} == {7 if recipe == "cosme" else 5}
    assert found[0].text == first_text
    assert {r.source_type for r in found} == {"reviews"}
    assert not {"author", "date", "rating", "text"} & set(found[0].missing)
