"""Keep ``earful run`` from going quietly dead: a heartbeat thread and a watchdog.

The heartbeat thread records a beat in ``daemon_heartbeats`` every
``HEARTBEAT_EVERY_S`` while the scheduler is healthy, and with it the jobs'
next runs (``scheduled_jobs``); ``earful status`` exits 1 when the newest beat
is older than ``STALE_AFTER_S``. The daemon's main loop asks ``problem()``
twice a second: when the scheduler thread or the heartbeat thread has died, or
the heartbeat has failed for longer than ``[daemon] store_retry_for``, the
daemon stops and exits with status 1, so its
service manager restarts it rather than leaving a process that answers signals
and does nothing.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import timedelta

from apscheduler.schedulers.base import BaseScheduler
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from earful.scheduler import schedule_of
from storage.liveness import beat, forget_daemon, save_schedule
from storage.models import utcnow

log = logging.getLogger(__name__)

HEARTBEAT_EVERY_S = 10.0
STALE_AFTER_S = 60.0  # six missed beats
FORGET_AFTER = timedelta(days=1)  # beats of daemons long gone are pruned at start


class Heartbeat(threading.Thread):
    """Records this daemon's beat while ``healthy()`` says nothing is wrong."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        owner: str,
        scheduler: BaseScheduler,
        every: float = HEARTBEAT_EVERY_S,
    ) -> None:
        super().__init__(name="earful-heartbeat", daemon=True)
        self.sessions, self.owner, self.scheduler = sessions, owner, scheduler
        self.every = every
        self.started_at = utcnow()
        self.failing_since: float | None = None
        self._halt = threading.Event()

    def run(self) -> None:
        while not self._halt.is_set():
            if scheduler_problem(self.scheduler) is None:
                self._beat()
            self._halt.wait(self.every)

    def _beat(self) -> None:
        try:
            with self.sessions.begin() as session:
                beat(session, self.owner, self.started_at)
                save_schedule(session, schedule_of(self.scheduler))
        except SQLAlchemyError as exc:
            self.failing_since = self.failing_since or time.monotonic()
            log.warning("heartbeat not recorded: %s", str(exc).splitlines()[0])
        else:
            self.failing_since = None

    def stop(self, *, forget: bool) -> None:
        """Stop beating; ``forget`` deletes this daemon's row (a clean stop)."""
        self._halt.set()
        self.join(timeout=1)  # a beat stuck on a locked database is left behind
        if not forget:
            return
        try:
            with self.sessions.begin() as session:
                forget_daemon(session, self.owner, older_than=FORGET_AFTER)
        except SQLAlchemyError as exc:
            log.warning("heartbeat row not removed: %s", exc)


def scheduler_problem(scheduler: BaseScheduler) -> str | None:
    """Why the scheduler cannot run jobs now, or None."""
    thread = getattr(scheduler, "_thread", None)
    if thread is None or not thread.is_alive():
        return "the scheduler thread died"
    return None


def problem(heartbeat: Heartbeat, retry_for: float) -> str | None:
    """A reason for the daemon to exit 1 now, or None while all is well."""
    now = time.monotonic()
    if (found := scheduler_problem(heartbeat.scheduler)) is not None:
        return found
    if not heartbeat.is_alive():
        return "the heartbeat thread died"
    if (
        heartbeat.failing_since is not None
        and now - heartbeat.failing_since > retry_for
    ):
        return (
            f"the heartbeat could not be recorded for {now - heartbeat.failing_since:.0f}"
            f" s (more than [daemon] store_retry_for, {retry_for:.0f} s)"
        )
    return None
