"""Quiet is not broken: polls that read pages holding only known entries are healthy."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

from click.testing import CliRunner

from earful.cli import main
from earful.config import parse_config
from earful.pipeline import Pipeline
from tests.crawlers.conftest import crawl_runs
from tests.crawlers.test_appstore import APP, MISDECLARED, NEWER, feed_path, page
from tests.servers.scripted import Reply, ScriptedSite

CONFIG = """
database_url = "{url}"

[[brands]]
name = "アクメ"
terms = ["アクメ"]

[crawler]
download_delay = 0
retries = 0

[[sources]]
name = "ios"
type = "appstore"
app_id = {app}
about = "アクメ"
api_url = "{api}"
interval = "1h"
"""


def test_three_app_store_polls_without_a_new_review_are_quiet_not_empty(
    database_url, tmp_path: Path
):
    with ScriptedSite() as scripted:
        _quiet_polls(scripted, database_url, tmp_path)


def _quiet_polls(scripted: ScriptedSite, database_url: str, tmp_path: Path) -> None:
    scripted.script(feed_path(1), *[Reply(page(NEWER), MISDECLARED)] * 4)
    scripted.script(feed_path(2), Reply(page(), MISDECLARED))  # the first poll's end
    path = tmp_path / "earful.toml"
    text = CONFIG.format(url=database_url, app=APP, api=scripted.url)
    path.write_text(text, encoding="utf-8")
    pipeline = Pipeline(parse_config(tomllib.loads(text), environ=False))
    try:
        outcomes = [pipeline.collect(pipeline.config.sources[0]) for _ in range(4)]
    finally:
        pipeline.close()
    assert [(o.new, o.error, o.empty) for o in outcomes] == [
        (1, None, False),
        (0, None, False),
        (0, None, False),
        (0, None, False),
    ]
    runs = crawl_runs(database_url)
    assert [r.status for r in runs] == ["ok"] * 4
    assert [(r.pages_fetched, r.items_extracted) for r in runs[1:]] == [(1, 1)] * 3
    result = CliRunner().invoke(main, ["status", "--config", str(path)])
    assert result.exit_code == 0, result.output
    assert "extracted nothing" not in result.output
    report = json.loads(
        CliRunner()
        .invoke(main, ["status", "--config", str(path), "--format", "json"])
        .output
    )
    [ios] = report["sources"]
    assert (ios["last_status"], ios["empty_runs"]) == ("ok", 0)
