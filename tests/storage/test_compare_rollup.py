"""The comparison's rollup stays exact under every kind of write, on both backends.

Random stores, late arrivals, rescores, re-attributions, new dates and
deletions, by the ORM, by Earful's writers and by hand-written SQL; after each
round the rollup tables equal a recount from ``brand_matches`` and
``sentiment_results``, and the comparison equals the direct query it replaced.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from alembic import command
from sqlalchemy import case, delete, func, inspect, select, text, update

from storage import BrandMatch, Mention, SentimentResult, upgrade
from storage.aspects import AspectScore, aspect_counts, save_aspects
from storage.compare import (
    brand_counts,
    compare_brands,
    compare_over_time,
    direct_tallies,
)
from storage.db import alembic_config
from storage.models import BrandDay, BrandDayAspect, BrandDayLabel, MentionAspect
from storage.queries import Match, save_score, upsert_mention
from storage.rollup import split
from storage.stats import bucket

BRANDS = ("Acme", "Globex", "Initech", "アクメ")
MODELS = ("m-a", "m-b")
LABELS = ("negative", "neutral", "positive")
START = datetime(2026, 6, 28, tzinfo=UTC)
QUARTER = (datetime(2026, 7, 1, tzinfo=UTC), datetime(2026, 10, 1, tzinfo=UTC))
JST = ZoneInfo("Asia/Tokyo")  # a Tokyo quarter starts and ends at 15:00 UTC
JST_QUARTER = (datetime(2026, 7, 1, tzinfo=JST), datetime(2026, 10, 1, tzinfo=JST))


def _when(rnd: random.Random) -> datetime | None:
    if rnd.random() < 0.1:
        return None
    return START + timedelta(seconds=rnd.randrange(100 * 86400))


def _store(s: Any, rnd: random.Random, n: int) -> int:
    brands = rnd.sample(BRANDS, rnd.choice((1, 1, 2)))
    fields = {
        "source": "news",
        "source_type": "feed",
        "external_id": f"x{n}",
        "text": " ".join(brands) + " の配送が遅い",
        "published_at": _when(rnd),
    }
    matches = [Match(b, b != "Acme", (b,)) for b in brands]
    return upsert_mention(s, fields, matches).mention_id


def _score(s: Any, rnd: random.Random, mention_id: int) -> None:
    """A score and its aspects, as the scorer saves them (a rescore replaces both)."""
    mention = s.get(Mention, mention_id)
    model = rnd.choice(MODELS)
    save_score(
        s, mention, model_id=model, model_revision="r",
        label=rnd.choice(LABELS), probabilities={"negative": 0.5},
    )  # fmt: skip
    s.flush()
    aspects = [
        AspectScore(a, rnd.choice(LABELS), 0.5, "clause")
        for a in rnd.sample(("delivery", "price", "サポート"), rnd.randrange(3))
    ]
    save_aspects(s, mention_id, model, aspects)


def _change(s: Any, rnd: random.Random, ids: list[int]) -> None:
    """One change of some kind to the stored rows."""
    mention_id = rnd.choice(ids)
    kind = rnd.randrange(9)
    match = s.scalars(
        select(BrandMatch).where(BrandMatch.mention_id == mention_id)
    ).first()
    if kind == 0:  # rescore or a new model's score
        _score(s, rnd, mention_id)
    elif kind == 1 and match is not None:  # re-attribution, by hand-written SQL
        named = set(s.scalars(select(BrandMatch.brand).where(
            BrandMatch.mention_id == mention_id)))  # fmt: skip
        free = [b for b in BRANDS if b not in named]
        if free:
            s.execute(
                text("UPDATE brand_matches SET brand = :b WHERE id = :id"),
                {"b": rnd.choice(free), "id": match.id},
            )
    elif kind == 2 and match is not None:  # a match removed (ORM)
        s.delete(match)
    elif kind == 3:  # a new date, to or from none (the date triggers move it)
        s.get(Mention, mention_id).published_at = _when(rnd)
    elif kind == 4:  # a mention deleted by the ORM
        s.delete(s.get(Mention, mention_id))
        ids.remove(mention_id)
    elif kind == 5:  # deleted by SQL: the database cascades
        s.execute(delete(Mention).where(Mention.id == mention_id))
        ids.remove(mention_id)
    elif kind == 6:  # a score dropped, or its label rewritten, by SQL
        s.execute(
            delete(SentimentResult).where(SentimentResult.mention_id == mention_id)
            if rnd.random() < 0.5
            else update(SentimentResult)
            .where(SentimentResult.mention_id == mention_id)
            .values(label=rnd.choice(LABELS))
        )
    elif kind == 7 and match is not None:  # the brand turns competitor or back
        match.competitor = not match.competitor
    elif kind == 8 and match is not None:  # moved to another mention
        other = rnd.choice(ids)
        taken = s.scalar(select(func.count()).where(
            BrandMatch.mention_id == other, BrandMatch.brand == match.brand))  # fmt: skip
        if not taken:
            match.mention_id = other


def _recount(s: Any) -> tuple[dict[Any, int], dict[Any, int]]:
    """The rollup's rows equal a recount (zero counts left out); the counts."""
    day = bucket("day", s.get_bind().dialect.name, BrandMatch.published_at)
    dated = BrandMatch.published_at.is_not(None)
    want_days = {
        (date.fromisoformat(d), b, bool(c)): n
        for d, b, c, n in s.execute(
            select(day, BrandMatch.brand, BrandMatch.competitor, func.count())
            .where(dated).group_by(day, BrandMatch.brand, BrandMatch.competitor)
        )
    }  # fmt: skip
    want_labels = {
        (m, date.fromisoformat(d), b, lab): n
        for m, d, b, lab, n in s.execute(
            select(SentimentResult.model_id, day, BrandMatch.brand,
                   SentimentResult.label, func.count())
            .join(SentimentResult, SentimentResult.mention_id == BrandMatch.mention_id)
            .where(dated)
            .group_by(SentimentResult.model_id, day, BrandMatch.brand,
                      SentimentResult.label)
        )
    }  # fmt: skip
    have_days = {
        (r.day, r.brand, bool(r.competitor)): r.mentions
        for r in s.scalars(select(BrandDay).where(BrandDay.mentions != 0))
    }
    have_labels = {
        (r.model_id, r.day, r.brand, r.label): r.mentions
        for r in s.scalars(select(BrandDayLabel).where(BrandDayLabel.mentions != 0))
    }
    a = MentionAspect
    aspect_day = bucket("day", s.get_bind().dialect.name, a.published_at)
    want_aspects = {
        (m, date.fromisoformat(d), b, asp, lab): n
        for m, d, b, asp, lab, n in s.execute(
            select(a.model_id, aspect_day, a.brand, a.aspect, a.label, func.count())
            .where(a.published_at.is_not(None))
            .group_by(a.model_id, aspect_day, a.brand, a.aspect, a.label)
        )
    }  # fmt: skip
    have_aspects = {
        (r.model_id, r.day, r.brand, r.aspect, r.label): r.mentions
        for r in s.scalars(select(BrandDayAspect).where(BrandDayAspect.mentions != 0))
    }
    assert have_days == want_days
    assert have_labels == want_labels
    assert have_aspects == want_aspects
    return have_days, have_labels


