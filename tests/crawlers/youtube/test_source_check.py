"""``earful source check`` on YouTube: a video's newest comments, nothing stored."""

from __future__ import annotations

from click.testing import CliRunner

from earful.cli import main

CONFIG = """
database_url = "sqlite:///{db}"

[[brands]]
name = "Acme"
terms = ["acme", "アクメ"]

[[sources]]
name = "yt-acme"
type = "youtube"
channel_id = "UCacme0000000000000000aa"
api_url = "{api}"
"""


def test_a_youtube_source_shows_its_newest_comments(
    youtube_server, tmp_path, monkeypatch
):
    key, scenario = youtube_server.scenario()
    monkeypatch.setenv("EARFUL_YOUTUBE_API_KEY", key)
    config = tmp_path / "earful.toml"
    db = tmp_path / "earful.db"
    config.write_text(
        CONFIG.format(db=db, api=youtube_server.endpoint), encoding="utf-8"
    )
    result = CliRunner().invoke(
        main, ["source", "check", "--config", str(config), "yt-acme", "--limit", "5"]
    )
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[:2] == ["youtube source yt-acme", "4 items extracted, 2 name a brand"]
    assert "    アクメのブレンダー、二週間で壊れました。サポートも返事なし。" in lines
    assert scenario.used == 1  # one commentThreads.list, no search
    assert not db.exists()


def test_comments_disabled_exits_1_with_the_reason(
    youtube_server, tmp_path, monkeypatch
):
    key, _ = youtube_server.scenario()
    monkeypatch.setenv("EARFUL_YOUTUBE_API_KEY", key)
    config = tmp_path / "earful.toml"
    text = CONFIG.format(db=tmp_path / "e.db", api=youtube_server.endpoint)
    text = text.replace(
        'channel_id = "UCacme0000000000000000aa"', 'videos = ["quietVid001"]'
    )
    config.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(
        main, ["source", "check", "--config", str(config), "yt-acme"]
    )
    assert result.exit_code == 1
    assert result.output.startswith(
        "Error: youtube source yt-acme: commentsDisabled: The video identified"
    )
