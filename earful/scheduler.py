"""The long-running daemon: APScheduler runs each source on its schedule, plus scoring and delivery.

Crawls run in child processes (see ``crawlers.crawl_parent``), so the scheduler's worker
threads only wait on them; scoring and delivery are jobs of their own so an alert
never waits for the next crawl. With ``[daemon] score_after_crawl`` (the
default), a crawl that stored new or edited mentions brings the scoring job
forward to now, and scoring that scored anything does the same for delivery, so
an alert follows its crawl within seconds rather than waiting for ``score_every``
and ``deliver_every``. A job woken while it runs runs once more when it ends; the
periods remain the catch-up after a restart.

Every job has ``max_instances=1`` (a source never runs twice at once in one
daemon) and ``coalesce=True`` (missed runs collapse into one); a run missed by
more than ``[daemon] misfire_grace`` is skipped.

Jobs live in memory, in one scheduler per database: the single daemon on
SQLite, the active scheduler (``earful.leader``) on PostgreSQL, whose jobs
queue procrastinate tasks (``earful.roles``, ``earful.tasks``). The heartbeat
saves each job's schedule and next run in ``scheduled_jobs``, and a scheduler
that starts reads them back (``[daemon] persist_jobs``), so a restart keeps
each unchanged job's next run time: a run missed while the daemon was down runs
once on start. A job whose schedule changed in the config starts afresh.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.events import EVENT_JOB_ERROR, JobExecutionEvent
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.base import JobLookupError
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import STATE_RUNNING, BaseScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.exc import SQLAlchemyError

from earful.config import Config, Source
from earful.logs import source_context
from earful.pipeline import Pipeline
from earful.runs import record_failure
from storage.liveness import finish_job, load_schedule, start_job

log = logging.getLogger(__name__)

MAX_JITTER_S = 60.0
SOURCE_JOB = "source:"
SCORE_JOB = "score"
ALERT_JOB = "alert"


@dataclass
class App:
    """What the jobs of this process work with: the pipeline and who we are."""

    pipeline: Pipeline
    owner: str = field(
        default_factory=lambda: (
            f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        )
    )
    running: set[str] = field(default_factory=set)
    # Jobs asked to run again while running: they bring themselves forward at the end.
    again: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)
    scheduler: BaseScheduler | None = None  # to bring jobs forward; None in tests
    # A worker (``earful.roles``) queues the follow-on job instead.
    defer: Callable[[str], object] | None = None


_app: App | None = None


def set_app(app: App | None) -> None:
    """Make ``app`` the context every job of this process runs in."""
    global _app  # noqa: PLW0603 - the one context every job of the process reads
    _app = app


def current_app() -> App:
    """The app context; jobs fail clearly when the daemon has not set one."""
    if _app is None:
        msg = "no Earful app context: call earful.scheduler.set_app() first"
        raise RuntimeError(msg)
    return _app


def _record_job(app: App, name: str, error: str | None, *, start: bool) -> None:
    """Note a job's start or finish in ``job_runs``; a database error only logs."""
    try:
        with app.pipeline.sessions.begin() as session:
            if start:
                start_job(session, name, app.owner)
            else:
                finish_job(session, name, error)
    except SQLAlchemyError as exc:
        log.warning("cannot record the run of job %s: %s", name, exc)


@contextmanager
def _working(app: App, name: str) -> Iterator[None]:
    with app.lock:
        app.running.add(name)
    _record_job(app, name, None, start=True)
    error: str | None = None
    try:
        yield
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"
        raise
    finally:
        _record_job(app, name, error, start=False)
        with app.lock:
            app.running.discard(name)
            again = name in app.again
            app.again.discard(name)
        if again:
            run_soon(app, name)


def crawl_source(name: str) -> None:
    """Job: crawl the configured source ``name`` once."""
    app = current_app()
    source = next((s for s in app.pipeline.enabled_sources() if s.name == name), None)
    with source_context(name):
        if source is None:
            log.warning("source %s is no longer configured; skipping its run", name)
            return
        with _working(app, f"{SOURCE_JOB}{name}"):
            # A firehose (Bluesky) wakes scoring itself each time it stores news.
            outcome = app.pipeline.collect(source, lambda: run_soon(app, SCORE_JOB))
    if outcome.new or outcome.updated:
        run_soon(app, SCORE_JOB)


