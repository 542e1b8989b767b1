"""What the scheduler and worker roles are doing, read for ``earful status``.

PostgreSQL only. The active scheduler is whoever holds the scheduler advisory
lock (``earful.leader``), read from ``pg_locks`` with the session's
``application_name``; standbys are the other sessions named like schedulers.
Workers, their beats and running jobs, and the queue's depths come from
procrastinate's tables (migration 0009). Nothing here writes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import inspect, text
from sqlalchemy.orm import Session

__all__ = ["Cluster", "QueueDepth", "WorkerState", "read_cluster"]

SCHEDULER_LOCK = 0x456172667553  # "EarfuS": the active scheduler's advisory lock
SCHEDULER_APP = "earful scheduler "  # how a scheduler names its lock's session


@dataclass(frozen=True)
class WorkerState:
    """One registered worker: its beat, and the jobs it runs now."""

    id: int
    last_heartbeat: datetime
    running: tuple[str, ...]


@dataclass(frozen=True)
class QueueDepth:
    """Jobs of one task: waiting (due now), scheduled later, running."""

    task: str
    waiting: int
    later: int
    running: int


@dataclass
class Cluster:
    """The roles' state; ``active_scheduler`` is None when no scheduler holds the lock."""

    active_scheduler: str | None = None
    standby_schedulers: list[str] = field(default_factory=list)
    workers: list[WorkerState] = field(default_factory=list)
    queue: list[QueueDepth] = field(default_factory=list)
    orphaned: int = 0  # running jobs of no live worker, waiting for recovery

    @property
    def in_use(self) -> bool:
        """Whether any role has run here (else status says nothing about them)."""
        return bool(
            self.active_scheduler
            or self.standby_schedulers
            or self.workers
            or self.queue
        )


def _describe(task: str, args: Any) -> str:
    name = task.removeprefix("earful:")
    if isinstance(args, dict) and args:
        return f"{name} " + " ".join(f"{v}" for v in args.values())
    return name


def read_cluster(session: Session) -> Cluster | None:
    """The roles' state, or None on SQLite or before migration 0009."""
    bind = session.get_bind()
    if bind.dialect.name != "postgresql":
        return None
    if not inspect(session.connection()).has_table("procrastinate_jobs"):
        return None
    cluster = Cluster()
    sessions = session.execute(
        text(
            "SELECT a.application_name, l.granted IS TRUE AS active "
            "FROM pg_stat_activity a LEFT JOIN pg_locks l ON l.pid = a.pid "
            "AND l.locktype = 'advisory' AND l.granted "
            "AND l.classid = :hi AND l.objid = :lo AND l.objsubid = 1 "
            "WHERE a.datname = current_database() AND a.application_name LIKE :app "
            "ORDER BY a.backend_start"
        ),
        {
            "hi": SCHEDULER_LOCK >> 32,
            "lo": SCHEDULER_LOCK & 0xFFFFFFFF,
            "app": SCHEDULER_APP + "%",
        },
    )
    for name, active in sessions:
        owner = name.removeprefix(SCHEDULER_APP)
        if active:
            cluster.active_scheduler = owner
        else:
            cluster.standby_schedulers.append(owner)
    running: dict[int | None, list[str]] = {}
    for worker_id, task, args in session.execute(
        text(
            "SELECT worker_id, task_name, args FROM procrastinate_jobs "
            "WHERE status = 'doing' ORDER BY id"
        )
    ):
        running.setdefault(worker_id, []).append(_describe(task, args))
    for worker_id, beat in session.execute(
        text("SELECT id, last_heartbeat FROM procrastinate_workers ORDER BY id")
    ):
        jobs = tuple(running.pop(worker_id, []))
        cluster.workers.append(WorkerState(worker_id, beat, jobs))
    cluster.orphaned = sum(len(jobs) for jobs in running.values())
    for task, waiting, later, doing in session.execute(
        text(
            "SELECT task_name,"
            " count(*) FILTER (WHERE status = 'todo' AND"
            "  (scheduled_at IS NULL OR scheduled_at <= now())),"
            " count(*) FILTER (WHERE status = 'todo' AND scheduled_at > now()),"
            " count(*) FILTER (WHERE status = 'doing') "
            "FROM procrastinate_jobs WHERE status IN ('todo', 'doing') "
            "GROUP BY task_name ORDER BY task_name"
        )
    ):
        cluster.queue.append(
            QueueDepth(task.removeprefix("earful:"), waiting, later, doing)
        )
    return cluster