def _windows(rnd: random.Random) -> list[tuple[datetime | None, datetime | None]]:
    odd = START + timedelta(days=rnd.randrange(60), seconds=rnd.randrange(86400))
    return [
        QUARTER,
        JST_QUARTER,
        (odd, odd + timedelta(days=rnd.randrange(1, 40), hours=rnd.randrange(24))),
        (odd, odd + timedelta(hours=5)),  # inside one day
        (odd, None),
        (None, odd),
        (None, None),
    ]


def _old_over_time(s: Any, model_id: str, period: Any, since: Any, until: Any) -> Any:
    """compare_over_time as one direct query, as it was before the rollup."""
    key = bucket(period, s.get_bind().dialect.name, BrandMatch.published_at)
    label = SentimentResult.label
    stmt = (
        select(key, BrandMatch.brand, func.count(),
               func.coalesce(func.sum(case((label == "negative", 1), else_=0)), 0),
               func.coalesce(func.sum(case((label == "positive", 1), else_=0)), 0))
        .select_from(BrandMatch)
        .outerjoin(SentimentResult, (SentimentResult.mention_id == BrandMatch.mention_id)
                   & (SentimentResult.model_id == model_id))
        .where(BrandMatch.published_at.is_not(None))
        .group_by(key, BrandMatch.brand).order_by(key, BrandMatch.brand)
    )  # fmt: skip
    if since is not None:
        stmt = stmt.where(BrandMatch.published_at >= since)
    if until is not None:
        stmt = stmt.where(BrandMatch.published_at < until)
    return [(str(k), b, n, neg, pos) for k, b, n, neg, pos in s.execute(stmt)]


def _old_aspect_counts(
    s: Any, model_id: str, brands: Any, since: Any, until: Any
) -> Any:
    """aspect_counts as one direct query, as it was before the rollup."""
    a = MentionAspect
    stmt = (
        select(a.brand, a.aspect,
               *(func.sum(case((a.label == lab, 1), else_=0)) for lab in LABELS))
        .where(a.model_id == model_id).group_by(a.brand, a.aspect)
    )  # fmt: skip
    if brands:
        stmt = stmt.where(a.brand.in_(brands))
    if since is not None:
        stmt = stmt.where(a.published_at >= since)
    if until is not None:
        stmt = stmt.where(a.published_at < until)
    rows = sorted(s.execute(stmt), key=lambda r: (r[0], -sum(r[2:]), r[1]))
    return [tuple(r) for r in rows]


