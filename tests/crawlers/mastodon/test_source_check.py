"""``earful source check`` and config for Mastodon: tokens per instance, nothing stored."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from crawlers.mastodon.kind import params
from crawlers.mastodon.settings import MastodonSource
from earful.cli import main
from earful.config import parse_config
from earful.errors import ConfigError

CONFIG = """
database_url = "sqlite:///{db}"

[[brands]]
name = "Acme"
terms = ["acme", "アクメ"]

[[sources]]
name = "mastodon-jp"
type = "mastodon"
instances = ["{url}"]
hashtags = ["アクメ"]
token_envs = {{ "{url}" = "MSTDN_TEST_TOKEN" }}
"""


def test_a_mastodon_source_shows_its_newest_toots(
    mastodon_server, tmp_path, monkeypatch
):
    url, _ = mastodon_server.instance(tokens=("t0ken",))
    monkeypatch.setenv("MSTDN_TEST_TOKEN", "t0ken")
    config = tmp_path / "earful.toml"
    db = tmp_path / "earful.db"
    config.write_text(CONFIG.format(db=db, url=url), encoding="utf-8")
    result = CliRunner().invoke(
        main, ["source", "check", "--config", str(config), "mastodon-jp"]
    )
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[:2] == [
        "mastodon source mastodon-jp",
        "3 items extracted, 3 name a brand",
    ]
    assert "    アクメの新しいミキサー、音が大きすぎて子どもが泣く" in lines
    assert not db.exists()


def test_default_token_variables_and_unset_named_ones():
    source = parse_config(
        {
            "brands": [{"name": "Acme", "terms": ["acme"]}],
            "sources": [
                {
                    "name": "m",
                    "type": "mastodon",
                    "instances": ["mstdn.jp", "mastodon.social"],
                    "token_envs": {"mastodon.social": "MS_TOKEN_FOR_TEST"},
                }
            ],
        },
        environ=False,
    )
    mastodon = source.sources[0]
    assert isinstance(mastodon, MastodonSource)
    assert mastodon.token_env("mstdn.jp") == "EARFUL_MASTODON_TOKEN_MSTDN_JP"
    assert mastodon.token_env("mastodon.social") == "MS_TOKEN_FOR_TEST"
    assert source.unset_secrets() == [
        (
            "sources[0].token_envs: environment variable MS_TOKEN_FOR_TEST is not "
            "set (set it, or remove token_envs from the config)"
        )
    ]


def test_a_token_env_for_an_unknown_instance_is_a_config_error():
    with pytest.raises(ConfigError, match=r"token_envs: not in instances: mstdn\.jp"):
        parse_config(
            {
                "brands": [{"name": "Acme", "terms": ["acme"]}],
                "sources": [
                    {
                        "name": "m",
                        "type": "mastodon",
                        "instances": ["mastodon.social"],
                        "token_envs": {"mstdn.jp": "X"},
                    }
                ],
            },
            environ=False,
        )


def test_a_hashtag_without_a_config(mastodon_server, tmp_path, monkeypatch):
    url, instance = mastodon_server.instance()
    monkeypatch.chdir(tmp_path)  # no earful.toml
    result = CliRunner().invoke(
        main,
        ["source", "check", "--type", "mastodon", f"{url}/#アクメ", "--limit", "2"],
    )
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[:2] == [
        "mastodon source check",
        "2 items extracted, 0 name a brand",
    ]
    assert instance.requests[-1] == {
        "path": "/api/v1/timelines/tag/アクメ",
        "limit": "2",
    }


def test_instance_tokens_are_masked_in_the_logs(monkeypatch):
    monkeypatch.setenv("EARFUL_MASTODON_TOKEN_MSTDN_JP", "mstdn-secret")
    config = parse_config(
        {
            "brands": [{"name": "Acme", "terms": ["acme"]}],
            "sources": [
                {
                    "name": "m",
                    "type": "mastodon",
                    "instances": ["mstdn.jp"],
                    "hashtags": ["acme"],
                }
            ],
        },
        environ=False,
    )
    assert "mstdn-secret" in config.secret_values()
    assert "mstdn-secret" not in repr(params(config.sources[0]))
