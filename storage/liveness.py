"""Daemon liveness: heartbeats, each scheduled job's last run, and its next one.

A running ``earful run`` upserts its row in ``daemon_heartbeats`` every few
seconds from a thread of its own; ``earful status`` calls the daemon dead when
the newest beat is older than a few intervals. Jobs record their start, finish
and error in ``job_runs``, one row per job (the last run wins). Both upsert with
one ``INSERT … ON CONFLICT DO UPDATE``, so daemons sharing a database never
race on a row. The active scheduler replaces ``scheduled_jobs`` with its jobs'
schedules and next runs (``save_schedule``). The caller owns the transaction.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from storage.models import DaemonHeartbeat, JobRun, ScheduledJob, utcnow

__all__ = [
    "beat",
    "finish_job",
    "forget_daemon",
    "job_runs",
    "load_schedule",
    "newest_beat",
    "save_schedule",
    "start_job",
]

MAX_ERROR = 2000


def _upsert(session: Session, model: Any, key: str, values: dict[str, Any]) -> None:
    module = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    table = model.__table__
    stmt = module.insert(table).values(values)
    update = {k: v for k, v in values.items() if k != key}
    session.execute(
        stmt.on_conflict_do_update(index_elements=[table.c[key]], set_=update)
    )


def beat(
    session: Session, owner: str, started_at: datetime, now: datetime | None = None
) -> None:
    """Record that daemon ``owner`` (up since ``started_at``) is alive now."""
    values = {"owner": owner, "started_at": started_at, "beat_at": now or utcnow()}
    _upsert(session, DaemonHeartbeat, "owner", values)


def forget_daemon(
    session: Session, owner: str, *, older_than: timedelta | None = None
) -> None:
    """Delete ``owner``'s heartbeat (a clean stop), and beats older than ``older_than``."""
    session.execute(delete(DaemonHeartbeat).where(DaemonHeartbeat.owner == owner))
    if older_than is not None:
        cutoff = utcnow() - older_than
        session.execute(delete(DaemonHeartbeat).where(DaemonHeartbeat.beat_at < cutoff))


def newest_beat(session: Session) -> DaemonHeartbeat | None:
    """The most recent heartbeat of any daemon, or None if none is recorded."""
    stmt = select(DaemonHeartbeat).order_by(DaemonHeartbeat.beat_at.desc()).limit(1)
    return session.scalars(stmt).first()


def start_job(session: Session, job: str, owner: str) -> None:
    """Record that ``job`` started now on daemon ``owner``."""
    values = {
        "job": job,
        "owner": owner,
        "started_at": utcnow(),
        "finished_at": None,
        "error": None,
    }
    _upsert(session, JobRun, "job", values)


def finish_job(session: Session, job: str, error: str | None = None) -> None:
    """Record that ``job`` finished now, with its error if it failed."""
    run = session.get(JobRun, job)
    if run is not None:
        run.finished_at = utcnow()
        run.error = error[:MAX_ERROR] if error else None


def job_runs(session: Session) -> list[JobRun]:
    """Every job's last run, by job name."""
    return list(session.scalars(select(JobRun).order_by(JobRun.job)))


def save_schedule(
    session: Session, jobs: dict[str, tuple[str, datetime | None]]
) -> None:
    """Make ``scheduled_jobs`` hold exactly ``jobs``: job -> (schedule, next run)."""
    session.execute(delete(ScheduledJob).where(ScheduledJob.job.not_in(list(jobs))))
    for job, (schedule, next_run_at) in jobs.items():
        values = {"job": job, "schedule": schedule, "next_run_at": next_run_at}
        _upsert(session, ScheduledJob, "job", values)


def load_schedule(session: Session) -> dict[str, tuple[str, datetime | None]]:
    """The jobs the last active scheduler saved: job -> (schedule, next run)."""
    rows = session.execute(
        select(ScheduledJob.job, ScheduledJob.schedule, ScheduledJob.next_run_at)
    )
    return {job: (schedule, at) for job, schedule, at in rows}
