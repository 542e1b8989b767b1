"""The long-running daemon: APScheduler runs each source on its interval, plus scoring and delivery.

Crawls run in child processes (see ``earful.crawl``), so the scheduler's worker
threads only wait on them; scoring and delivery are jobs of their own so an alert
never waits for the next crawl. Every job has ``max_instances=1`` (a source never
runs twice at once) and ``coalesce=True`` (missed runs collapse into one).
"""

from __future__ import annotations

import logging
import os
import signal
import threading
from datetime import UTC, datetime
from types import FrameType

from apscheduler.events import EVENT_JOB_ERROR, JobExecutionEvent
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from earful.pipeline import Pipeline

log = logging.getLogger(__name__)

SCORE_EVERY_S = 30.0
DELIVER_EVERY_S = 15.0
MAX_JITTER_S = 60.0


def build_scheduler(pipeline: Pipeline) -> BackgroundScheduler:
    """A scheduler with one job per enabled source, one for scoring, one for alerts."""
    scheduler = BackgroundScheduler(
        executors={"default": ThreadPoolExecutor(max_workers=4)},
        job_defaults={"max_instances": 1, "coalesce": True, "misfire_grace_time": 300},
        timezone=UTC,
    )
    now = datetime.now(UTC)
    for source in pipeline.enabled_sources():
        scheduler.add_job(
            pipeline.collect,
            IntervalTrigger(
                seconds=source.interval, jitter=min(source.interval / 10, MAX_JITTER_S)
            ),
            args=[source],
            id=f"source:{source.name}",
            name=f"crawl {source.name}",
            next_run_time=now,
        )
    scheduler.add_job(
        pipeline.score,
        IntervalTrigger(seconds=SCORE_EVERY_S),
        id="score",
        name="score new mentions",
        next_run_time=now,
    )
    scheduler.add_job(
        pipeline.alert,
        IntervalTrigger(seconds=DELIVER_EVERY_S),
        id="alert",
        name="queue and deliver alerts",
        next_run_time=now,
    )
    zone = pipeline.window.zone
    for at in pipeline.config.digest.times:  # "HH:MM" in the daemon's time zone
        hour, minute = at.split(":")
        scheduler.add_job(
            pipeline.digest,
            CronTrigger(hour=hour, minute=minute, timezone=zone),
            id=f"digest:{at}",
            name=f"digest at {at}",
        )
    scheduler.add_listener(_record_error, EVENT_JOB_ERROR)
    return scheduler


def _record_error(event: JobExecutionEvent) -> None:
    log.error("job %s failed: %r", event.job_id, event.exception)


def run_forever(pipeline: Pipeline) -> None:
    """Run until SIGINT or SIGTERM; a second signal exits at once.

    On the first signal no new job starts; running jobs finish (a crawl commits
    what it stored, delivery records what it sent) before the process exits.
    """
    stop = threading.Event()

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        if stop.is_set():
            log.warning("second signal: exiting now")
            os._exit(1)
        log.info("%s received: finishing running jobs", signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    scheduler = build_scheduler(pipeline)
    scheduler.start()
    log.info("earful running with %d jobs", len(scheduler.get_jobs()))
    stop.wait()
    scheduler.shutdown(wait=True)
    log.info("earful stopped")
