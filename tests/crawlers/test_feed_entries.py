"""Feed entries as feeds really write them: no ids, no authors, footers, broken XML."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from crawlers.match import BrandRule
from storage import open_database
from storage.queries import get_cursor
from tests.crawlers.conftest import crawl, mentions
from tests.servers.scripted import Reply

RSS = (
    '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
    "<title>Acme Reviews</title><link>https://reviews.example/</link>{items}"
    "</channel></rss>"
)


def _rss(items: str) -> Reply:
    return Reply(RSS.format(items=items).encode(), "application/rss+xml")


TWO_REVIEWS = """
<item><title>Terrible support</title><author>ana@example.com (Ana)</author>
<pubDate>Mon, 02 Nov 2026 09:00:00 GMT</pubDate>
<description>Acme never answered my mail.</description></item>
<item><title>Terrible support</title><author>bo@example.com (Bo)</author>
<pubDate>Tue, 03 Nov 2026 10:00:00 GMT</pubDate>
<description>Acme never answered my mail.</description></item>
"""


def test_entries_without_guid_or_link_differ_by_author_and_date(scripted, sqlite_url):
    url = scripted.script("/reviews.xml", _rss(TWO_REVIEWS))
    result = crawl(sqlite_url, "reviews", url)
    assert result == {"seen": 2, "new": 2, "updated": 0, "error": None, "warning": None}
    stored = mentions(sqlite_url, "reviews")
    assert sorted((m.author, m.text) for m in stored) == [
        ("Ana", "Acme never answered my mail."),
        ("Bo", "Acme never answered my mail."),
    ]
    assert all(m.external_id.startswith("sha256:") for m in stored)

    again = crawl(sqlite_url, "reviews", url)
    assert again == {"seen": 2, "new": 0, "updated": 0, "error": None, "warning": None}


FOOTERS = """
<item><title>Acme blender review</title><guid isPermaLink='false'>review-1</guid>
<link>https://blog.example/acme-blender?123#c4788123</link>
<description><![CDATA[<p>The Acme blender leaked on day two.</p>
<p><a class="more-link" href="https://blog.example/acme-blender">Continue reading
<span class="screen-reader-text">Acme blender review</span> &#8594;</a></p>
<p>The post <a href="https://blog.example/acme-blender">Acme blender review</a>
appeared first on <a href="https://blog.example">Gadget Blog</a>.</p>]]></description>
</item>
<item><title>アクメの炊飯器</title><guid isPermaLink='false'>review-2</guid>
<link>https://blog.example/#!/posts/42</link>
<description><![CDATA[<p>アクメの炊飯器は最悪です。<a href="https://blog.example/42">続きを読む</a></p>]]>
</description></item>
<item><title>Acme toaster</title><guid isPermaLink='false'>review-3</guid>
<link>https://blog.example/a?a=1;b=2&amp;utm_source=rss</link>
<description>Acme toasters burn everything [&#8230;]</description></item>
"""


def test_rss_texts_lose_trailing_boilerplate_and_links_keep_their_target(
    scripted, sqlite_url
):
    url = scripted.script("/footers.xml", _rss(FOOTERS))
    result = crawl(sqlite_url, "footers", url)
    assert result == {"seen": 3, "new": 3, "updated": 0, "error": None, "warning": None}
    stored = {m.external_id: m for m in mentions(sqlite_url, "footers")}
    assert {key: (m.text, m.url) for key, m in stored.items()} == {
        "review-1": (
            "The Acme blender leaked on day two.",
            "https://blog.example/acme-blender?123#c4788123",
        ),
        "review-2": ("アクメの炊飯器は最悪です。", "https://blog.example/#!/posts/42"),
        "review-3": ("Acme toasters burn everything", "https://blog.example/a?a=1;b=2"),
    }


EMPTY = """
<item><guid isPermaLink='false'>empty-1</guid></item>
<item><guid isPermaLink='false'>empty-2</guid><link>https://blog.example/only-a-link</link>
<description>  </description></item>
<item><guid isPermaLink='false'>full</guid><description>A kettle.</description></item>
"""


def test_entries_with_neither_title_nor_text_are_skipped(scripted, sqlite_url):
    url = scripted.script("/empty.xml", _rss(EMPTY))
    # A rule that matches empty text: `config check` refuses it, but the crawl
    # must not store empty entries even under it.
    everything = BrandRule("Anything", (), query="NOT spam")
    result = crawl(sqlite_url, "empty", url, [everything])
    assert result == {
        "seen": 1,
        "new": 1,
        "updated": 0,
        "error": None,
        "warning": f"{url}: 2 entries skipped: no title and no text",
    }
    assert [m.external_id for m in mentions(sqlite_url, "empty")] == ["full"]


ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
<title>Acme Watch</title><id>urn:acme-watch</id><updated>2026-11-03T10:00:00Z</updated>
<author><name>Feed Author</name></author>
<entry><title>Acme mixer</title><id>urn:1</id><updated>2026-11-03T10:00:00Z</updated>
<summary>The Acme mixer is loud.</summary></entry>
<entry><title>Acme kettle</title><id>urn:2</id><updated>2026-11-02T10:00:00Z</updated>
<author><name>Own Author</name></author><summary>The Acme kettle is fine.</summary>
</entry>
<entry><title>Acme oven</title><id>urn:3</id><updated>2026-11-01T10:00:00Z</updated>
<source><id>urn:other</id><title>Other</title><author><name>Source Author</name></author>
</source><summary>The Acme oven is hot.</summary></entry>
</feed>
"""


def test_atom_entries_without_an_author_inherit_the_feed_author(scripted, sqlite_url):
    url = scripted.script("/atom.xml", Reply(ATOM.encode(), "application/atom+xml"))
    result = crawl(sqlite_url, "atom", url)
    assert result["seen"] == 3
    stored = {m.external_id: m.author for m in mentions(sqlite_url, "atom")}
    assert stored == {
        "urn:1": "Feed Author",
        "urn:2": "Own Author",
        "urn:3": "Source Author",
    }


def test_rss_entries_do_not_take_the_channel_editor_as_author(scripted, sqlite_url):
    items = "<item><guid isPermaLink='false'>r1</guid><description>Acme is fine.</description></item>"
    editor = "<managingEditor>ed@example.com (Editor)</managingEditor>" + items
    url = scripted.script("/editor.xml", _rss(editor))
    crawl(sqlite_url, "editor", url)
    assert [m.author for m in mentions(sqlite_url, "editor")] == [None]


RECOVERABLE = {
    "undefined-entity": (
        "<item><guid isPermaLink='false'>r1</guid><title>Caf&eacute; Acme&nbsp;review</title>"
        "<description>The Acme mixer is loud.</description></item>"
        "<item><guid isPermaLink='false'>r2</guid><description>Acme kettle: fine.</description></item>"
    ),
    "bare-ampersand": (
        "<item><guid isPermaLink='false'>r1</guid><title>Acme & Co review</title>"
        "<description>The Acme mixer is loud.</description></item>"
        "<item><guid isPermaLink='false'>r2</guid><description>Acme kettle: fine.</description></item>"
    ),
}


@pytest.mark.parametrize("kind", [*sorted(RECOVERABLE), "truncated-closing-tag"])
def test_a_recoverable_feed_is_a_success_with_a_warning(kind, scripted, sqlite_url):
    if kind == "truncated-closing-tag":
        body = RSS.format(items=RECOVERABLE["bare-ampersand"].replace("&", "and"))
        body = body.removesuffix("</channel></rss>") + "</channel></rs"
    else:
        body = RSS.format(items=RECOVERABLE[kind])
    reply = Reply(
        body.encode(),
        "application/rss+xml",
        headers={"Last-Modified": "Mon, 02 Nov 2026 10:00:00 GMT"},
        etag='"v1"',
    )
    url = scripted.script("/recoverable.xml", reply)
    result = crawl(sqlite_url, "recoverable", url)
    assert (result["seen"], result["error"]) == (2, None)
    assert result["warning"].startswith(f"malformed feed at {url}: ")
    assert result["warning"].endswith("(recovered: all 2 entries read)")
    stored = mentions(sqlite_url, "recoverable")
    assert [m.text for m in stored] == ["The Acme mixer is loud.", "Acme kettle: fine."]
    assert stored[0].published_at is None or stored[0].published_at < datetime.now(UTC)
    sessions = open_database(sqlite_url)
    with sessions() as session:
        cursor = get_cursor(session, "recoverable")
    sessions.kw["bind"].dispose()
    assert cursor == {
        "url": url,
        "etag": '"v1"',
        "last_modified": "Mon, 02 Nov 2026 10:00:00 GMT",
    }
