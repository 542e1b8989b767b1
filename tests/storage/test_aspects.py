"""Aspects in storage: replaced per model on rescore, counted per brand and polarity."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select, text

from storage.aspects import AspectCount, AspectScore, aspect_counts, save_aspects
from storage.models import MentionAspect
from tests.storage.analyst_seed import MODEL, seed
from tests.storage.aspect_seed import seed_aspects


def test_counts_per_brand_and_aspect(database_url, open_db):
    sessions = open_db(database_url)
    ids = seed(sessions)
    seed_aspects(sessions, ids)
    with sessions() as s:
        rows = aspect_counts(s, MODEL)
    assert rows == [
        AspectCount("Acme", "quality", 2, 0, 1),
        AspectCount("Acme", "delivery", 1, 0, 0),
        AspectCount("Globex", "delivery", 0, 0, 2),
        AspectCount("Globex", "price", 1, 0, 0),
        AspectCount("Globex", "support", 1, 0, 0),
    ]
    assert rows[0].negative_share == 2 / 3


def test_counts_of_one_brand_in_a_period_and_another_model(database_url, open_db):
    sessions = open_db(database_url)
    ids = seed(sessions)
    seed_aspects(sessions, ids)
    with sessions() as s:
        since = datetime(2026, 11, 5, tzinfo=UTC)
        assert aspect_counts(s, MODEL, ["Acme"], since=since) == [
            AspectCount("Acme", "delivery", 1, 0, 0),
            AspectCount("Acme", "quality", 1, 0, 0),
        ]
        assert aspect_counts(s, "another-model") == []


def test_save_replaces_the_models_rows_and_keeps_other_models(database_url, open_db):
    sessions = open_db(database_url)
    ids = seed(sessions)
    seed_aspects(sessions, ids)
    mention = ids["delivery_ja"]
    with sessions() as s, s.begin():
        save_aspects(
            s, mention, "other", [AspectScore("price", "negative", 0.7, "mention")]
        )
        save_aspects(
            s,
            mention,
            MODEL,
            [AspectScore("support", "positive", 0.1, "clause", ("対応",))],
        )
    with sessions() as s:
        stmt = select(MentionAspect.model_id, MentionAspect.aspect, MentionAspect.terms)
        rows = s.execute(stmt.where(MentionAspect.mention_id == mention)).all()
        assert sorted(map(tuple, rows)) == [
            (MODEL, "support", ["対応"]),
            ("other", "price", []),
        ]


def test_aspect_view_names_brand_source_and_polarity(database_url, open_db):
    sessions = open_db(database_url)
    ids = seed(sessions)
    seed_aspects(sessions, ids)
    sql = text(
        "SELECT brand, source, aspect, polarity, basis FROM aspect_view "
        "WHERE mention_id = :id ORDER BY aspect"
    )
    with sessions() as s:
        rows = [tuple(r) for r in s.execute(sql, {"id": ids["delivery_ja"]})]
    assert rows == [
        ("Acme", "forum", "delivery", "negative", "clause"),
        ("Acme", "forum", "quality", "negative", "clause"),
    ]
