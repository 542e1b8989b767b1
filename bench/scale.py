"""Scaling out: crawls/min and mentions scored/s with 1, 2 and 4 worker processes.

    .venv/bin/python -m bench.scale [--sources 1000] [--mentions 50000] [--workers 1 2 4]
                                    [--seconds S]

Needs PostgreSQL (``EARFUL_TEST_POSTGRES_URL``, default the local ``test``
database's server); each phase gets a fresh database, dropped at the end.

- **Crawl phase**, for each worker count: a local site serves ``--sources`` RSS
  feeds (three items each, English and Japanese, all naming the brand); one
  ``earful run --role scheduler`` and N ``--role worker`` processes, each worker
  running one job at a time (``[daemon] workers = 1``), crawl every feed once
  (each crawl a Scrapy child process, as in production). Crawls/min is the feed
  count over the time from the first crawl's start to the last one's end.
- **Scoring phase**, for each worker count: ``--mentions`` mentions are inserted,
  N workers start, and N scoring jobs are queued at once; each worker loads the
  default model and scores chunks until none is left (chunks are row-locked with
  ``SKIP LOCKED``, so no mention is scored twice). Mentions/s is the count over
  the time from the first score to the last (model loading excluded; it is
  reported as memory).

With ``--seconds``, each phase stops after that long (from its start) with the
whole backlog still queued, and the rate is what finished over the time it
took: the full 1,000 feeds and 50,000 mentions take hours per worker count on
a 2-core machine, while the rate with the full backlog waiting settles within
minutes.

Ratios are against the 1-worker run of the same invocation; scoring is also
compared per busy core, since ONNX Runtime spreads one worker over several
cores. ``busy`` is the
machine's CPU use during the phase (all cores, from ``/proc/stat``): once it
nears 100 % more workers cannot add throughput. ``RSS`` is each worker's
resident memory: idle (before any task) and peak (after scoring, model loaded).
On a machine shared with other work the wall-clock figures swing; run it more
than once.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, insert, make_url, text
from sqlalchemy.exc import OperationalError

REPO = Path(__file__).resolve().parent.parent
PG_ADMIN = os.environ.get(
    "EARFUL_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
TEXTS = [
    "The Acme kettle leaks after a week and support never answered.",
    "Acme の電気ケトルは一週間で水漏れした。サポートも返事がない。",
    "Acme blender is fine, does what it says, nothing special.",
    "Acme の掃除機、吸引力は十分で音も静か。買ってよかった。",
]
DEADLINE_S = 3600.0


class FeedHandler(BaseHTTPRequestHandler):
    """``/feed/<i>.xml``: an RSS feed of three items naming Acme."""

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        return

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        if path == "/robots.txt":
            self._send(b"User-agent: *\n", "text/plain")
            return
        number = path.removeprefix("/feed/").removesuffix(".xml")
        if not number.isdigit():
            self.send_error(404)
            return
        items = "".join(
            f"<item><title>Acme post {number}-{j}</title>"
            f"<link>http://127.0.0.1/{number}/{j}</link><guid>f{number}-{j}</guid>"
            f"<description>{TEXTS[(int(number) + j) % len(TEXTS)]}</description>"
            "<pubDate>Mon, 30 Nov 2026 10:00:00 GMT</pubDate></item>"
            for j in range(3)
        )
        body = (
            '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
            f"<title>Feed {number}</title><link>http://127.0.0.1/</link>"
            f"<description>bench</description>{items}</channel></rss>"
        )
        self._send(body.encode(), "application/rss+xml")

    def _send(self, body: bytes, content_type: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@contextmanager
def feed_site() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), FeedHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def fresh_database() -> Iterator[str]:
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    name = f"earful_scalebench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield (
            make_url(PG_ADMIN).set(database=name).render_as_string(hide_password=False)
        )
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def write_config(folder: Path, url: str, site: str | None, sources: int) -> Path:
    lines = [
        f'database_url = "{url}"',
        '[[brands]]\nname = "Acme"\nterms = ["acme"]',
        '[daemon]\nworkers = 1\nscore_every = "1h"\ndeliver_every = "1h"',
        "score_after_crawl = false",
        "[crawler]\ntimeout = 120",
    ]
    lines.extend(
        f'[[sources]]\nname = "feed-{i}"\ntype = "feed"\n'
        f'url = "{site}/feed/{i}.xml"\ninterval = "1h"\njitter = 0'
        for i in range(sources if site else 0)
    )
    path = folder / "earful.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def start(config: Path, role: str, log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(  # noqa: S603 - our own CLI
            [
                sys.executable,
                "-m",
                "earful",
                "run",
                "--role",
                role,
                "--config",
                str(config),
            ],
            cwd=REPO,
            env={**os.environ, "PYTHONPATH": str(REPO), "SLACK_BOT_TOKEN": ""},
            stdout=subprocess.DEVNULL,
            stderr=out,
        )


def stop(procs: list[subprocess.Popen[bytes]]) -> None:
    for p in procs:
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
    for p in procs:
        try:
            p.wait(timeout=30)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


def cpu_ticks() -> tuple[int, int]:
    """(busy, total) jiffies of all cores, from /proc/stat."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    idle = fields[3] + fields[4]
    return sum(fields) - idle, sum(fields)