def score_mentions() -> None:
    """Job: score every mention that has no score for its current text."""
    app = current_app()
    with _working(app, SCORE_JOB):
        scored, negative = app.pipeline.score()
        if scored:
            log.info("scored %d mentions: %d negative", scored, negative)
    if scored:
        run_soon(app, ALERT_JOB)


def run_soon(app: App, job_id: str) -> None:
    """Bring the scheduled job ``job_id`` forward to now, or again once it ends.

    Only with ``[daemon] score_after_crawl``. A job that is running when asked
    may already have read the database, so it runs once more as soon as it ends,
    instead of leaving the new work to its next regular run. The job still never
    overlaps itself (``max_instances``), and its next regular run is one period
    after this one.
    """
    scheduler = app.scheduler
    if not app.pipeline.config.daemon.score_after_crawl:
        return
    if app.defer is not None:
        app.defer(job_id)
        return
    if scheduler is None or scheduler.state != STATE_RUNNING:
        return
    with app.lock:
        if job_id in app.running:
            app.again.add(job_id)
            return
    try:
        scheduler.modify_job(job_id, next_run_time=datetime.now(UTC))
    except JobLookupError:  # not scheduled in this process (e.g. switched off)
        return


def deliver_alerts() -> None:
    """Job: queue alerts for new negative mentions and deliver what is pending.

    Then post the replies approved in Slack (``earful.reply``), when the brand
    has an account on some network: they wait at most one alert interval.
    """
    app = current_app()
    with _working(app, ALERT_JOB):
        queued, report = app.pipeline.alert()
        replies = app.pipeline.post_replies()
    if queued or report.sent or report.failed:
        log.info(
            "alerts: %d queued, %d sent, %d failed, %d pending",
            queued,
            report.sent,
            report.failed,
            report.still_pending,
        )
    for error in report.errors:
        log.warning("%s", error)
    if replies.posted or replies.failed:
        log.info(
            "replies: %d posted, %d failed", len(replies.posted), len(replies.failed)
        )


def send_digest() -> None:
    """Job: queue and send each brand's digest of the period that just ended."""
    app = current_app()
    with _working(app, "digest"):
        queued, report = app.pipeline.digest()
    log.info("digest: %d queued, %d sent", queued, report.sent)
    for error in report.errors:
        log.warning("%s", error)


@dataclass(frozen=True)
class JobSpec:
    """One scheduled job: its id, what it runs, with what, and when."""

    id: str
    name: str
    func: Callable[..., None]
    trigger: BaseTrigger
    args: tuple[Any, ...] = ()
    run_now: bool = False  # first run at start rather than one period later


def source_trigger(source: Source, zone: ZoneInfo) -> BaseTrigger:
    """The source's cron expression or interval, with its jitter."""
    every = source.interval
    jitter = (
        source.jitter if source.jitter is not None else min(every / 10, MAX_JITTER_S)
    )
    if source.cron:
        minute, hour, day, month, day_of_week = source.cron.split()
        return CronTrigger(
            minute=minute,
            hour=hour,
            day=day,
            month=month,
            day_of_week=day_of_week,
            timezone=zone,
            jitter=jitter or None,
        )
    return IntervalTrigger(seconds=every, jitter=jitter or None, timezone=zone)


def job_specs(config: Config) -> list[JobSpec]:
    """Every job the config asks for: one per enabled source, scoring, delivery."""
    daemon = config.daemon
    zone = ZoneInfo(daemon.timezone)
    specs = [
        JobSpec(
            f"{SOURCE_JOB}{s.name}",
            f"crawl {s.name}",
            crawl_source,
            source_trigger(s, zone),
            (s.name,),
            run_now=True,
        )
        for s in config.sources
        if s.enabled
    ]
    specs.append(
        JobSpec(
            SCORE_JOB,
            "score new mentions",
            score_mentions,
            IntervalTrigger(seconds=daemon.score_every, timezone=zone),
        )
    )
    specs.append(
        JobSpec(
            ALERT_JOB,
            "queue and deliver alerts",
            deliver_alerts,
            IntervalTrigger(seconds=daemon.deliver_every, timezone=zone),
        )
    )
    for at in config.digest.times:  # "HH:MM" in the daemon's time zone
        hour, minute = at.split(":")
        trigger = CronTrigger(hour=hour, minute=minute, timezone=zone)
        specs.append(JobSpec(f"digest:{at}", f"digest at {at}", send_digest, trigger))
    return specs


