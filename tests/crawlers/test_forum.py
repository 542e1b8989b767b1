"""The forum spider with its shipped recipes on forum and review-list pages.

The pages in ``tests/fixtures/forum-pages`` (and the Amazon list in
``review-pages``) are the team's own, in each forum software's markup; tests
marked ``realdata`` crawl real pages from ``../shared``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from crawlers.match import BrandRule
from crawlers.params import ForumParams
from tests.conftest import FIXTURES
from tests.crawlers.conftest import ACME, crawl, mentions
from tests.servers.scripted import Reply

ANY = BrandRule("Any", query="NOT zzzzqqq")  # every post, to check extraction


def _crawl(site, url_path, recipe, db, source, brands=(ANY,)):
    result = crawl(
        db, source, f"{site.url}{url_path}", brands, spider="forum", recipe=recipe
    )
    assert result["error"] is None
    return result, mentions(db, source)


def test_xenforo_thread_without_quoted_posts(site, sqlite_url):
    page = "/forums/acme-xenforo-thread.html"
    result, stored = _crawl(site, page, "xenforo", sqlite_url, "xf", (ACME,))
    assert result["new"] == 3
    posts = {m.external_id.rsplit("#", 1)[1]: m for m in stored}
    assert sorted(posts) == ["post-101", "post-102", "post-103"]
    first = posts["post-101"]
    assert first.author == "saki"
    assert first.text == (
        "Got the Acme Blender 3000 yesterday.\n"
        "It crushes ice well, but the jug lid does not sit tight."
    )
    assert first.published_at == datetime(2026, 9, 18, 15, 56, 40, tzinfo=UTC)
    # post-102 opens with a quote of saki ("saki said: ... Click to expand...").
    assert posts["post-102"].text == "Same here. Acme sent me a new seal for free."
    japanese = posts["post-103"]
    assert japanese.text == "日本版のアクメのミキサーも同じ蓋です。"  # no script
    assert japanese.published_at == datetime(2026, 9, 18, 22, 30, tzinfo=UTC)
    assert japanese.language == "ja"
    # The thread's title, "Acme Blender 3000: ...", is matched with each post.
    assert [(m.brand, m.terms) for m in japanese.matches] == [
        ("Acme", ["acme", "アクメ"])
    ]
    assert first.language == "en"


def test_discourse_phpbb_and_forumotion_threads(site, sqlite_url):
    _, discourse = _crawl(
        site, "/forums/acme-discourse-topic.html", "discourse", sqlite_url, "d"
    )
    assert [(m.author, m.published_at) for m in discourse] == [
        ("nora", datetime(2026, 2, 6, 4, 55, 19, tzinfo=UTC)),
        ("acme_staff", datetime(2026, 2, 6, 5, 27, 6, tzinfo=UTC)),
    ]
    assert discourse[0].text.startswith(
        "Since Monday the Acme API answers 429 after only ten calls a minute."
    )

    _, phpbb = _crawl(site, "/forums/acme-phpbb-topic.html", "phpbb", sqlite_url, "p")
    (post,) = phpbb
    assert post.author == "kaffeetante"
    assert post.title == "Acme Kaffeemaschine entkalken"
    assert post.published_at == datetime(2026, 1, 21, 5, 42, tzinfo=UTC)
    # Its [quote] of the manual (blockquote.uncited) and the signature go.
    assert post.text == (
        "Wie entkalkt ihr die Acme Kaffeemaschine?\n\n"
        "So steht es in der Anleitung.\n\nReicht das wirklich?"
    )

    page = "/forums/acme-forumotion-topic.html"
    _, board = _crawl(site, page, "forumotion", sqlite_url, "f")
    board.sort(key=lambda m: m.published_at)
    # Two posts by grillmeister; the third div.post is an advert with only a script.
    assert [(m.author, m.published_at) for m in board] == [
        ("grillmeister", datetime(2025, 10, 26, 15, 48, tzinfo=UTC)),
        ("grillmeister", datetime(2026, 5, 26, 7, 41, tzinfo=UTC)),
    ]
    assert board[1].title == "Re: Acme Grill-Regeln"
    assert board[1].text == (
        "2. Nachtrag: den Acme Grill nie unbeaufsichtigt lassen.\n"
        "Gasgrills gelten genauso."
    )


def test_amazon_review_list(site, sqlite_url):
    page = "/reviews/acme-kettle-amazon.html"
    _, stored = _crawl(site, page, "amazon", sqlite_url, "amzn")
    reviews = {m.author: m for m in stored}
    assert sorted(reviews) == ["Dan Cole", "Mika S.", "Priya", "山本"]
    mika = reviews["Mika S."]
    assert mika.title == "Quick to boil, a little loud"
    assert (mika.rating, mika.rating_best) == (4, 5)  # 4.0 out of 5 stars
    assert mika.published_at == datetime(2026, 3, 2, tzinfo=UTC)
    assert mika.text.startswith("It boils a litre in under three minutes.")
    assert mika.source_type == "reviews"
    assert reviews["Dan Cole"].text == (
        "Solid, easy to pour, and the Acme filter keeps the scale out."
    )  # without the "Read more" prompt
    assert reviews["Priya"].rating == 1
    assert reviews["山本"].language == "ja"
    assert sorted(m.rating for m in stored) == [1, 4, 5, 5]


def test_empty_xenforo_thread_stores_nothing(site, sqlite_url):
    result, stored = _crawl(
        site, "/forums/acme-xenforo-empty.html", "xenforo", sqlite_url, "a"
    )
    assert (result["seen"], stored) == (0, [])


@pytest.mark.realdata
def test_real_xenforo_thread_without_quoted_posts(site, sqlite_url):
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
    # Posts 53760, 53796, 54374 and 54375 each quote an earlier post in a
    # blockquote.bbCodeBlock--quote ("<name> said: ... Click to expand...").
    assert not [m.external_id for m in stored if " said:" in m.text]
    assert not [m.external_id for m in stored if "Click to expand" in m.text]
    assert posts["post-53760"].text.startswith("Unsere Entwickler haben")
    assert posts["post-54374"].text.startswith("Gegen Ende der Zone")
    assert "Jo, kann dem nur zustimmen" not in posts["post-54374"].text
    assert posts["post-53504"].language == "de"


@pytest.mark.realdata
def test_real_discourse_phpbb_and_forumotion_threads(site, sqlite_url):
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
    # Its [quote] of Stallman (blockquote.uncited) goes; the line after it stays.
    assert "Der fundamentale Akt von Freundschaft" not in post.text
    assert "\nRichard Stallman\n" in post.text

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


@pytest.mark.realdata
def test_real_amazon_review_list(site, sqlite_url):
    page = "/reviews/onebox__amazon-og.html"
    _, stored = _crawl(site, page, "amazon", sqlite_url, "amzn")
    reviews = {m.author: m for m in stored}
    assert len(reviews) == 8  # the eight div[data-hook=review] "top reviews"
    blue = reviews["Blue Leaf"]
    assert blue.title == "Rebecca Hall is Outstanding as Christine"
    assert (blue.rating, blue.rating_best) == (4, 5)  # 4.0 out of 5 stars
    assert blue.published_at == datetime(2017, 3, 2, tzinfo=UTC)
    assert blue.text.startswith("This film, directed by Antonio Campos")
    assert blue.source_type == "reviews"
    assert reviews["Julie Galindo"].text == (
        "That was really good, based on true events I think it said."
    )  # without the "Read more" prompt
    assert sorted(r for r in (m.rating for m in stored)) == [4] * 3 + [5] * 5


@pytest.mark.realdata
def test_real_empty_xenforo_thread_stores_nothing(site, sqlite_url):
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


# Discourse's own markup for a quote of post #1 (a "cooked" [quote] block).
NORA_QUOTE = """<aside class="quote no-group" data-username="nora" data-post="1"
 data-topic="4321"><div class="title"><div class="quote-controls"></div>