def busy_since(start: tuple[int, int]) -> float:
    busy, total = cpu_ticks()
    return (busy - start[0]) / max(1, total - start[1])


def rss_mib(pid: int, key: str = "VmRSS") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def wait_until(
    check: Any,
    procs: list[subprocess.Popen[bytes]],
    log: Path,
    window_s: float | None = None,
) -> None:
    """Wait for ``check``; with ``window_s``, stop after that long regardless."""
    if window_s is not None and time.monotonic() > window_s:
        return
    deadline = time.monotonic() + DEADLINE_S
    while not check():
        if window_s is not None and time.monotonic() > window_s:
            return
        if any(p.poll() is not None for p in procs):
            sys.exit(f"a process exited early; see {log}")
        if time.monotonic() > deadline:
            sys.exit(f"timed out; see {log}")
        time.sleep(1.0)


def crawl_phase(
    site: str, sources: int, workers: int, tmp: Path, seconds: float | None
) -> dict[str, float]:
    window = None if seconds is None else time.monotonic() + seconds
    with fresh_database() as url:
        config = write_config(tmp, url, site, sources)
        engine = create_engine(url)
        log = tmp / f"crawl-{workers}.log"
        ticks = cpu_ticks()
        procs = [start(config, "worker", log) for _ in range(workers)]
        procs.append(start(config, "scheduler", log))

        def done() -> bool:
            try:
                with engine.connect() as conn:
                    return bool(
                        conn.scalar(
                            text(
                                "SELECT count(*) >= :n FROM crawl_runs "
                                "WHERE finished_at IS NOT NULL"
                            ),
                            {"n": sources},
                        )
                    )
            except Exception:  # noqa: BLE001 - tables not created yet
                return False

        try:
            wait_until(done, procs, log, window)
            busy = busy_since(ticks)
            # Read before stopping: crawls cut short by the stop are not counted.
            with engine.connect() as conn:
                first, last, finished, ok, mentions = conn.execute(
                    text(
                        "SELECT min(started_at), max(finished_at),"
                        " count(finished_at), count(*) FILTER (WHERE status = 'ok'),"
                        " (SELECT count(*) FROM mentions) FROM crawl_runs"
                    )
                ).one()
        finally:
            stop(procs)
        engine.dispose()
    took = (last - first).total_seconds()
    return {
        "crawls/min": finished / took * 60,
        "crawled": finished,
        "ok": ok,
        "mentions": mentions,
        "busy": busy,
        "seconds": took,
    }


def seed(url: str, count: int) -> None:
    from storage import open_database  # noqa: PLC0415 - migrates the new database
    from storage.models import Mention  # noqa: PLC0415

    sessions = open_database(url)
    now = datetime.now(UTC)
    rows = []
    for i in range(count):
        body = f"{TEXTS[i % len(TEXTS)]} (#{i})"
        rows.append(
            {
                "source": "bench",
                "source_type": "feed",
                "external_id": f"m{i}",
                "text": body,
                "content_hash": hashlib.sha256(body.encode()).hexdigest(),
                "collected_at": now,
                "updated_at": now,
            }
        )
    with sessions.begin() as session:
        session.execute(insert(Mention), rows)
    sessions.kw["bind"].dispose()


