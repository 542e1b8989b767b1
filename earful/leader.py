"""One active scheduler: a PostgreSQL advisory lock held on a connection of its own.

Every ``earful run --role scheduler`` asks ``pg_try_advisory_lock`` every
``POLL_S``; the one that gets it schedules, the others wait as standbys. The
lock lives as long as the session that took it, so it needs no renewing and no
expiry to tune: when the active scheduler dies, even by ``kill -9``, its kernel
closes the socket, PostgreSQL ends the session and frees the lock, and a standby
takes it at its next try (within ``POLL_S``). A host that vanishes without
closing its socket is found dead by TCP keepalives (``KEEPALIVE``: about 25 s).
The holder checks its connection every ``POLL_S``; if it is gone, so is the lock
and it stops scheduling at once (exit status 1) rather than risk two schedulers.

The session's ``application_name`` names the holder, so ``earful status`` reads
who is active from ``pg_locks`` and ``pg_stat_activity``: PostgreSQL's own view,
not a row the scheduler might fail to update.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
from sqlalchemy import make_url

from earful.errors import EarfulError
from storage.cluster import SCHEDULER_APP, SCHEDULER_LOCK

log = logging.getLogger(__name__)

POLL_S = 5.0
KEEPALIVE = {
    "keepalives": 1,
    "keepalives_idle": 10,
    "keepalives_interval": 5,
    "keepalives_count": 3,
}


def libpq_url(database_url: str) -> str:
    """The SQLAlchemy URL as psycopg takes it (no ``+psycopg``)."""
    url = make_url(database_url).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


class LeaderLock:
    """The scheduler lock: ``wait`` until held, ``lost`` once it is not."""

    def __init__(self, database_url: str, owner: str) -> None:
        self.url, self.owner = libpq_url(database_url), owner
        self.conn: psycopg.Connection[tuple[object, ...]] | None = None
        self._checked = 0.0  # time.monotonic() of the last check

    def try_take(self) -> bool:
        """One attempt to become the active scheduler."""
        if self.conn is None or self.conn.closed:
            self.conn = psycopg.connect(
                self.url,
                autocommit=True,
                application_name=(SCHEDULER_APP + self.owner)[:63],
                connect_timeout=10,
                **KEEPALIVE,  # type: ignore[arg-type]  # libpq keywords
            )
        row = self.conn.execute(
            "SELECT pg_try_advisory_lock(%s)", (SCHEDULER_LOCK,)
        ).fetchone()
        return bool(row and row[0])

    def wait(self, stop: threading.Event) -> bool:
        """Try every ``POLL_S`` until held (True) or ``stop`` is set (False)."""
        announced = False
        while not stop.is_set():
            try:
                if self.try_take():
                    log.info("this scheduler is now active (%s)", self.owner)
                    return True
            except psycopg.Error as exc:
                log.warning("cannot reach the database for the scheduler lock: %s", exc)
                self.close()
            if not announced:
                log.info("another scheduler is active: standing by")
                announced = True
            stop.wait(POLL_S)
        return False

    def lost(self) -> str | None:
        """Why the lock is no longer held, or None while it is."""
        if self.conn is None:
            return "the scheduler lock was never taken"
        if time.monotonic() - self._checked < POLL_S:
            return None
        self._checked = time.monotonic()
        try:
            self.conn.execute("SELECT 1")
        except psycopg.Error as exc:
            return f"the scheduler lock's connection failed: {exc}"
        return None

    def close(self) -> None:
        """Release the lock (by ending its session)."""
        if self.conn is not None:
            with contextlib.suppress(psycopg.Error):
                self.conn.close()
            self.conn = None


@contextlib.contextmanager
def sqlite_daemon_lock(database_url: str) -> Iterator[None]:
    """Hold ``<database>.daemon-lock`` for the block; ``EarfulError`` if another does."""
    database = make_url(database_url).database
    if not database or database == ":memory:":
        yield
        return
    path = Path(database).expanduser()
    with path.with_name(path.name + ".daemon-lock").open("a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            msg = (
                f"another earful run is working on {path}: SQLite takes one daemon "
                "(stop it first, or move to PostgreSQL to run several)"
            )
            raise EarfulError(msg) from None
        yield
