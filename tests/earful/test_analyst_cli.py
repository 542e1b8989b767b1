"""``earful mentions`` and ``earful stats``: exact output, formats, exit codes."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime

import pytest
from click.testing import CliRunner
from sqlalchemy import update

from earful.cli import main
from earful.cli.analyst import parse_when
from storage import Mention, make_engine
from storage.export import MENTION_COLUMNS
from tests.storage.analyst_seed import HOSTILE_TITLE, seed


@pytest.fixture
def url(sqlite_url, open_db):
    seed(open_db(sqlite_url))
    return sqlite_url


def run(url, *args, code=0):
    runner = CliRunner(env={"COLUMNS": "120"})
    result = runner.invoke(main, ["mentions", "--database-url", url, *args])
    assert result.exit_code == code, result.output
    return result.output


def test_table_is_terminal_safe(url):
    out = run(url, "--sentiment", "negative", "--sort", "reach")
    assert out == (
        "id      published             source         brands       sentiment rating      "
        "reach    AH text\n"
        "3       2026-11-09 10:00 UTC  forum          Acme         neg 0.81  -           "
        "20000    -H アクメの配送が遅すぎる。品…\n"
        "1       2026-11-02 09:00 UTC  news           Acme         neg 0.92  -           "
        "5000     A- Acme rocket skates broke — …\n"
        "5       2026-11-11 12:00 UTC  forum          Acme         neg 0.95  -           "
        "300      -- <script>alert(1)</script> —…\n"
    )
    assert "\x1b" not in run(url, "--search", "scam", "--limit", "1")
    assert "\x07" not in run(url, "--search", "scam")


def test_filters_combine(url):
    out = run(url, "--brand", "Globex", "--source-type", "review", "--search", "50%")
    assert out.splitlines()[1].startswith("6       2026-11-16 18:00 UTC  reviews")
    assert len(out.splitlines()) == 2
    out = run(url, "--since", "2026-11-09", "--until", "2026-11-10", "--handled")
    assert [line.split()[0] for line in out.splitlines()[1:]] == ["3"]
    out = run(url, "--alerted", "--min-reach", "1000", "--language", "en")
    assert [line.split()[0] for line in out.splitlines()[1:]] == ["1"]


def test_search_speaks_the_brand_query_language(url):
    def ids(search):
        return [
            line.split()[0] for line in run(url, "--search", search).splitlines()[1:]
        ]

    assert ids('"rocket skates" OR 配送') == ["3", "1"]
    assert ids("「配送が遅すぎる」 OR (acme NOT (scam OR skates))") == ["6", "3", "2"]
    out = run(url, "--search", "(配送", code=2)
    assert "Invalid value for '--search': the search does not parse: missing ')'" in out


def test_csv_defuses_formulas_and_escapes(url, tmp_path):
    target = tmp_path / "out.csv"
    assert (
        run(url, "--search", "scam", "--format", "csv", "--output", str(target)) == ""
    )
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert len(rows) == 1
    assert rows[0]["title"] == HOSTILE_TITLE
    assert rows[0]["text"] == (
        '<img src=x onerror="alert(2)"> Acme is a scam =HYPERLINK("http://evil.example")'
    )
    out = run(url, "--search", "Globex launches", "--format", "csv")
    assert out.splitlines()[1].startswith(
        "4,2026-11-10T08:00:00+00:00,news,feed,Globex"
    )


def test_jsonl_keeps_text_and_escapes_controls(url):
    out = run(url, "--search", "scam", "--format", "jsonl")
    assert "\x1b" not in out
    record = json.loads(out)
    assert record["title"] == HOSTILE_TITLE
    assert "\x1b[31mAcme" in record["text"]
    assert record["brands"] == ["Acme"]
    assert record["sentiment"] == "negative"
    assert record["alerted"] is False


def test_usage_errors_exit_2(url):
    out = run(url, "--min-probability", "0.5", code=2)
    assert "Error: --min-probability needs --sentiment" in out
    out = run(url, "--since", "last tuesday", code=2)
    assert "'last tuesday' is not a date" in out


def test_missing_config_exits_1(tmp_path):
    result = CliRunner().invoke(
        main, ["mentions", "--config", str(tmp_path / "no.toml")]
    )
    assert result.exit_code == 1
    assert (
        result.output
        == f"Error: {tmp_path / 'no.toml'}: no such file, and no database URL: pass "
        "--database-url or set EARFUL_DATABASE_URL to read a database, or copy the "
        "example config from the README\n"
    )


def test_parse_when():
    now = datetime(2026, 11, 30, 12, tzinfo=UTC)
    assert parse_when("7d", now=now) == datetime(2026, 11, 23, 12, tzinfo=UTC)
    assert parse_when("12h", now=now) == datetime(2026, 11, 30, 0, tzinfo=UTC)
    assert parse_when("2w", now=now) == datetime(2026, 11, 16, 12, tzinfo=UTC)
    assert parse_when("2026-11-01") == datetime(2026, 11, 1, tzinfo=UTC)
    assert parse_when("2026-11-01", end=True) == datetime(2026, 11, 2, tzinfo=UTC)
    assert parse_when("2026-11-01T09:30+09:00") == datetime(
        2026, 11, 1, 0, 30, tzinfo=UTC
    )
    tokyo = parse_when("2026-03-02", zone="Asia/Tokyo")
    assert tokyo == datetime(2026, 3, 1, 15, tzinfo=UTC)
    # the day daylight saving starts has 23 hours: its end is 22:00 UTC
    berlin = parse_when("2026-03-29", end=True, zone="Europe/Berlin")
    assert berlin == datetime(2026, 3, 29, 22, tzinfo=UTC)


def test_stats_exact(url):
    result = CliRunner().invoke(
        main,
        [
            "stats",
            "--database-url",
            url,
            "--brand",
            "Acme",
            "--by",
            "week",
            "--top",
            "2",
        ],
    )
    assert result.exit_code == 0, result.output
    assert result.output == (
        "week (UTC) mentions    neg    neu    pos    net\n"
        "2026-11-02        2      1      0      1  +0.00\n"
        "2026-11-09        2      2      0      0  -1.00\n"
        "2026-11-16        1      0      0      0  +0.00\n"
        "\n"
        "source               mentions    neg    neu    pos    net\n"
        "forum                       2      2      0      0  -1.00\n"
        "reviews                     2      0      0      1  +0.50\n"
        "news                        1      1      0      0  -1.00\n"
        "\n"
        "language   mentions    neg    neu    pos    net\n"
        "en                4      2      0      1  -0.25\n"
        "ja                1      1      0      0  -1.00\n"
        "\n"
        "brand                mentions  share\n"
        "Acme                        5  71.4%\n"
        "Globex (competitor)         2  28.6%\n"
        "\n"
        "top negative by reach:\n"
        "  #3 reach 20000 forum: アクメの配送が遅すぎる。品質も悪い。\n"
        "  #1 reach 5000 news: Acme rocket skates broke\n"
    )


def _rate(url, external_id, rating):
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(
            update(Mention)
            .where(Mention.external_id == external_id)
            .values(
                rating=rating, rating_best=5, site_name="価格.com", score=7, comments=2
            )
        )
    engine.dispose()


def test_jsonl_and_csv_carry_every_documented_field(url):
    """Rating, reach, language, model and revision… (issues 13.10 and 20)."""
    _rate(url, "delivery_ja", 2)
    record = json.loads(run(url, "--language", "ja", "--format", "jsonl"))
    assert list(record) == [c.name for c in MENTION_COLUMNS]
    assert (record["rating"], record["rating_best"]) == (2, 5)
    assert record["reach"] == 20000
    assert record["language"] == "ja"
    assert record["model_id"] == "earful-default"
    assert record["model_revision"] == "r1"
    assert record["site_name"] == "価格.com"
    assert (record["score"], record["comments"]) == (7, 2)
    assert record["external_id"] == "delivery_ja"
    assert record["text"] == "アクメの配送が遅すぎる。品質も悪い。"
    assert record["handled_by"] is not None
    rows = list(
        csv.DictReader(io.StringIO(run(url, "--language", "ja", "--format", "csv")))
    )
    assert list(rows[0]) == [c.name for c in MENTION_COLUMNS]
    assert (rows[0]["rating"], rows[0]["rating_best"]) == ("2.0", "5.0")
    assert rows[0]["model_revision"] == "r1"


@pytest.mark.parametrize(
    ("words", "message"), [(1_000, "1,000 words"), (20_000, "20,000 words")]
)
def test_a_search_of_too_many_words_is_a_usage_error_not_sql(url, words, message):
    out = run(url, "--search", " ".join(["アクメ"] * words), code=2)
    assert f"Invalid value for '--search': the search has {message}: at most 32" in out
    assert "sqlite" not in out.lower()
    assert "Expression tree" not in out
