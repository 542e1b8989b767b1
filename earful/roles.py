"""``earful run --role scheduler`` and ``--role worker``: one scheduler, many workers.

The default role, ``all``, is the one-process daemon of ``earful.daemon``
(SQLite or PostgreSQL). On PostgreSQL the work can be split:

- ``scheduler``: waits for the scheduler lock (``earful.leader``), then runs the
  daemon's APScheduler loop (job store, heartbeat, SIGHUP reloads, the "Mark
  handled" listener) with jobs that only queue procrastinate tasks
  (``earful.engine``), plus ``recover`` every ``RECOVER_EVERY_S``. Standbys
  take over within ``leader.POLL_S`` of the active one's death.
- ``worker``: a procrastinate worker running the tasks, ``[daemon] workers`` at
  a time, in threads (a crawl is a child process, as in the daemon).

SIGINT/SIGTERM stop a worker as they stop the daemon: no new job is fetched,
crawl children get SIGTERM, scoring stops after its batch, running jobs get
``STOP_GRACE_S``; a second signal exits at once with status 1. A worker whose
engine stops on its own (lost database, a dead side task) exits 1.
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

from earful import engine
from earful.config import Config
from earful.daemon import STOP_GRACE_S, _signal_children, run_forever
from earful.errors import DaemonDiedError, EarfulError
from earful.leader import LeaderLock
from earful.logs import write_now
from earful.pipeline import Pipeline
from earful.scheduler import SCORE_JOB, App, JobSpec, job_specs, set_app

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
    """Scheduled job (pickled by reference): queue the task for ``job_id``."""
    if _queue is None:
        msg = "no task queue: earful.roles.run_scheduler() sets it"
        raise RuntimeError(msg)
    if not engine.defer(_queue, job_id):
        log.debug("%s: one is already waiting for a worker", job_id)


def scheduler_specs(config: Config) -> list[JobSpec]:
    """The daemon's jobs, each queueing its task, and the stalled-job recovery."""
    specs = [
        dataclasses.replace(spec, func=defer_job, args=(spec.id,))
        for spec in job_specs(config)
    ]
    every = IntervalTrigger(seconds=engine.RECOVER_EVERY_S)
    recover = JobSpec(
        engine.RECOVER_JOB,
        "recover stalled jobs",
        defer_job,
        every,
        (engine.RECOVER_JOB,),
    )
    return [*specs, recover]


def _standby(lock: LeaderLock) -> bool:
    """Wait for the lock; SIGINT/SIGTERM while waiting give False."""
    stop = threading.Event()

    def on_stop(_signum: int, _frame: object) -> None:
        stop.set()

    previous = {s: signal.signal(s, on_stop) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        return lock.wait(stop)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def run_scheduler(pipeline: Pipeline, load: Callable[[], Config] | None) -> None:
    """Stand by until this is the one active scheduler, then schedule."""
    global _queue  # noqa: PLW0603 - pickled jobs reach the queue through it
    require_postgres(pipeline.config, "scheduler")
    owner = _owner("scheduler")
    lock = LeaderLock(pipeline.config.database_url, owner)
    try:
        if not _standby(lock):
            log.info("stopped while standing by")
            return
        queue = engine.make_app(pipeline.config.database_url, name=owner)
        queue.open()
        _queue = queue
        try:
            run_forever(
                pipeline, load, specs=scheduler_specs, check=lock.lost, owner=owner
            )
        finally:
            _queue = None
            queue.close()
    finally:
        lock.close()


def run_worker(pipeline: Pipeline) -> None:
    """Run tasks until SIGINT/SIGTERM; exit 1 (``DaemonDiedError``) if the engine stops."""
    require_postgres(pipeline.config, "worker")
    owner = _owner("worker")
    queue = engine.make_app(pipeline.config.database_url, name=owner)

    def defer(job_id: str) -> None:
        try:
            engine.defer(queue, job_id)
        except pexc.ConnectorException as exc:
            log.warning("cannot queue %s: %s", job_id, exc)

    set_app(App(pipeline, owner=owner, defer=defer))
    if pipeline.config.daemon.score_after_crawl:  # idle workers join a backlog
        pipeline.on_scored = lambda _n: defer(SCORE_JOB)
    stopped = asyncio.run(_work(queue, pipeline, owner))
    set_app(None)
    if not stopped:
        msg = "the task worker stopped by itself (see the log above)"
        raise DaemonDiedError(msg)


async def _work(queue: procrastinate.App, pipeline: Pipeline, owner: str) -> bool:
    """Run the worker; True when a signal stopped it."""
    received: list[int] = []
    async with queue.open_async():
        worker = procrastinate.worker.Worker(
            queue,
            queues=[engine.QUEUE],
            name=owner,
            concurrency=pipeline.config.daemon.workers,
            install_signal_handlers=False,
            shutdown_graceful_timeout=STOP_GRACE_S,
            stalled_worker_timeout=engine.STALLED_AFTER_S,
            # Runs are recorded in crawl_runs and job_runs; failed jobs stay to read.
            delete_jobs="successful",
        )

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
