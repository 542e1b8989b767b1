"""Mention search: every filter, the sorts, and trigram text search on both databases."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

import pytest
from sqlalchemy import insert, text

from storage import Mention, make_engine, make_sessionmaker, upgrade
from storage.search import MentionQuery, find_mentions, negative_inbox, set_handled
from tests.storage.analyst_seed import MODEL, seed


@pytest.fixture
def db(database_url, open_db):
    sessions = open_db(database_url)
    return sessions, seed(sessions)


def names(db, **query):
    sessions, ids = db
    by_id = {v: k for k, v in ids.items()}
    with sessions() as s:
        rows = find_mentions(s, MentionQuery(model_id=MODEL, **query))
    return [by_id[r.id] for r in rows]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, ["compare", "hostile", "globex", "delivery_ja", "anvil", "skates"]),
        ({"brands": ("Globex",)}, ["compare", "globex"]),
        ({"sources": ("news",)}, ["globex", "skates"]),
        ({"source_types": ("review",)}, ["compare", "anvil"]),
        ({"sentiment": "negative"}, ["hostile", "delivery_ja", "skates"]),
        ({"sentiment": "negative", "min_probability": 0.9}, ["hostile", "skates"]),
        (
            {"sentiment": "negative", "sort": "negativity"},
            ["hostile", "skates", "delivery_ja"],
        ),
        (
            {"brands": ("Acme",), "sentiment": "negative", "min_probability": 0.9},
            ["hostile", "skates"],
        ),
        ({"brands": ("Globex",), "sentiment": "neutral"}, ["globex"]),
        ({"languages": ("ja",)}, ["delivery_ja"]),
        ({"min_reach": 300}, ["hostile", "delivery_ja", "skates"]),
        ({"alerted": True}, ["skates"]),
        ({"handled": True}, ["delivery_ja"]),
        ({"handled": False, "sentiment": "negative"}, ["hostile", "skates"]),
        (
            {
                "since": datetime(2026, 11, 9, tzinfo=UTC),
                "until": datetime(2026, 11, 11, tzinfo=UTC),
            },
            ["globex", "delivery_ja"],
        ),
        (
            {"sort": "reach"},
            ["delivery_ja", "skates", "hostile", "anvil", "compare", "globex"],
        ),
        ({"sort": "negativity", "limit": 2}, ["hostile", "skates"]),
        ({"limit": 2, "offset": 1}, ["hostile", "globex"]),
    ],
)
def test_filters_and_sorts(db, query, expected):
    assert names(db, **query) == expected


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("rocket SKATES", ["skates"]),  # case-insensitive, every word
        ("skates anvil", []),
        ("品質", ["delivery_ja"]),  # two characters: below the trigram size
        ("配送が遅", ["delivery_ja"]),
        ("<script>", ["hostile"]),
        ('「"quoted」', []),  # FTS syntax in user text is only text
        ("50%", ["compare"]),  # LIKE wildcards are literal
        ("off_sale", ["compare"]),
        ("a_b", []),
        ("Globex", ["compare", "globex"]),
    ],
)
def test_full_text_search(db, search, expected):
    assert names(db, text=search) == expected


def test_search_follows_edits_and_deletes(db):
    sessions, ids = db
    with sessions() as s, s.begin():
        mention = s.get(Mention, ids["anvil"])
        mention.text = "The Acme anvil crushed my 足 — terrible."
    assert names(db, text="crushed") == ["anvil"]
    assert names(db, text="sturdy") == []
    with sessions() as s, s.begin():
        s.delete(s.get(Mention, ids["anvil"]))
    assert names(db, text="crushed") == []


def test_inbox_and_handled_toggle(db):
    sessions, ids = db
    with sessions() as s:
        inbox = negative_inbox(s, MODEL)
    assert [r.id for r in inbox] == [ids["skates"], ids["hostile"]]
    assert inbox[0].alerted
    assert inbox[0].brands == ("Acme",)
    with sessions() as s, s.begin():
        assert set_handled(s, ids["skates"], handled=True, by="dashboard")
        assert not set_handled(s, 10_000, handled=True, by="dashboard")
    with sessions() as s:
        assert [r.id for r in negative_inbox(s, MODEL)] == [ids["hostile"]]
        assert s.get(Mention, ids["skates"]).handled_by == "dashboard"
    with sessions() as s, s.begin():
        set_handled(s, ids["skates"], handled=False, by="dashboard")
    with sessions() as s:
        assert s.get(Mention, ids["skates"]).handled_at is None


def test_mention_view_is_flat(db):
    sessions, ids = db
    with sessions() as s:
        rows = s.execute(
            text(
                "SELECT brand, sentiment, alert_state, handled FROM mention_view "
                "WHERE mention_id = :id ORDER BY brand"
            ),
            {"id": ids["skates"]},
        ).all()
        health = s.execute(
            text("SELECT source, status, error FROM source_health_view ORDER BY source")
        ).all()
    assert [tuple(r) for r in rows] == [("Acme", "negative", "sent", False)]
    assert [tuple(r) for r in health] == [
        ("forum", "failed", "https://forum.example/: HTTP 503"),
        ("news", "ok", None),
        ("reviews", "ok", None),  # its first and only crawl
    ]


WIDTHS = {
    "fullwidth": "ＡＣＭＥの配送が遅い",
    "halfwidth": "ｱｸﾒの新製品はｲｲ",
    "ligature": "㈱アクメ ＡＣＭＥ ｻﾎﾟｰﾄ",
}


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("ACME", ["ligature", "fullwidth"]),  # and the seed's Latin Acme mentions
        ("ａｃｍｅの配送", ["fullwidth"]),
        ("アクメ", ["ligature", "halfwidth"]),
        ("ｱｸﾒ", ["ligature", "halfwidth"]),
        ("ｲｲ", ["halfwidth"]),  # short terms scan the folded text
        ("イイ", ["halfwidth"]),
        ("サポ", ["ligature"]),
        ("(株)", ["ligature"]),
    ],
)
def test_search_folds_width_and_case(db, search, expected):
    """Search folds text as brand matching does: NFKC, then case (issue 13.9)."""
    sessions, ids = db
    with sessions() as s, s.begin():
        for name, body in WIDTHS.items():
            mention = Mention(
                source="forum",
                source_type="forum",
                external_id=name,
                text=body,
                published_at=datetime(2026, 11, 20, tzinfo=UTC),
                content_hash=name,
            )
            s.add(mention)
            s.flush()
            ids[name] = mention.id
    found = names(db, text=search, sort="reach")
    assert [n for n in found if n in WIDTHS] == expected
    if search == "ACME":
        assert {"skates", "anvil", "compare"} <= set(found)


def test_the_migration_folds_mentions_already_stored(database_url):
    engine = make_engine(database_url)
    try:
        upgrade(engine, "0003")
        with engine.begin() as conn:  # mentions as 0003 indexed them, unfolded
            conn.execute(
                insert(Mention.__table__).values(
                    id=1, source="forum", source_type="forum", external_id="a",
                    title="ＡＣＭＥ", text="ｱｸﾒの配送", content_hash="h",
                )
            )  # fmt: skip
        upgrade(engine)
        with make_sessionmaker(engine)() as s:
            for term in ("acme", "アクメ", "ｱｸﾒの配送", "配送"):
                found = find_mentions(s, MentionQuery(model_id=MODEL, text=term))
                assert [r.id for r in found] == [1], term
    finally:
        engine.dispose()


def test_a_writer_without_earful_fold_fails_loudly(sqlite_url, open_db):
    """Outside Earful, an insert that cannot fold fails instead of hiding the row."""
    open_db(sqlite_url)
    conn = sqlite3.connect(sqlite_url.removeprefix("sqlite:///"))
    try:
        with pytest.raises(sqlite3.OperationalError, match="earful_fold"):
            conn.execute(
                "INSERT INTO mentions (source, source_type, external_id, text, "
                "collected_at, updated_at, content_hash) "
                "VALUES ('f', 'forum', 'x', 'ＡＣＭＥ', '2026-11-01', '2026-11-01', 'h')"
            )
    finally:
        conn.close()
