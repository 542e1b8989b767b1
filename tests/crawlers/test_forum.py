"""The forum spider with its shipped recipes on real forum and review-list pages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from crawlers.match import BrandRule
from tests.crawlers.conftest import ACME, crawl, mentions

ANY = BrandRule("Any", query="NOT zzzzqqq")  # every post, to check extraction


def _crawl(site, url_path, recipe, db, source, brands=(ANY,)):
    result = crawl(
        db, source, f"{site.url}{url_path}", brands, spider="forum", recipe=recipe
    )
    assert result["error"] is None
    return result, mentions(db, source)


def test_xenforo_thread_without_quoted_posts(site, sqlite_url):
    page = "/forums/trafilatura__villagersandheroes.com.forums.patchnotes.html"
    result, stored = _crawl(site, page, "xenforo", sqlite_url, "vh")
    # Nine article.message--post on the page: post-53504 ... post-54375.
    assert result["new"] == 9
    posts = {m.external_id.rsplit("#", 1)[1]: m for m in stored}
    assert posts["post-53504"].author == "Tiberius"
    assert posts["post-53504"].text.startswith("Patch Notes 4.47.4")
    assert posts["post-53504"].published_at == datetime(
        2020, 9, 18, 15, 56, 40, tzinfo=UTC
    )  # 08:56:40-0700
    assert [posts[p].author for p in ("post-53670", "post-53693", "post-53700")] == [
        "Bibi Blocksberg",
        "Bluerider",
        "Nixe",
    ]
    # post-53796 opens with a quote of Nixe ("Nixe said: Ja, es sind leider ...").
    assert posts["post-53796"].text.startswith("Tja Nixe,")
    assert "Nixe said" not in posts["post-53796"].text
    assert posts["post-53504"].language == "de"


def test_discourse_phpbb_and_forumotion_threads(site, sqlite_url):
    _, discourse = _crawl(
        site, "/forums/onebox__discourse_topic.html", "discourse", sqlite_url, "d"
    )
    assert [(m.author, m.published_at) for m in discourse] == [
        ("techAPJ", datetime(2014, 2, 6, 4, 55, 19, tzinfo=UTC)),
        ("codinghorror", datetime(2014, 2, 6, 5, 27, 6, tzinfo=UTC)),
    ]
    assert discourse[0].text.startswith(
        "Congratulations Discourse for qualifying Repositories with the most stars"
    )

    _, phpbb = _crawl(
        site, "/forums/trafilatura__foren.myoos.de.html", "phpbb", sqlite_url, "p"
    )
    (post,) = phpbb
    assert post.author == "r23"
    assert post.published_at == datetime(2009, 1, 21, 5, 42, tzinfo=UTC)
    assert post.text.startswith("Was ist Freie Software und warum ist sie wichtig?")

    page = "/forums/trafilatura__wolfsrebellen-netz.forumieren.com.regeln.html"
    _, board = _crawl(site, page, "forumotion", sqlite_url, "f")
    board.sort(key=lambda m: m.published_at)
    # Three posts by lupa; the fourth div.post is an advert with only a script.
    assert [(m.author, m.published_at) for m in board] == [
        ("lupa", datetime(2013, 10, 26, 15, 48, tzinfo=UTC)),
        ("lupa", datetime(2014, 5, 26, 7, 41, tzinfo=UTC)),
        ("lupa", datetime(2014, 5, 30, 23, 17, tzinfo=UTC)),
    ]
    assert board[1].title == "Re: Forums-Regeln"
    assert board[1].text.startswith("2. Nachtrag")


def test_amazon_review_list(site, sqlite_url):
    page = "/reviews/onebox__amazon-og.html"
    _, stored = _crawl(site, page, "amazon", sqlite_url, "amzn")
    reviews = {m.author: m for m in stored}
    assert len(reviews) == 8  # the eight div[data-hook=review] "top reviews"
    blue = reviews["Blue Leaf"]
    assert blue.title == "Rebecca Hall is Outstanding as Christine"
    assert blue.rating == 0.75  # 4.0 out of 5 stars
    assert blue.published_at == datetime(2017, 3, 2, tzinfo=UTC)
    assert blue.text.startswith("This film, directed by Antonio Campos")
    assert blue.source_type == "reviews"
    assert reviews["Julie Galindo"].text == (
        "That was really good, based on true events I think it said."
    )  # without the "Read more" prompt
    assert sorted(r for r in (m.rating for m in stored)) == [0.75] * 3 + [1.0] * 5


def test_empty_xenforo_thread_stores_nothing(site, sqlite_url):
    result, stored = _crawl(
        site,
        "/forums/trafilatura__anglerboard.de-rute.html",
        "xenforo",
        sqlite_url,
        "a",
    )
    assert (result["seen"], stored) == (0, [])


def test_japanese_board_full_width_names_relative_dates_and_quotes(site, sqlite_url):
    before = datetime.now(UTC)
    selectors = {
        "item": "div.message",
        "id": "./@id",
        "text": "div.body",
        "remove": ["blockquote"],
        "author": "span.name",
        "date": "span.when",
    }
    url = f"{site.url}/acme/forum-ja.html"
    result = crawl(sqlite_url, "ja", url, spider="forum", selectors=selectors)
    assert result["error"] is None
    stored = mentions(sqlite_url, "ja")
    assert result["new"] == 2  # post-2 only quotes post-1 and is dropped
    by_author = {m.author: m for m in stored}
    assert sorted(by_author) == ["山田", "鈴木"]
    yamada = by_author["山田"]
    assert yamada.text == "ＡＣＭＥのミキサーが二日で壊れました。サポートも最悪です。"
    assert [m.brand for m in yamada.matches] == [ACME.name]
    assert yamada.language == "ja"
    three_days = before - timedelta(days=3)
    assert abs(yamada.published_at - three_days) < timedelta(minutes=10)
    assert by_author["鈴木"].matches[0].terms == ["アクメ"]  # half-width ｱｸﾒ