def score_phase(
    mentions: int, workers: int, tmp: Path, seconds: float | None
) -> dict[str, float]:
    from earful import tasks  # noqa: PLC0415

    with fresh_database() as url:
        seed(url, mentions)
        config = write_config(tmp, url, None, 0)
        log = tmp / f"score-{workers}.log"
        procs = [start(config, "worker", log) for _ in range(workers)]
        engine = create_engine(url)

        def registered() -> bool:
            with engine.connect() as conn:
                n = conn.scalar(text("SELECT count(*) FROM procrastinate_workers"))
                return bool(n is not None and n >= workers)

        try:
            wait_until(registered, procs, log)
            idle = [rss_mib(p.pid) for p in procs]
            queue = tasks.make_app(url, name="bench")
            queue.open()
            for _ in range(workers):  # one per worker; each loops until none is left
                queue.configure_task("earful:score", queue=tasks.QUEUE).defer()
            queue.close()
            ticks = cpu_ticks()

            def scored() -> bool:
                with engine.connect() as conn:
                    n = conn.scalar(text("SELECT count(*) FROM sentiment_results"))
                    return bool(n is not None and n >= mentions)

            window = None if seconds is None else time.monotonic() + seconds
            wait_until(scored, procs, log, window)
            busy = busy_since(ticks)
            peak = [rss_mib(p.pid, "VmHWM") for p in procs]
        finally:
            stop(procs)
        with engine.connect() as conn:
            first, last, n, distinct = conn.execute(
                text(
                    "SELECT min(scored_at), max(scored_at), count(*),"
                    " count(DISTINCT mention_id) FROM sentiment_results"
                )
            ).one()
        engine.dispose()
    seconds = max((last - first).total_seconds(), 1e-3)
    return {
        "scored/s": n / seconds,
        "scored": n,
        "twice": n - distinct,
        "busy": busy,
        "idle_rss": sum(idle) / len(idle),
        "peak_rss": sum(peak) / len(peak),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=int, default=1000)
    parser.add_argument("--mentions", type=int, default=50000)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--skip-crawl", action="store_true")
    parser.add_argument("--skip-score", action="store_true")
    parser.add_argument(
        "--seconds",
        type=float,
        help="stop each phase after this long, the rest of the backlog still queued",
    )
    args = parser.parse_args()
    try:
        create_engine(PG_ADMIN).connect().close()
    except OperationalError as exc:
        sys.exit(f"PostgreSQL not reachable at {PG_ADMIN}: {exc.orig}")
    cores = len(os.sched_getaffinity(0))
    print(f"{cores} cores; load average {os.getloadavg()[0]:.1f} at start")
    with tempfile.TemporaryDirectory(prefix="earful-scale-") as folder:
        tmp = Path(folder)
        if not args.skip_crawl:
            print(f"\nCrawl: {args.sources} feeds, 1 job per worker process")
            print("workers  crawls/min  vs 1   busy  crawled ok/mentions  seconds")
            base = None
            with feed_site() as site:
                for n in args.workers:
                    r = crawl_phase(site, args.sources, n, tmp, args.seconds)
                    base = base or r["crawls/min"]
                    print(
                        f"{n:>7}  {r['crawls/min']:>10.1f}  {r['crawls/min'] / base:>4.2f}"
                        f"  {r['busy']:>4.0%}  {r['crawled']:>7.0f}"
                        f" {r['ok']:>5.0f}/{r['mentions']:<6.0f}"
                        f"  {r['seconds']:>7.1f}",
                        flush=True,
                    )
        if not args.skip_score:
            print(f"\nScoring: {args.mentions} mentions, default model")
            print(
                "workers  scored/s  vs 1  per busy core vs 1  busy  twice"
                "  RSS idle/peak MiB"
            )
            base = base_rate = None
            for n in args.workers:
                r = score_phase(args.mentions, n, tmp, args.seconds)
                # ONNX Runtime spreads one worker over several cores, so the
                # rate is compared per core actually busy, not per worker.
                rate = r["scored/s"] / max(r["busy"] * cores, 1e-3)
                base, base_rate = base or r["scored/s"], base_rate or rate
                print(
                    f"{n:>7}  {r['scored/s']:>8.1f}  {r['scored/s'] / base:>4.2f}"
                    f"  {rate / base_rate:>18.2f}  {r['busy']:>4.0%}"
                    f"  {r['twice']:>5.0f}"
                    f"  {r['idle_rss']:>6.0f}/{r['peak_rss']:.0f}",
                    flush=True,
                )
    print(f"load average {os.getloadavg()[0]:.1f} at end")


if __name__ == "__main__":
    main()
