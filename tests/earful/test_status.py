"""``earful status``: per-source runs, next runs the scheduler saved, outbox, health exit code."""

from __future__ import annotations

import json
import tomllib
from datetime import UTC, datetime, timedelta
from pathlib import Path

from click.testing import CliRunner

from earful.cli import main
from earful.config import parse_config
from earful.pipeline import Pipeline
from earful.scheduler import build_scheduler, job_specs, schedule_of, sync_jobs
from storage import open_database
from storage.liveness import save_schedule
from storage.queries import Extraction, finish_crawl_run, start_crawl_run

CONFIG = """
database_url = "{url}"

[[brands]]
name = "Acme"
terms = ["acme"]

[[sources]]
name = "gadget-talk"
type = "feed"
url = "http://127.0.0.1:9/feed.xml"
interval = "1h"

[[sources]]
name = "broken"
type = "feed"
url = "http://127.0.0.1:9/status/500"
interval = "15m"

[[sources]]
name = "parked"
type = "feed"
url = "http://127.0.0.1:9/parked.xml"
enabled = false

[daemon]
unhealthy_after = "2h"
"""


def setup(tmp_path: Path, url: str, failing_for: timedelta) -> Path:
    path = tmp_path / "earful.toml"
    path.write_text(CONFIG.format(url=url), encoding="utf-8")
    config = parse_config(tomllib.loads(path.read_text()), environ=False)
    pipeline = Pipeline(config)
    now = datetime.now(UTC)
    with pipeline.sessions.begin() as s:
        for source, ago, seen, new, error in [
            ("gadget-talk", timedelta(hours=30), 5, 5, None),
            ("gadget-talk", timedelta(minutes=10), 4, 1, None),
            ("broken", failing_for + timedelta(minutes=5), 2, 2, None),
            ("broken", failing_for, 0, 0, "HTTP 500 from http://127.0.0.1:9/x"),
            (
                "broken",
                timedelta(minutes=3),
                0,
                0,
                "HTTP 500 from http://127.0.0.1:9/y",
            ),
        ]:
            run = start_crawl_run(s, source)
            finish_crawl_run(run, seen=seen, new=new, error=error)
            run.started_at = now - ago
            run.finished_at = now - ago + timedelta(seconds=2)
    scheduler = build_scheduler(pipeline)
    scheduler.start(paused=True)
    sync_jobs(scheduler, job_specs(config))
    with pipeline.sessions.begin() as s:  # as the daemon's heartbeat does
        save_schedule(s, schedule_of(scheduler))
    scheduler.shutdown()
    pipeline.close()
    return path


