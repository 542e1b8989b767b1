"""What ``earful status`` reports: each source's recent runs, its next run, and the outbox.

Also the daemon's newest heartbeat and each job's last run, and how much of
its quota a quota-bound source used (API units today, hashtags this week...). Read-only: it reads
``crawl_runs``, ``source_cursors``, ``daemon_heartbeats``, ``job_runs`` (a
source whose job started and has not finished is running there),
``scheduled_jobs`` (next runs) and the alert outbox, so it can run beside a
live daemon.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from earful.config import Config, DaemonConfig
from earful.liveness import STALE_AFTER_S
from storage import CrawlRun
from storage.liveness import job_runs, load_schedule, newest_beat
from storage.queries import count_by_state, get_cursor
from storage.stats import latest_model

# A source whose last runs in a row fetched pages but extracted nothing is as
# unhealthy as a failing one: its recipe or the site's markup no longer fits.
EMPTY_RUNS_UNHEALTHY = 3


@dataclass(frozen=True)
class SourceHealth:
    """One source at a glance."""

    name: str
    enabled: bool
    last_run: datetime | None = None
    last_status: str | None = None
    last_success: datetime | None = None
    last_error: str | None = None
    last_error_at: datetime | None = None
    failing_since: datetime | None = None
    seen_last_run: int = 0
    new_last_run: int = 0
    seen_24h: int = 0
    new_24h: int = 0
    next_run: datetime | None = None
    running_on: str | None = None
    last_warning: str | None = None
    pages_last_run: int | None = None
    extracted_last_run: int | None = None
    matched_last_run: int | None = None
    empty_runs: int = 0  # the latest runs in a row that extracted nothing
    # what a quota-bound source used of its budget, in the ``unit`` it counts:
    # {"day", "used", "budget", "unit"} and, when its day is not UTC's, "zone"
    quota: dict[str, Any] | None = None

    def failing_for(self, now: datetime) -> timedelta | None:
        """How long the source has failed without a success in between."""
        return now - self.failing_since if self.failing_since else None

    @property
    def keeps_extracting_nothing(self) -> bool:
        """Whether its last ``EMPTY_RUNS_UNHEALTHY`` runs all extracted nothing."""
        return self.empty_runs >= EMPTY_RUNS_UNHEALTHY


@dataclass(frozen=True)
class JobHealth:
    """A scheduled job's last run."""

    job: str
    owner: str
    started_at: datetime
    finished_at: datetime | None
    error: str | None


@dataclass(frozen=True)
class Health:
    """Every source, the alert outbox, the daemon's heartbeat and its jobs."""

    sources: list[SourceHealth]
    alerts: dict[str, int]
    model: str
    unhealthy_after: float
    heartbeat: tuple[str, datetime] | None = None  # newest beat: (owner, when)
    jobs: list[JobHealth] = field(default_factory=list)

    def stale_heartbeat(self, now: datetime) -> timedelta | None:
        """How old the newest heartbeat is, when older than ``STALE_AFTER_S``."""
        if self.heartbeat is None:
            return None  # no daemon has run here: cron and --once setups
        age = now - self.heartbeat[1]
        return age if age > timedelta(seconds=STALE_AFTER_S) else None

    def unhealthy(self, now: datetime) -> list[SourceHealth]:
        """Enabled sources failing for longer than ``[daemon] unhealthy_after``,
        or whose last ``EMPTY_RUNS_UNHEALTHY`` runs extracted nothing."""
        limit = timedelta(seconds=self.unhealthy_after)
        return [
            s
            for s in self.sources
            if s.enabled
            and (
                (s.failing_for(now) or timedelta(0)) > limit
                or s.keeps_extracting_nothing
            )
        ]


