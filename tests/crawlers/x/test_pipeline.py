"""An X source in Earful's pipeline: runs are recorded, a missing token fails the source."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from earful.cli import main
from earful.config import parse_config
from earful.pipeline import Pipeline
from storage import CrawlRun
from tests.servers.x import XServer


def _config(db: Path, api: str) -> dict[str, object]:
    return {
        "database_url": f"sqlite:///{db}",
        "brands": [
            {"name": "Acme", "terms": ["acme", "アクメ"], "exclude": ["acme corp"]}
        ],
        "sources": [{"name": "x-acme", "type": "x", "api_url": api}],
    }


def test_a_missing_token_fails_the_source_not_the_run(
    x_server: XServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("EARFUL_X_BEARER_TOKEN", raising=False)
    config = parse_config(_config(tmp_path / "e.db", x_server.url), environ=False)
    assert config.unset_secrets() == []  # the default variable: a failed source
    pipeline = Pipeline(config)
    outcome = pipeline.collect(config.sources[0])
    assert outcome.error is not None
    assert "set EARFUL_X_BEARER_TOKEN" in outcome.error
    with pipeline.sessions() as session:
        run = session.scalars(select(CrawlRun)).one()
    assert (run.status, run.error) == ("failed", outcome.error)


def test_runs_are_recorded_and_status_shows_them(
    x_server: XServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    token, _ = x_server.scenario()
    monkeypatch.setenv("EARFUL_X_BEARER_TOKEN", token)
    db = tmp_path / "e.db"
    config = parse_config(_config(db, x_server.url), environ=False)
    assert token in config.secret_values()  # masked in the logs
    pipeline = Pipeline(config)
    outcome = pipeline.collect(config.sources[0])
    assert (outcome.seen, outcome.new, outcome.error) == (3, 3, None)
    pipeline.sessions.kw["bind"].dispose()
    result = CliRunner().invoke(main, ["status", "--database-url", f"sqlite:///{db}"])
    assert "x-acme" in result.output
    assert (
        "x-acme: warning: X left out an item: Not Found Error: Could not find "
        "user with id: [1500000000000000009]." in result.output
    )
