"""``earful source check`` on a Reddit source: a few newest items, nothing stored."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from earful.cli import main

CONFIG = """
database_url = "sqlite:///{db}"

[[brands]]
name = "Any"
query = "the OR you OR life"  # names each of the four recorded items

[[sources]]
name = "askreddit"
type = "reddit"
subreddits = ["askreddit"]
api_url = "{api}"
"""


@pytest.mark.realdata  # replays PRAW's own recordings from ../shared
def test_a_reddit_source_shows_its_newest_posts_and_comments(
    reddit_server, tmp_path, monkeypatch
):
    client_id, scenario = reddit_server.scenario(
        "TestSubredditListings.test_new",
        "TestSubredditListings.test_comments",
        ordered=True,
    )
    monkeypatch.setenv("REDDIT_CLIENT_ID", client_id)
    monkeypatch.setenv("REDDIT_CLIENT_SECRET", "not-a-secret")
    monkeypatch.setenv("REDDIT_USER_AGENT", "earful-tests")
    config = tmp_path / "earful.toml"
    db = tmp_path / "earful.db"
    config.write_text(CONFIG.format(db=db, api=reddit_server.url), encoding="utf-8")
    result = CliRunner().invoke(
        main,
        ["source", "check", "--config", str(config), "askreddit", "--limit", "2"],
    )
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[:2] == [
        "reddit source askreddit",
        "4 items extracted, 4 name a brand",
    ]  # two submissions and two comments; Reddit reads no pages
    assert sum(line.startswith("    https://www.reddit.com/r/") for line in lines) == 4
    assert not scenario.unmatched
    assert not db.exists()