Schedule = dict[str, tuple[str, datetime | None]]  # job -> (schedule, next run)


def schedule_key(trigger: BaseTrigger) -> str:
    """The trigger and its jitter as text: equal keys mean an unchanged schedule."""
    return f"{trigger} jitter={getattr(trigger, 'jitter', None)}"


def schedule_of(scheduler: BaseScheduler) -> Schedule:
    """Each job's schedule and next run, as ``scheduled_jobs`` keeps them."""
    return {
        job.id: (schedule_key(job.trigger), job.next_run_time)
        for job in scheduler.get_jobs()
    }


def sync_jobs(
    scheduler: BackgroundScheduler, specs: list[JobSpec], saved: Schedule | None = None
) -> None:
    """Make the scheduler's jobs match ``specs``, keeping unchanged jobs' next runs.

    A job whose schedule is unchanged keeps its next run time, from the running
    scheduler or else from ``saved`` (so a run missed while the daemon was down
    runs once, now); a new or changed job runs now (``run_now``) or after one
    period; jobs no longer wanted are removed.
    """
    wanted = {spec.id for spec in specs}
    for job in scheduler.get_jobs():
        if job.id not in wanted:
            log.info("removing job %s: no longer in the config", job.id)
            job.remove()
    known = {**(saved or {}), **schedule_of(scheduler)}
    now = datetime.now(UTC)
    for spec in specs:
        schedule, next_run = known.get(spec.id, ("", None))
        kept = next_run if schedule == schedule_key(spec.trigger) else None
        timing = {"next_run_time": kept or now} if kept or spec.run_now else {}
        scheduler.add_job(
            spec.func,
            spec.trigger,
            args=spec.args,
            id=spec.id,
            name=spec.name,
            replace_existing=True,
            **timing,
        )


def _record_error(event: JobExecutionEvent) -> None:
    """A job raised: log it, and record a failed crawl run against its source."""
    exc = event.exception
    reason = f"{type(exc).__name__}: {exc}"
    if not event.job_id.startswith(SOURCE_JOB):
        log.error("job %s failed: %s", event.job_id, reason)
        return
    source = event.job_id.removeprefix(SOURCE_JOB)
    log.error("source %s failed: %s", source, reason, extra={"source": source})
    if _app is None:
        return
    try:
        record_failure(_app.pipeline.sessions, source, reason)
    except SQLAlchemyError as db_exc:
        log.error("cannot record the failure of %s: %s", source, db_exc)


def build_scheduler(pipeline: Pipeline) -> BackgroundScheduler:
    """A scheduler holding its jobs in memory, ``[daemon] workers`` threads.

    Call ``sync_jobs(scheduler, job_specs(config), saved)`` once it has started.
    """
    daemon = pipeline.config.daemon
    scheduler = BackgroundScheduler(
        jobstores={"default": MemoryJobStore()},
        executors={"default": ThreadPoolExecutor(max_workers=daemon.workers)},
        job_defaults={
            "max_instances": 1,
            "coalesce": True,
            "misfire_grace_time": int(daemon.misfire_grace),
        },
        timezone=ZoneInfo(daemon.timezone),
    )
    scheduler.add_listener(_record_error, EVENT_JOB_ERROR)
    return scheduler


def _saved(pipeline: Pipeline) -> Schedule:
    """The schedule the last scheduler saved, if ``persist_jobs``; {} if unreadable."""
    if not pipeline.config.daemon.persist_jobs:
        return {}
    try:
        with pipeline.sessions.begin() as session:
            return load_schedule(session)
    except SQLAlchemyError as exc:
        log.warning("saved next runs not read, every job starts afresh: %s", exc)
        return {}


@contextmanager
def running(
    pipeline: Pipeline,
    specs: Callable[[Config], list[JobSpec]] = job_specs,
    app: App | None = None,
) -> Iterator[BackgroundScheduler]:
    """A started scheduler with the config's jobs; shut down (not waiting) on exit.

    Its jobs run in ``app`` (a new one for ``pipeline`` by default).
    """
    app = app or App(pipeline)
    set_app(app)
    scheduler = build_scheduler(pipeline)
    app.scheduler = scheduler
    scheduler.start(paused=True)
    try:
        sync_jobs(scheduler, specs(pipeline.config), _saved(pipeline))
        scheduler.resume()
        yield scheduler
    finally:
        if scheduler.running:
            scheduler.shutdown(wait=False)
