"""The feed spider in real crawls of the sample site: fixture feeds and Acme feeds.

The first tests crawl the team's own feeds in ``tests/fixtures/feeds``; those
marked ``realdata`` crawl real feeds from ``../shared`` the same way.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from crawlers.match import BrandRule
from storage import open_database
from storage.queries import get_cursor
from tests.crawlers.conftest import crawl, mentions
from tests.servers.site import EDIT, LAST_MODIFIED, NEWS_ETAG

INVIRONMENT = BrandRule("Invironment", ("invironment",))
KETTLE = BrandRule("Kettle", ("kettle",))
FIRMWARE = BrandRule("Firmware", ("v1.9", "v2.0", "v2.1"))
DONE = {"updated": 0, "error": None, "warning": None}


def test_rss2_content_encoded_feed_and_a_second_crawl_stores_nothing_new(
    site, sqlite_url
):
    url = f"{site.url}/feeds/acme-content-encoded.rss"
    first = crawl(sqlite_url, "notes", url)
    assert first == {"seen": 2, "new": 2, **DONE}  # the gadgets post names no Acme
    stored = {m.external_id: m for m in mentions(sqlite_url, "notes")}
    blender = stored["https://blogs.example/p/1a2b3c"]
    assert blender.title == "Three weeks with the Acme Blender 3000"
    assert blender.author == "Hana Mori"
    assert blender.site_name == "Kitchen Notes on Example Blogs"
    assert blender.source_type == "feed"
    assert blender.published_at == datetime(2026, 11, 2, 18, 55, 38, tzinfo=UTC)
    assert blender.url == (
        "https://blogs.example/kitchen-notes/three-weeks-acme-1a2b3c"
        "?source=rss----kitchen"
    )
    assert "The Acme blender is loud & fast." in blender.text  # content:encoded
    assert "<" not in blender.text
    assert [(m.brand, m.terms) for m in blender.matches] == [("Acme", ["acme"])]
    mixer = stored["https://blogs.example/p/7a8b9c"]
    assert mixer.author == "森 花子"
    assert mixer.text == "アクメのミキサーは音が大きいですが、氷もすぐに砕けます。"
    assert mixer.language == "ja"
    assert [(m.brand, m.terms) for m in mixer.matches] == [("Acme", ["アクメ"])]

    second = crawl(sqlite_url, "notes", url)
    assert second == {"seen": 2, "new": 0, **DONE}
    assert len(mentions(sqlite_url, "notes")) == 2


def test_rss1_rdf_feed(site, sqlite_url):
    url = f"{site.url}/feeds/kitchen-rdf.rss"
    result = crawl(sqlite_url, "market", url, [KETTLE])
    assert result == {"seen": 2, "new": 2, **DONE}  # items 1001 and 1003
    stored = {m.external_id: m for m in mentions(sqlite_url, "market")}
    assert sorted(stored) == [
        "https://market.example/kitchen/1001.html",
        "https://market.example/kitchen/1003.html",
    ]
    copper = stored["https://market.example/kitchen/1001.html"]
    assert copper.title == "Copper kettle, barely used (north side) $40"
    assert copper.text == "Copper kettle, bought last spring. Pick up only."
    assert copper.published_at == datetime(2026, 10, 22, 0, 33, 10, tzinfo=UTC)
    assert copper.site_name == "market.example | used kitchen goods"


def test_atom_feed_resolves_relative_links(site, sqlite_url):
    url = f"{site.url}/feeds/acme-releases.atom"
    result = crawl(sqlite_url, "firmware", url, [FIRMWARE])
    assert result == {"seen": 4, "new": 4, **DONE}
    stored = mentions(sqlite_url, "firmware")
    by_time = sorted(stored, key=lambda m: m.published_at or 0, reverse=True)
    assert [m.title for m in by_time] == ["v2.1.0", "v2.0.1", "v2.0.0", "v1.9.0"]
    assert {m.author for m in stored} == {"acme-bot"}
    newest = by_time[0]
    assert newest.external_id == "tag:code.example,2008:Repository/4242/v2.1.0"
    assert newest.text == "2.1.0: the blender stops when the lid is open."
    assert newest.url == f"{site.url}/acme/firmware/releases/tag/v2.1.0"
    assert newest.published_at == datetime(2026, 10, 1, 21, 49, 41, tzinfo=UTC)
    assert newest.site_name == "Release notes from firmware"


def test_shift_jis_feed_takes_its_charset_from_http(site, sqlite_url):
    """The file declares no encoding; only the Content-Type says Shift_JIS."""
    url = f"{site.url}/feeds/acme-shift-jis.rss"
    result = crawl(sqlite_url, "kaden", url)
    assert result == {"seen": 2, "new": 2, **DONE}  # the rice cooker post: no Acme
    stored = {m.external_id: m for m in mentions(sqlite_url, "kaden")}
    assert stored["kaden-101"].title == "ＡＣＭＥのトースター、焼きムラがひどい"
    assert stored["kaden-102"].text == "アクメの電気ケトルは夜でも気になりません。"
    assert stored["kaden-101"].published_at == datetime(2026, 11, 2, 3, tzinfo=UTC)
    assert stored["kaden-101"].site_name == "家電レビュー速報"
    assert {m.language for m in stored.values()} == {"ja"}


def test_malformed_feed_is_recorded_as_the_error(site, sqlite_url):
    url = f"{site.url}/feeds/acme-incomplete-cdata.xml"
    result = crawl(sqlite_url, "club", url)
    assert result["error"].startswith(f"malformed feed at {url}: ")
    # The second item, cut off inside its title, is read but holds nothing.
    assert result["error"].endswith(": unclosed token (2 entries read)")
    stored = mentions(sqlite_url, "club")
    assert [(m.external_id, m.text) for m in stored] == [
        ("club-1", "Vinegar works on the Acme kettle.")
    ]


def test_max_items_limits_the_entries_taken(site, sqlite_url):
    url = f"{site.url}/feeds/acme-releases.atom"
    result = crawl(sqlite_url, "firmware3", url, [FIRMWARE], max_items=3)
    assert result["seen"] == 3
    assert sorted(m.title for m in mentions(sqlite_url, "firmware3")) == [
        "v2.0.0",
        "v2.0.1",
        "v2.1.0",
    ]


@pytest.mark.realdata
def test_real_rss2_content_encoded_feed_and_a_second_crawl_stores_nothing_new(
    site, sqlite_url
):
    url = f"{site.url}/feeds/rss-parser__content-encoded.rss"
    first = crawl(sqlite_url, "medium", url, [INVIRONMENT])
    assert first == {"seen": 7, "new": 7, "updated": 0, "error": None, "warning": None}
    stored = {m.external_id: m for m in mentions(sqlite_url, "medium")}
    assert len(stored) == 7
    forager = stored["https://medium.com/p/125af37d838f"]
    assert forager.title == "THE CREATIVE FORAGER"
    assert forager.author == "Jeremy Puma"
    assert forager.site_name == "Food in Invironment on Medium"
    assert forager.source_type == "feed"
    assert forager.published_at == datetime(2018, 4, 9, 18, 55, 38, tzinfo=UTC)
    assert forager.url == (
        "https://medium.com/invironment/the-creative-forager-125af37d838f"
        "?source=rss----d12c403d4976--food"
    )
    assert "Food is all around us, if you learn where to look" in forager.text
    assert "<" not in forager.text
    assert [(m.brand, m.terms) for m in forager.matches] == [
        ("Invironment", ["invironment"])
    ]
    assert stored["https://medium.com/p/77cbb94ffe0b"].title == (
        "Eight Reasons You Shouldn\u2019t Grow Your Own Food"
    )
    assert sorted(m.author for m in stored.values() if m.author != "Jeremy Puma") == [
        "Pull Up Your Plants!",
        "Thu\u1eadn Sarzynski",
    ]

    second = crawl(sqlite_url, "medium", url, [INVIRONMENT])
    assert second == {"seen": 7, "new": 0, "updated": 0, "error": None, "warning": None}
    assert len(mentions(sqlite_url, "medium")) == 7


@pytest.mark.realdata
def test_real_rss1_rdf_feed(site, sqlite_url):
    url = f"{site.url}/feeds/rss-parser__craigslist.rss"
    result = crawl(sqlite_url, "craigslist", url, [BrandRule("Oakland", ("oakland",))])
    # Entries 1, 9, 17, 18, 20, 21, 24 and 25 of 25 name Oakland.
    assert result["seen"] == 8
    assert result["error"] is None
    stored = {m.external_id: m for m in mentions(sqlite_url, "craigslist")}
    assert len(stored) == 8
    victorian = stored["http://sfbay.craigslist.org/eby/apa/6186664607.html"]
    assert victorian.title is not None
    assert victorian.title.startswith(
        "Bright, Spacious Beautiful Victorian (oakland north / temescal) $4300 3bd"
    )
    assert victorian.text.startswith("Updated 3+ Bedroom, 2.5 Bath, Victorian home.")
    assert victorian.published_at == datetime(2017, 6, 21, 17, 33, 10, tzinfo=UTC)
    assert victorian.site_name == (
        "craigslist SF bay area | apts/housing for rent search"
    )


@pytest.mark.realdata
def test_real_atom_feed_resolves_relative_links(site, sqlite_url):
    url = f"{site.url}/feeds/rss-parser__gulp-atom.atom"
    result = crawl(sqlite_url, "gulp", url, [BrandRule("Gulp", ("v3.8", "v3.9"))])
    assert result == {
        "seen": 10,
        "new": 10,
        "updated": 0,
        "error": None,
        "warning": None,
    }
    stored = mentions(sqlite_url, "gulp")
    by_time = sorted(stored, key=lambda m: m.published_at or 0, reverse=True)
    assert [m.title for m in by_time] == [
        "v3.9.0",
        "v3.8.11",
        "v3.8.10",
        "v3.8.9",
        "v3.8.8",
        "v3.8.7",
        "v3.8.6",
        "v3.8.5",
        "v3.8.4",
        "v3.8.3",
    ]
    assert {m.author for m in stored} == {"contra"}
    newest = by_time[0]
    assert newest.external_id == "tag:github.com,2008:Repository/11167738/v3.9.0"
    assert newest.text == "3.9.0"
    assert newest.url == f"{site.url}/gulpjs/gulp/releases/tag/v3.9.0"
    assert newest.published_at == datetime(2015, 6, 1, 21, 49, 41, tzinfo=UTC)
    assert newest.site_name == "Release notes from gulp"


@pytest.mark.realdata
def test_real_latin1_feed_takes_its_charset_from_http(site, sqlite_url):
    url = f"{site.url}/feeds/rss-parser__uolNoticias.rss"
    result = crawl(sqlite_url, "uol", url, [BrandRule("Bolsonaro", ("bolsonaro",))])
    assert result == {"seen": 4, "new": 4, "updated": 0, "error": None, "warning": None}
    assert sorted(m.title for m in mentions(sqlite_url, "uol")) == [
        (
            "Em entrevista, Bolsonaro chama proposta de Paulo Guedes para imposto de "
            'renda de "ousada"'
        ),
        (
            "Fernanda Melchionna: a Primavera Feminista vai derrotar Bolsonaro nas ruas "
            "e nas urnas!"
        ),
        "Ibope: Bolsonaro estaciona na lideran\u00e7a; Haddad segue avan\u00e7ando",
        (
            "Ibope: Bolsonaro perde de Haddad, Ciro e Alckmin em simula\u00e7\u00f5es "
            "de 2\u00ba turno"
        ),
    ]


@pytest.mark.realdata
def test_real_malformed_fixture_feed_is_recorded_as_the_error(site, sqlite_url):
    url = f"{site.url}/feeds/feedparser__illformed_rss_incomplete_cdata.xml"
    result = crawl(sqlite_url, "cdata", url, [BrandRule("Any", ("feedparser",))])
    assert result["error"].startswith(f"malformed feed at {url}: ")
    assert result["error"].endswith("(1 entries read)")
    assert result["seen"] == 0


def test_broken_feed_keeps_the_entries_before_the_break(site, sqlite_url):
    url = f"{site.url}/acme/broken.xml"
    result = crawl(sqlite_url, "broken", url)
    assert result["error"].startswith(f"malformed feed at {url}: ")
    stored = {m.external_id: m for m in mentions(sqlite_url, "broken")}
    assert stored["broken-1"].text == "The Acme toaster burns everything."
    assert stored["broken-2"].text == "The Acme mixer is fine."
    assert stored["broken-1"].site_name == "Broken Gadgets"


def test_acme_feed_conditional_get_and_edits(site, sqlite_url):
    url = f"{site.url}/acme/news.xml"
    first = crawl(sqlite_url, "gadget-talk", url)
    assert first == {"seen": 3, "new": 3, "updated": 0, "error": None, "warning": None}
    stored = {m.external_id: m for m in mentions(sqlite_url, "gadget-talk")}
    assert sorted(stored) == ["acme-1", "acme-2", "acme-4"]  # acme-3: acmeology
    negative = stored["acme-1"]
    assert negative.title == "Acme blender broke after two days"
    assert (
        negative.text == "Terrible.\nThe Acme blender leaked & support never answered."
    )
    assert negative.author == "Jane Doe"
    assert negative.url == "https://blog.example/acme-blender?id=7"
    assert negative.published_at == datetime(2026, 11, 2, 8, 30, tzinfo=UTC)
    assert negative.site_name == "Gadget Talk"
    assert negative.language == "en"
    japanese = stored["acme-4"]
    assert japanese.title == "ＡＣＭＥの新製品は最悪です"
    assert [(m.brand, m.terms) for m in japanese.matches] == [("Acme", ["acme"])]
    sessions = open_database(sqlite_url)
    with sessions() as session:
        cursor = get_cursor(session, "gadget-talk")
    sessions.kw["bind"].dispose()
    assert cursor == {"url": url, "etag": NEWS_ETAG, "last_modified": LAST_MODIFIED}

    second = crawl(sqlite_url, "gadget-talk", url)
    assert second == {"seen": 0, "new": 0, "updated": 0, "error": None, "warning": None}
    conditional = site.requests_for("/acme/news.xml")[-1]
    assert conditional["If-None-Match"] == NEWS_ETAG
    assert conditional["If-Modified-Since"] == LAST_MODIFIED

    edited = crawl(sqlite_url, "gadget-talk", f"{site.url}/acme/news-edited.xml")
    assert edited == {"seen": 3, "new": 0, "updated": 1, "error": None, "warning": None}
    text = {m.external_id: m.text for m in mentions(sqlite_url, "gadget-talk")}
    assert text["acme-1"].endswith(EDIT.strip())


def test_robots_txt_is_obeyed(site, sqlite_url):
    url = f"{site.url}/private/feed.xml"
    result = crawl(sqlite_url, "private", url)
    assert result["error"] == f"cannot fetch {url}: Forbidden by robots.txt"
    assert mentions(sqlite_url, "private") == []
    assert site.requests_for("/private/feed.xml") == []


@pytest.mark.realdata
def test_real_max_items_limits_the_entries_taken(site, sqlite_url):
    url = f"{site.url}/feeds/rss-parser__gulp-atom.atom"
    result = crawl(
        sqlite_url, "gulp3", url, [BrandRule("G", ("v3.8", "v3.9"))], max_items=3
    )
    assert result["seen"] == 3
    assert sorted(m.title for m in mentions(sqlite_url, "gulp3")) == [
        "v3.8.10",
        "v3.8.11",
        "v3.9.0",
    ]


def test_an_html_page_is_not_a_feed(site, sqlite_url):
    url = f"{site.url}/about.html"
    result = crawl(sqlite_url, "nofeed", url)
    assert result["error"].startswith(f"no feed at {url} (text/html; charset=utf-8): ")
    assert result["seen"] == 0


def test_entries_with_impossible_dates_are_stored_undated_between_good_ones(
    site, sqlite_url
):
    url = f"{site.url}/feeds/acme-poison-dates.rss"
    result = crawl(sqlite_url, "watch", url)
    assert (result["seen"], result["new"], result["error"]) == (4, 4, None)
    dated = {m.external_id: m.published_at for m in mentions(sqlite_url, "watch")}
    assert dated["watch-2"] is None
    assert dated["watch-3"] is None
    assert dated["watch-1"] is not None
    assert dated["watch-4"] is not None
    warning = result["warning"] or ""
    assert "watch-3: published_at: date 1970-01-01 is before 1990" in warning
    again = crawl(sqlite_url, "watch", url)  # the next run reads it all again
    assert (again["seen"], again["new"], again["error"]) == (4, 0, None)
