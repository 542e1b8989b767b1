"""Control characters never reach the database: a NUL in a feed item loses nothing."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session, sessionmaker

from storage.hygiene import storable, storable_fields
from storage.models import Mention
from storage.queries import Match, upsert_mention


def test_storable_keeps_tabs_newlines_and_japanese() -> None:
    assert storable("炎上\x00中\tです\r\n次\r行\x07\x1b[31m\x85\ud800") == (
        "炎上中\tです\n次行\ufffd"
    )


def test_a_nul_in_an_item_is_stored_without_it(
    database_url: str, open_db: Callable[[str], sessionmaker[Session]]
) -> None:
    sessions = open_db(database_url)
    fields = {
        "source": "json-feed",
        "source_type": "feed",
        "external_id": "item-\x001",
        "url": "https://example.jp/a\x00",
        "title": "アクメ\x00の返金",
        "text": "二週間\x00待っても\x0b返事なし。\n続く",
        "author": "客\x00",
    }
    match = Match(brand="Acme", competitor=False, terms=("アクメ",))
    with sessions.begin() as session:
        result = upsert_mention(session, fields, [match])
    with sessions.begin() as session:
        again = upsert_mention(session, fields, [match])  # the next run: unchanged
    with sessions() as session:
        mention = session.get_one(Mention, result.mention_id)
        stored = (mention.external_id, mention.url, mention.title, mention.text)
    assert stored == (
        "item-1",
        "https://example.jp/a",
        "アクメの返金",
        "二週間待っても返事なし。\n続く",
    )
    assert (result.status, again.status) == ("new", "unchanged")


def test_only_web_urls_are_stored_as_links() -> None:
    for url in ("javascript:alert(1)", " JaVaScRiPt:alert(1)", "data:text/html,x"):
        assert storable_fields({"url": url})["url"] is None
    assert storable_fields({"url": "HTTPS://example.jp/a"})["url"] == (
        "HTTPS://example.jp/a"
    )
