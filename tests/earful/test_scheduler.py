"""The scheduler in this process: real APScheduler, real crawls of the local sample site.

Sources run on short intervals; scoring and delivery are left out (they load
the model), except where a test is about them. Every wait is on a condition
with a generous deadline, never a sleep that asserts timing.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import select

from crawlers.errors import CollectorError
from earful.config import Config, parse_config
from earful.pipeline import Pipeline
from earful.scheduler import (
    App,
    build_scheduler,
    job_specs,
    running,
    schedule_key,
    schedule_of,
    set_app,
    sync_jobs,
)
from storage import CrawlRun
from storage.liveness import load_schedule, save_schedule
from storage.models import Alert, AlertState
from tests.servers.site import SampleSite
from tests.servers.slack import SlackServer

DEADLINE_S = 90.0


def make_config(database_url: str, *sources: dict[str, object]) -> Config:
    return parse_config(
        {
            "database_url": database_url,
            "brands": [{"name": "Acme", "terms": ["acme"]}],
            "sources": [{"type": "feed", "jitter": 0, **s} for s in sources],
            "daemon": {"score_every": "1h", "deliver_every": "1h"},
        },
        environ=False,
    )


def wait_for(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + DEADLINE_S
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.2)


def runs(pipeline: Pipeline, source: str | None = None) -> list[CrawlRun]:
    with pipeline.sessions() as s:
        stmt = select(CrawlRun).order_by(CrawlRun.id)
        if source:
            stmt = stmt.where(CrawlRun.source == source)
        return list(s.scalars(stmt))


def finished(pipeline: Pipeline, source: str) -> list[CrawlRun]:
    return [r for r in runs(pipeline, source) if r.finished_at is not None]


@contextmanager
def scheduling(pipeline: Pipeline) -> Iterator[BackgroundScheduler]:
    """The daemon's scheduler with the source jobs only (no model to load).

    It reads the saved schedule at start and saves it at the end, as the
    daemon's heartbeat does.
    """
    set_app(App(pipeline))
    scheduler = build_scheduler(pipeline)
    scheduler.start(paused=True)
    specs = [s for s in job_specs(pipeline.config) if s.id.startswith("source:")]
    with pipeline.sessions.begin() as session:
        sync_jobs(scheduler, specs, load_schedule(session))
    scheduler.resume()
    try:
        yield scheduler
    finally:
        with pipeline.sessions.begin() as session:
            save_schedule(session, schedule_of(scheduler))
        scheduler.shutdown(wait=True)
        set_app(None)
        pipeline.close()


def test_sources_run_on_their_interval_and_never_overlap(site: SampleSite, sqlite_url):
    source = {"name": "acme-news", "url": f"{site.url}/acme/news.xml", "interval": 1}
    pipeline = Pipeline(make_config(sqlite_url, source))
    with scheduling(pipeline):
        wait_for(lambda: len(finished(pipeline, "acme-news")) >= 3, "three runs")
    done = finished(pipeline, "acme-news")
    assert {r.status for r in done} == {"ok"}
    assert done[0].items_new == 3
    assert sum(r.items_new for r in done) == 3  # later runs get a 304
    for earlier, later in itertools.pairwise(done):
        assert earlier.finished_at is not None
        assert later.started_at >= earlier.finished_at  # max_instances=1


def test_restart_keeps_the_schedule_and_runs_a_missed_job_once(
    site: SampleSite, sqlite_url
):
    source = {"name": "acme-news", "url": f"{site.url}/acme/news.xml", "interval": "1h"}
    pipeline = Pipeline(make_config(sqlite_url, source))
    with scheduling(pipeline) as scheduler:
        wait_for(lambda: len(finished(pipeline, "acme-news")) == 1, "the first run")
        job = scheduler.get_job("source:acme-news")
        assert job.next_run_time > datetime.now(UTC) + timedelta(minutes=59)
        # The daemon goes down for three periods: the persisted run is overdue.
        scheduler.pause()
        scheduler.modify_job(
            "source:acme-news", next_run_time=datetime.now(UTC) - timedelta(hours=3)
        )

    pipeline = Pipeline(make_config(sqlite_url, source))
    with scheduling(pipeline) as scheduler:
        wait_for(lambda: len(finished(pipeline, "acme-news")) == 2, "the missed run")
        job = scheduler.get_job("source:acme-news")
        assert job.next_run_time > datetime.now(UTC) + timedelta(minutes=59)
    assert len(runs(pipeline, "acme-news")) == 2  # once, not three times


def test_a_run_missed_beyond_the_grace_period_is_skipped(site: SampleSite, sqlite_url):
    source = {"name": "acme-news", "url": f"{site.url}/acme/news.xml", "interval": "1h"}
    pipeline = Pipeline(make_config(sqlite_url, source))
    with scheduling(pipeline) as scheduler:
        wait_for(lambda: len(finished(pipeline, "acme-news")) == 1, "the first run")
        scheduler.pause()
        scheduler.modify_job(
            "source:acme-news", next_run_time=datetime.now(UTC) - timedelta(seconds=1)
        )
    config = make_config(sqlite_url, source)
    config = config.model_copy(
        update={"daemon": config.daemon.model_copy(update={"misfire_grace": 1.0})}
    )
    pipeline = Pipeline(config)
    with scheduling(pipeline) as scheduler:
        job = scheduler.get_job("source:acme-news")
        wait_for(
            lambda: (
                scheduler.get_job("source:acme-news").next_run_time > datetime.now(UTC)
            ),
            "the missed run to be rescheduled",
        )
    assert job is not None
    assert len(runs(pipeline, "acme-news")) == 1


def test_a_hanging_source_times_out_while_others_run(site: SampleSite, sqlite_url):
    config = make_config(
        sqlite_url,
        {"name": "hang", "url": f"{site.url}/hang", "interval": "1h", "timeout": 6},
        {"name": "acme-news", "url": f"{site.url}/acme/news.xml", "interval": 1},
    )
    pipeline = Pipeline(config)
    with scheduling(pipeline):
        wait_for(lambda: bool(finished(pipeline, "hang")), "the hanging crawl to end")
        wait_for(lambda: bool(finished(pipeline, "acme-news")), "the other source")
    [hung] = runs(pipeline, "hang")
    assert (hung.status, hung.error) == ("failed", "timed out after 6 s")
    others = finished(pipeline, "acme-news")
    assert {r.status for r in others} == {"ok"}
    assert hung.finished_at is not None
    assert others[0].started_at < hung.finished_at  # it ran while the crawl hung


class FailingPipeline(Pipeline):
    """A pipeline whose collector raises, as a broken collector might."""

    def collect(self, source, wake=None, *, once=False):
        raise CollectorError(f"{source.name}: collector exploded")


def test_a_raising_collector_is_recorded_and_the_daemon_goes_on(
    site: SampleSite, sqlite_url
):
    source = {"name": "acme-news", "url": f"{site.url}/acme/news.xml", "interval": 1}
    pipeline = FailingPipeline(make_config(sqlite_url, source))
    with scheduling(pipeline) as scheduler:
        wait_for(lambda: len(finished(pipeline, "acme-news")) >= 2, "two failures")
        assert scheduler.running
    failures = finished(pipeline, "acme-news")
    assert {(r.status, r.error) for r in failures} == {
        ("failed", "CollectorError: acme-news: collector exploded")
    }


def test_cron_sources_and_changed_schedules(sqlite_url, open_db):
    config = make_config(
        sqlite_url,
        {"name": "nightly", "url": "http://127.0.0.1:9/feed", "cron": "0 3 * * *"},
    )
    [spec, score, alert] = job_specs(config)
    assert (spec.id, spec.args, spec.run_now) == ("source:nightly", ("nightly",), True)
    assert str(spec.trigger).startswith("cron[")
    assert (score.id, alert.id) == ("score", "alert")
    assert not score.run_now


def test_a_saved_next_run_is_kept_only_while_the_schedule_is_unchanged(sqlite_url):
    config = make_config(
        sqlite_url, {"name": "a", "url": "http://127.0.0.1:9/feed", "interval": "1h"}
    )
    [spec, *_] = job_specs(config)
    later = datetime.now(UTC) + timedelta(minutes=42)
    pipeline = Pipeline(config)
    scheduler = build_scheduler(pipeline)
    scheduler.start(paused=True)
    try:
        sync_jobs(scheduler, [spec], {spec.id: (schedule_key(spec.trigger), later)})
        assert scheduler.get_job(spec.id).next_run_time == later
        scheduler.remove_all_jobs()
        sync_jobs(scheduler, [spec], {spec.id: ("interval[0:30:00] jitter=0", later)})
        assert scheduler.get_job(spec.id).next_run_time < later  # runs now, afresh
    finally:
        scheduler.shutdown(wait=False)
        pipeline.close()


@pytest.mark.slow
def test_a_crawl_that_stores_wakes_scoring_then_delivery(
    site: SampleSite, slack: SlackServer, sqlite_url, monkeypatch
):
    """Scoring and delivery are due in an hour; the crawl's new mentions wake them."""
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-ok")
    config = parse_config(
        {
            "database_url": sqlite_url,
            "brands": [{"name": "Acme", "terms": ["acme"]}],
            "sources": [
                {
                    "name": "acme-news",
                    "type": "feed",
                    "url": f"{site.url}/acme/news.xml",
                    "interval": "1h",
                    "jitter": 0,
                }
            ],
            "alerts": [{"name": "neg", "brands": ["Acme"], "channel": "#brand-alerts"}],
            "slack": {"base_url": slack.api_url},
            "daemon": {"score_every": "1h", "deliver_every": "1h"},
        },
        environ=False,
    )
    pipeline = Pipeline(config)

    def sent() -> list[Alert]:
        with pipeline.sessions() as s:
            return list(s.scalars(select(Alert).where(Alert.state == AlertState.SENT)))

    with running(pipeline):
        wait_for(lambda: bool(sent()), "the negative post's alert to reach Slack")
    [alert] = sent()
    [call] = slack.calls("chat.postMessage")
    assert call.payload["metadata"]["event_payload"]["key"] == alert.key
    assert "Acme blender broke after two days" in call.payload["text"]
