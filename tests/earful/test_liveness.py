"""A daemon that cannot go quietly dead: heartbeats, job runs, a locked database.

The locked-database test locks the SQLite file from another process, as a
backup tool or a second writer would, while a real heartbeat saves the jobs.
"""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.interval import IntervalTrigger
from click.testing import CliRunner
from sqlalchemy import create_engine, select

from earful.cli import main
from earful.liveness import Heartbeat, problem
from earful.scheduler import schedule_key
from storage import make_sessionmaker, open_database
from storage.liveness import beat, finish_job, job_runs, load_schedule, start_job
from storage.models import DaemonHeartbeat

DEADLINE_S = 30.0


def wait_for(what: str, done: Callable[[], bool], timeout: float = DEADLINE_S) -> None:
    """Wait on ``done`` with a deadline (an event per check, not a sleep loop)."""
    tick = threading.Event()
    deadline = datetime.now(UTC) + timedelta(seconds=timeout)
    while not done():
        if datetime.now(UTC) > deadline:
            raise TimeoutError(f"timed out waiting for {what}")
        tick.wait(0.05)


def config(tmp_path: Path) -> Path:
    path = tmp_path / "earful.toml"
    path.write_text(
        f'database_url = "sqlite:///{tmp_path / "earful.db"}"\n'
        '[[brands]]\nname = "Acme"\nterms = ["acme"]\n',
        encoding="utf-8",
    )
    return path


def test_status_exits_1_when_the_daemon_heartbeat_is_stale(tmp_path: Path) -> None:
    path = config(tmp_path)
    sessions = open_database(f"sqlite:///{tmp_path / 'earful.db'}")
    args = ["status", "--config", str(path)]
    assert CliRunner().invoke(main, args).exit_code == 0  # no daemon ever: fine
    started = datetime.now(UTC) - timedelta(hours=1)
    with sessions.begin() as session:
        beat(session, "host:1:dead", started, now=started + timedelta(minutes=50))
        start_job(session, "alert", "host:1:dead")
        finish_job(session, "alert", "OperationalError: database is locked")
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1
    assert "Daemon: STALE: dead or stuck, last heartbeat 10 min ago" in result.output
    assert "  job alert: started " in result.output
    assert ": OperationalError: database is locked" in result.output
    assert result.output.endswith(
        "Error: unhealthy: daemon heartbeat is 10 min ago: earful run is dead or "
        "stuck\n"
    )
    with sessions.begin() as session:  # the restarted daemon beats again
        beat(session, "host:2:new", datetime.now(UTC))
    fresh = CliRunner().invoke(main, args)
    assert fresh.exit_code == 0, fresh.output
    assert "Daemon: alive, last heartbeat 0 s ago (host:2:new)" in fresh.output
    sessions.kw["bind"].dispose()


def test_heartbeat_thread_beats_and_a_clean_stop_forgets_it(tmp_path: Path) -> None:
    sessions = open_database(f"sqlite:///{tmp_path / 'earful.db'}")
    scheduler = BackgroundScheduler()
    scheduler.start()
    heartbeat = Heartbeat(sessions, "host:3:me", scheduler, every=0.05)
    heartbeat.start()

    def beats() -> list[DaemonHeartbeat]:
        with sessions() as session:
            return list(session.scalars(select(DaemonHeartbeat)))

    wait_for("a heartbeat", lambda: len(beats()) == 1)
    assert problem(heartbeat, retry_for=60) is None
    heartbeat.stop(forget=True)
    assert beats() == []
    scheduler.shutdown(wait=False)
    sessions.kw["bind"].dispose()


class BrokenTrigger(BaseTrigger):  # type: ignore[misc]
    """Fires once, then fails, as a bug inside the scheduler's loop would."""

    def __init__(self) -> None:
        self.fired = False

    def get_next_fire_time(self, previous: Any, now: datetime) -> datetime:
        if self.fired:
            raise RuntimeError("trigger bug")
        self.fired = True
        return now


