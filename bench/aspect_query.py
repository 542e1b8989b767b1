"""Aspect queries on the million-mention benchmark: SQLite and PostgreSQL, against a baseline.

    PYTHONPATH=. .venv/bin/python -m bench.aspect_query [--mentions 1000000] [--runs 5]

Loads the same mentions as ``bench/query.py`` (its loaders), then gives the
opinionated ones aspects as scoring would: 60 % of negative or positive
mentions one aspect, a quarter of them a second, one row per brand named
(about 560,000 rows for a million mentions). Times the calls behind ``earful stats --aspects --brand``
(one brand, 30 days), the dashboard's aspect charts (every brand, 30 days) and
``earful stats --compare`` (every brand, a quarter: volume, net, share of voice,
aspects and answers in public; one mention in a hundred is answered), each against the goal (SQLite 200 ms, PostgreSQL 100 ms) and
against a baseline in the same run. For the aspect counts and the
comparison, which read daily counts since migration 0016, the baseline is the
direct query they ran before, on windows from midnight and from 09:30 (two
partial days read directly); for the answers in public, the same call with its
index dropped in a rolled-back transaction.
Prints the plan lines too.
"""

from __future__ import annotations

import argparse
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, create_engine, make_url, text
from sqlalchemy.orm import Session

from bench.query import (
    END,
    MODEL,
    PG_ADMIN,
    Case,
    bench,
    load_postgres,
    load_sqlite,
)
from storage import make_engine, upgrade
from storage.aspects import AspectCount, aspect_counts, direct_aspect_counts
from storage.compare import (
    BrandSide,
    brand_counts,
    compare_brands,
    direct_tallies,
    public_replies,
)

_NAME = (
    "CASE {0} WHEN 0 THEN 'delivery' WHEN 1 THEN 'price' WHEN 2 THEN 'support'"
    " WHEN 3 THEN 'quality' ELSE 'usability' END"
)
_INSERT = (
    "INSERT INTO mention_aspects (mention_id, model_id, aspect, brand, label, negative,"
    " basis, terms, published_at)"
    " SELECT s.mention_id, s.model_id, {name}, b.brand, s.label, s.negative, 'clause',"
    " '[]', b.published_at"
    " FROM sentiment_results s JOIN brand_matches b ON b.mention_id = s.mention_id"
    " WHERE s.label <> 'neutral' AND {where}"
)
# x % n, written so that SQLite and psycopg (where % starts a parameter) agree
_MOD = "({0} - {1} * ({0} / {1}))"
_ID5, _ID10, _ID4 = (_MOD.format("s.mention_id", n) for n in (5, 10, 4))
_SEVENTH5 = _MOD.format("(s.mention_id / 7)", 5)
ASPECT_ROWS = (
    _INSERT.format(name=_NAME.format(_ID5), where=f"{_ID10} < 6"),
    _INSERT.format(
        name=_NAME.format(_SEVENTH5),
        where=f"{_ID10} < 6 AND {_ID4} = 0 AND {_SEVENTH5} <> {_ID5}",
    ),
)


def add_aspects(engine: Engine) -> int:
    """Give the loaded mentions aspects; the number of aspect rows."""
    with engine.begin() as conn:
        for sql in ASPECT_ROWS:
            conn.exec_driver_sql(sql)
        return int(
            conn.exec_driver_sql("SELECT count(*) FROM mention_aspects").scalar_one()
        )


def add_replies(engine: Engine) -> int:
    """Answer one mention in a hundred in public five hours after it was posted."""
    later = (
        "datetime(published_at, '+5 hours')"
        if engine.dialect.name == "sqlite"
        else "published_at + interval '5 hours'"
    )
    with engine.begin() as conn:
        return conn.exec_driver_sql(
            f"UPDATE mentions SET replied_at = {later}"  # noqa: S608 - no input
            f" WHERE {_MOD.format('id', 100)} = 0 AND published_at IS NOT NULL"
        ).rowcount


def direct_compare(
    session: Session, since: datetime, until: datetime
) -> list[BrandSide]:
    """``compare_brands`` as it was before the rollup: every count from the join."""
    per_aspect: dict[tuple[str, str], dict[str, int]] = {}
    for (brand, aspect, label), n in direct_aspect_counts(
        session, MODEL, (), since, until
    ).items():
        per_aspect.setdefault((brand, aspect), {})[label] = n
    aspects: dict[str, dict[str, AspectCount]] = {}
    for (brand, aspect), n in per_aspect.items():
        aspects.setdefault(brand, {})[aspect] = AspectCount(
            brand, aspect, n.get("negative", 0), n.get("neutral", 0),
            n.get("positive", 0),
        )  # fmt: skip
    replies = public_replies(session, since, until)
    tallies = direct_tallies(session, MODEL, since, until)
    total = sum(t.mentions for t in tallies.values())
    return [
        BrandSide(b, t.competitor, t.mentions, t.labels.get("negative", 0),
                  t.labels.get("neutral", 0), t.labels.get("positive", 0),
                  t.mentions / total, aspects.get(b, {}), replies.get(b))
        for b, t in tallies.items()
    ]  # fmt: skip


