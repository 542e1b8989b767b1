"""The reviews spider on pages with schema.org markup, and on Acme's own pages.

The pages in ``tests/fixtures/review-pages`` are the team's own, in the shapes
sites publish; tests marked ``realdata`` crawl real pages from ``../shared``.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from crawlers.match import BrandRule
from crawlers.schemaorg import page_reviews, syntaxes_in
from tests.conftest import FIXTURES
from tests.crawlers.conftest import ACME, crawl, mentions
from tests.servers.scripted import Reply

ANY = BrandRule("Any", query="NOT zzzzqqq")  # every review, to check extraction
DONE = {"updated": 0, "error": None, "warning": None}


def test_recipe_page_jsonld_reviews_with_an_aggregate_on_a_0_to_5_scale(
    site, sqlite_url
):
    """The reviews name no brand; the recipe they review does (in ``about``)."""
    url = f"{site.url}/reviews/acme-recipe-jsonld.html"
    result = crawl(sqlite_url, "recipe", url, [ACME], spider="reviews")
    assert result == {"seen": 3, "new": 3, **DONE}
    by_author = {m.author: m for m in mentions(sqlite_url, "recipe")}
    assert sorted(by_author) == ["kenta88", "みかん好き", "ゆうこ"]
    fan = by_author["みかん好き"]
    assert fan.text == "今日はじめて作りました。とてもおいしかったです。"
    assert fan.published_at == datetime(2026, 4, 12, tzinfo=UTC)
    assert fan.rating is None  # these reviews carry no rating of their own
    assert fan.language == "ja"
    assert fan.source_type == "reviews"
    assert fan.raw["item_reviewed"] == "アクメ風みかんケーキ"
    aggregate = fan.raw["aggregate_rating"]
    assert (aggregate["value"], aggregate["best"], aggregate["worst"]) == (4.52, 5, 0)
    assert aggregate["count"] == 948
    assert [(m.brand, m.terms) for m in fan.matches] == [("Acme", ["アクメ"])]


def test_microdata_reviews_rated_on_the_default_scale(site, sqlite_url):
    url = f"{site.url}/reviews/acme-ryokan-microdata.html"
    result = crawl(sqlite_url, "ryokan", url, [ANY], spider="reviews")
    assert result["error"] is None
    stored = sorted(mentions(sqlite_url, "ryokan"), key=lambda m: m.published_at)
    assert [m.published_at.date().isoformat() for m in stored] == [
        "2025-08-15",
        "2026-01-07",
        "2026-05-23",
    ]
    # 5, 4.6 and "4,8" (a decimal comma) of 5, on schema.org's default 1 to 5.
    assert [(m.rating, m.rating_best) for m in stored] == [(5, 5), (4.6, 5), (4.8, 5)]
    assert stored[-1].text.startswith("We came with ten people")
    assert stored[1].author == "佐々木"
    assert stored[-1].raw["aggregate_rating"]["value"] == 4.8
    assert stored[-1].raw["item_reviewed"] == "Acme Ryokan"


def test_a_review_with_its_own_best_rating_and_a_critic_review(site, sqlite_url):
    urls = {
        "critic": f"{site.url}/reviews/acme-critic-review.html",
        "book": f"{site.url}/reviews/acme-book-microdata.html",
    }
    for source, url in urls.items():
        assert crawl(sqlite_url, source, url, [ANY], spider="reviews")["error"] is None
    (critic,) = mentions(sqlite_url, "critic")
    assert critic.author == "Ruth Baker"
    assert (critic.rating, critic.rating_best) == (87, 100)
    assert critic.title == "Acme Espresso Pro review"
    assert critic.published_at == datetime(2026, 2, 11, 18, 16, 58, tzinfo=UTC)
    assert critic.raw["item_reviewed"] == "Acme Espresso Pro"
    book = {m.author: m for m in mentions(sqlite_url, "book")}
    assert sorted(book) == ["Ann Lee", "Raj Patel"]
    assert (book["Ann Lee"].rating, book["Ann Lee"].rating_best) == (5, 5)
    assert book["Raj Patel"].rating == 4  # "4", on the page's 1-5 scale
    assert book["Raj Patel"].text == "Clear steps. The photos could be bigger."
    assert book["Raj Patel"].title == "Good, not great"


@pytest.mark.realdata
def test_real_recipe_page_jsonld_reviews_with_an_aggregate_on_a_0_to_5_scale(
    site, sqlite_url
):
    url = f"{site.url}/reviews/trafilatura__chefkoch.de.mandarinen.html"
    cake = BrandRule("Kuchen", ("Mandarinen-Schmand-Kuchen",))
    result = crawl(sqlite_url, "chefkoch", url, [cake], spider="reviews")
    assert result == {"seen": 5, "new": 5, "updated": 0, "error": None, "warning": None}
    stored = mentions(sqlite_url, "chefkoch")
    by_author = {m.author: m for m in stored}
    # The five Review objects in the page's JSON-LD (Recipe.reviews).
    assert sorted(by_author) == [
        "08bine",
        "Hasenohr81",
        "Katzastrophe",
        "anaya60",
        "ayse67",
    ]
    anaya = by_author["anaya60"]
    assert anaya.text == "habe ihn heute erstmals gemacht, war super lecker."
    assert anaya.published_at == datetime(2020, 4, 12, tzinfo=UTC)
    assert anaya.rating is None  # these reviews carry no rating of their own
    assert anaya.language == "de"
    assert anaya.source_type == "reviews"
    assert anaya.raw["item_reviewed"] == "Mandarinen-Schmand-Kuchen"
    aggregate = anaya.raw["aggregate_rating"]
    assert (aggregate["value"], aggregate["best"], aggregate["worst"]) == (4.52, 5, 0)
    assert aggregate["count"] == 948
    assert [m.brand for m in anaya.matches] == ["Kuchen"]


@pytest.mark.realdata
def test_real_microdata_reviews_rated_on_the_default_scale(site, sqlite_url):
    url = f"{site.url}/reviews/trafilatura__travanto.de.ferienhaus-feinen.html"
    result = crawl(sqlite_url, "travanto", url, [ANY], spider="reviews")
    assert result["error"] is None
    stored = sorted(mentions(sqlite_url, "travanto"), key=lambda m: m.published_at)
    # Six reviews, rated 4.6 to 5.0 of 5, the oldest (2011-08-15) first.
    assert [m.published_at.date().isoformat() for m in stored] == [
        "2011-08-15",
        "2011-10-07",
        "2012-09-16",
        "2014-11-05",
        "2017-10-17",
        "2018-05-23",
    ]
    assert [m.rating for m in stored] == [5, 4.6, 5, 4.8, 5, 4.8]
    assert stored[-1].text.startswith("Wir sind mit 10 Personen")
    assert stored[-1].raw["aggregate_rating"]["value"] == 4.9


@pytest.mark.realdata
def test_real_a_review_with_its_own_best_rating_and_a_critic_review(site, sqlite_url):
    urls = {
        "pcgamer": f"{site.url}/reviews/trafilatura__pcgamer.com.darkest.html",
        "book": f"{site.url}/reviews/extruct__schemaorg_CreativeWork.001.html",
    }
    for source, url in urls.items():
        assert crawl(sqlite_url, source, url, [ANY], spider="reviews")["error"] is None
    (critic,) = mentions(sqlite_url, "pcgamer")
    assert critic.author == "Luke Kemp"
    assert (critic.rating, critic.rating_best) == (87, 100)
    assert critic.title == "Through the Darkest of Times review"
    assert critic.published_at == datetime(2020, 2, 11, 18, 16, 58, tzinfo=UTC)
    book = {m.author: m for m in mentions(sqlite_url, "book")}
    assert sorted(book) == ["Bob Smith", "John Doe"]
    assert (book["John Doe"].rating, book["John Doe"].rating_best) == (5, 5)
    assert book["Bob Smith"].rating == 4  # "4", on the page's 1-5 scale
    assert book["Bob Smith"].text == (
        "Catcher in the Rye is a fun book. It's a good book to read."
    )


def test_pages_are_followed_and_an_edited_review_is_updated(site, sqlite_url):
    url = f"{site.url}/acme/blender/edit-test.html"
    first = crawl(sqlite_url, "blender", url, spider="reviews")
    assert first == {"seen": 3, "new": 3, "updated": 0, "error": None, "warning": None}
    by_author = {m.author: m for m in mentions(sqlite_url, "blender")}
    assert sorted(by_author) == ["Jane Doe", "Ken Ito", "Mia Wong"]
    assert by_author["Ken Ito"].url == f"{url}?page=2"
    assert (by_author["Jane Doe"].rating, by_author["Mia Wong"].rating) == (1, 3)
    assert "<" not in by_author["Jane Doe"].text

    second = crawl(sqlite_url, "blender", url, spider="reviews")
    assert (second["seen"], second["new"], second["updated"]) == (2, 0, 0)

    site.edit("edit-test.html")
    third = crawl(sqlite_url, "blender", url, spider="reviews")
    assert (third["new"], third["updated"]) == (0, 1)
    jane = next(m for m in mentions(sqlite_url, "blender") if m.author == "Jane Doe")
    assert jane.text.endswith("UPDATE: they replaced it.")
    assert jane.updated_at is not None


def test_robots_txt_disallow_is_obeyed(site, sqlite_url):
    url = f"{site.url}/private/reviews.html"
    result = crawl(sqlite_url, "private", url, spider="forum", recipe="xenforo")
    assert result["seen"] == 0
    assert site.requests_for("/private/reviews.html") == []


def test_a_missing_page_is_recorded_with_its_url(site, sqlite_url):
    url = f"{site.url}/reviews/no-such-page.html"
    result = crawl(sqlite_url, "gone", url, spider="reviews")
    assert result["error"] == f"HTTP 404 from {url}"


# schema.org's own RDFa example of a Review (https://schema.org/Review, "RDFa" tab),
# with an Open Graph <meta property> that is RDFa too but holds no review.
RDFA_REVIEW = """<html><head><meta property="og:title" content="Lamp"></head><body>
<div vocab="https://schema.org/" typeof="Product">
  <span property="name">Kenmore White 17" Microwave</span>
  <div property="review" typeof="Review">
    <span property="name">Value purchase</span> -
    by <span property="author" typeof="Person"><span property="name">Lucas</span></span>,
    <meta property="datePublished" content="2011-03-25">March 25, 2011
    <div property="reviewRating" typeof="Rating">
      <meta property="worstRating" content="1">
      <span property="ratingValue">4</span>/<span property="bestRating">5</span> stars
    </div>
    <span property="reviewBody">Great microwave for the price.</span>
  </div>
