"""Memory of a long-running ``earful run``: RSS of the daemon over many scheduled crawls.

Run by hand (prints figures, asserts nothing)::

    .venv/bin/python -m bench.daemon --crawls 1000

Starts the built-in sample site, writes a config whose sources crawl it every
second (scoring and delivery hourly, so the model stays unloaded: this measures
the scheduler, its saved schedule and the crawl launcher), runs ``earful run``
as a child process, and samples the daemon's resident set size (``VmRSS``, the
daemon only; each crawl is its own short-lived child) as finished crawl runs
accumulate. The baseline is the RSS after the first ``--warmup`` crawls, measured
in the same run; growth is reported against it, in MiB and per 100 crawls.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine, func, select

from earful.demo import serve_sample_site
from storage import CrawlRun, open_database

CONFIG = """
database_url = "{url}"

[[brands]]
name = "Acme"
terms = ["acme"]

[daemon]
score_every = "1h"
deliver_every = "1h"
score_after_crawl = false
workers = {workers}
"""
SOURCE = '\n[[sources]]\nname = "site-{i}"\ntype = "feed"\nurl = "{site}/feed.xml"\n'
SOURCE += "interval = 1\njitter = 0\n"


def rss_mib(pid: int) -> float:
    """Resident set size of ``pid`` in MiB (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def finished(engine_url: str) -> tuple[int, int]:
    """Finished crawl runs so far, and how many of them failed."""
    engine = create_engine(engine_url)
    try:
        with engine.connect() as conn:
            done = conn.scalar(
                select(func.count()).where(CrawlRun.finished_at.is_not(None))
            )
            failed = conn.scalar(
                select(func.count()).where(CrawlRun.status == "failed")
            )
    finally:
        engine.dispose()
    return int(done or 0), int(failed or 0)


def measure(site: str, folder: Path, args: argparse.Namespace) -> list[tuple]:
    """Run the daemon until ``args.crawls`` crawls finished; (crawls, s, MiB) rows."""
    url = f"sqlite:///{folder / 'bench.db'}"
    text = CONFIG.format(url=url, workers=args.sources)
    text += "".join(SOURCE.format(i=i, site=site) for i in range(args.sources))
    open_database(url).kw["bind"].dispose()  # migrated before the daemon polls it
    config = folder / "earful.toml"
    config.write_text(text, encoding="utf-8")
    daemon = subprocess.Popen(  # noqa: S603 - our own CLI
        [sys.executable, "-m", "earful", "run", "--config", str(config)],
        stderr=(folder / "daemon.log").open("w"),
        env={**os.environ, "SLACK_BOT_TOKEN": "", "SLACK_WEBHOOK_URL": ""},
    )
    samples: list[tuple] = []
    started = time.monotonic()
    step = max(args.crawls // args.points, 1)
    try:
        while True:
            time.sleep(1.0)
            if daemon.poll() is not None:
                sys.exit(f"the daemon exited early; see {folder / 'daemon.log'}")
            done, failed = finished(url)
            if done >= (len(samples) * step or 1) or done >= args.crawls:
                row = (done, failed, time.monotonic() - started, rss_mib(daemon.pid))
                samples.append(row)
                print(f"{row[0]:>6} {row[1]:>6} {row[2]:>8.0f} {row[3]:>9.1f}")
            if done >= args.crawls:
                break
    finally:
        daemon.send_signal(signal.SIGTERM)
        daemon.wait(timeout=30)
    return samples


def main() -> None:
    """Parse arguments, run the daemon, print the RSS series and its growth."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--crawls", type=int, default=1000)
    parser.add_argument("--sources", type=int, default=4)
    parser.add_argument("--points", type=int, default=20, help="samples to print")
    parser.add_argument("--warmup", type=int, default=50, help="crawls before base")
    args = parser.parse_args()
    print(f"{'crawls':>6} {'failed':>6} {'seconds':>8} {'RSS MiB':>9}")
    with serve_sample_site() as site, tempfile.TemporaryDirectory() as tmp:
        samples = measure(site, Path(tmp), args)
    base = next((s for s in samples if s[0] >= args.warmup), samples[0])
    last = samples[-1]
    growth = last[3] - base[3]
    per_100 = growth / max(last[0] - base[0], 1) * 100
    print(
        f"\nbaseline {base[3]:.1f} MiB after {base[0]} crawls; "
        f"{last[3]:.1f} MiB after {last[0]} crawls ({last[1]} failed) in {last[2]:.0f} s"
    )
    print(
        f"growth {growth:+.1f} MiB ({last[3] / base[3]:.3f}x baseline), "
        f"{per_100:+.2f} MiB per 100 crawls"
    )


if __name__ == "__main__":
    main()
