"""A Bluesky listen past poison events: the run is ok, and `earful status` says what was skipped."""

from __future__ import annotations

import threading
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import select

from earful.cli import main
from earful.config import load_config
from earful.pipeline import Pipeline
from storage import CrawlRun, Mention
from tests.servers.jetstream import JetstreamServer, commit

DID = "did:plc:ewvi7nxzyoun6zhxrhs64oiz"
CONFIG = """
database_url = "sqlite:///{db}"

[[brands]]
name = "Acme"
terms = ["acme", "アクメ"]

[[sources]]
name = "bsky"
type = "bluesky"
jetstream_url = "{url}"
interval = "60s"
"""


def test_poison_on_the_firehose_is_an_ok_run_with_a_warning_in_status(tmp_path: Path):
    with JetstreamServer() as jetstream:
        path = tmp_path / "earful.toml"
        path.write_text(
            CONFIG.format(db=tmp_path / "earful.db", url=jetstream.url), "utf-8"
        )
        pipeline = Pipeline(load_config(path))
        [source] = pipeline.enabled_sources()

        def publish() -> None:
            jetstream.wait("a connection", lambda: jetstream.opened >= 1)
            jetstream.publish([commit(DID, 1, "3lg1", text="アクメ 1")])
            jetstream.publish_raw("[" * 100_000 + "]" * 100_000, 2)
            jetstream.publish(
                [
                    commit(
                        DID,
                        3,
                        "3lp",
                        text="アクメ 9999",
                        created_at="9999-12-31T23:59:59-14:00",
                    ),
                    commit(DID, 4, "3lg2", text="アクメ 2"),
                ]
            )

        threading.Thread(target=publish, daemon=True).start()

        def wake() -> None:
            with pipeline.sessions() as session:
                if len(session.scalars(select(Mention)).all()) == 3:
                    pipeline.stopping.set()

        outcome = pipeline.collect(source, wake)
        pipeline.close()
    assert (outcome.error, outcome.new) == (None, 3)
    sessions = Pipeline(load_config(path)).sessions
    with sessions() as session:
        [run] = session.scalars(select(CrawlRun))
        assert run.status == "ok"
        assert run.warning is not None
        assert run.warning.splitlines()[0] == "1 event(s) skipped as unreadable"
    result = CliRunner().invoke(main, ["status", "--config", str(path)])
    assert "bsky: warning: 1 event(s) skipped as unreadable" in result.output
    assert "JSON nested more than 64 deep" in result.output
    assert "createdAt: date 9999-12-31T23:59:59-14:00 is out of range" in result.output