<img alt="" width="20" height="20" src="/user_avatar/nora.png" class="avatar">
 nora:</div><blockquote><p>Did the limits change?</p></blockquote></aside>"""


def test_discourse_quote_of_an_earlier_post_is_removed(scripted, sqlite_url):
    # The fixture thread has no quote, so its second post gets one in Discourse's
    # markup; the page is otherwise the same.
    page = FIXTURES / "forum-pages" / "acme-discourse-topic.html"
    html = page.read_text(encoding="utf-8")
    reply = "<p>Thanks for the report."
    assert html.count(reply) == 1
    quoted = html.replace(reply, NORA_QUOTE + reply)
    url = scripted.script("/t/4321", Reply(quoted.encode(), "text/html"))
    result = crawl(sqlite_url, "dq", url, (ANY,), spider="forum", recipe="discourse")
    assert (result["new"], result["error"]) == (2, None)
    second = next(m for m in mentions(sqlite_url, "dq") if m.author == "acme_staff")
    assert second.text.startswith("Thanks for the report. We rolled the change back")
    assert "nora" not in second.text
    assert "Did the limits change?" not in second.text


DISCOURSE_QUOTE = """<aside class="quote no-group" data-username="techAPJ" data-post="1"
 data-topic="12932"><div class="title"><div class="quote-controls"></div>
