"""Config loading: valid files load, and every mistake is reported at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from earful.config import load_config, parse_config
from earful.errors import ConfigError

GOOD = """
database_url = "sqlite:///x.db"

[[brands]]
name = "Acme"
terms = ["Acme", "ＡＣＭＥ"]
exclude = ["Acme Road Runner"]

[[brands]]
name = "Globex"
terms = ["Globex"]
competitor = true

[[sources]]
name = "news"
type = "feed"
url = "https://example.com/feed.xml"
interval = "15m"

[[alerts]]
name = "acme-negative"
brands = ["Acme"]
channel = "#brand-alerts"
min_negative = 0.8
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "earful.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_valid_config_loads(tmp_path, monkeypatch):
    monkeypatch.delenv("EARFUL_DATABASE_URL", raising=False)
    config = load_config(write(tmp_path, GOOD))
    assert config.database_url == "sqlite:///x.db"
    assert [b.name for b in config.brands] == ["Acme", "Globex"]
    assert config.brands[1].competitor is True
    assert config.sources[0].interval == 900.0
    assert config.alerts[0].min_negative == 0.8
    assert config.sentiment.model == "earful-default"


def test_environment_overrides_file(tmp_path, monkeypatch):
    monkeypatch.setenv("EARFUL_DATABASE_URL", "sqlite:///from-env.db")
    assert load_config(write(tmp_path, GOOD)).database_url == "sqlite:///from-env.db"


def test_three_mistakes_are_all_reported(tmp_path):
    bad = (
        GOOD.replace('interval = "15m"', "interval = -5")
        .replace('channel = "#brand-alerts"', 'chanel = "#brand-alerts"')
        .replace('url = "https://example.com/feed.xml"', 'url = "ftp://example.com/f"')
    )
    path = write(tmp_path, bad)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert info.value.problems == [
        f"{path}: sources[0].interval: Input should be greater than 0",
        (
            f"{path}: sources[0].url: must be an http:// or https:// URL with a host,"
            " got 'ftp://example.com/f'"
        ),
        f"{path}: alerts[0].channel: required key is missing",
        f"{path}: alerts[0].chanel: unknown key: did you mean `channel`?",
    ]


def test_unknown_brand_in_alert_rule(tmp_path):
    path = write(tmp_path, GOOD.replace('brands = ["Acme"]', 'brands = ["Acm"]'))
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert info.value.problems == [
        f"{path}: (top level): alerts[0].brands: unknown brand 'Acm' (known: Acme, Globex)"
    ]


def test_invalid_toml_names_the_line(tmp_path):
    path = write(tmp_path, GOOD + "\n[[brands]\n")
    with pytest.raises(ConfigError, match=r"invalid TOML: .*\(at line 26, column 9\)"):
        load_config(path)


def test_missing_file(tmp_path):
    with pytest.raises(ConfigError, match="no such file"):
        load_config(tmp_path / "nope.toml")


def test_secrets_come_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-secret-value")
    config = load_config(write(tmp_path, GOOD))
    assert config.slack_token is not None
    assert config.slack_token.get_secret_value() == "xoxb-secret-value"
    assert "xoxb-secret-value" not in repr(config)


def test_every_secret_is_listed_for_the_logs_to_mask(monkeypatch):
    for name, value in {
        "SLACK_BOT_TOKEN": "xoxb-bot",
        "SLACK_APP_TOKEN": "xapp-app",
        "SLACK_WEBHOOK_URL": "https://hooks.example/T/B/x",
        "REDDIT_CLIENT_SECRET": "reddit-secret",
    }.items():
        monkeypatch.setenv(name, value)
    config = parse_config(
        {
            "database_url": "postgresql+psycopg://earful:db-pass@127.0.0.1/earful",
            "brands": [{"name": "Acme", "terms": ["acme"]}],
            "sources": [{"name": "r", "type": "reddit", "subreddits": ["acme"]}],
        },
        environ=False,
    )
    assert sorted(config.secret_values()) == sorted(
        [
            "xoxb-bot",
            "xapp-app",
            "https://hooks.example/T/B/x",
            "reddit-secret",
            "db-pass",
        ]
    )


JAPANESE_SOURCES = """
[[sources]]
name = "5ch"
type = "board"
url = "https://egg.5ch.net/kaden"
threads = ["https://egg.5ch.net/test/read.cgi/kaden/1700000000/l50", "1700000001"]

[[sources]]
name = "play"
type = "googleplay"
app_id = "jp.example.acme"
about = "アクメ"
reply_window = "3d"

[[sources]]
name = "qa"
type = "chiebukuro"
questions = ["https://detail.chiebukuro.yahoo.co.jp/qa/question_detail/q13300000001"]
"""


def test_japanese_sources_load_with_their_shorthands(tmp_path):
    config = load_config(
        write(tmp_path, GOOD.split("[[sources]]", maxsplit=1)[0] + JAPANESE_SOURCES)
    )
    board, play, qa = config.sources
    assert board.url == "https://egg.5ch.net/kaden/"
    assert board.threads == ["1700000000", "1700000001"]
    assert play.reply_window == 3 * 86400
    assert qa.questions == ["13300000001"]


def test_japanese_source_mistakes_name_their_keys(tmp_path):
    text = """
[[brands]]
name = "Acme"
terms = ["acme"]

[[sources]]
name = "5ch"
type = "board"
url = "https://egg.5ch.net/test/read.cgi/kaden/1700000000/"
threads = ["latest"]

[[sources]]
name = "ios"
type = "appstore"
app_id = 0
about = "アクメ"

[[sources]]
name = "hatebu"
type = "hatena"
"""
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, text))
    problems = str(info.value)
    assert (
        "sources[0].url: must be a board's URL like https://egg.5ch.net/software/"
        in (problems)
    )
    assert "sources[0].threads[0]: 'latest' is not a thread key" in problems
    assert "sources[1].app_id: Input should be greater than 0" in problems
    assert "sources[2]: set urls, query or both" in problems


@pytest.mark.parametrize(
    "query", ['NOT "acme corp"', "NOT spam AND NOT ads", "acme OR NOT spam"]
)
def test_a_query_that_matches_text_naming_none_of_its_terms_is_an_error(
    tmp_path, query
):
    good = 'terms = ["Globex"]\ncompetitor'
    path = write(tmp_path, GOOD.replace(good, f"query = '{query}'\ncompetitor"))
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert info.value.problems == [
        (
            f"{path}: brands[1].query: query {query!r} matches text that names none "
            "of its terms (e.g. only NOT ...): add a term it must find"
        )
    ]


def test_a_query_with_a_term_it_must_find_is_valid(tmp_path, monkeypatch):
    monkeypatch.delenv("EARFUL_DATABASE_URL", raising=False)
    good = 'terms = ["Globex"]\ncompetitor'
    query = 'globex NOT "globex tours"'
    path = write(tmp_path, GOOD.replace(good, f"query = '{query}'\ncompetitor"))
    assert load_config(path).brands[1].query == query
