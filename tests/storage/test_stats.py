"""Volume, net sentiment and share of voice, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from storage.stats import (
    Volume,
    Window,
    share_of_voice,
    top_negative,
    volume_by,
    volume_over_time,
)
from tests.storage.analyst_seed import MODEL, seed


@pytest.fixture
def db(database_url, open_db):
    sessions = open_db(database_url)
    return sessions, seed(sessions)


def test_volume_by_day_and_week(db):
    sessions, _ = db
    with sessions() as s:
        days = volume_over_time(s, Window(MODEL, "Acme"), "day")
        weeks = volume_over_time(s, Window(MODEL), "week")
    assert days == [
        Volume("2026-11-02", 2, 1, 0, 1),
        Volume("2026-11-09", 1, 1, 0, 0),
        Volume("2026-11-11", 1, 1, 0, 0),
        Volume("2026-11-16", 1, 0, 0, 0),
    ]
    assert weeks == [
        Volume("2026-11-02", 2, 1, 0, 1),
        Volume("2026-11-09", 3, 2, 1, 0),
        Volume("2026-11-16", 1, 0, 0, 0),
    ]
    assert weeks[1].net == pytest.approx(-2 / 3)
    assert Volume("x", 0, 0, 0, 0).net == 0.0


def test_volume_by_source_and_language_in_a_window(db):
    sessions, _ = db
    window = Window(
        MODEL,
        since=datetime(2026, 11, 9, tzinfo=UTC),
        until=datetime(2026, 11, 12, tzinfo=UTC),
    )
    with sessions() as s:
        sources = volume_by(s, window, "source")
        languages = volume_by(s, window, "language")
    assert sources == [Volume("forum", 2, 2, 0, 0), Volume("news", 1, 0, 1, 0)]
    assert languages == [Volume("en", 2, 1, 1, 0), Volume("ja", 1, 1, 0, 0)]


def test_share_of_voice(db):
    sessions, _ = db
    with sessions() as s:
        shares = share_of_voice(s)
        november_tenth = share_of_voice(
            s, datetime(2026, 11, 10, tzinfo=UTC), datetime(2026, 11, 11, tzinfo=UTC)
        )
    assert [(x.brand, x.competitor, x.mentions) for x in shares] == [
        ("Acme", False, 5),
        ("Globex", True, 2),
    ]
    assert shares[0].share == pytest.approx(5 / 7)
    assert [(x.brand, x.share) for x in november_tenth] == [("Globex", 1.0)]


def test_top_negative_by_reach(db):
    sessions, ids = db
    with sessions() as s:
        top = top_negative(s, Window(MODEL, "Acme"), limit=2)
    assert [r.id for r in top] == [ids["delivery_ja"], ids["skates"]]
