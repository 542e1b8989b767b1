"""docs/schema.md's notebook example runs, on SQLite and PostgreSQL, and answers right."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from tests.storage.analyst_seed import seed

SCHEMA_DOC = Path(__file__).resolve().parents[1] / "docs" / "schema.md"
MARKER = "<!-- notebook-example"


def example_code() -> str:
    """The fenced Python block right after the marker in docs/schema.md."""
    text = SCHEMA_DOC.read_text(encoding="utf-8")
    after = text[text.index(MARKER) :]
    match = re.search(r"```python\n(.*?)```", after, re.DOTALL)
    assert match, "docs/schema.md: no python block after the notebook marker"
    return match[1]


def test_weekly_net_sentiment_against_a_competitor(database_url, open_db, monkeypatch):
    pytest.importorskip("duckdb")
    seed(open_db(database_url))
    monkeypatch.setenv("EARFUL_DATABASE_URL", database_url)
    scope: dict[str, object] = {}
    try:
        exec(compile(example_code(), str(SCHEMA_DOC), "exec"), scope)  # noqa: S102 - our doc
    finally:
        if "engine" in scope:
            scope["engine"].dispose()  # type: ignore[attr-defined]
    weekly = scope["weekly"]
    nov_2, nov_9 = (pd.Timestamp(f"2026-11-0{d}", tz="UTC") for d in (2, 9))
    # Acme: week of Nov 2 one negative, one positive; week of Nov 9 the Japanese
    # complaint and the hostile post, both negative. Globex: one neutral, Nov 10.
    assert weekly.loc[nov_2, "Acme"] == 0
    assert weekly.loc[nov_9, "Acme"] == -1
    assert weekly.loc[nov_9, "Globex"] == 0
    assert weekly.loc[nov_9, "Acme vs Globex"] == -1
    assert pd.isna(weekly.loc[nov_2, "Acme vs Globex"])
    by_sql = scope["weekly_sql"]
    assert [(r.week, r.brand, r.net) for r in by_sql.itertuples()] == [
        (nov_2, "Acme", 0.0),
        (nov_9, "Acme", -1.0),
        (nov_9, "Globex", 0.0),
    ]
