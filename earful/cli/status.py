"""``earful status``: is every source working? Also a health check (exit 1 when not)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import click
from sqlalchemy.orm import Session, sessionmaker

from earful.cli.common import (
    CONFIG_OPTION,
    READ_DB_OPTION,
    load,
    no_database,
    url_without_config,
)
from earful.config import Config
from earful.health import (
    EMPTY_RUNS_UNHEALTHY,
    Health,
    SourceHealth,
    gather,
    gather_recorded,
)
from storage import (
    StorageError,
    open_database,
    open_existing_database,
    redact_url,
)
from storage.cluster import Cluster, read_cluster
from storage.db import missing_database

COLUMNS = (
    "source",
    "last run",
    "last success",
    "pages/items",
    "seen/new",
    "24 h",
    "next run",
)


def _ago(when: datetime | None, now: datetime) -> str:
    if when is None:
        return "never"
    seconds = int((now - when).total_seconds())
    future = seconds < 0
    seconds = abs(seconds)
    if seconds < 120:  # noqa: PLR2004 - two minutes
        text = f"{seconds} s"
    elif seconds < 7200:  # noqa: PLR2004 - two hours
        text = f"{seconds // 60} min"
    elif seconds < 172800:  # noqa: PLR2004 - two days
        text = f"{seconds // 3600} h"
    else:
        text = f"{seconds // 86400} d"
    return f"in {text}" if future else f"{text} ago"


def _read(s: SourceHealth) -> str:
    """Pages fetched / items extracted by the last run; ``-`` where not counted."""
    if s.pages_last_run is None:
        return "-" if s.extracted_last_run is None else f"-/{s.extracted_last_run}"
    return f"{s.pages_last_run}/{s.extracted_last_run or 0}"


def _warnings(s: SourceHealth) -> list[str]:
    lines = (s.last_warning or "").splitlines()
    if s.last_status == "empty" and lines:
        runs = f"{s.empty_runs} runs in a row" if s.empty_runs > 1 else "last run"
        lines[0] = f"WARNING: extracted nothing ({runs}): {lines[0]}"
        return lines
    return [f"warning: {line}" for line in lines]


def _row(s: SourceHealth, now: datetime) -> tuple[str, ...]:
    last = _ago(s.last_run, now)
    if s.last_status:
        last = f"{last} ({s.last_status})"
    if s.running_on:
        last = f"{last}, running"
    nxt = "due" if s.next_run and s.next_run <= now else _ago(s.next_run, now)
    return (
        s.name,
        last,
        _ago(s.last_success, now),
        _read(s),
        f"{s.seen_last_run}/{s.new_last_run}",
        f"{s.seen_24h}/{s.new_24h}",
        "disabled" if not s.enabled else nxt if s.next_run else "not scheduled",
    )


def _table(health: Health, now: datetime) -> list[str]:
    rows = [COLUMNS, *(_row(s, now) for s in health.sources)]
    widths = [max(len(r[i]) for r in rows) for i in range(len(COLUMNS))]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
        for r in rows
    ]
    lines.extend(
        f"  {s.name}: last error {_ago(s.last_error_at, now)}: {s.last_error}"
        for s in health.sources
        if s.last_error
    )
    lines.extend(f"  {s.name}: {w}" for s in health.sources for w in _warnings(s))
    lines.extend(
        f"  {s.name}: quota: {_quota(q)}" for s in health.sources if (q := s.quota)
    )
    return lines


def _quota(quota: dict[str, Any]) -> str:
    """``412 of 10000 units used on 2026-11-30 (Pacific)``, in the source's unit."""
    zone = f" ({quota['zone']})" if "zone" in quota else ""
    return (
        f"{quota['used']} of {quota['budget']} {quota['unit']} used on "
        f"{quota['day']}{zone}"
    )