@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_a_dead_scheduler_thread_is_a_reason_to_exit(tmp_path: Path) -> None:
    sessions = open_database(f"sqlite:///{tmp_path / 'earful.db'}")
    scheduler = BackgroundScheduler()
    scheduler.start()
    heartbeat = Heartbeat(sessions, "host:4:me", scheduler, every=0.05)
    heartbeat.start()
    scheduler.add_job(print, BrokenTrigger(), args=("",))
    wait_for("the scheduler thread to die", lambda: not scheduler._thread.is_alive())
    assert problem(heartbeat, retry_for=60) == "the scheduler thread died"
    heartbeat.stop(forget=False)
    sessions.kw["bind"].dispose()


LOCKER = """
import sqlite3, sys
con = sqlite3.connect(sys.argv[1], isolation_level=None)
con.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
sys.stdin.readline()
con.execute("ROLLBACK")
"""


@pytest.mark.timeout(120)
def test_a_database_locked_by_another_process_is_retried_then_recovers(
    tmp_path: Path,
) -> None:
    db = tmp_path / "earful.db"
    open_database(f"sqlite:///{db}").kw["bind"].dispose()  # migrated, WAL mode
    sessions = make_sessionmaker(
        create_engine(f"sqlite:///{db}", connect_args={"timeout": 0.1})
    )
    scheduler = BackgroundScheduler()
    scheduler.start()
    trigger = IntervalTrigger(hours=1)
    scheduler.add_job(print, trigger, id="tick")
    heartbeat = Heartbeat(sessions, "host:5:me", scheduler, every=0.05)
    heartbeat.start()

    def saved() -> dict[str, Any]:
        with sessions() as session:
            return load_schedule(session)

    wait_for("the schedule saved", lambda: "tick" in saved())
    assert saved()["tick"][0] == schedule_key(trigger)
    locker = subprocess.Popen(
        [sys.executable, "-c", LOCKER, str(db)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert locker.stdout is not None
    assert locker.stdin is not None
    assert locker.stdout.readline() == "locked\n"
    wait_for("a heartbeat error", lambda: heartbeat.failing_since is not None)
    assert heartbeat.is_alive()  # it retries instead of dying
    assert problem(heartbeat, retry_for=60) is None  # not for long enough yet
    assert problem(heartbeat, retry_for=0) is not None
    scheduler.remove_job("tick")
    locker.stdin.write("\n")
    locker.stdin.close()
    locker.wait(timeout=10)
    locker.stdout.close()
    wait_for("the heartbeat to recover", lambda: heartbeat.failing_since is None)
    wait_for("the removed job dropped", lambda: saved() == {})
    heartbeat.stop(forget=True)
    scheduler.shutdown(wait=False)
    sessions.kw["bind"].dispose()


def test_job_runs_record_the_last_start_finish_and_error(tmp_path: Path) -> None:
    sessions = open_database(f"sqlite:///{tmp_path / 'earful.db'}")
    with sessions.begin() as session:
        start_job(session, "score", "a")
        finish_job(session, "score", "x" * 5000)
        start_job(session, "score", "b")  # the next run replaces the row
    with sessions() as session:
        [run] = job_runs(session)
    assert (run.owner, run.finished_at, run.error) == ("b", None, None)
    sessions.kw["bind"].dispose()


def test_a_fatal_start_up_error_of_the_daemon_is_logged_critical(
    tmp_path: Path,
) -> None:
    path = tmp_path / "earful.toml"
    path.write_text(
        'database_url = "postgresql+psycopg://earful@127.0.0.1:1/none"\n'
        '[[brands]]\nname = "Acme"\nterms = ["acme"]\n',
        encoding="utf-8",
    )
    done = subprocess.run(
        [sys.executable, "-m", "earful", "run", "--config", str(path)],
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1
    assert "CRITICAL earful.cli: earful run stopped: cannot open database" in (
        done.stderr
    )
    assert "WARNING" not in done.stderr
