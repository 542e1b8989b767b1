"""Storage: migrations, upserts, edits, scores and cursors on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import inspect, select

from storage import Alert, DatabaseUnavailableError, Mention, open_database, redact_url
from storage.queries import (
    Match,
    alert_candidates,
    get_cursor,
    save_score,
    set_cursor,
    unscored_mentions,
    upsert_mention,
    upsert_mentions,
)

ACME = [Match(brand="Acme", competitor=False, terms=("Acme",))]
INITECH = Match(brand="Initech", competitor=True, terms=("Initech",))


def fields(**overrides):
    base = {
        "source": "news",
        "source_type": "feed",
        "external_id": "item-1",
        "url": "https://example.com/1",
        "title": "Acme is late again",
        "text": "My Acme order is two weeks late.",
        "author": "someone",
        "published_at": datetime(2026, 11, 1, 9, 30, tzinfo=UTC),
    }
    return base | overrides


def test_migrations_create_every_table(database_url, open_db):
    sessions = open_db(database_url)
    tables = set(inspect(sessions.kw["bind"]).get_table_names())
    assert {
        "mentions",
        "brand_matches",
        "sentiment_results",
        "alerts",
        "crawl_runs",
        "source_cursors",
        "alembic_version",
    } <= tables
    open_db(database_url)  # a second upgrade is a no-op


def test_upsert_stores_once_and_updates_on_edit(database_url, open_db):
    sessions = open_db(database_url)
    with sessions() as s, s.begin():
        first = upsert_mention(s, fields(), ACME)
    with sessions() as s, s.begin():
        again = upsert_mention(s, fields(), ACME)
    with sessions() as s, s.begin():
        edited = upsert_mention(s, fields(text="Order arrived, all good."), ACME)
    assert (first.status, again.status, edited.status) == (
        "new",
        "unchanged",
        "updated",
    )
    assert first.mention_id == again.mention_id == edited.mention_id
    with sessions() as s:
        mention = s.scalars(select(Mention)).one()
        assert mention.text == "Order arrived, all good."
        assert [m.brand for m in mention.matches] == ["Acme"]
        assert mention.published_at == datetime(2026, 11, 1, 9, 30, tzinfo=UTC)
        assert mention.published_at.tzinfo is not None


def test_a_reply_given_later_updates_the_mention_not_its_score(database_url, open_db):
    sessions = open_db(database_url)
    answered = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)
    reply = {"reply_text": "修正版を配信しました。", "replied_at": answered}
    with sessions() as s, s.begin():
        first = upsert_mention(s, fields(source_type="googleplay"), ACME)
        digest = s.get_one(Mention, first.mention_id).content_hash
    with sessions() as s, s.begin():
        replied = upsert_mentions(s, [(fields(**reply), ACME)])[0]
    with sessions() as s, s.begin():
        again = upsert_mention(s, fields(**reply), ACME)
    assert (first.status, replied.status, again.status) == (
        "new",
        "updated",
        "unchanged",
    )
    with sessions() as s:
        mention = s.get_one(Mention, first.mention_id)
        assert mention.reply_text == "修正版を配信しました。"
        assert mention.replied_at == answered
        assert mention.content_hash == digest  # the review itself did not change


def stored(sessions):
    """(external_id, text, author, brands) of every mention, in id order."""
    with sessions() as s:
        return [
            (m.external_id, m.text, m.author, sorted(b.brand for b in m.matches))
            for m in s.scalars(select(Mention).order_by(Mention.id))
        ]


def test_a_batch_is_stored_as_one_mention_after_another(database_url, open_db):
    sessions = open_db(database_url)
    with sessions() as s, s.begin():
        first = upsert_mentions(
            s,
            [
                (fields(external_id="a"), ACME),
                (fields(external_id="b", author=None), ACME),  # other columns
                (fields(external_id="c"), [*ACME, INITECH]),
            ],
        )
    with sessions() as s, s.begin():
        second = upsert_mentions(
            s,
            [
                (fields(external_id="c", text="Initech too."), [*ACME, INITECH]),
                (fields(external_id="a"), ACME),
                (fields(external_id="d"), ACME),
            ],
        )
    assert [r.status for r in first] == ["new", "new", "new"]
    assert [r.status for r in second] == ["updated", "unchanged", "new"]
    a, b, c = (r.mention_id for r in first)
    assert a < b < c < second[2].mention_id  # ids in batch order
    assert [second[0].mention_id, second[1].mention_id] == [c, a]
    assert stored(sessions) == [
        ("a", "My Acme order is two weeks late.", "someone", ["Acme"]),
        ("b", "My Acme order is two weeks late.", None, ["Acme"]),
        ("c", "Initech too.", "someone", ["Acme", "Initech"]),
        ("d", "My Acme order is two weeks late.", "someone", ["Acme"]),
    ]


def test_copies_of_a_mention_in_one_batch(database_url, open_db):
    sessions = open_db(database_url)
    with sessions() as s, s.begin():
        results = upsert_mentions(
            s,
            [
                (fields(external_id="a"), ACME),
                (fields(external_id="b"), ACME),
                (fields(external_id="a"), ACME),  # the same again
                (fields(external_id="a", text="Edited: Initech"), [*ACME, INITECH]),
                (fields(external_id="a", text="Edited: Initech"), [*ACME, INITECH]),
            ],
        )
    assert [r.status for r in results] == [
        "new",
        "new",
        "unchanged",
        "updated",
        "unchanged",
    ]
    assert len({results[i].mention_id for i in (0, 2, 3, 4)}) == 1
    assert results[0].mention_id < results[1].mention_id
    assert stored(sessions) == [
        ("a", "Edited: Initech", "someone", ["Acme", "Initech"]),
        ("b", "My Acme order is two weeks late.", "someone", ["Acme"]),
    ]


def test_a_batch_with_an_unknown_field_stores_nothing(sqlite_url, open_db):
    sessions = open_db(sqlite_url)
    with (
        sessions() as s,
        pytest.raises(ValueError, match="unknown mention fields: upvotes"),
    ):
        upsert_mentions(
            s, [(fields(), ACME), (fields(external_id="2", upvotes=3), ACME)]
        )
    assert stored(sessions) == []


def test_timestamps_come_back_in_utc(sqlite_url, open_db):
    sessions = open_db(sqlite_url)
    tokyo = timezone(timedelta(hours=9))
    with sessions() as s, s.begin():
        upsert_mention(
            s, fields(published_at=datetime(2026, 11, 1, 18, 30, tzinfo=tokyo)), ACME
        )
    with sessions() as s:
        published = s.scalars(select(Mention.published_at)).one()
    assert published == datetime(2026, 11, 1, 9, 30, tzinfo=UTC)
    assert published.utcoffset() == timedelta(0)


def test_naive_datetimes_are_refused(sqlite_url, open_db):
    sessions = open_db(sqlite_url)
    with sessions() as s, pytest.raises(Exception, match="naive datetime"):
        upsert_mention(s, fields(published_at=datetime(2026, 11, 1)), ACME)  # noqa: DTZ001


def test_unknown_fields_are_an_error(sqlite_url, open_db):
    sessions = open_db(sqlite_url)
    with (
        sessions() as s,
        pytest.raises(ValueError, match="unknown mention fields: upvotes"),
    ):
        upsert_mention(s, fields(upvotes=3), ACME)


def test_an_edit_is_scored_again(database_url, open_db):
    sessions = open_db(database_url)
    with sessions() as s, s.begin():
        upsert_mention(s, fields(), ACME)
    with sessions() as s, s.begin():
        (mention,) = unscored_mentions(s, "m")
        save_score(
            s,
            mention,
            model_id="m",
            model_revision="r1",
            label="negative",
            probabilities={"negative": 0.9, "neutral": 0.08, "positive": 0.02},
        )
    with sessions() as s:
        assert unscored_mentions(s, "m") == []
        assert len(unscored_mentions(s, "other-model")) == 1
        (pair,) = alert_candidates(
            s, model_id="m", brands=["Acme"], min_negative=0.8, channel="#a"
        )
        assert pair[1].negative == 0.9
        assert (
            alert_candidates(
                s, model_id="m", brands=["Acme"], min_negative=0.95, channel="#a"
            )
            == []
        )
        assert (
            alert_candidates(
                s, model_id="m", brands=["Globex"], min_negative=0.5, channel="#a"
            )
            == []
        )
    with sessions() as s, s.begin():
        upsert_mention(s, fields(text="Edited: they refunded me."), ACME)
    with sessions() as s:
        assert len(unscored_mentions(s, "m")) == 1


def test_alerted_mentions_are_not_candidates_again(sqlite_url, open_db):
    sessions = open_db(sqlite_url)
    with sessions() as s, s.begin():
        result = upsert_mention(s, fields(), ACME)
        mention = s.get(Mention, result.mention_id)
        save_score(
            s,
            mention,
            model_id="m",
            model_revision="r",
            label="negative",
            probabilities={"negative": 0.99, "neutral": 0.01, "positive": 0.0},
        )
        s.add(Alert(mention_id=result.mention_id, rule="r", channel="#a"))
    with sessions() as s:
        assert (
            alert_candidates(
                s, model_id="m", brands=["Acme"], min_negative=0.5, channel="#a"
            )
            == []
        )
        assert (
            len(
                alert_candidates(
                    s, model_id="m", brands=["Acme"], min_negative=0.5, channel="#b"
                )
            )
            == 1
        )


def test_cursor_round_trip(database_url, open_db):
    sessions = open_db(database_url)
    with sessions() as s, s.begin():
        assert get_cursor(s, "news") == {}
        set_cursor(s, "news", {"etag": '"abc"'})
    with sessions() as s, s.begin():
        set_cursor(s, "news", {"etag": '"def"', "last_modified": "Mon"})
    with sessions() as s:
        assert get_cursor(s, "news") == {"etag": '"def"', "last_modified": "Mon"}


def test_unreachable_database_names_the_url_without_password():
    url = "postgresql+psycopg://earful:hunter2@127.0.0.1:1/nowhere"
    with pytest.raises(DatabaseUnavailableError) as info:
        open_database(url)
    assert "hunter2" not in str(info.value)
    assert "127.0.0.1:1/nowhere" in str(info.value)


def test_redact_url_hides_the_password():
    assert (
        redact_url("postgresql+psycopg://u:secret@h/db")
        == "postgresql+psycopg://u:***@h/db"
    )
