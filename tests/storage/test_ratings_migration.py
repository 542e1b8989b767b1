"""Migration 0014 turns the stored 0-1 ratings back into stars as the sites gave them."""

from __future__ import annotations

import json

from sqlalchemy import text

from storage import make_engine, upgrade

MENTION = (
    "INSERT INTO mentions (id, source, source_type, external_id, text, collected_at,"
    " updated_at, content_hash, rating, raw) VALUES (:id, 's', 'reviews', :ext,"
    " 'アクメ', :t, :t, 'h', :rating, :raw)"
)
SCORE = (
    "INSERT INTO sentiment_results (mention_id, model_id, model_revision, content_hash,"
    " label, negative, neutral, positive, scored_at)"
    " VALUES (1, 'm', 'r', 'h', 'positive', 0.1, 0.2, 0.7, :t)"
)
ROWS = [  # (normalised as stored before, raw): (rating, best) after
    (0.0, {"stars": 1}, (1, 5)),  # App Store / Google Play: the stars were kept
    (0.75, {"stars": 4}, (4, 5)),
    (0.875, {"rating_value": 4.5}, (4.5, 5)),  # schema.org on 1 to 5
    ((87 - 1) / (100 - 1), {"rating_value": 87}, (87, 100)),  # 87 of 100
    (5 / 6, {"recipe": "cosme", "rating_value": 6}, (6, 7)),  # @cosme's 1 to 7
    (0.4, {"rating_value": 4}, (4, 10)),  # worstRating 0: 4 of 10
    (1.0, {"rating_value": 9}, (9, 9)),  # the best of a scale it did not say
    (0.25, None, (2, 5)),  # no value kept: assumed 5 stars
    (0.5, {"rating_value": "x"}, (3, 5)),
]


def test_stored_ratings_become_stars_as_given(database_url: str) -> None:
    engine = make_engine(database_url)
    upgrade(engine, "0013")
    t = "2026-11-20 09:00:00"
    with engine.begin() as conn:
        for i, (rating, raw, _) in enumerate(ROWS, start=1):
            params = {"id": i, "ext": str(i), "t": t, "rating": rating,
                      "raw": None if raw is None else json.dumps(raw)}  # fmt: skip
            conn.execute(text(MENTION), params)
        conn.execute(text(MENTION), {"id": 99, "ext": "99", "t": t, "rating": None,
                                     "raw": None})  # fmt: skip
        conn.execute(text(SCORE), {"t": t})
    upgrade(engine)
    with engine.connect() as conn:
        got = conn.execute(
            text("SELECT rating, rating_best FROM mentions ORDER BY id")
        ).all()
        source = conn.execute(
            text("SELECT label_source FROM sentiment_results")
        ).scalar_one()
        view = conn.execute(
            text("SELECT rating, rating_best, sentiment_source FROM mention_view")
        ).all()
    engine.dispose()
    assert [tuple(row) for row in got] == [
        *(after for _, _, after in ROWS),
        (None, None),
    ]
    assert source == "text"  # scores made before: the text decided them
    assert view == []  # no brand matches here; the view builds, with its new columns
