"""The brand's reply accounts: named in `[response.accounts]`, checked, made into posters."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from earful.cli import main
from earful.config import load_config
from earful.reply import posters

ACCOUNTS = """
[response.accounts.mastodon]
instance = "mstdn.jp"
[response.accounts.bluesky]
handle = "acme.bsky.social"
[response.accounts.reddit]
username = "AcmeSupport"
"""
ENVS = (
    "EARFUL_REPLY_MASTODON_TOKEN",
    "EARFUL_REPLY_BLUESKY_APP_PASSWORD",
    "EARFUL_REPLY_REDDIT_PASSWORD",
    "EARFUL_REPLY_REDDIT_CLIENT_ID",
    "EARFUL_REPLY_REDDIT_CLIENT_SECRET",
)


def write(tmp_path: Path) -> Path:
    path = tmp_path / "earful.toml"
    path.write_text(
        f'database_url = "sqlite:///{tmp_path / "earful.db"}"\n'
        '[[brands]]\nname = "アクメ"\nterms = ["アクメ"]\n' + ACCOUNTS,
        encoding="utf-8",
    )
    return path


def test_config_check_names_every_unset_reply_secret(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for env in ENVS:
        monkeypatch.delenv(env, raising=False)
    monkeypatch.setenv("EARFUL_REPLY_REDDIT_CLIENT_ID", "app-id")
    path = write(tmp_path)
    result = CliRunner().invoke(main, ["config", "check", "--config", str(path)])
    lines = [
        f"{path}: response.accounts.{where}: environment variable {env} is not set "
        f"(set it, or remove [response.accounts.{where.split('.')[0]}] from the config)"
        for where, env in [
            ("mastodon.token_env", ENVS[0]),
            ("bluesky.app_password_env", ENVS[1]),
            ("reddit.password_env", ENVS[2]),
            ("reddit.client_secret_env", ENVS[4]),
        ]
    ]
    assert (result.exit_code, result.output) == (1, "Error: " + "\n".join(lines) + "\n")


def test_set_secrets_pass_are_masked_and_make_one_poster_per_network(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for env in ENVS:
        monkeypatch.setenv(env, f"value-of-{env.lower()}")
    path = write(tmp_path)
    result = CliRunner().invoke(main, ["config", "check", "--config", str(path)])
    assert result.exit_code == 0, result.output
    config = load_config(path)
    assert set(config.secret_values()) >= {f"value-of-{e.lower()}" for e in ENVS}
    made = posters(config.response.accounts, dict.fromkeys(ENVS, "x"))
    assert {n: repr(p) for n, p in made.items()} == {
        "mastodon": "MastodonReplier('mstdn.jp')",
        "bluesky": "BlueskyReplier('acme.bsky.social')",
        "reddit": "RedditReplier('AcmeSupport')",
    }
    assert posters(config.response.accounts, {}) == {}  # drafts stay drafts
