"""``earful run`` on PostgreSQL: one active scheduler, and workers that run its tasks.

The one way Earful coordinates several processes is procrastinate over
PostgreSQL (its job locks and queueing locks, see ``earful.tasks``) behind the
scheduler lock (``earful.leader``); SQLite runs the one-process daemon of
``earful.daemon``. On PostgreSQL each process takes a role:

- ``all`` (the default): a worker, and the scheduler whenever this process holds
  the scheduler lock. Any number may run: one schedules, the others stand by
  and work; a standby takes over within ``leader.POLL_S`` of the active one's
  death. The worker runs on an event loop in a thread of its own.
- ``scheduler``: the scheduler alone. Once it holds the lock it runs the
  daemon's APScheduler loop (heartbeat, SIGHUP reloads, the "Mark handled"
  listener) with jobs that only queue procrastinate tasks, plus ``recover``
  every ``RECOVER_EVERY_S``.
- ``worker``: a procrastinate worker alone, running the tasks, ``[daemon]
  workers`` at a time, in threads (a crawl is a child process, as in the daemon).

SIGINT/SIGTERM stop a worker as they stop the daemon: no new job is fetched,
crawl children get SIGTERM, scoring stops after its batch, running jobs get
``STOP_GRACE_S``; a second signal exits at once with status 1. A worker whose
engine stops on its own (lost database, a dead side task) exits 1, and so does
``all`` when its worker stops so.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import os
import signal
import socket
import threading
import uuid
from collections.abc import Callable

import procrastinate
import procrastinate.worker
from apscheduler.triggers.interval import IntervalTrigger
from procrastinate import exceptions as pexc

from earful import tasks
from earful.config import Config
from earful.daemon import EXIT_WITHIN_S, STOP_GRACE_S, _signal_children, run_forever
from earful.errors import DaemonDiedError, EarfulError
from earful.leader import LeaderLock
from earful.logs import write_now
from earful.pipeline import Pipeline
from earful.scheduler import (
    SCORE_JOB,
    App,
    JobSpec,
    current_app,
    job_specs,
    set_app,
)

log = logging.getLogger(__name__)

ROLES = ("all", "scheduler", "worker")
_queue: procrastinate.App | None = None  # the scheduler's app, for ``defer_job``


def _owner(role: str) -> str:
    return f"{role}@{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def require_postgres(config: Config, role: str) -> None:
    """Raise ``EarfulError`` unless the database is PostgreSQL."""
    if not config.database_url.startswith("postgresql"):
        msg = (
            f"--role {role} needs PostgreSQL (database_url = "
            "'postgresql+psycopg://…'); with SQLite run the default role, all"
        )
        raise EarfulError(msg)


def defer_job(job_id: str) -> None:
    """Scheduled job: queue the task for ``job_id``."""
    if _queue is None:
        msg = "no task queue: earful.roles.run_scheduler() sets it"
        raise RuntimeError(msg)
    if not tasks.defer(_queue, job_id):
        log.debug("%s: one is already waiting for a worker", job_id)


def scheduler_specs(config: Config) -> list[JobSpec]:
    """The daemon's jobs, each queueing its task, and the stalled-job recovery."""
    specs = [
        dataclasses.replace(spec, func=defer_job, args=(spec.id,))
        for spec in job_specs(config)
    ]
    every = IntervalTrigger(seconds=tasks.RECOVER_EVERY_S)
    recover = JobSpec(
        tasks.RECOVER_JOB,
        "recover stalled jobs",
        defer_job,
        every,
        (tasks.RECOVER_JOB,),
    )
    return [*specs, recover]


