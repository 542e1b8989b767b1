"""A running daemon against SQLite locked by another process: alive and working, or gone.

Run by hand (prints figures, asserts nothing)::

    .venv/bin/python -m bench.sqlite_lock --lock 60

Starts the built-in sample site and ``earful run`` on a fresh SQLite file with
one source crawled every 2 s (scoring and delivery hourly: no model), waits for
its first crawls and heartbeat (the baseline, measured in the same run), then
holds SQLite's write lock from another process for ``--lock`` seconds. Reports
whether the daemon exited (and its status) or, after the lock, whether it
crawls again and beats again, and how long that took. "Alive and idle" is the
failure this guards against.
"""

from __future__ import annotations

import argparse
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine, func, select

from earful.demo import serve_sample_site
from storage import CrawlRun, open_database
from storage.models import DaemonHeartbeat

CONFIG = """
database_url = "sqlite:///{db}"
[[brands]]
name = "Acme"
terms = ["acme"]
[daemon]
score_every = "1h"
deliver_every = "1h"
score_after_crawl = false
store_retry_for = "{retry}s"
[[sources]]
name = "feed"
type = "feed"
url = "{site}/feed.xml"
interval = 2
jitter = 0
"""


def progress(db: Path) -> tuple[int, float | None]:
    """(finished crawl runs, newest heartbeat as a Unix time)."""
    engine = create_engine(f"sqlite:///{db}")
    with engine.connect() as conn:
        runs = conn.scalar(select(func.count()).select_from(CrawlRun)) or 0
        beat = conn.scalar(select(func.max(DaemonHeartbeat.beat_at)))
    engine.dispose()
    stamp = beat.timestamp() if hasattr(beat, "timestamp") else None
    return runs, stamp


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lock", type=float, default=60.0, help="seconds locked")
    parser.add_argument("--retry", type=float, default=300.0, help="store_retry_for")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, serve_sample_site() as site:
        db = Path(tmp) / "earful.db"
        open_database(f"sqlite:///{db}").kw["bind"].dispose()
        config = Path(tmp) / "earful.toml"
        config.write_text(CONFIG.format(db=db, site=site, retry=args.retry))
        daemon = subprocess.Popen(  # noqa: S603 - our own CLI
            [sys.executable, "-m", "earful", "run", "--config", str(config)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 120
        while progress(db)[0] < 2 and time.monotonic() < deadline:
            time.sleep(1)
        base_runs, base_beat = progress(db)
        print(f"baseline: {base_runs} crawls, heartbeat at {base_beat}")
        lock = sqlite3.connect(db, isolation_level=None)
        lock.execute("BEGIN EXCLUSIVE")
        locked_at = time.monotonic()
        time.sleep(args.lock)
        lock.execute("ROLLBACK")
        lock.close()
        released = time.monotonic()
        print(f"locked {released - locked_at:.0f} s; daemon exit: {daemon.poll()}")
        runs_then = progress(db)[0]
        while time.monotonic() < released + 120 and daemon.poll() is None:
            runs, beat = progress(db)
            if runs > runs_then and beat and beat > time.time() - 15:
                print(
                    f"recovered {time.monotonic() - released:.0f} s after the lock: "
                    f"{runs - runs_then} new crawls, heartbeat fresh"
                )
                break
            time.sleep(1)
        else:
            print(f"daemon exit status: {daemon.poll()} (None = alive and idle)")
        daemon.terminate()
        print(f"stopped with status {daemon.wait(timeout=30)}")


if __name__ == "__main__":
    main()
