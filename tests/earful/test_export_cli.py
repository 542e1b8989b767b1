"""``earful export`` to Parquet, CSV and JSONL, and every read-only command with only a URL."""

from __future__ import annotations

import csv
import io
import json

import pandas as pd
import pytest
from click.testing import CliRunner

from earful.cli import main
from storage.export import TABLES
from tests.storage.analyst_seed import seed


@pytest.fixture
def url(database_url, open_db):
    seed(open_db(database_url))
    return database_url


@pytest.fixture(autouse=True)
def no_config_here(tmp_path, monkeypatch):
    """Run from a folder without earful.toml, as an analyst handed a URL would."""
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)


def invoke(*args, code=0, env=None):
    runner = CliRunner(env={"COLUMNS": "120", **(env or {})})
    result = runner.invoke(main, list(args))
    assert result.exit_code == code, result.output
    return result.output


def test_parquet_keeps_the_types(url, tmp_path):
    target = tmp_path / "mentions.parquet"
    out = invoke("export", "--database-url", url, "--output", str(target))
    assert out == f"6 mentions rows written to {target}\n"
    frame = pd.read_parquet(target)
    assert list(frame.columns) == [c.name for c in TABLES["mentions"]]
    assert str(frame["published_at"].dtype) == "datetime64[us, UTC]"
    assert str(frame["scored_at"].dtype) == "datetime64[us, UTC]"
    assert frame["negative"].dtype == "float64"
    assert frame["alerted"].dtype == "bool"
    assert frame["id"].dtype == "int64"
    by_id = frame.set_index("external_id")
    assert list(by_id.loc["compare", "brands"]) == ["Acme", "Globex"]
    assert by_id.loc["delivery_ja", "text"] == "アクメの配送が遅すぎる。品質も悪い。"
    assert by_id.loc["delivery_ja", "published_at"] == pd.Timestamp(
        "2026-11-09T10:00", tz="UTC"
    )
    assert by_id.loc["skates", "negative"] == pytest.approx(0.92)


@pytest.mark.parametrize(
    ("table", "columns", "rows"),
    [
        ("scores", ["mention_id", "model_id", "negative"], 1),
        ("brand-matches", ["mention_id", "brand", "terms"], 1),
        ("alerts", ["mention_id", "rule", "state", "sent_at"], 0),
    ],
)
def test_each_table_is_filtered_like_mentions(url, tmp_path, table, columns, rows):
    target = tmp_path / f"{table}.parquet"
    invoke(
        "export",
        table,
        "--database-url",
        url,
        "--search",
        "ｱｸﾒ",
        "--output",
        str(target),
    )
    frame = pd.read_parquet(target)
    assert list(frame.columns) == [c.name for c in TABLES[table]]
    assert len(frame) == rows
    assert set(columns) <= set(frame.columns)
    if table == "brand-matches":
        assert list(frame["terms"][0]) == ["Acme"]
        assert str(frame["published_at"].dtype) == "datetime64[us, UTC]"


def test_alerts_and_every_batch_size(url, tmp_path):
    whole = invoke("export", "alerts", "--database-url", url, "--alerted")
    record = json.loads(whole)
    assert (record["rule"], record["state"], record["kind"]) == (
        "acme-negative", "sent", "mention"
    )  # fmt: skip
    one = invoke(
        "export", "--database-url", url, "--batch-size", "1", "--sort", "reach"
    )
    all_at_once = invoke("export", "--database-url", url, "--sort", "reach")
    assert one == all_at_once
    assert len(one.splitlines()) == 6


def test_csv_export_defuses_and_joins_lists(url):
    out = invoke("export", "brand-matches", "--database-url", url, "--format", "csv",
                 "--brand", "Globex")  # fmt: skip
    rows = list(csv.DictReader(io.StringIO(out)))
    # every match of the mentions found, Acme's too where a mention names both
    assert [r["brand"] for r in rows] == ["Globex", "Acme", "Globex"]
    assert [r["terms"] for r in rows] == ["Globex", "Acme", "Globex"]
    out = invoke("export", "--database-url", url, "--format", "csv", "--search", "scam")
    (row,) = csv.DictReader(io.StringIO(out))
    assert "\x1b" not in row["text"]
    assert row["text"].endswith('=HYPERLINK("http://evil.example")')


def test_export_usage_errors(url, tmp_path):
    out = invoke("export", "--database-url", url, "--format", "parquet", code=2)
    assert "Parquet is binary: give --output FILE.parquet" in out
    out = invoke("export", "--database-url", url, "--output", str(tmp_path / "x.xlsx"),
                 code=2)  # fmt: skip
    assert "cannot tell the format from" in out


@pytest.mark.parametrize("how", ["flag", "env"])
def test_the_url_is_enough(url, how):
    args, env = (
        (["--database-url", url], None)
        if how == "flag"
        else ([], {"EARFUL_DATABASE_URL": url})
    )
    out = invoke("mentions", *args, "--search", "アクメ", env=env)
    assert [line.split()[0] for line in out.splitlines()[1:]] == ["3"]
    # no config names the model: the one that scored last counts
    assert "neg 0.81" in out
    out = invoke("stats", *args, "--brand", "Acme", env=env)
    assert "Acme" in out
    assert "Globex (competitor)" in out
    out = invoke("export", "scores", *args, env=env)
    assert len(out.splitlines()) == 5
    out = invoke("status", *args, env=env, code=1)
    lines = out.splitlines()
    assert lines[0].split() == ["source", "last", "run", "last", "success",
                                "pages/items", "seen/new", "24", "h", "next",
                                "run"]  # fmt: skip
    assert [line.split()[0] for line in lines[1:3]] == ["forum", "news"]
    assert "  forum: last error" in out
    assert out.endswith("Error: unhealthy: failing for longer than 1:00:00: forum\n")


def test_without_config_or_url_the_error_says_what_to_give():
    out = invoke("status", code=1, env={"EARFUL_DATABASE_URL": ""})
    assert out == (
        "Error: earful.toml: no such file, and no database URL: pass --database-url "
        "or set EARFUL_DATABASE_URL to read a database, or copy the example config "
        "from the README\n"
    )
    out = invoke("export", code=1, env={"EARFUL_DATABASE_URL": ""})
    assert "no database URL" in out