<img alt="" width="20" height="20" src="/user_avatar/techapj.png" class="avatar">
 techAPJ:</div><blockquote><p>Congratulations Discourse for qualifying
 Repositories with the most stars</p></blockquote></aside>"""


@pytest.mark.realdata
def test_real_discourse_quote_of_an_earlier_post_is_removed(
    shared, scripted, sqlite_url
):
    # The fixture thread has no quote, so its second post gets one in Discourse's
    # markup; the page is otherwise the real one.
    page = shared / "fixtures" / "forum-pages" / "onebox__discourse_topic.html"
    html = page.read_text(encoding="utf-8")
    reply = "<p>Ah, cool. I was not sure how to see that"
    assert html.count(reply) == 1
    quoted = html.replace(reply, DISCOURSE_QUOTE + reply)
    url = scripted.script("/t/12932", Reply(quoted.encode(), "text/html"))
    result = crawl(sqlite_url, "dq", url, (ANY,), spider="forum", recipe="discourse")
    assert (result["new"], result["error"]) == (2, None)
    second = next(m for m in mentions(sqlite_url, "dq") if m.author == "codinghorror")
    assert second.text.startswith("Ah, cool. I was not sure how to see that")
    assert "techAPJ" not in second.text
    assert "Congratulations" not in second.text


def _phpbb_with_next(next_path):
    page = FIXTURES / "forum-pages" / "acme-phpbb-topic.html"
    html = page.read_text(encoding="utf-8")
    link = f'<li class="next"><a href="{next_path}">Weiter</a></li></body>'
    return html.replace("</body>", link).encode()


def test_a_broken_later_page_is_recorded_and_the_pages_before_it_kept(
    scripted, sqlite_url
):
    missing = scripted.script(
        "/gone/t1", Reply(_phpbb_with_next("/gone/t2"), "text/html")
    )
    result = crawl(sqlite_url, "gone", missing, (ANY,), spider="forum", recipe="phpbb")
    assert result["error"] == f"HTTP 404 from {scripted.url}/gone/t2"
    [post] = mentions(sqlite_url, "gone")  # the one post of page 1
    assert post.author == "kaffeetante"

    binary = scripted.script("/bin/t1", Reply(_phpbb_with_next("/bin/t2"), "text/html"))
    scripted.script("/bin/t2", Reply(b"\x89PNG\r\n\x1a\n\x00", "image/png"))
    result = crawl(sqlite_url, "bin", binary, (ANY,), spider="forum", recipe="phpbb")
    assert result["error"] == f"not an HTML page at {scripted.url}/bin/t2"
    assert [m.author for m in mentions(sqlite_url, "bin")] == ["kaffeetante"]


def test_a_recipe_with_a_broken_selector_is_rejected_before_any_crawl():
    selectors = {
        "item": "div.post[",
        "text": "//div[@class='body'",
        "date_pattern": "x",
    }
    with pytest.raises(ValidationError) as caught:
        ForumParams(url="http://127.0.0.1/t", selectors=selectors)
    problems = {e["loc"][-1]: e["msg"] for e in caught.value.errors()}
    assert problems["item"].startswith("Value error, invalid CSS selector 'div.post[':")
    assert problems["text"].startswith("Value error, invalid XPath selector ")
    assert problems["date_pattern"] == (
        "Value error, needs a group, e.g. (\\d+\\.\\d+\\.\\d+), around the date"
    )


def test_a_next_page_on_another_site_is_not_followed(scripted, sqlite_url):
    elsewhere = scripted.url.replace("127.0.0.1", "localhost") + "/t2"
    url = scripted.script("/t1", Reply(_phpbb_with_next(elsewhere), "text/html"))
    result = crawl(sqlite_url, "away", url, (ANY,), spider="forum", recipe="phpbb")
    assert result["error"] is None
    assert result["warning"] == (
        f"next page {elsewhere} of {url} is on another site; not followed"
    )
    assert result["new"] == 1
    assert scripted.requests_for("/t2") == []


def _phpbb_page(posts: list[tuple[int, str, str, str]], next_path: str = "") -> bytes:
    """A phpBB topic page of ``(id, author, date, text)`` posts, newest first."""
    blocks = "".join(
        f'<div id="p{ident}" class="post bg2"><div class="postbody"><div>'
        f'<h3><a href="/viewtopic.php?p={ident}#p{ident}">Re: アクメのミキサー</a></h3>'
        f'<p class="author"><strong><a class="username">{author}</a></strong> '
        f"&raquo; {when} </p>"
        f'<div class="content">{text}</div></div></div></div>'
        for ident, author, when, text in posts
    )
    link = f'<li class="next"><a href="{next_path}">次へ</a></li>' * bool(next_path)
    return (
        f'<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8"></head>'
        f"<body>{blocks}{link}</body></html>"
    ).encode()


def test_a_post_dated_2999_is_stored_undated_and_never_the_newest(scripted, sqlite_url):
    older = (1, "山田", "01.05.2024, 21:00", "アクメのミキサーを買った")
    poison = (2, "未来人", "01.01.2999, 00:00", "千年後もアクメ")
    new = [
        (5, "佐藤", "05.05.2024, 09:00", "アクメのサポートは遅い"),
        (4, "鈴木", "04.05.2024, 09:00", "アクメの刃が欠けた"),
        (3, "高橋", "03.05.2024, 09:00", "アクメの音がうるさい"),
    ]
    url = scripted.script(
        "/t/1",
        Reply(_phpbb_page([poison, older], "/t/1/page-2"), "text/html"),
        Reply(_phpbb_page([poison, new[0]], "/t/1/page-2"), "text/html"),
    )
    oldest = (0, "古参", "30.04.2024, 08:00", "アクメは昔から")
    scripted.script(
        "/t/1/page-2",
        Reply(_phpbb_page([oldest]), "text/html"),
        Reply(_phpbb_page(new[1:]), "text/html"),
    )
    first = crawl(sqlite_url, "bbs", url, (ANY,), spider="forum", recipe="phpbb")
    assert (first["new"], first["error"]) == (3, None)
    stored = {m.author: m for m in mentions(sqlite_url, "bbs")}
    assert (stored["未来人"].text, stored["未来人"].published_at) == (
        "千年後もアクメ",
        None,
    )
    assert stored["山田"].published_at == datetime(2024, 5, 1, 21, tzinfo=UTC)
    assert "#p2: published_at: date 2999-01-01" in first["warning"]
    # The pinned year-2999 post is not the newest seen, so page 2, whose posts
    # are newer than the last crawl's, is read and no new post is lost.
    again = crawl(sqlite_url, "bbs", url, (ANY,), spider="forum", recipe="phpbb")
    assert (again["new"], again["error"]) == (3, None)
    assert {"佐藤", "鈴木", "高橋"} <= {m.author for m in mentions(sqlite_url, "bbs")}
