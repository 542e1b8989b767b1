"""Earful's jobs as procrastinate tasks, for ``earful run`` on PostgreSQL (``earful.roles``).

Why procrastinate (the comparison is in docs/operating.md): it keeps its queue
in the PostgreSQL database Earful already uses, so there is no broker to run,
and a job and Earful's own rows share one kind of failure. Workers fetch jobs
with ``FOR UPDATE SKIP LOCKED``; a job's ``lock`` keeps two jobs with the same
lock from running at once (one crawl per source, one deliverer); its
``queueing_lock`` keeps one waiting copy of a periodic job however often the
scheduler defers it. Each worker beats in ``procrastinate_workers``; a worker
killed with -9 stops beating, and the active scheduler retries its jobs once the
beat is ``STALLED_AFTER_S`` old (``recover_stalled``). Earful's own guarantees
carry the rest: a mention is stored once (unique keys), an alert sent once (the
outbox's claims).

The tasks run the same functions as the one-process daemon (``earful.scheduler``)
in this process's app context, which ``earful.roles`` sets up.
"""

from __future__ import annotations

import logging
from typing import Any

import procrastinate
from procrastinate import exceptions as pexc
from procrastinate.jobs import Status
from sqlalchemy import make_url

from earful import scheduler as jobs
from storage.queries import abandon_running_crawls

log = logging.getLogger(__name__)

QUEUE = "earful"
STALLED_AFTER_S = 30.0  # procrastinate's default; a worker beats every 10 s
ABANDONED = "the worker running this crawl died; the crawl was run again"
RECOVER_JOB = "recover"
RECOVER_EVERY_S = 10.0

blueprint = procrastinate.Blueprint()


def conninfo(database_url: str) -> str:
    """The libpq connection string for Earful's SQLAlchemy PostgreSQL URL."""
    url = make_url(database_url)
    if url.get_backend_name() != "postgresql":
        msg = "the scheduler and worker roles need PostgreSQL"
        raise ValueError(msg)
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def make_queue(database_url: str, *, name: str = "earful") -> procrastinate.App:
    """A procrastinate app on Earful's database that only queues tasks (``defer``).

    Opened with ``open()``, it queues from any thread: the one-process role's
    scheduler uses it beside the worker's app, whose pool lives on the worker's
    event loop.
    """
    connector = procrastinate.PsycopgConnector(
        conninfo=conninfo(database_url),
        kwargs={"application_name": name[:63]},
    )
    return procrastinate.App(connector=connector)


def make_app(database_url: str, *, name: str = "earful") -> procrastinate.App:
    """A procrastinate app on Earful's database with Earful's tasks (one a process)."""
    app = make_queue(database_url, name=name)
    app.add_tasks_from(blueprint, namespace="earful")
    global _app  # noqa: PLW0603 - tasks reach their app through it
    _app = app
    return app


@blueprint.task(name="crawl", queue=QUEUE)
def crawl(source: str) -> None:
    """Crawl ``source`` once; the job's lock keeps it to one worker at a time.

    So a run of ``source`` still marked running was cut short by a dead worker.
    """
    with jobs.current_app().pipeline.sessions.begin() as session:
        abandon_running_crawls(session, source, ABANDONED)
    jobs.crawl_source(source)


@blueprint.task(name="score", queue=QUEUE)
def score() -> None:
    """Score unscored mentions; workers share them with ``SKIP LOCKED``."""
    jobs.score_mentions()


@blueprint.task(name="deliver", queue=QUEUE)
def deliver() -> None:
    """Queue and deliver alerts (one deliverer at a time, for Slack's pacing)."""
    jobs.deliver_alerts()


@blueprint.task(name="digest", queue=QUEUE)
def digest() -> None:
    """Queue and send the digests."""
    jobs.send_digest()


def _options(job_id: str) -> dict[str, Any]:
    """Locks for the scheduled job ``job_id`` (``source:acme``, ``score``, ...)."""
    if job_id in {jobs.SCORE_JOB, RECOVER_JOB}:  # several may run at once
        return {"queueing_lock": job_id}
    return {"queueing_lock": job_id, "lock": job_id}


def defer(app: procrastinate.App, job_id: str) -> bool:
    """Queue the task for scheduled job ``job_id``; False if one already waits."""
    if job_id.startswith(jobs.SOURCE_JOB):
        task, kwargs = "earful:crawl", {"source": job_id.removeprefix(jobs.SOURCE_JOB)}
    elif job_id == RECOVER_JOB:
        task, kwargs = "earful:recover", {}
    elif job_id.startswith("digest"):
        task, kwargs = "earful:digest", {}
    else:
        task = {jobs.SCORE_JOB: "earful:score", jobs.ALERT_JOB: "earful:deliver"}[
            job_id
        ]
        kwargs = {}
    try:
        # The queue is named: an app made after another in one process does not
        # know the blueprint's tasks, and would use procrastinate's default queue.
        app.configure_task(task, queue=QUEUE, **_options(job_id)).defer(**kwargs)
    except pexc.AlreadyEnqueued:
        return False
    return True


@blueprint.task(name="recover", queue=QUEUE, queueing_lock="recover")
async def recover() -> int:
    """Put the jobs of workers silent for ``STALLED_AFTER_S`` back in the queue.

    A worker killed with -9 leaves its jobs ``doing``, holding their locks; once
    its beat is that old they are retried, and the worker's row is pruned.
    """
    manager = blueprint_app().job_manager
    stalled = list(
        await manager.get_stalled_jobs(seconds_since_heartbeat=STALLED_AFTER_S)
    )
    for job in stalled:
        log.warning(
            "job %s (%s %s) was running on a worker that stopped beating: retrying",
            job.id,
            job.task_name,
            job.task_kwargs,
        )
        try:
            await manager.retry_job(job)
        except pexc.UniqueViolation:  # a copy already waits: that one will run
            await manager.finish_job(job, Status.FAILED, delete_job=False)
    await manager.prune_stalled_workers(STALLED_AFTER_S)
    return len(stalled)


_app: procrastinate.App | None = None


def blueprint_app() -> procrastinate.App:
    """The app this process's tasks were added to (``make_app``)."""
    if _app is None:
        msg = "no procrastinate app: call earful.tasks.make_app() first"
        raise RuntimeError(msg)
    return _app


__all__ = [
    "RECOVER_JOB",
    "STALLED_AFTER_S",
    "blueprint",
    "conninfo",
    "defer",
    "make_app",
    "make_queue",
    "recover",
]