def _source(
    session: Session, name: str, enabled: bool, since: datetime
) -> dict[str, Any]:
    runs = select(CrawlRun).where(CrawlRun.source == name)
    last = session.scalars(runs.order_by(CrawlRun.id.desc()).limit(1)).first()
    ok = session.scalars(
        runs.where(CrawlRun.status == "ok").order_by(CrawlRun.id.desc()).limit(1)
    ).first()
    failed = select(CrawlRun).where(
        CrawlRun.source == name, CrawlRun.status == "failed"
    )
    error = session.scalars(failed.order_by(CrawlRun.id.desc()).limit(1)).first()
    streak = failed.where(CrawlRun.id > ok.id) if ok else failed
    first_failure = session.scalars(streak.order_by(CrawlRun.id).limit(1)).first()
    seen, new = session.execute(
        select(
            func.coalesce(func.sum(CrawlRun.items_seen), 0),
            func.coalesce(func.sum(CrawlRun.items_new), 0),
        ).where(CrawlRun.source == name, CrawlRun.started_at >= since)
    ).one()
    latest = session.scalars(
        runs.order_by(CrawlRun.id.desc()).limit(EMPTY_RUNS_UNHEALTHY)
    ).all()
    empty_runs = 0
    for run in latest:
        if run.status != "empty":
            break
        empty_runs += 1
    return {
        "name": name,
        "enabled": enabled,
        "last_run": last.started_at if last else None,
        "last_status": last.status if last else None,
        "last_success": ok.finished_at if ok else None,
        "last_error": error.error if error else None,
        "last_error_at": error.finished_at if error else None,
        "failing_since": first_failure.started_at if first_failure else None,
        "seen_last_run": last.items_seen if last else 0,
        "new_last_run": last.items_new if last else 0,
        "seen_24h": int(seen),
        "new_24h": int(new),
        "last_warning": last.warning if last else None,
        "pages_last_run": last.pages_fetched if last else None,
        "extracted_last_run": last.items_extracted if last else None,
        "matched_last_run": last.items_matched if last else None,
        "empty_runs": empty_runs,
        "quota": _quota(session, name),
    }


def _quota(session: Session, name: str) -> dict[str, Any] | None:
    """The ledger a quota-bound collector keeps in its cursor's ``quota``, if any.

    Its ``unit`` says what is counted (``"units"`` when a ledger written before
    units were named leaves it out), ``zone`` the time zone of ``day``.
    """
    quota = get_cursor(session, name).get("quota")
    if not (isinstance(quota, dict) and {"day", "used", "budget"} <= quota.keys()):
        return None
    shown = {k: quota[k] for k in ("day", "used", "budget")}
    shown["unit"] = str(quota.get("unit") or "units")
    if quota.get("zone"):
        shown["zone"] = str(quota["zone"])
    return shown


def gather(session: Session, config: Config, now: datetime) -> Health:
    """The health of every configured source and of the outbox, as of ``now``."""
    return _gather(
        session,
        [(s.name, s.enabled) for s in config.sources],
        config.sentiment.model,
        config.daemon.unhealthy_after,
        now,
    )


def gather_recorded(session: Session, now: datetime) -> Health:
    """Health without a config: every source that has runs recorded, as enabled.

    The model is the one that scored last; ``unhealthy_after`` is the default.
    """
    names = session.scalars(
        select(CrawlRun.source).distinct().order_by(CrawlRun.source)
    )
    return _gather(
        session,
        [(name, True) for name in names],
        latest_model(session) or "earful-default",
        DaemonConfig().unhealthy_after,
        now,
    )


def _gather(
    session: Session,
    names: list[tuple[str, bool]],
    model: str,
    unhealthy_after: float,
    now: datetime,
) -> Health:
    since = now - timedelta(hours=24)
    next_runs = {job: at for job, (_, at) in load_schedule(session).items()}
    runs = job_runs(session)
    running_on = {r.job: r.owner for r in runs if r.finished_at is None}
    sources = [
        SourceHealth(
            **_source(session, name, enabled, since),
            next_run=next_runs.get(f"source:{name}") if enabled else None,
            running_on=running_on.get(f"source:{name}"),
        )
        for name, enabled in names
    ]
    newest = newest_beat(session)
    return Health(
        sources=sources,
        alerts=count_by_state(session),
        model=model,
        unhealthy_after=unhealthy_after,
        heartbeat=(newest.owner, newest.beat_at) if newest else None,
        jobs=[
            JobHealth(r.job, r.owner, r.started_at, r.finished_at, r.error)
            for r in runs
        ],
    )
