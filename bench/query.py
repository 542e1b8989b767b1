"""Analyst queries on a million mentions: SQLite and PostgreSQL, median timings and plans.

    .venv/bin/python bench/query.py [--mentions 1000000] [--runs 5]
        [--sqlite-only | --postgres-only]

Generates mentions over two years (5 brands, 6 sources, 80 to 1,200 characters
of text), then times the functions the CLI and the dashboard call: the daily
volume by sentiment of one brand over 30 days, share of voice for a quarter, a
full-text search for a rare term, the first page of the negative inbox, and the
response-time KPIs per source over 30 days and the unanswered mentions, oldest
first (a case for one negative mention in five, as if alerted; see ``cases``).

Each median is printed against the goal (SQLite 200 ms, PostgreSQL 100 ms) and
against a baseline measured in the same run: the same call with the indexes that
serve it dropped inside a transaction that is rolled back (on SQLite, search has
no index to drop; its baseline is the substring scan it would otherwise need).
The plan lines that name an index follow each figure. SQLite is timed twice: as
Earful leaves a database (no statistics) and after ``ANALYZE``. PostgreSQL is
timed after ``VACUUM ANALYZE``, which autovacuum does to a live database.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sized
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    create_engine,
    event,
    func,
    make_url,
    or_,
    select,
    text,
)
from sqlalchemy.orm import Session

from storage import Mention, make_engine, upgrade
from storage.folding import register_sqlite_fold
from storage.response import response_times, unanswered
from storage.search import MentionQuery, find_mentions, negative_inbox
from storage.stats import Window, share_of_voice, volume_over_time

MODEL = "earful-default"
BRANDS = ["Acme", "Globex", "Initech", "Umbrella", "Hooli"]
SOURCES = [("news", "feed"), ("blogs", "feed"), ("reviews", "review"),
           ("forum", "forum"), ("reddit", "reddit"), ("hn", "hackernews")]  # fmt: skip
WORDS = (  # noqa: SIM905 - a sentence reads better than a list
    "the delivery was late again and support never answered my ticket "
    "great product works fine battery lasts all day price too high "
    "配送 遅い 品質 良い 最高 残念 サポート 対応 返品 交換 値段 高い"
).split()
RARE = "zyxwquartz"
END = datetime(2026, 11, 1, tzinfo=UTC)
START = END - timedelta(days=730)
PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
BRAND_INDEXES = (
    "ix_brand_matches_brand_published_at",
    "ix_brand_matches_published_at_brand",
)


def rows(n: int, seed: int = 7) -> Iterator[tuple[Any, ...]]:
    """(id, source, type, text, language, reach, published, brands, label, probs)."""
    rnd = random.Random(seed)  # noqa: S311 - sample data, not secrets
    span = (END - START).total_seconds()
    for i in range(1, n + 1):
        source, kind = rnd.choice(SOURCES)
        length = int(min(1200, max(80, rnd.lognormvariate(5.3, 0.6))))
        words: list[str] = []
        while sum(len(w) + 1 for w in words) < length:
            words.append(rnd.choice(WORDS))
        if i % 50_000 == 0:
            words.append(RARE)
        brands = rnd.sample(BRANDS, 2 if rnd.random() < 0.1 else 1)
        neg = rnd.random()
        pos = rnd.random() * (1 - neg)
        probs = (neg, 1 - neg - pos, pos)
        label = ("negative", "neutral", "positive")[probs.index(max(probs))]
        published = START + timedelta(seconds=rnd.random() * span)
        reach = None if rnd.random() < 0.2 else int(rnd.paretovariate(1.2) * 50)
        lang = "ja" if rnd.random() < 0.15 else "en"
        yield (i, source, kind, " ".join(words), lang, reach, published, brands,
               label, probs)  # fmt: skip


CASE_COLUMNS = (
    "mention_id, state, owner, source, source_type, published_at, alerted_at,"
    " waiting_since, first_action_at, replied_at, resolved_at, updated_at"
)


def case_rows(data: list[tuple[Any, ...]], seed: int = 11) -> Iterator[tuple[Any, ...]]:
    """A case for one negative mention in five: alerted, then maybe acted, replied.

    Alerted 2 to 60 minutes after publication; 70 % acted on within 4 hours,
    55 % replied within 12 hours, a third of those resolved.
    """
    rnd = random.Random(seed)  # noqa: S311 - sample data
    for i, src, kind, _txt, _lang, _reach, pub, _b, label, _p in data:
        if label != "negative" or rnd.random() >= 0.2:
            continue
        alerted = pub + timedelta(minutes=rnd.uniform(2, 60))
        acted = alerted + timedelta(minutes=rnd.uniform(1, 240))
        replied = alerted + timedelta(minutes=rnd.uniform(5, 720))
        roll = rnd.random()
        state = ("resolved" if roll < 0.18 else "replied" if roll < 0.55
                 else "in_progress" if roll < 0.7 else "new")  # fmt: skip
        waiting = state in {"new", "in_progress"}
        yield (
            i, state, None if state == "new" else "dana", src, kind, pub,
            alerted, pub if waiting else None,
            None if state == "new" else acted,
            None if waiting else replied,
            replied if state == "resolved" else None, alerted,
        )  # fmt: skip


def _stamp(value: datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S.%f")


def load_sqlite(path: Path, n: int) -> None:
    """Bulk insert through sqlite3 with the triggers live (as in production)."""
    import sqlite3  # noqa: PLC0415 - the loader alone needs the driver

    conn = sqlite3.connect(path)
    register_sqlite_fold(conn)  # the search triggers fold every insert
    conn.execute("PRAGMA synchronous=OFF")
    now = _stamp(END)
    m_sql = (
        "INSERT INTO mentions (id, source, source_type, external_id, text, language,"
        " followers, published_at, collected_at, updated_at, content_hash)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?)"
    )
    b_sql = "INSERT INTO brand_matches (mention_id, brand, competitor, terms) VALUES (?,?,?,?)"
    s_sql = (
        "INSERT INTO sentiment_results (mention_id, model_id, model_revision,"
        " content_hash, label, negative, neutral, positive, scored_at)"
        " VALUES (?,?,?,?,?,?,?,?,?)"
    )
    batch: list[tuple[Any, ...]] = []
    for row in rows(n):
        batch.append(row)
        if len(batch) == 20_000:
            _sqlite_batch(conn, batch, (m_sql, b_sql, s_sql), now)
            batch = []
    _sqlite_batch(conn, batch, (m_sql, b_sql, s_sql), now)
    conn.executemany(
        f"INSERT INTO cases ({CASE_COLUMNS}) VALUES ({','.join('?' * 12)})",  # noqa: S608 - constant
        [
            (*r[:5], *(None if v is None else _stamp(v) for v in r[5:]))
            for r in case_rows(list(rows(n)))
        ],
    )
    conn.commit()
    conn.close()


def _sqlite_batch(
    conn: Any, batch: list[tuple[Any, ...]], sql: tuple[str, ...], now: str
) -> None:
    m_sql, b_sql, s_sql = sql
    conn.executemany(m_sql, [
        (i, src, kind, f"x{i}", txt, lang, reach, _stamp(pub), now, now, "h")
        for i, src, kind, txt, lang, reach, pub, _, _, _ in batch
    ])  # fmt: skip
    conn.executemany(b_sql, [
        (r[0], b, b != "Acme", f'["{b}"]') for r in batch for b in r[7]
    ])  # fmt: skip
    conn.executemany(s_sql, [
        (r[0], MODEL, "r1", "h", r[8], *r[9], now) for r in batch
    ])  # fmt: skip
    conn.commit()


def load_postgres(url: str, n: int) -> None:
    """COPY into PostgreSQL (the triggers fire), then VACUUM ANALYZE."""
    import psycopg  # noqa: PLC0415 - the loader alone needs the driver

    dsn = (
        make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    )
    with psycopg.connect(dsn) as conn, conn.cursor() as cur:
        cols = {
            "mentions": "id, source, source_type, external_id, text, language, followers,"
            " published_at, collected_at, updated_at, content_hash",
            "brand_matches": "mention_id, brand, competitor, terms",
            "sentiment_results": "mention_id, model_id, model_revision, content_hash,"
            " label, negative, neutral, positive, scored_at",
        }
        data = list(rows(n))
        with cur.copy(f"COPY mentions ({cols['mentions']}) FROM STDIN") as copy:
            for i, src, kind, txt, lang, reach, pub, _, _, _ in data:
                copy.write_row(
                    (i, src, kind, f"x{i}", txt, lang, reach, pub, END, END, "h")
                )
        with cur.copy(
            f"COPY brand_matches ({cols['brand_matches']}) FROM STDIN"
        ) as copy:
            for r in data:
                for b in r[7]:
                    copy.write_row((r[0], b, b != "Acme", f'["{b}"]'))
        with cur.copy(
            f"COPY sentiment_results ({cols['sentiment_results']}) FROM STDIN"
        ) as copy:
            for r in data:
                copy.write_row((r[0], MODEL, "r1", "h", r[8], *r[9], END))
        with cur.copy(f"COPY cases ({CASE_COLUMNS}) FROM STDIN") as copy:
            for c in case_rows(data):
                copy.write_row(c)
        conn.commit()
        conn.autocommit = True
        cur.execute("VACUUM ANALYZE")


@dataclass(frozen=True, slots=True)
class Case:
    """One analyst question: the product call, what serves it, its baseline call."""

    name: str
    run: Callable[[Session], Sized]
    indexes: tuple[str, ...]
    baseline: Callable[[Session], Sized] | None = None  # else ``run``, unindexed


def cases(dialect: str) -> list[Case]:
    """The questions; the indexes named are dropped for the baseline."""
    last = END - timedelta(days=1)
    search = MentionQuery(model_id=MODEL, text=RARE, limit=50)

    def substring_scan(s: Session) -> Sized:  # the folded scan an index saves
        pattern = f"%{RARE}%"
        folded = (
            func.earful_fold(c).like(pattern) for c in (Mention.title, Mention.text)
        )
        return s.execute(select(Mention.id).where(or_(*folded)).limit(50)).all()

    # SQLite's FTS table is part of the query, so its baseline is the scan instead.
    sqlite = dialect == "sqlite"
    fts = () if sqlite else ("mentions_fts_title", "mentions_fts_text")
    return [
        Case(
            "daily volume by sentiment, 1 brand, 30 days",
            lambda s: volume_over_time(
                s, Window(MODEL, "Acme", last - timedelta(days=30), last), "day"
            ),
            (*BRAND_INDEXES, "ix_sentiment_results_mention_id_model_id_label"),
        ),
        Case(
            "share of voice, one quarter",
            lambda s: share_of_voice(
                s, datetime(2026, 7, 1, tzinfo=UTC), datetime(2026, 10, 1, tzinfo=UTC)
            ),
            BRAND_INDEXES,
        ),
        Case(
            f"full-text search for a rare term ({RARE})",
            lambda s: find_mentions(s, search),
            fts,
            substring_scan if sqlite else None,
        ),
        Case(
            "negative inbox, first page (50)",
            lambda s: negative_inbox(s, MODEL),
            ("ix_mentions_followers",),
        ),
        Case(
            "response times per source, 30 days",
            lambda s: response_times(
                s, since=last - timedelta(days=30), until=last, by="source"
            ),
            ("ix_cases_alerted_at",),
        ),
        Case(
            "response times per source type, 1 brand, 30 days",
            lambda s: response_times(
                s,
                since=last - timedelta(days=30),
                until=last,
                by="source_type",
                brand="Acme",
            ),
            ("ix_cases_alerted_at",),
        ),
        Case(
            "unanswered, oldest first (20)",
            lambda s: unanswered(s, limit=20),
            ("ix_cases_waiting_since",),
        ),
    ]


def plans(conn: Connection, run: Callable[[Session], Any]) -> list[str]:
    """The plan lines of the first statement ``run`` sends that name an index."""
    seen: list[tuple[str, Any]] = []

    def capture(
        _c: Any, _cur: Any, statement: str, params: Any, _ctx: Any, _many: bool
    ) -> None:
        seen.append((statement, params))

    event.listen(conn, "before_cursor_execute", capture)
    run(Session(bind=conn))
    event.remove(conn, "before_cursor_execute", capture)
    statement, params = seen[0]
    prefix = "EXPLAIN QUERY PLAN " if conn.dialect.name == "sqlite" else "EXPLAIN "
    lines = [str(r[-1]) for r in conn.exec_driver_sql(prefix + statement, params)]
    return [ln.strip() for ln in lines if "INDEX" in ln.upper() or "fts" in ln.lower()]


def median_ms(conn: Connection, run: Callable[[Session], Sized], runs: int) -> float:
    """Median wall time of ``runs`` calls, each in a fresh session on ``conn``."""
    times = []
    for _ in range(runs):
        with Session(bind=conn) as s:
            t0 = time.perf_counter()
            run(s)
            times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def baseline_ms(engine: Engine, case: Case, runs: int) -> float:
    """The same question without its indexes, dropped in a rolled-back transaction."""
    with engine.connect() as conn:
        if conn.dialect.name == "sqlite":  # pysqlite would not open one for DDL
            conn.exec_driver_sql("BEGIN")
        for name in case.indexes:
            conn.exec_driver_sql(f"DROP INDEX {name}")
        try:
            return median_ms(conn, case.baseline or case.run, runs)
        finally:
            conn.rollback()


def bench(
    engine: Engine, runs: int, goal_ms: float, questions: list[Case] | None = None
) -> None:
    """Time the analyst questions (or ``questions``); print median, goal, baseline, plan."""
    for case in questions or cases(engine.dialect.name):
        with engine.connect() as conn:
            median = median_ms(conn, case.run, runs)
            lines = plans(conn, case.run)
            found = len(case.run(Session(bind=conn)))
        base = baseline_ms(engine, case, runs)
        verdict = "ok" if median < goal_ms else "OVER"
        print(f"  {case.name}: {median:7.1f} ms median of {runs} ({found} rows);"
              f" goal {goal_ms:.0f} ms: {verdict};"
              f" baseline {base:7.1f} ms, x{base / median:.1f}")  # fmt: skip
        for line in lines:
            print(f"      plan: {line}")


def bench_sqlite(n: int, runs: int) -> None:
    """Load a SQLite file; time it as Earful leaves it, then after ANALYZE."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.db"
        engine = make_engine(f"sqlite:///{path}")
        upgrade(engine)
        t0 = time.perf_counter()
        load_sqlite(path, n)
        print(f"SQLite: loaded {n:,} mentions in {time.perf_counter() - t0:.0f} s")
        print(" without statistics (as Earful leaves the file):")
        bench(engine, runs, 200)
        with engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
        print(" after ANALYZE:")
        bench(engine, runs, 200)
        engine.dispose()


def bench_postgres(n: int, runs: int) -> None:
    """Load a scratch PostgreSQL database, time it, drop it."""
    name = f"earful_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(PG_ADMIN).set(database=name).render_as_string(hide_password=False)
    try:
        engine = make_engine(url)
        upgrade(engine)
        t0 = time.perf_counter()
        load_postgres(url, n)
        print(f"PostgreSQL: loaded {n:,} mentions in {time.perf_counter() - t0:.0f} s")
        bench(engine, runs, 100)
        engine.dispose()
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


def main() -> None:
    """Load both databases and time the analyst questions on each."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentions", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sqlite-only", action="store_true")
    parser.add_argument("--postgres-only", action="store_true")
    args = parser.parse_args()
    if not args.postgres_only:
        bench_sqlite(args.mentions, args.runs)
    if not args.sqlite_only:
        bench_postgres(args.mentions, args.runs)


if __name__ == "__main__":
    main()