def test_a_table_of_sources_and_a_healthy_exit(tmp_path, sqlite_url):
    path = setup(tmp_path, sqlite_url, failing_for=timedelta(minutes=30))
    result = CliRunner().invoke(main, ["status", "--config", str(path)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == [
        "source", "last", "run", "last", "success", "pages/items", "seen/new", "24",
        "h", "next", "run"
    ]  # fmt: skip
    gadget = lines[1]
    assert gadget.startswith("gadget-talk")
    assert "10 min ago (ok)" in gadget
    assert "  -            4/1       4/1  " in gadget  # the 30 h run is outside 24 h
    assert gadget.endswith(
        "  due"
    )  # a new job runs at once; the saved schedule says so
    broken = lines[2]
    assert "3 min ago (failed)" in broken
    assert " 0/0 " in broken
    assert "disabled" in lines[3]
    assert "  broken: last error 2 min ago: HTTP 500 from http://127.0.0.1:9/y" in (
        result.output
    )
    assert "Alerts: 0 pending, 0 failed, 0 sent" in result.output
    assert "Model: earful-default" in result.output
    assert f"Database: {sqlite_url}" in result.output


def test_a_source_failing_too_long_fails_the_health_check(tmp_path, sqlite_url):
    path = setup(tmp_path, sqlite_url, failing_for=timedelta(hours=3))
    result = CliRunner().invoke(
        main, ["status", "--config", str(path), "--format", "json"]
    )
    assert result.exit_code == 1
    body, error = result.output.rsplit("Error: ", 1)
    assert error.strip() == "unhealthy: failing for longer than 2:00:00: broken"
    report = json.loads(body)
    assert report["unhealthy"] == ["broken"]
    assert report["model"] == "earful-default"
    assert report["alerts"] == {}
    broken = {s["name"]: s for s in report["sources"]}["broken"]
    assert broken["last_status"] == "failed"
    assert broken["last_error"] == "HTTP 500 from http://127.0.0.1:9/y"
    failing_since = datetime.fromisoformat(broken["failing_since"])
    assert datetime.now(UTC) - failing_since > timedelta(hours=3)
    assert broken["last_24h_items"] == {"seen": 2, "new": 2}
    assert broken["next_run"] is not None
    parked = {s["name"]: s for s in report["sources"]}["parked"]
    assert (parked["enabled"], parked["last_run"], parked["next_run"]) == (
        False,
        None,
        None,
    )


def test_status_before_the_daemon_ever_ran(tmp_path, sqlite_url):
    path = tmp_path / "earful.toml"
    path.write_text(CONFIG.format(url=sqlite_url), encoding="utf-8")
    result = CliRunner().invoke(main, ["status", "--config", str(path)])
    assert result.exit_code == 0, result.output
    assert (
        "gadget-talk  never     never         -            0/0       0/0   not scheduled"
        in (result.output)
    )


def _empty_runs(url: str, source: str, count: int) -> None:
    """``count`` runs of ``source`` that read a page but extracted nothing."""
    sessions = open_database(url)
    reason = "the xenforo recipe matched no post on https://forum.example/t/1"
    with sessions.begin() as s:
        for _ in range(count):
            finish_crawl_run(
                start_crawl_run(s, source),
                seen=0,
                new=0,
                extraction=Extraction(pages=1, extracted=0, matched=0),
                warning=f"{reason} (1 page read)",
            )
    sessions.kw["bind"].dispose()


def test_a_run_that_extracted_nothing_is_a_warning_not_a_success(tmp_path, sqlite_url):
    path = setup(tmp_path, sqlite_url, failing_for=timedelta(minutes=30))
    _empty_runs(sqlite_url, "gadget-talk", 2)
    result = CliRunner().invoke(main, ["status", "--config", str(path)])
    assert result.exit_code == 0, result.output  # two empty runs: not yet unhealthy
    gadget = result.output.splitlines()[1]
    assert "(empty)" in gadget
    assert "  1/0  " in gadget
    assert (
        "  gadget-talk: WARNING: extracted nothing (2 runs in a row): the xenforo "
        "recipe matched no post on https://forum.example/t/1 (1 page read)"
    ) in result.output
    report = json.loads(
        CliRunner()
        .invoke(main, ["status", "--config", str(path), "--format", "json"])
        .output
    )
    gadget_json = {s["name"]: s for s in report["sources"]}["gadget-talk"]
    assert gadget_json["last_status"] == "empty"
    assert gadget_json["last_run_extraction"] == {
        "pages": 1,
        "extracted": 0,
        "matched": 0,
    }
    assert gadget_json["last_warning"].startswith("the xenforo recipe matched no post")
    assert gadget_json["empty_runs"] == 2
    assert gadget_json["last_success"] is not None  # the earlier ok run's


def test_a_source_that_keeps_extracting_nothing_is_unhealthy(tmp_path, sqlite_url):
    path = setup(tmp_path, sqlite_url, failing_for=timedelta(minutes=30))
    _empty_runs(sqlite_url, "gadget-talk", 3)
    result = CliRunner().invoke(main, ["status", "--config", str(path)])
    assert result.exit_code == 1
    assert result.output.splitlines()[-1] == (
        "Error: unhealthy: extracted nothing 3 runs in a row: gadget-talk"
    )