</div></body></html>"""


def test_rdfa_is_read_only_where_a_review_is_typed_in_it():
    assert syntaxes_in(RDFA_REVIEW) == ["rdfa"]
    found = page_reviews(RDFA_REVIEW, "http://127.0.0.1/microwave")
    [review] = found.reviews
    assert (review.author, review.title) == ("Lucas", "Value purchase")
    assert review.text == "Great microwave for the price."
    assert (review.rating, review.rating_best) == (4, 5)
    assert review.item_reviewed == 'Kenmore White 17" Microwave'
    # Open Graph's <meta property> alone is no reason to run the RDFa parser.
    og_only = FIXTURES / "review-pages" / "acme-kettle-amazon.html"
    assert syntaxes_in(og_only.read_text(encoding="utf-8")) == ["json-ld"]


@pytest.mark.parametrize(
    ("html", "syntaxes"),
    [
        ('<SCRIPT type="Application/LD+JSON">{}</SCRIPT>', ["json-ld"]),
        ("<div ItemScope itemtype=x>", ["microdata"]),
        ("<div data-itemscope>", ["microdata"]),  # "-" ends a word
        ("<div myitemscope>", []),
        ("<p>itemscopes</p>", []),
        ("<div datatypeof='Review' TYPEOF = 'schema:Review'>", ["rdfa"]),
        ("<div datatypeof='Review'>", []),
        ("<div typeof='Person'>", []),
    ],
)
def test_syntax_markers_ignore_case_and_need_a_word_start(html, syntaxes):
    assert syntaxes_in(html) == syntaxes


def _review_page(*reviews: dict[str, object]) -> bytes:
    """A product page with its reviews in JSON-LD, and a node typed with a number."""
    markup = json.dumps(
        [
            {
                "@context": "https://schema.org",
                "@type": "Product",
                "name": "アクメ ミキサー MX-1",
                "review": list(reviews),
            },
            {"@context": "https://schema.org", "@type": 7, "name": [[["入れ子"]]]},
        ],
        ensure_ascii=False,
    )
    return (
        '<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8">'
        f'<script type="application/ld+json">{markup}</script></head>'
        "<body><h1>アクメ ミキサー MX-1</h1></body></html>"
    ).encode()


def _ja_review(author: str, date: str, text: str, stars: int) -> dict[str, object]:
    return {
        "@type": "Review",
        "author": {"@type": "Person", "name": author},
        "datePublished": date,
        "reviewBody": text,
        "reviewRating": {"@type": "Rating", "ratingValue": stars, "bestRating": 5},
    }


def test_a_review_dated_year_9999_between_good_ones_is_stored_undated(
    scripted, sqlite_url
):
    good = _ja_review("山田", "2024-05-01T21:00:00+09:00", "音が静かで良い", 5)
    poison = _ja_review("未来人", "9999-12-31T23:59:59-14:00", "一万年使えた", 1)
    later = _ja_review("佐藤", "2024-05-03T09:00:00+09:00", "二日で壊れた", 1)
    url = scripted.script(
        "/products/mx-1",
        Reply(_review_page(good, poison), "text/html; charset=utf-8"),
        Reply(_review_page(later, good, poison), "text/html; charset=utf-8"),
    )
    first = crawl(sqlite_url, "mx1", url, [ANY], spider="reviews")
    assert (first["new"], first["error"]) == (2, None)
    by_author = {m.author: m for m in mentions(sqlite_url, "mx1")}
    assert by_author["未来人"].published_at is None
    assert by_author["未来人"].text == "一万年使えた"
    assert by_author["山田"].published_at == datetime(2024, 5, 1, 12, tzinfo=UTC)
    assert "published_at: date 9999-12-31" in first["warning"]
    again = crawl(sqlite_url, "mx1", url, [ANY], spider="reviews")
    assert (again["new"], again["error"]) == (1, None)
    assert "佐藤" in {m.author for m in mentions(sqlite_url, "mx1")}