def _check_compare(s: Any, rnd: random.Random) -> None:
    for since, until in _windows(rnd):
        for brands in ((), ("Globex", "アクメ")):
            model = rnd.choice(MODELS)
            direct = direct_tallies(s, model, since, until, brands)
            assert brand_counts(s, model, since, until, brands) == direct
            new = [
                (c.brand, c.aspect, c.negative, c.neutral, c.positive)
                for c in aspect_counts(s, model, brands, since, until)
            ]
            assert new == _old_aspect_counts(s, model, brands, since, until)
        for period in ("day", "week"):
            new = [
                (p.period, p.brand, p.mentions, p.negative, p.positive)
                for p in compare_over_time(s, model, period, since=since, until=until)
            ]
            assert new == _old_over_time(s, model, period, since, until)


@pytest.mark.parametrize("seed", [1, 2])
def test_the_rollup_is_exact_after_every_kind_of_change(database_url, open_db, seed):
    rnd = random.Random(seed)  # noqa: S311 - test data
    sessions = open_db(database_url)
    ids: list[int] = []
    with sessions() as s, s.begin():
        for n in range(40):
            ids.append(_store(s, rnd, n))
            if rnd.random() < 0.8:
                _score(s, rnd, ids[-1])
    for round_ in range(6):
        with sessions() as s, s.begin():
            for n in range(10):  # late arrivals into days already counted
                ids.append(_store(s, rnd, 1000 * (round_ + 1) + n))
                _score(s, rnd, ids[-1])
            for _ in range(15):
                _change(s, rnd, ids)
        with sessions() as s:
            _recount(s)
            _check_compare(s, rnd)


def test_the_migration_counts_the_rows_already_there(database_url, open_db):
    sessions = open_db(database_url)
    engine = sessions.kw["bind"]
    command.downgrade(alembic_config(engine), "0015")
    assert not {"brand_days", "brand_day_labels", "brand_day_aspects"} & set(
        inspect(engine).get_table_names()
    )
    rnd = random.Random(3)  # noqa: S311 - test data
    with sessions() as s, s.begin():  # stored with no rollup and no triggers
        for n in range(30):
            _score(s, rnd, _store(s, rnd, n))
    upgrade(engine)
    with sessions() as s:
        days, labels = _recount(s)
        assert sum(days.values()) > 30
        assert labels
        assert s.scalar(select(func.sum(BrandDayAspect.mentions))) > 10


def test_a_comparison_reads_whole_days_from_the_rollup_and_edges_directly():
    since = datetime(2026, 7, 1, 9, 30, tzinfo=UTC)
    until = datetime(2026, 10, 1, 2, tzinfo=UTC)
    window = split(since, until)
    assert (window.first, window.end) == (date(2026, 7, 2), date(2026, 10, 1))
    assert window.edges == (
        (since, datetime(2026, 7, 2, tzinfo=UTC)),
        (datetime(2026, 10, 1, tzinfo=UTC), until),
    )
    assert split(*QUARTER).edges == ()
    tokyo = split(*JST_QUARTER)
    assert (tokyo.first, tokyo.end) == (date(2026, 7, 1), date(2026, 9, 30))
    assert tokyo.edges == (
        (datetime(2026, 6, 30, 15, tzinfo=UTC), datetime(2026, 7, 1, tzinfo=UTC)),
        (datetime(2026, 9, 30, tzinfo=UTC), datetime(2026, 9, 30, 15, tzinfo=UTC)),
    )
    assert not split(since, since + timedelta(hours=3)).days


def test_compare_brands_counts_labels_and_shares_from_the_rollup(database_url, open_db):
    sessions = open_db(database_url)
    acme, globex = Match("Acme", False, ()), Match("グローベックス", True, ())
    day = datetime(2026, 8, 3, 12, tzinfo=UTC)
    with sessions() as s, s.begin():
        for n, (match, label) in enumerate(
            [(acme, "negative"), (acme, "positive"), (globex, "negative")]
        ):
            fields = {"source": "news", "source_type": "feed",
                      "external_id": f"x{n}", "text": "…", "published_at": day}  # fmt: skip
            mention_id = upsert_mention(s, fields, [match]).mention_id
            save_score(s, s.get(Mention, mention_id), model_id="m", model_revision="r",
                       label=label, probabilities={})  # fmt: skip
    with sessions() as s:
        sides = compare_brands(s, "m", *QUARTER)
    assert [
        (x.brand, x.competitor, x.mentions, x.negative, x.positive) for x in sides
    ] == [
        ("Acme", False, 2, 1, 1),
        ("グローベックス", True, 1, 1, 0),
    ]
    assert [round(x.share, 3) for x in sides] == [0.667, 0.333]