def _json(health: Health, database: str, now: datetime) -> str:
    def iso(when: datetime | None) -> str | None:
        return when.isoformat() if when else None

    sources = [
        {
            "name": s.name,
            "enabled": s.enabled,
            "last_run": iso(s.last_run),
            "last_status": s.last_status,
            "last_success": iso(s.last_success),
            "last_error": s.last_error,
            "last_error_at": iso(s.last_error_at),
            "failing_since": iso(s.failing_since),
            "last_run_items": {"seen": s.seen_last_run, "new": s.new_last_run},
            "last_24h_items": {"seen": s.seen_24h, "new": s.new_24h},
            "last_run_extraction": {
                "pages": s.pages_last_run,
                "extracted": s.extracted_last_run,
                "matched": s.matched_last_run,
            },
            "last_warning": s.last_warning,
            "empty_runs": s.empty_runs,
            "next_run": iso(s.next_run),
            "running_on": s.running_on,
            "quota": s.quota,
        }
        for s in health.sources
    ]
    unhealthy = [s.name for s in health.unhealthy(now)]
    beat = health.heartbeat
    daemon = {
        "heartbeat_at": iso(beat[1]) if beat else None,
        "owner": beat[0] if beat else None,
        "stale": health.stale_heartbeat(now) is not None,
    }
    jobs = [
        {
            "job": j.job,
            "owner": j.owner,
            "started_at": iso(j.started_at),
            "finished_at": iso(j.finished_at),
            "error": j.error,
        }
        for j in health.jobs
    ]
    return json.dumps(
        {
            "checked_at": now.isoformat(),
            "database": database,
            "model": health.model,
            "alerts": health.alerts,
            "daemon": daemon,
            "jobs": jobs,
            "sources": sources,
            "unhealthy": unhealthy,
        },
        indent=2,
    )


def _config(config_path: Path, database_url: str | None) -> Config:
    if not config_path.exists():
        raise no_database(config_path)
    return load(config_path, database_url)


def _daemon_lines(health: Health, now: datetime) -> list[str]:
    if health.heartbeat is None:
        return ["Daemon: no heartbeat recorded (earful run has not run here)"]
    owner, at = health.heartbeat
    state = "STALE: dead or stuck" if health.stale_heartbeat(now) else "alive"
    lines = [f"Daemon: {state}, last heartbeat {_ago(at, now)} ({owner})"]
    for j in health.jobs:
        end = (
            f"finished {_ago(j.finished_at, now)}"
            if j.finished_at
            else "running (or died)"
        )
        error = f": {j.error}" if j.error else ""
        lines.append(f"  job {j.job}: started {_ago(j.started_at, now)}, {end}{error}")
    return lines


@click.command()
@CONFIG_OPTION
@READ_DB_OPTION
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="A table for people, or JSON for monitoring.",
)
def status(config_path: Path, database_url: str | None, fmt: str) -> None:
    """Show each source's last run, last success and error, the alert outbox, and
    the daemon's heartbeat and jobs.

    Exits 1 when a source has failed for longer than `[daemon] unhealthy_after`,
    or extracted nothing from the pages it fetched 3 runs in a row, or the
    daemon's newest heartbeat is over a minute old, so it can serve as a health
    check. With only a database URL (no config file), it lists every source with
    recorded runs and the default threshold.
    """
    url = url_without_config(config_path, database_url)
    config = None
    if url is None:
        config = _config(config_path, database_url)
        url = config.database_url
    sessions, database = _open(url, configured=config is not None)
    now = datetime.now(UTC)
    try:
        with sessions() as session:
            health = (
                gather(session, config, now)
                if config
                else gather_recorded(session, now)
            )
        with sessions() as session:
            cluster = read_cluster(session)
    finally:
        sessions.kw["bind"].dispose()
    if fmt == "json":
        click.echo(_with_cluster(_json(health, database, now), cluster, now))
    else:
        for line in _table(health, now):
            click.echo(line)
        alerts = ", ".join(
            f"{health.alerts.get(state, 0)} {state}"
            for state in ("pending", "failed", "sent")
        )
        click.echo(f"Alerts: {alerts}")
        for line in _daemon_lines(health, now):
            click.echo(line)
        for line in _cluster_lines(cluster, now):
            click.echo(line)
        click.echo(f"Model: {health.model}")
        click.echo(f"Database: {database}")
    problems = []
    if (age := health.stale_heartbeat(now)) is not None:
        problems.append(
            f"daemon heartbeat is {_ago(now - age, now)}: earful run is dead or stuck"
        )
    if bad := health.unhealthy(now):
        problems.append(_unhealthy(health, bad))
    problems.extend(_cluster_problems(cluster, now))
    if problems:
        raise click.ClickException("unhealthy: " + "; ".join(problems))


