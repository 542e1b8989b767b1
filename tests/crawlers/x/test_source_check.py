"""``earful source check`` on an X source: the newest posts per brand, nothing stored."""

from __future__ import annotations

from click.testing import CliRunner

from earful.cli import main

CONFIG = """
database_url = "sqlite:///{db}"

[[brands]]
name = "Acme"
terms = ["acme", "アクメ"]
exclude = ["acme corp"]

[[sources]]
name = "x-acme"
type = "x"
api_url = "{api}"
"""


def test_an_x_source_shows_its_newest_posts(x_server, tmp_path, monkeypatch):
    token, scenario = x_server.scenario()
    monkeypatch.setenv("EARFUL_X_BEARER_TOKEN", token)
    config = tmp_path / "earful.toml"
    db = tmp_path / "earful.db"
    config.write_text(CONFIG.format(db=db, api=x_server.url), encoding="utf-8")
    result = CliRunner().invoke(
        main, ["source", "check", "--config", str(config), "x-acme", "--limit", "3"]
    )
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[:2] == ["x source x-acme", "3 items extracted, 3 name a brand"]
    assert "    アクメのサポート、三日待っても返事が来ない。最悪です。" in lines
    assert scenario.requests[0]["max_results"] == "10"
    assert not db.exists()


def test_a_refused_token_exits_1_with_the_reason(x_server, tmp_path, monkeypatch):
    monkeypatch.setenv("EARFUL_X_BEARER_TOKEN", "AAAAwrong")
    config = tmp_path / "earful.toml"
    config.write_text(
        CONFIG.format(db=tmp_path / "e.db", api=x_server.url), encoding="utf-8"
    )
    result = CliRunner().invoke(
        main, ["source", "check", "--config", str(config), "x-acme"]
    )
    assert result.exit_code == 1
    assert result.output == (
        "Error: x source x-acme: X rejected the bearer token (HTTP 401 "
        "Unauthorized): check EARFUL_X_BEARER_TOKEN\n"
    )
