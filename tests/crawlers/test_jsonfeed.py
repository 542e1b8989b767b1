"""The feed spider on JSON Feed 1.0 and 1.1 documents served by a local site."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from crawlers.match import BrandRule
from tests.crawlers.conftest import crawl, mentions
from tests.servers.scripted import Reply

ANY = BrandRule("Any", query="NOT zzzzqqq")  # every item, to check extraction
FEED_TYPE = "application/feed+json"

# In the style of jsonfeed.org's examples: a 1.1 feed with feed-level authors and
# language, items with HTML or plain text, several authors, tags, an external link.
GADGETS_11 = {
    "version": "https://jsonfeed.org/version/1.1",
    "title": "Gadget Desk",
    "home_page_url": "https://gadgets.example.org/",
    "feed_url": "https://gadgets.example.org/feed.json",
    "description": "Kitchen gadgets, reviewed.",
    "language": "en-US",
    "authors": [{"name": "The Gadget Desk", "url": "https://gadgets.example.org/"}],
    "items": [
        {
            "id": "https://gadgets.example.org/2026/11/acme-x2",
            "url": "https://gadgets.example.org/2026/11/acme-x2?utm_source=feed#top",
            "title": "Acme X2 blender review:\n loud, leaky, late",
            "content_html": (
                "<p>The <strong>Acme</strong> X2 leaked after a week &amp; the lid "
                "cracked.</p><script>track('x2')</script><p>Support took nine days."
                "</p>"
            ),
            "summary": "A blender that does not hold water.",
            "date_published": "2026-11-02T09:30:00+01:00",
            "date_modified": "2026-11-03T10:00:00Z",
            "authors": [{"name": "Jane Doe"}, {"name": "Ken Ito"}],
            "tags": ["blenders", "acme"],
        },
        {
            "id": 2,
            "url": "https://gadgets.example.org/notes/2",
            "content_text": "Quick note: the acme kettle boils a litre in 90 s.",
            "date_published": "2026-11-01T12:00:00Z",
        },
        {
            "id": "3",
            "url": "https://gadgets.example.org/2026/10/toasters",
            "title": "Toaster round-up",
            "content_text": "Six toasters, none of them from a brand you watch.",
            "date_published": "2026-10-30T08:00:00Z",
        },
        {
            "id": "4",
            "url": "https://gadgets.example.org/ja/acme",
            "external_url": "https://blog.example.jp/acme-mixer",
            "title": "ＡＣＭＥのミキサー",
            "content_html": "<p>ＡＣＭＥのミキサーが二日で壊れました。</p>",
            "date_published": "2026-10-29T03:00:00Z",
            "language": "ja",
            "authors": [{"url": "https://blog.example.jp/"}],
        },
    ],
}

# Version 1: one `author` per item or feed, ids that are numbers in the wild.
PODCAST_10 = {
    "version": "https://jsonfeed.org/version/1",
    "title": "Acme Talk",
    "home_page_url": "https://talk.example.org/",
    "author": {"name": "Mia Wong"},
    "items": [
        {
            "id": 101,
            "url": "https://talk.example.org/101",
            "title": "Episode 101: the Acme recall",
            "content_text": "We talk about the Acme blender recall.",
            "date_published": "2026-09-01T18:00:00-07:00",
        },
        {
            "id": "102",
            "url": "https://talk.example.org/102",
            "title": "Episode 102",
            "content_html": "<p>Listener mail about <em>Acme</em>.</p>",
            "date_published": "2026-09-08T18:00:00-07:00",
            "author": {"name": "Guest: Sam Lee"},
        },
    ],
}


def _body(document: object, *, bom: bool = False) -> bytes:
    text = json.dumps(document, ensure_ascii=False, indent=2).encode()
    return b"\xef\xbb\xbf" + text if bom else text


def test_json_feed_1_1_items_and_a_second_crawl_is_a_304(scripted, sqlite_url):
    url = scripted.script(
        "/feed.json", Reply(_body(GADGETS_11), FEED_TYPE, etag='"gadgets-1"')
    )
    acme = BrandRule("Acme", ("acme", "アクメ"))
    first = crawl(sqlite_url, "gadgets", url, [acme])
    # Items 1, 2 and 4 name Acme; item 3 names no brand.
    assert first == {"seen": 3, "new": 3, "updated": 0, "error": None, "warning": None}
    stored = {m.external_id: m for m in mentions(sqlite_url, "gadgets")}
    assert sorted(stored) == ["2", "4", "https://gadgets.example.org/2026/11/acme-x2"]

    review = stored["https://gadgets.example.org/2026/11/acme-x2"]
    assert review.title == "Acme X2 blender review: loud, leaky, late"
    assert review.text == (
        "The Acme X2 leaked after a week & the lid cracked.\nSupport took nine days."
    )
    assert review.url == "https://gadgets.example.org/2026/11/acme-x2"
    assert review.author == "Jane Doe, Ken Ito"
    assert review.published_at == datetime(2026, 11, 2, 8, 30, tzinfo=UTC)
    assert review.language == "en"  # the feed's "en-US"
    assert review.site_name == "Gadget Desk"
    assert review.source_type == "feed"
    assert review.raw["feed_format"] == "json11"
    assert review.raw["tags"] == ["blenders", "acme"]
    assert review.raw["modified"] == "2026-11-03T10:00:00+00:00"

    note = stored["2"]  # a numeric id, no title, the feed's authors
    assert note.title is None
    assert note.text == "Quick note: the acme kettle boils a litre in 90 s."
    assert note.author == "The Gadget Desk"
    assert note.published_at == datetime(2026, 11, 1, 12, 0, tzinfo=UTC)

    japanese = stored["4"]
    assert japanese.language == "ja"
    assert japanese.url == "https://gadgets.example.org/ja/acme"
    assert japanese.raw["external_url"] == "https://blog.example.jp/acme-mixer"
    assert japanese.author == "https://blog.example.jp/"  # an author with only a URL
    assert [(m.brand, m.terms) for m in japanese.matches] == [("Acme", ["acme"])]

    second = crawl(sqlite_url, "gadgets", url, [acme])
    assert second == {"seen": 0, "new": 0, "updated": 0, "error": None, "warning": None}
    assert scripted.requests_for("/feed.json")[-1].headers["If-None-Match"] == (
        '"gadgets-1"'
    )
    assert len(mentions(sqlite_url, "gadgets")) == 3


def test_json_feed_1_0_as_application_json_with_a_bom_then_nothing_new(
    scripted, sqlite_url
):
    body = _body(PODCAST_10, bom=True)
    url = scripted.script("/podcast.json", Reply(body, "application/json"))
    first = crawl(sqlite_url, "talk", url, [ANY])
    assert first == {"seen": 2, "new": 2, "updated": 0, "error": None, "warning": None}
    stored = {m.external_id: m for m in mentions(sqlite_url, "talk")}
    assert sorted(stored) == ["101", "102"]
    assert stored["101"].author == "Mia Wong"  # the feed's author
    assert stored["102"].author == "Guest: Sam Lee"  # the item's own
    assert stored["102"].text == "Listener mail about Acme."
    assert stored["101"].published_at == datetime(2026, 9, 2, 1, 0, tzinfo=UTC)
    assert stored["101"].raw["feed_format"] == "json1"
    assert stored["101"].language == "en"  # no language in 1.0: detected

    # No validators on this site: the feed is fetched again and nothing is new.
    second = crawl(sqlite_url, "talk", url, [ANY])
    assert second == {"seen": 2, "new": 0, "updated": 0, "error": None, "warning": None}


def test_a_json_feed_is_recognised_by_its_content_whatever_its_type(
    scripted, sqlite_url
):
    url = scripted.script(
        "/feed", Reply(_body(PODCAST_10), "text/plain; charset=iso-8859-1")
    )
    result = crawl(sqlite_url, "plain", url, [ANY])
    assert (result["seen"], result["error"]) == (2, None)


def test_broken_items_are_recorded_and_the_good_ones_kept(scripted, sqlite_url):
    feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "Mixed Bag",
        "items": [
            {"id": "good-1", "content_text": "The Acme toaster burns everything."},
            "an item that is a string",
            {"title": "Acme item without an id or url", "content_text": "lost"},
            {"id": "bad-title", "title": ["Acme"], "content_text": "Acme"},
            {
                "id": "good-2",
                "content_text": "The Acme mixer is fine.",
                "date_published": "last Tuesdayish",
            },
        ],
    }
    url = scripted.script("/mixed.json", Reply(_body(feed), FEED_TYPE))
    result = crawl(sqlite_url, "mixed", url)
    assert result["error"] == (
        f"malformed JSON Feed at {url}: items[1]: not an object; items[2]: no id; "
        "items[3]: title is not a string (2 items read)"
    )
    assert result["warning"] == (
        f"JSON Feed at {url}: items[4].date_published: not an RFC 3339 date: "
        "'last Tuesdayish'"
    )
    stored = {m.external_id: m for m in mentions(sqlite_url, "mixed")}
    assert sorted(stored) == ["good-1", "good-2"]
    assert stored["good-2"].published_at is None


def test_a_feed_cut_off_mid_item_keeps_the_items_before_the_break(scripted, sqlite_url):
    text = _body(GADGETS_11)
    cut = text[: text.index(b'"id": "3"') + 12]  # inside the third item
    url = scripted.script("/cut.json", Reply(cut, FEED_TYPE))
    result = crawl(sqlite_url, "cut", url, [ANY])
    assert result["error"].startswith(
        f"malformed JSON Feed at {url}: invalid JSON at line "
    )
    assert result["error"].endswith("(2 items read)")
    stored = sorted(m.external_id for m in mentions(sqlite_url, "cut"))
    assert stored == ["2", "https://gadgets.example.org/2026/11/acme-x2"]


def test_json_that_is_not_a_feed_is_recorded(scripted, sqlite_url):
    api = {"status": "ok", "results": [{"name": "Acme", "mentions": 3}]}
    url = scripted.script("/api.json", Reply(_body(api), "application/json"))
    result = crawl(sqlite_url, "api", url)
    assert result["error"] == (
        f"no feed at {url} (application/json): a JSON object without a "
        "jsonfeed.org version (version: None)"
    )
    assert result["seen"] == 0

    garbage = scripted.script("/garbage.json", Reply(b"{'acme': 1}", FEED_TYPE))
    result = crawl(sqlite_url, "garbage", garbage)
    assert result["error"] == (
        f"no feed at {garbage} ({FEED_TYPE}): invalid JSON at line 1 column 2: "
        "Expecting property name enclosed in double quotes"
    )
