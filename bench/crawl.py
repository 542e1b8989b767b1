"""Crawl speed: ``scrapy bench`` against Earful's full crawl of the fixture pages, one run.

    .venv/bin/python bench/crawl.py [--pages 2000] [--sqlite-only] [--profile FILE]

First runs ``scrapy bench`` (outside the project, so with Scrapy's own settings)
as a subprocess and reads its pages/min. Then serves the real pages in
``shared/fixtures`` (review-pages, forum-pages, feeds) from a local server under
many URLs, each HTML page with a next-page link to the following copy, and
crawls them with Earful's real spiders and pipelines (parse, language, brand
match, store) into SQLite and into PostgreSQL. The crawls run one after another
in one child process (``--child``), as ``crawlers.crawl_child`` would run each of them,
minus the interpreter start-up. Prints pages/s and mentions/s per kind of page
and in total, and the ratio of the page rate to ``scrapy bench``'s. On a shared
machine wall-clock rates swing with the load, so it also prints pages per
CPU-second of crawler and page server together (each in a child process) for
both, which swings much less.

For a local benchmark the politeness settings are lifted (no AutoThrottle, no
download delay; printed with the results); robots.txt is still fetched and
obeyed once per crawl. A chain of pages has one request in flight at a time,
as a real thread has. Goal: at least 50 % of ``scrapy bench``'s page rate.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("EARFUL_SHARED", REPO.parent / "shared")) / "fixtures"
PG_ADMIN = os.environ.get(
    "EARFUL_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
# The local benchmark's settings on top of Earful's polite defaults.
BENCH_SETTINGS = {
    "AUTOTHROTTLE_ENABLED": False,
    "DOWNLOAD_DELAY": 0,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
    "LOG_LEVEL": "WARNING",
}
# Chains of HTML pages: (name, spider, recipe, fixture files cycled through).
REVIEW_PAGES = sorted(p.name for p in (SHARED / "review-pages").glob("*.html"))
CHAINS = [
    ("reviews", "reviews", None, "review-pages", REVIEW_PAGES),
    ("amazon", "forum", "amazon", "review-pages", ["onebox__amazon-og.html"]),
    (
        "xenforo",
        "forum",
        "xenforo",
        "forum-pages",
        [
            "trafilatura__villagersandheroes.com.forums.patchnotes.html",
            "trafilatura__anglerboard.de-rute.html",
        ],
    ),
    ("phpbb", "forum", "phpbb", "forum-pages", ["trafilatura__foren.myoos.de.html"]),
    (
        "forumotion",
        "forum",
        "forumotion",
        "forum-pages",
        ["trafilatura__wolfsrebellen-netz.forumieren.com.regeln.html"],
    ),
    (
        "discourse",
        "forum",
        "discourse",
        "forum-pages",
        ["onebox__discourse_topic.html"],
    ),
]
FEEDS = sorted(
    p.name
    for p in (SHARED / "feeds").glob("*.*")
    if p.suffix in {".rss", ".atom", ".xml"} and "illformed" not in p.name
)
# Every item is matched (and so stored), plus a brand with terms for the matcher.
BRANDS = [
    {"name": "Everything", "terms": [], "query": "NOT zzzzqqq"},
    {"name": "Acme", "terms": ["acme", "アクメ"], "exclude": ["acme corp"]},
]


class FixtureHandler(BaseHTTPRequestHandler):
    """``/c/<chain>/<n>``: the chain's n-th page, linking to n+1; ``/f/<n>``: a feed."""

    chains: ClassVar[dict[str, tuple[list[bytes], int]]]
    feeds: ClassVar[list[tuple[bytes, str]]]
    protocol_version = "HTTP/1.1"  # keep-alive, as scrapy bench's server does
    disable_nagle_algorithm = True  # or a body's last segment waits for an ACK

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        """Quiet."""

    def do_GET(self) -> None:
        """Serve one page."""
        parts = self.path.strip("/").split("/")
        if parts == ["robots.txt"]:
            self._send(b"User-agent: *\nDisallow: /private/\n", "text/plain")
        elif len(parts) == 3 and parts[0] == "c" and parts[1] in self.chains:
            pages, length = self.chains[parts[1]]
            n = int(parts[2])
            body = pages[n % len(pages)]
            if n + 1 < length:
                port = self.server.server_address[1]
                href = f"http://127.0.0.1:{port}/c/{parts[1]}/{n + 1}"  # <base> aside
                link = f'<a rel="next" href="{href}">next</a>'
                body = body.replace(b"</body>", link.encode() + b"</body>", 1)
            self._send(body, "text/html; charset=utf-8")
        elif len(parts) == 2 and parts[0] == "f":
            body, kind = self.feeds[int(parts[1]) % len(self.feeds)]
            self._send(body, kind)
        else:
            self.send_error(404)

    def _send(self, body: bytes, content_type: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def _page(folder: str, name: str) -> bytes:
    body = (SHARED / folder / name).read_bytes()
    return body if b"</body>" in body else body + b"</body>"


def serve(pages_per_chain: int) -> None:
    """Serve the fixture pages on 127.0.0.1 until stdin closes; print the port first."""
    handler = type(
        "BenchFixtureHandler",
        (FixtureHandler,),
        {
            "chains": {
                name: ([_page(folder, f) for f in files], pages_per_chain)
                for name, _, _, folder, files in CHAINS
            },
            "feeds": [
                (
                    (SHARED / "feeds" / f).read_bytes(),
                    "application/rss+xml; charset=ISO-8859-1"
                    if f == "rss-parser__uolNoticias.rss"
                    else "application/xml",
                )
                for f in FEEDS
            ],
        },
    )
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    sys.stdout.write(f"{server.server_address[1]}\n")
    sys.stdout.flush()
    sys.stdin.read()  # until the parent closes it
    server.shutdown()


@contextmanager
def fixture_site(pages_per_chain: int) -> Iterator[str]:
    """The fixture server in a child process (its CPU time counts as a child's)."""
    server = subprocess.Popen(  # noqa: S603 - this script
        [
            sys.executable,
            str(Path(__file__).resolve()),
            "--serve",
            str(pages_per_chain),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert server.stdout is not None  # noqa: S101 - piped above
    assert server.stdin is not None  # noqa: S101
    try:
        yield f"http://127.0.0.1:{int(server.stdout.readline())}"
    finally:
        server.stdin.close()
        server.wait(timeout=30)


def children_cpu() -> float:
    """CPU seconds of the child processes waited for so far (with their children)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def scrapy_bench(seconds: int) -> dict[str, float]:
    """Run ``scrapy bench`` outside the project: its page rates and CPU time."""
    scrapy = Path(sys.executable).with_name("scrapy")
    env = {k: v for k, v in os.environ.items() if k != "SCRAPY_SETTINGS_MODULE"}
    cpu = children_cpu()
    with tempfile.TemporaryDirectory() as empty:  # no scrapy.cfg: Scrapy's defaults
        done = subprocess.run(  # noqa: S603 - Scrapy's own command
            [
                str(scrapy),
                "bench",
                "-s",
                "LOGSTATS_INTERVAL=1",
                "-s",
                f"CLOSESPIDER_TIMEOUT={seconds}",
            ],
            cwd=empty,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
    log = done.stderr
    rates = [int(r) for r in re.findall(r"\(at (\d+) pages/min\)", log)]
    count = int(re.search(r"'response_received_count': (\d+)", log)[1])  # type: ignore[index]
    elapsed = float(re.search(r"'elapsed_time_seconds': ([\d.]+)", log)[1])  # type: ignore[index]
    steady = rates[2:-1] or rates  # without the ramp-up and the partial last second
    return {
        "steady_per_min": statistics.median(steady),
        "overall_per_s": count / elapsed,
        "pages": count,
        "elapsed": elapsed,
        "cpu": children_cpu() - cpu,  # the crawler and its bench server
    }


def plan(base: str, per_chain: int, feed_crawls: int) -> list[dict[str, Any]]:
    """The crawls: one chain per kind of page, then one crawl per feed copy."""
    crawls = [
        {
            "kind": name,
            "spider": spider,
            "params": {
                "url": f"{base}/c/{name}/0",
                "max_pages": per_chain,
                **({"recipe": recipe} if recipe else {}),
            },
        }
        for name, spider, recipe, _, _ in CHAINS
    ]
    crawls += [
        {"kind": "feeds", "spider": "feed", "params": {"url": f"{base}/f/{i}"}}
        for i in range(feed_crawls)
    ]
    return crawls


def child(profile: str | None) -> None:
    """Run the plan on stdin one crawl after another; print one JSON line per crawl."""
    from scrapy.crawler import AsyncCrawlerProcess, Crawler  # noqa: PLC0415 - child
    from scrapy.settings import Settings  # noqa: PLC0415
    from scrapy.utils.defer import deferred_from_coro  # noqa: PLC0415

    from crawlers.crawl_child import crawl_settings  # noqa: PLC0415
    from crawlers.crawl_job import CrawlJob  # noqa: PLC0415

    job = json.loads(sys.stdin.read())
    # The process's own settings are merged into each crawler's, so they hold
    # nothing crawl-specific: the project's defaults and the benchmark's.
    base = Settings()
    base.setmodule("crawlers.settings", priority="project")
    base.setdict(BENCH_SETTINGS, priority="cmdline")
    process = AsyncCrawlerProcess(base)  # installs the asyncio reactor
    results: list[dict[str, Any]] = []

    async def one_after_another() -> None:
        for i, crawl in enumerate(job["crawls"]):
            settings = crawl_settings(
                CrawlJob(
                    source=f"bench-{crawl['kind']}-{i}",
                    spider=crawl["spider"],
                    params=crawl["params"],
                    brands=job["brands"],
                    database_url=job["database_url"],
                )
            )
            settings.setdict(BENCH_SETTINGS, priority="cmdline")
            crawler = Crawler(process.spider_loader.load(crawl["spider"]), settings)
            started = time.perf_counter()
            await process.crawl(crawler, **crawl["params"])
            stats = crawler.stats.get_stats() if crawler.stats else {}
            results.append(
                {
                    "kind": crawl["kind"],
                    "seconds": time.perf_counter() - started,
                    "pages": stats.get("response_received_count", 0)
                    - stats.get("robotstxt/response_count", 0),
                    "mentions": stats.get("earful/seen", 0),
                    "new": stats.get("earful/new", 0),
                    "error": stats.get("earful/error"),
                }
            )

    from twisted.internet import reactor  # noqa: PLC0415 - installed by now

    def run() -> None:
        deferred_from_coro(one_after_another()).addBoth(lambda _: reactor.stop())

    profiler = cProfile.Profile() if profile else None
    if profiler:
        profiler.enable()
    reactor.callWhenRunning(run)
    cpu = time.process_time()
    process.start(stop_after_crawl=False)
    if profiler:
        profiler.disable()
        profiler.dump_stats(profile)
    sys.stdout.write(json.dumps({"crawls": results, "cpu": time.process_time() - cpu}))


def earful(database_url: str, pages: int, profile: str | None) -> Any:
    """Serve the fixtures and crawl them in a child process into ``database_url``."""
    command = [sys.executable, str(Path(__file__).resolve()), "--child"]
    if profile:
        command += ["--profile", profile]
    feed_crawls = max(1, pages // 50)
    per_chain = (pages - feed_crawls) // len(CHAINS)
    cpu = children_cpu()
    with fixture_site(per_chain) as base:
        job = {
            "database_url": database_url,
            "crawls": plan(base, per_chain, feed_crawls),
            "brands": BRANDS,
        }
        done = subprocess.run(  # noqa: S603 - this script
            command,
            input=json.dumps(job),
            capture_output=True,
            text=True,
            cwd=REPO,
            env={**os.environ, "PYTHONPATH": str(REPO)},
            check=False,
        )
    if done.returncode != 0:
        sys.exit(f"the crawl child failed:\n{done.stderr[-3000:]}")
    result = json.loads(done.stdout)
    result["cpu_with_server"] = children_cpu() - cpu
    return result


def fresh_postgres() -> tuple[str, Any] | None:
    """A new, empty PostgreSQL database and a function that drops it; None if down."""
    from sqlalchemy import create_engine, make_url, text  # noqa: PLC0415
    from sqlalchemy.exc import OperationalError  # noqa: PLC0415

    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    name = f"earful_crawlbench_{uuid.uuid4().hex[:8]}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as exc:
        print(f"PostgreSQL not reachable at {PG_ADMIN}: {exc.orig}")
        admin.dispose()
        return None

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    url = make_url(PG_ADMIN).set(database=name).render_as_string(hide_password=False)
    return url, drop


def report(label: str, result: Any, bench: dict[str, float]) -> None:
    """One row per kind of page, a total row, and the CPU time it took."""
    bench_per_s = bench["steady_per_min"] / 60
    kinds: dict[str, dict[str, float]] = {}
    for crawl in result["crawls"]:
        if crawl["error"]:
            print(f"  ! {crawl['kind']}: {crawl['error']}")
        row = kinds.setdefault(crawl["kind"], {"crawls": 0, "pages": 0, "s": 0.0})
        row["crawls"] += 1
        for key in ("pages", "mentions", "new"):
            row[key] = row.get(key, 0) + crawl[key]
        row["s"] += crawl["seconds"]
    total = {
        key: sum(r.get(key, 0) for r in kinds.values())
        for key in ("crawls", "pages", "mentions", "new", "s")
    }
    print(
        f"{label:<10} {'kind':<11} {'crawls':>6} {'pages':>6} {'mentions':>8} "
        f"{'new':>6} {'s':>7} {'pages/s':>8} {'mentions/s':>10} {'vs bench':>8}"
    )
    for kind, row in [*kinds.items(), ("TOTAL", total)]:
        rate = row["pages"] / row["s"]
        print(
            f"{'':<10} {kind:<11} {row['crawls']:>6.0f} {row['pages']:>6.0f} "
            f"{row['mentions']:>8.0f} {row['new']:>6.0f} {row['s']:>7.1f} "
            f"{rate:>8.1f} {row['mentions'] / row['s']:>10.1f} "
            f"{rate / bench_per_s:>8.0%}"
        )
    per_cpu = total["pages"] / result["cpu_with_server"]
    bench_per_cpu = bench["pages"] / bench["cpu"]
    print(
        f"{'':<10} CPU: crawler {result['cpu']:.1f} s, with the page server "
        f"{result['cpu_with_server']:.1f} s, for {total['s']:.1f} s wall: "
        f"{per_cpu:.1f} pages per CPU-second, {per_cpu / bench_per_cpu:.0%} of "
        f"scrapy bench's {bench_per_cpu:.1f}"
    )


def main() -> None:
    """Run both benchmarks and print the comparison."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--bench-seconds", type=int, default=10)
    parser.add_argument("--sqlite-only", action="store_true")
    parser.add_argument("--profile", help="write a cProfile of the SQLite crawl here")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.profile)
        return
    if args.serve is not None:
        serve(args.serve)
        return

    print(f"CPU cores: {os.cpu_count()}, load average {os.getloadavg()[0]:.1f}")
    print("(a shared machine: wall-clock rates swing with the load; CPU rates less)")
    bench = scrapy_bench(args.bench_seconds)
    print(
        f"scrapy bench: {bench['steady_per_min']:.0f} pages/min steady "
        f"({bench['steady_per_min'] / 60:.1f} pages/s; "
        f"{bench['overall_per_s']:.1f} pages/s overall, {bench['pages']:.0f} pages in "
        f"{bench['elapsed']:.1f} s, {bench['pages'] / bench['cpu']:.1f} pages per "
        "CPU-second with its server)"
    )
    print(f"Earful, local-benchmark settings: {BENCH_SETTINGS}, ROBOTSTXT_OBEY=True")
    with tempfile.TemporaryDirectory() as folder:
        sqlite = f"sqlite:///{Path(folder) / 'bench.db'}"
        report("sqlite", earful(sqlite, args.pages, args.profile), bench)
    if not args.sqlite_only and (pg := fresh_postgres()) is not None:
        url, drop = pg
        try:
            report("postgresql", earful(url, args.pages, None), bench)
        finally:
            drop()
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