def _standby(lock: LeaderLock, stop: threading.Event | None = None) -> bool:
    """Wait for the lock; SIGINT/SIGTERM (or ``stop``) while waiting give False.

    A second signal exits at once with status 1.
    """
    stop = stop or threading.Event()

    def on_stop(_signum: int, _frame: object) -> None:
        if stop.is_set():
            write_now(logging.WARNING, "second signal: exiting now")
            os._exit(1)
        stop.set()

    previous = {s: signal.signal(s, on_stop) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        return lock.wait(stop)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def run_scheduler(pipeline: Pipeline, load: Callable[[], Config] | None) -> None:
    """Stand by until this is the one active scheduler, then schedule."""
    global _queue  # noqa: PLW0603 - scheduled jobs reach the queue through it
    require_postgres(pipeline.config, "scheduler")
    owner = _owner("scheduler")
    lock = LeaderLock(pipeline.config.database_url, owner)
    try:
        if not _standby(lock):
            log.info("stopped while standing by")
            return
        queue = tasks.make_queue(pipeline.config.database_url, name=owner)
        queue.open()
        _queue = queue
        try:
            app = App(pipeline, owner=owner)
            run_forever(pipeline, load, specs=scheduler_specs, check=lock.lost, app=app)
        finally:
            _queue = None
            queue.close()
    finally:
        lock.close()


def _deferrer(queue: procrastinate.App) -> Callable[[str], None]:
    """``App.defer`` for a worker: queue the follow-on task, logging a failure."""

    def defer(job_id: str) -> None:
        try:
            tasks.defer(queue, job_id)
        except pexc.ConnectorException as exc:
            log.warning("cannot queue %s: %s", job_id, exc)

    return defer


def _worker_app(pipeline: Pipeline, owner: str, queue: procrastinate.App) -> None:
    """Make this process's jobs queue their follow-on tasks through ``queue``."""
    defer = _deferrer(queue)
    set_app(App(pipeline, owner=owner, defer=defer))
    if pipeline.config.daemon.score_after_crawl:  # idle workers join a backlog
        pipeline.on_scored = lambda _n: defer(SCORE_JOB)


def _make_worker(
    queue: procrastinate.App, pipeline: Pipeline, owner: str
) -> procrastinate.worker.Worker:
    return procrastinate.worker.Worker(
        queue,
        queues=[tasks.QUEUE],
        name=owner,
        concurrency=pipeline.config.daemon.workers,
        install_signal_handlers=False,
        shutdown_graceful_timeout=STOP_GRACE_S,
        stalled_worker_timeout=tasks.STALLED_AFTER_S,
        # Runs are recorded in crawl_runs and job_runs; failed jobs stay to read.
        delete_jobs="successful",
    )


def run_worker(pipeline: Pipeline) -> None:
    """Run tasks until SIGINT/SIGTERM; exit 1 (``DaemonDiedError``) if the engine stops."""
    require_postgres(pipeline.config, "worker")
    owner = _owner("worker")
    queue = tasks.make_app(pipeline.config.database_url, name=owner)
    _worker_app(pipeline, owner, queue)
    stopped = asyncio.run(_work(queue, pipeline, owner))
    set_app(None)
    if not stopped:
        msg = "the task worker stopped by itself (see the log above)"
        raise DaemonDiedError(msg)


async def _work(queue: procrastinate.App, pipeline: Pipeline, owner: str) -> bool:
    """Run the worker; True when a signal stopped it."""
    received: list[int] = []
    async with queue.open_async():
        worker = _make_worker(queue, pipeline, owner)

        def on_stop(signum: int) -> None:
            if received:
                write_now(logging.WARNING, "second signal: exiting now")
                os._exit(1)
            received.append(signum)
            log.info("%s received: finishing running jobs", signal.Signals(signum).name)
            pipeline.stopping.set()
            _signal_children(signal.SIGTERM)
            worker.stop()  # type: ignore[no-untyped-call]  # untyped upstream

        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, on_stop, signum)
        log.info("earful worker running (%s)", owner)
        await worker.run()  # type: ignore[no-untyped-call]  # untyped upstream
    return bool(received)


class WorkerThread(threading.Thread):
    """A procrastinate worker on an event loop of its own, beside the scheduler."""

    def __init__(
        self,
        queue: procrastinate.App,
        pipeline: Pipeline,
        owner: str,
        on_end: Callable[[], object] = lambda: None,
    ) -> None:
        super().__init__(name="earful-worker", daemon=True)
        self.queue, self.pipeline, self.owner = queue, pipeline, owner
        self.on_end = on_end
        self.ended = threading.Event()
        self._asked = threading.Event()  # ``stop`` was called
        self._worker: procrastinate.worker.Worker | None = None

    def run(self) -> None:
        try:
            asyncio.run(self._run())
        except Exception:
            log.exception("the task worker failed")
        finally:
            self.ended.set()
            self.on_end()

    async def _run(self) -> None:
        async with self.queue.open_async():
            self._worker = _make_worker(self.queue, self.pipeline, self.owner)
            if self._asked.is_set():
                return
            log.info("earful worker running (%s)", self.owner)
            await self._worker.run()  # type: ignore[no-untyped-call]  # untyped upstream

    def stop(self) -> None:
        """Fetch no new job; running ones get ``STOP_GRACE_S`` (thread-safe)."""
        self._asked.set()
        if self._worker is not None:
            self._worker.stop()  # type: ignore[no-untyped-call]  # untyped upstream

    def problem(self) -> str | None:
        """Why the worker stopped by itself, or None while it runs (or was asked)."""
        if self.ended.is_set() and not self._asked.is_set():
            return "the task worker stopped by itself (see the log above)"
        return None


def run_all(pipeline: Pipeline, load: Callable[[], Config] | None) -> None:
    """Work, and schedule whenever this process holds the scheduler lock.

    Exits 1 (``DaemonDiedError``) when the worker stops by itself or the lock is
    lost; SIGINT/SIGTERM stop both, the scheduler first.
    """
    global _queue  # noqa: PLW0603 - scheduled jobs reach the queue through it
    require_postgres(pipeline.config, "all")
    url, owner = pipeline.config.database_url, _owner("all")
    queue = tasks.make_app(url, name=owner)  # the worker's, on its event loop
    deferring = tasks.make_queue(url, name=f"{owner}:queue")
    deferring.open()
    _worker_app(pipeline, owner, deferring)
    stop = threading.Event()  # a signal, or the worker's end, while standing by
    worker = WorkerThread(queue, pipeline, owner, on_end=stop.set)
    lock = LeaderLock(url, owner)
    worker.start()
    try:
        if _standby(lock, stop):
            _queue = deferring
            run_forever(
                pipeline,
                load,
                specs=scheduler_specs,
                check=lambda: lock.lost() or worker.problem(),
                app=current_app(),
                on_stop=worker.stop,
            )
    finally:
        _queue = None
        lock.close()
        _stop_worker(worker, pipeline)
        deferring.close()
        set_app(None)
    if (died := worker.problem()) is not None:
        raise DaemonDiedError(died)


def _stop_worker(worker: WorkerThread, pipeline: Pipeline) -> None:
    """Stop the worker as a signal would, and wait for its running jobs."""
    if not worker.ended.is_set():
        pipeline.stopping.set()
        _signal_children(signal.SIGTERM)
    worker.stop()
    worker.join(timeout=EXIT_WITHIN_S)
