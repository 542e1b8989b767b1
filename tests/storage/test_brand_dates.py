"""brand_matches.published_at: the triggers keep it equal to the mention's, everywhere."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import delete, insert, select, text, update

from storage import BrandMatch, Mention, make_engine, make_sessionmaker, upgrade
from storage.queries import Match, save_score, upsert_mention
from storage.stats import Volume, Window, share_of_voice, volume_over_time

NOV_1 = datetime(2026, 11, 1, 9, 30, tzinfo=UTC)
NOV_5 = datetime(2026, 11, 5, 18, 0, tzinfo=UTC)
DEC_1 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
ACME = Match("Acme", competitor=False, terms=("Acme",))
GLOBEX = Match("Globex", competitor=True, terms=("Globex",))
NOVEMBER = (datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC))


def store(s, external_id, published_at, *matches, text_="Acme again"):
    fields = {
        "source": "news",
        "source_type": "feed",
        "external_id": external_id,
        "text": text_,
        "published_at": published_at,
    }
    return upsert_mention(s, fields, matches).mention_id


def dates(sessions):
    with sessions() as s:
        stmt = select(BrandMatch.mention_id, BrandMatch.brand, BrandMatch.published_at)
        return sorted(tuple(row) for row in s.execute(stmt))


def test_every_writer_gives_a_match_its_mention_date(database_url, open_db):
    sessions = open_db(database_url)
    with sessions() as s, s.begin():
        first = store(s, "a", NOV_1, ACME, GLOBEX)
        undated = store(s, "b", None, ACME)
    with sessions() as s, s.begin():  # an edit that names a new brand
        store(s, "a", NOV_1, ACME, Match("Initech", False, ()), text_="edited")
    with sessions() as s, s.begin():  # hand-written SQL, as a bulk load would do
        s.execute(
            text(
                "INSERT INTO brand_matches (mention_id, brand, competitor, terms)"
                " VALUES (:m, 'Hooli', :c, '[]')"
            ),
            {"m": first, "c": False},
        )
    assert dates(sessions) == [
        (first, "Acme", NOV_1),
        (first, "Globex", NOV_1),
        (first, "Hooli", NOV_1),
        (first, "Initech", NOV_1),
        (undated, "Acme", None),
    ]


def test_the_orm_reads_the_copy_back_after_a_flush(database_url, open_db):
    sessions = open_db(database_url)
    with sessions() as s, s.begin():
        mention = Mention(
            source="news",
            source_type="feed",
            external_id="a",
            text="Acme",
            content_hash="h",
            published_at=NOV_5,
        )
        mention.matches = [BrandMatch(brand="Acme", terms=[])]
        s.add(mention)
        s.flush()
        assert mention.matches[0].published_at == NOV_5


def test_a_new_date_reaches_the_matches_and_a_copy_cannot_drift(database_url, open_db):
    sessions = open_db(database_url)
    with sessions() as s, s.begin():
        first = store(s, "a", NOV_1, ACME, GLOBEX)
        second = store(s, "b", DEC_1, ACME)
    with sessions() as s, s.begin():
        s.execute(update(Mention).where(Mention.id == first).values(published_at=NOV_5))
        s.execute(update(Mention).where(Mention.id == second).values(published_at=None))
    assert dates(sessions) == [
        (first, "Acme", NOV_5),
        (first, "Globex", NOV_5),
        (second, "Acme", None),
    ]
    with sessions() as s, s.begin():
        s.execute(update(BrandMatch).values(published_at=DEC_1))  # by hand: undone
        s.execute(  # moved to the other mention: takes its date
            update(BrandMatch)
            .where(BrandMatch.mention_id == first, BrandMatch.brand == "Globex")
            .values(mention_id=second)
        )
    assert dates(sessions) == [
        (first, "Acme", NOV_5),
        (second, "Acme", None),
        (second, "Globex", None),
    ]


def test_stats_follow_new_dates_rescoring_and_deletes(database_url, open_db):
    sessions = open_db(database_url)
    probabilities = {"negative": 0.8, "neutral": 0.1, "positive": 0.1}
    with sessions() as s, s.begin():
        ids = [
            store(s, "a", NOV_1, ACME, GLOBEX),
            store(s, "b", NOV_1, ACME),
            store(s, "c", NOV_5, GLOBEX),
        ]
        for mention in s.scalars(select(Mention)):
            save_score(s, mention, model_id="m", model_revision="r",
                       label="negative", probabilities=probabilities)  # fmt: skip

    def stats():
        with sessions() as s:
            shares = share_of_voice(s, *NOVEMBER)
            days = volume_over_time(s, Window("m", "Acme", *NOVEMBER))
        return [(x.brand, x.competitor, x.mentions) for x in shares], days

    assert stats() == (
        [("Acme", False, 2), ("Globex", True, 2)],
        [Volume("2026-11-01", 2, 2, 0, 0)],
    )
    with sessions() as s, s.begin():
        s.execute(
            update(Mention).where(Mention.id == ids[1]).values(published_at=DEC_1)
        )
        mention = s.get_one(Mention, ids[0])
        save_score(s, mention, model_id="m", model_revision="r", label="positive",
                   probabilities={"positive": 1.0})  # fmt: skip
    assert stats() == (
        [("Globex", True, 2), ("Acme", False, 1)],
        [Volume("2026-11-01", 1, 0, 0, 1)],
    )
    with sessions() as s, s.begin():
        s.execute(delete(Mention).where(Mention.id == ids[0]))
    assert stats() == ([("Globex", True, 1)], [])


def test_the_migration_dates_the_matches_already_stored(database_url):
    engine = make_engine(database_url)
    try:
        upgrade(engine, "0002")
        with engine.begin() as conn:  # mentions are as 0002 left them
            conn.execute(
                insert(Mention.__table__).values(
                    id=1, source="news", source_type="feed", external_id="a",
                    text="Acme", published_at=NOV_5, content_hash="h",
                )
            )  # fmt: skip
            conn.execute(
                insert(BrandMatch.__table__).values(
                    mention_id=1, brand="Acme", competitor=False, terms=[]
                )
            )
        upgrade(engine)
        assert dates(make_sessionmaker(engine)) == [(1, "Acme", NOV_5)]
    finally:
        engine.dispose()
