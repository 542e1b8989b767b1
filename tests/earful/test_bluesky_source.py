"""The bluesky source in the CLI and daemon: config keys, ``source check``, a recorded run."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from crawlers.bluesky.settings import BlueskySource
from earful.cli import main
from earful.config import load_config
from earful.errors import ConfigError
from earful.pipeline import Pipeline
from storage import CrawlRun, Mention
from tests.servers.jetstream import JetstreamServer, commit

DID = "did:plc:ewvi7nxzyoun6zhxrhs64oiz"
CONFIG = """
database_url = "{db}"

[[brands]]
name = "Acme"
terms = ["acme", "アクメ"]

[[sources]]
name = "bsky"
type = "bluesky"
jetstream_url = "{url}"
interval = "{interval}"
{extra}
"""


def _config(tmp_path: Path, url: str, extra: str = "", interval: str = "3s") -> Path:
    path = tmp_path / "earful.toml"
    db = f"sqlite:///{tmp_path / 'earful.db'}"
    text = CONFIG.format(db=db, url=url, extra=extra, interval=interval)
    path.write_text(text, encoding="utf-8")
    return path


def _publish_when_connected(server: JetstreamServer, events: list[dict]) -> None:
    def publish() -> None:
        server.wait("a connection", lambda: server.opened >= 1)
        server.publish(events)

    threading.Thread(target=publish, daemon=True).start()


def test_source_check_listens_for_the_next_posts_and_stores_nothing(tmp_path):
    with JetstreamServer() as jetstream:
        config = _config(tmp_path, jetstream.url)
        _publish_when_connected(
            jetstream,
            [
                commit(DID, 1, "3la1", text="ｱｸﾒの掃除機、音がうるさい", langs=("ja",)),
                commit(DID, 2, "3la2", text="nice weather", langs=("en",)),
            ],
        )
        result = CliRunner().invoke(
            main, ["source", "check", "--config", str(config), "bsky", "--limit", "2"]
        )
    assert result.exit_code == 0, result.output
    assert "ｱｸﾒの掃除機、音がうるさい" in result.output
    assert "Acme (アクメ)" in result.output
    assert f"https://bsky.app/profile/{DID}/post/3la1" in result.output
    assert "no brand matched" in result.output
    assert not (tmp_path / "earful.db").exists()


def test_source_check_on_an_unreachable_jetstream_exits_1(tmp_path):
    config = _config(tmp_path, "ws://127.0.0.1:9/subscribe")
    result = CliRunner().invoke(
        main, ["source", "check", "--config", str(config), "bsky"]
    )
    assert result.exit_code == 1
    assert result.output.startswith(
        "Error: bluesky source bsky: Jetstream at 127.0.0.1:9:"
    )


def test_a_pipeline_run_listens_and_records_the_run(tmp_path):
    with JetstreamServer() as jetstream:
        config = load_config(_config(tmp_path, jetstream.url, interval="60s"))
        pipeline = Pipeline(config)
        [source] = pipeline.enabled_sources()
        _publish_when_connected(
            jetstream, [commit(DID, 1, "3lb1", text="アクメの新型、最高")]
        )
        woken = []

        def wake() -> None:  # stored: stop listening, as SIGTERM would
            woken.append(1)
            pipeline.stopping.set()

        outcome = pipeline.collect(source, wake)
        pipeline.close()
    assert (outcome.seen, outcome.new, outcome.error) == (1, 1, None)
    assert woken
    sessions = Pipeline(config).sessions
    with sessions() as session:
        [run] = session.scalars(select(CrawlRun))
        assert (run.source, run.status, run.items_new) == ("bsky", "ok", 1)
        assert session.scalars(select(Mention.text)).all() == ["アクメの新型、最高"]


def test_an_unreachable_firehose_is_a_failed_run_not_a_crash(tmp_path):
    path = _config(tmp_path, "ws://127.0.0.1:9/subscribe", 'max_backoff = "0.2s"')
    pipeline = Pipeline(load_config(path))
    [source] = pipeline.enabled_sources()
    outcome = pipeline.collect(source)
    assert outcome.error is not None
    assert "Jetstream at 127.0.0.1:9" in outcome.error
    with pipeline.sessions() as session:
        [run] = session.scalars(select(CrawlRun))
        assert run.status == "failed"
    pipeline.close()


def test_search_without_its_account_is_a_config_warning(tmp_path, monkeypatch):
    monkeypatch.delenv("EARFUL_BLUESKY_HANDLE", raising=False)
    monkeypatch.delenv("EARFUL_BLUESKY_APP_PASSWORD", raising=False)
    config = load_config(
        _config(tmp_path, "wss://js.example/subscribe", "search = true")
    )
    handle, password = config.unset_secrets()
    assert handle == (
        "sources[0].handle_env: environment variable EARFUL_BLUESKY_HANDLE is not "
        "set (set it, or remove handle_env from the config)"
    )
    assert password.startswith("sources[0].app_password_env: environment variable")


def test_the_jetstream_url_must_be_a_websocket(tmp_path):
    with pytest.raises(ConfigError) as raised:
        load_config(_config(tmp_path, "https://js.example/subscribe"))
    assert str(raised.value).endswith(
        "sources[0].jetstream_url: must be a ws:// or wss:// URL (Jetstream's "
        "/subscribe endpoint)"
    )
    assert BlueskySource.model_fields["interval"].default == 300.0


def test_a_firehose_takes_no_cron(tmp_path):
    with pytest.raises(ConfigError) as raised:
        load_config(
            _config(tmp_path, "wss://js.example/subscribe", 'cron = "* * * * *"')
        )
    assert "a firehose listens all the time: set interval, not cron" in str(
        raised.value
    )