def _open(url: str, *, configured: bool) -> tuple[sessionmaker[Session], str]:
    """The sessions to read and the database as shown; a missing file creates none.

    With a config, a database not created yet shows its sources as never run
    (from an empty schema in memory); with only a URL it is an error naming
    the path.
    """
    database = redact_url(url)
    try:
        if configured and missing_database(url):
            return open_database("sqlite://"), f"{database} (not created yet)"
        return open_existing_database(url), database
    except StorageError as exc:
        raise click.ClickException(str(exc)) from None


def _unhealthy(health: Health, bad: list[SourceHealth]) -> str:
    limit = timedelta(seconds=health.unhealthy_after)
    empty = [s.name for s in bad if s.keeps_extracting_nothing]
    failing = [s.name for s in bad if s.name not in empty]
    reasons = []
    if failing:
        reasons.append(f"failing for longer than {limit}: {', '.join(failing)}")
    if empty:
        runs = EMPTY_RUNS_UNHEALTHY
        reasons.append(f"extracted nothing {runs} runs in a row: {', '.join(empty)}")
    return "; ".join(reasons)


# --- scheduler and worker roles (earful run --role) -------------------------

WORKER_STALE_S = 60.0  # six missed beats (workers beat every 10 s)


def _worker_stale(beat: datetime, now: datetime) -> bool:
    return (now - beat).total_seconds() > WORKER_STALE_S


def _cluster_lines(cluster: Cluster | None, now: datetime) -> list[str]:
    if cluster is None or not cluster.in_use:
        return []
    active = cluster.active_scheduler or "NONE: no scheduler holds the lock"
    lines = [f"Scheduler: active {active}"]
    lines.extend(f"  standby {name}" for name in cluster.standby_schedulers)
    lines.append(f"Workers: {len(cluster.workers)}")
    for w in cluster.workers:
        state = "STALE" if _worker_stale(w.last_heartbeat, now) else "alive"
        doing = ", ".join(w.running) if w.running else "idle"
        lines.append(
            f"  worker {w.id}: {state}, heartbeat {_ago(w.last_heartbeat, now)}: {doing}"
        )
    if cluster.orphaned:
        lines.append(
            f"  {cluster.orphaned} running jobs of dead workers, retried once recovered"
        )
    queue = ", ".join(
        f"{q.task} {q.waiting} waiting/{q.running} running"
        + (f"/{q.later} later" if q.later else "")
        for q in cluster.queue
    )
    lines.append(f"Queue: {queue or 'empty'}")
    return lines


def _cluster_problems(cluster: Cluster | None, now: datetime) -> list[str]:
    if cluster is None or not cluster.workers:
        return []
    problems = []
    if cluster.active_scheduler is None:
        problems.append("workers are registered but no scheduler is active")
    if all(_worker_stale(w.last_heartbeat, now) for w in cluster.workers):
        problems.append("every worker's heartbeat is over a minute old")
    return problems


def _with_cluster(text: str, cluster: Cluster | None, now: datetime) -> str:
    """The status JSON with ``cluster`` added (null without the roles)."""
    data = json.loads(text)
    data["cluster"] = (
        None
        if cluster is None or not cluster.in_use
        else {
            "active_scheduler": cluster.active_scheduler,
            "standby_schedulers": cluster.standby_schedulers,
            "workers": [
                {
                    "id": w.id,
                    "heartbeat_at": w.last_heartbeat.isoformat(),
                    "stale": _worker_stale(w.last_heartbeat, now),
                    "running": list(w.running),
                }
                for w in cluster.workers
            ],
            "queue": [
                {
                    "task": q.task,
                    "waiting": q.waiting,
                    "later": q.later,
                    "running": q.running,
                }
                for q in cluster.queue
            ],
            "orphaned_jobs": cluster.orphaned,
        }
    )
    return json.dumps(data, indent=2)