def cases() -> list[Case]:
    """The aspect questions; the indexes named are dropped for the baseline."""
    last = END - timedelta(days=1)
    month = last - timedelta(days=30)
    quarter = (datetime(2026, 7, 1, tzinfo=UTC), datetime(2026, 10, 1, tzinfo=UTC))
    odd = tuple(t + timedelta(hours=9, minutes=30) for t in quarter)
    shifted = (month + timedelta(hours=9, minutes=30), last + timedelta(hours=9))
    return [
        Case(
            "aspects by polarity, 1 brand, 30 days; baseline: the direct query",
            lambda s: aspect_counts(s, MODEL, ("Acme",), month, last),
            (),
            lambda s: direct_aspect_counts(s, MODEL, ("Acme",), month, last),
        ),
        Case(
            "aspects by polarity, 1 brand, 30 days from 09:30; baseline: the direct"
            " query",
            lambda s: aspect_counts(s, MODEL, ("Acme",), *shifted),
            (),
            lambda s: direct_aspect_counts(s, MODEL, ("Acme",), *shifted),
        ),
        Case(
            "aspects by polarity, every brand, 30 days; baseline: the direct query",
            lambda s: aspect_counts(s, MODEL, (), month, last),
            (),
            lambda s: direct_aspect_counts(s, MODEL, (), month, last),
        ),
        Case(
            "brands compared (volume, net, share, aspects), one quarter;"
            " baseline: the direct query",
            lambda s: compare_brands(s, MODEL, *quarter),
            (),
            lambda s: direct_compare(s, *quarter),
        ),
        Case(
            "brands compared, a quarter from 09:30 (two edge days direct);"
            " baseline: the direct query",
            lambda s: compare_brands(s, MODEL, *odd),
            (),
            lambda s: direct_compare(s, *odd),
        ),
        Case(
            "volume and labels per brand alone, one quarter;"
            " baseline: the direct query",
            lambda s: list(brand_counts(s, MODEL, *quarter).items()),
            (),
            lambda s: list(direct_tallies(s, MODEL, *quarter).items()),
        ),
        Case(
            "answers in public per brand, one quarter",
            lambda s: list(public_replies(s, *quarter).items()),
            ("ix_mentions_answered",),
        ),
    ]


def bench_sqlite(n: int, runs: int) -> None:
    """SQLite as Earful leaves it, then after ANALYZE."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.db"
        engine = make_engine(f"sqlite:///{path}")
        upgrade(engine)
        t0 = time.perf_counter()
        load_sqlite(path, n)
        rows = add_aspects(engine)
        add_replies(engine)
        print(f"SQLite: {n:,} mentions, {rows:,} aspect rows, loaded in"
              f" {time.perf_counter() - t0:.0f} s")  # fmt: skip
        print(" without statistics (as Earful leaves the file):")
        bench(engine, runs, 200, cases())
        with engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
        print(" after ANALYZE:")
        bench(engine, runs, 200, cases())
        engine.dispose()


def bench_postgres(n: int, runs: int) -> None:
    """A scratch PostgreSQL database, after VACUUM ANALYZE; dropped at the end."""
    name = f"earful_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(PG_ADMIN).set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url)
    try:
        upgrade(engine)
        t0 = time.perf_counter()
        load_postgres(url, n)
        rows = add_aspects(engine)
        add_replies(engine)
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            c.exec_driver_sql("VACUUM ANALYZE mention_aspects")
            c.exec_driver_sql("VACUUM ANALYZE mentions")
        print(f"PostgreSQL: {n:,} mentions, {rows:,} aspect rows, loaded in"
              f" {time.perf_counter() - t0:.0f} s")  # fmt: skip
        bench(engine, runs, 100, cases())
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


def main() -> None:
    """Load both databases and time the aspect questions on each."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentions", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sqlite-only", action="store_true")
    args = parser.parse_args()
    bench_sqlite(args.mentions, args.runs)
    if not args.sqlite_only:
        bench_postgres(args.mentions, args.runs)


if __name__ == "__main__":
    main()
