"""Analyst queries on a million mentions: SQLite and PostgreSQL, median timings and plans.

    .venv/bin/python bench/query.py [--mentions 1000000] [--runs 5] [--sqlite-only]

Generates mentions over two years (5 brands, 6 sources, 80 to 1,200 characters
of text), then times the daily volume by sentiment of one brand over 30 days,
share of voice for a quarter, a full-text search for a rare term and the first
page of the negative inbox. Prints each median against the goal (SQLite 200 ms,
PostgreSQL 100 ms) and the query plan lines that name the indexes used.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, make_url, text

from storage import make_engine, upgrade
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
        yield (
            i,
            source,
            kind,
            " ".join(words),
            lang,
            reach,
            published,
            brands,
            label,
            probs,
        )


def _stamp(value: datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S.%f")


def load_sqlite(path: Path, n: int) -> None:
    """Bulk insert through sqlite3 with the FTS triggers live (as in production)."""
    import sqlite3  # noqa: PLC0415 - the loader alone needs the driver

    conn = sqlite3.connect(path)
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
    conn.execute("ANALYZE")
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
    """COPY into PostgreSQL, then ANALYZE."""
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
        conn.commit()
        conn.autocommit = True
        cur.execute("ANALYZE")


def plans(engine: Engine, run: Callable[[Any], Any]) -> list[str]:
    """The plan lines of the first statement ``run`` sends that name an index."""
    seen: list[tuple[str, Any]] = []

    def capture(
        _c: Any, _cur: Any, statement: str, params: Any, _ctx: Any, _many: bool
    ) -> None:
        seen.append((statement, params))

    event.listen(engine, "before_cursor_execute", capture)
    with engine.connect() as conn:
        from sqlalchemy.orm import Session  # noqa: PLC0415

        run(Session(bind=conn))
    event.remove(engine, "before_cursor_execute", capture)
    statement, params = seen[0]
    prefix = "EXPLAIN QUERY PLAN " if engine.dialect.name == "sqlite" else "EXPLAIN "
    with engine.connect() as conn:
        lines = [str(r[-1]) for r in conn.exec_driver_sql(prefix + statement, params)]
    return [ln.strip() for ln in lines if "INDEX" in ln.upper() or "fts" in ln.lower()]


def bench(engine: Engine, runs: int, goal_ms: float) -> None:
    """Time the four analyst questions; print median, goal and the indexes used."""
    from sqlalchemy.orm import Session  # noqa: PLC0415

    last = END - timedelta(days=1)
    cases: dict[str, Callable[[Session], Any]] = {
        "daily volume by sentiment, 1 brand, 30 days": lambda s: volume_over_time(
            s, Window(MODEL, "Acme", last - timedelta(days=30), last), "day"
        ),
        "share of voice, one quarter": lambda s: share_of_voice(
            s, datetime(2026, 7, 1, tzinfo=UTC), datetime(2026, 10, 1, tzinfo=UTC)
        ),
        f"full-text search for a rare term ({RARE})": lambda s: find_mentions(
            s, MentionQuery(model_id=MODEL, text=RARE, limit=50)
        ),
        "negative inbox, first page (50)": lambda s: negative_inbox(s, MODEL),
    }
    for name, case in cases.items():
        times = []
        for _ in range(runs):
            with Session(engine) as s:
                t0 = time.perf_counter()
                result = case(s)
                times.append((time.perf_counter() - t0) * 1000)
        median = statistics.median(times)
        verdict = "ok" if median < goal_ms else "OVER"
        print(f"  {name}: {median:7.1f} ms median of {runs} ({len(result)} rows)"
              f"  goal {goal_ms:.0f} ms: {verdict}  x{median / goal_ms:.2f} of goal")  # fmt: skip
        for line in plans(engine, case):
            print(f"      plan: {line}")


def main() -> None:
    """Load both databases and time the analyst questions on each."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentions", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sqlite-only", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'bench.db'}")
        upgrade(engine)
        t0 = time.perf_counter()
        load_sqlite(Path(tmp) / "bench.db", args.mentions)
        print(
            f"SQLite: loaded {args.mentions:,} mentions in {time.perf_counter() - t0:.0f} s"
        )
        bench(engine, args.runs, 200)
        engine.dispose()
    if args.sqlite_only:
        return
    name = f"earful_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(PG_ADMIN).set(database=name).render_as_string(hide_password=False)
    try:
        engine = make_engine(url)
        upgrade(engine)
        t0 = time.perf_counter()
        load_postgres(url, args.mentions)
        print(
            f"PostgreSQL: loaded {args.mentions:,} mentions in {time.perf_counter() - t0:.0f} s"
        )
        bench(engine, args.runs, 100)
        engine.dispose()
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


if __name__ == "__main__":
    main()
