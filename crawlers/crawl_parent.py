"""The crawl process's parent end: the Scrapy family's collector.

Each crawl runs in a child process (``python -m crawlers.crawl_child``, its
``CrawlJob`` as JSON on stdin):

- **No reactor restarts.** Scrapy runs on Twisted's reactor, which cannot be
  started twice in one process; a long-running daemon crawls many times, so every
  crawl gets a fresh interpreter and a fresh reactor.
- **Isolation.** A crash, a leak or a stuck C extension in one crawl cannot take
  the scheduler (or another source) down with it.
- **A hung crawl can be killed.** The parent waits at most the crawl's timeout
  and then kills the child outright; the run is recorded as failed.
- **Memory goes back to the OS** when the child exits, however much it parsed.

The child stores mentions and the source's cursor; the application records
the run. The database URL may carry a password: it travels on stdin, never on
the command line, and only its redacted form (``storage.redact_url``) appears
in logs and errors. The child's logs go to this process's stderr at WARNING
and above, unless the ``crawlers.crawl_parent`` logger is set lower.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import ValidationError

import crawlers
from crawlers.collector import Check, Context
from crawlers.crawl_job import CrawlJob, CrawlResult
from crawlers.crawl_sources import CrawlSource
from crawlers.outcome import Outcome
from storage import redact_url
from storage.queries import Extraction

log = logging.getLogger(__name__)

CHILD = [sys.executable, "-m", "crawlers.crawl_child"]
PROJECT_ROOT = Path(crawlers.__file__).resolve().parent.parent


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    path = env.get("PYTHONPATH")
    root = str(PROJECT_ROOT)
    env["PYTHONPATH"] = f"{root}{os.pathsep}{path}" if path else root
    env.pop("SCRAPY_SETTINGS_MODULE", None)
    return env


def _forward(job: CrawlJob, stderr: str | bytes | None) -> str:
    """Copy the child's log to our stderr (URL redacted); return its last line."""
    if isinstance(stderr, bytes):
        stderr = stderr.decode("utf-8", "replace")
    text = (stderr or "").replace(job.database_url, redact_url(job.database_url))
    if text:
        sys.stderr.write(text if text.endswith("\n") else text + "\n")
    lines = [line for line in text.splitlines() if line.strip()]
    return lines[-1].strip() if lines else "no output"


def run_child(job: CrawlJob, timeout_s: float) -> CrawlResult:
    """Run ``job`` in a child process; every failure comes back as ``error``."""
    level = logging.getLevelName(min(log.getEffectiveLevel(), logging.WARNING))
    try:
        done = subprocess.run(  # noqa: S603 - our own module, input on stdin
            CHILD,
            input=job.model_copy(update={"log_level": level}).model_dump_json(),
            capture_output=True,
            text=True,
            timeout=timeout_s,
            env=_child_env(),
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        _forward(job, exc.stderr)
        return CrawlResult(error=f"timed out after {timeout_s:g} s")
    last_line = _forward(job, done.stderr)
    try:
        result = json.loads(done.stdout.strip().splitlines()[-1])
    except (IndexError, ValueError):
        return CrawlResult(
            error=f"crawler exited with status {done.returncode}: {last_line}"
        )
    try:
        return CrawlResult.model_validate(result)
    except ValidationError:
        return CrawlResult(error=f"unreadable crawl outcome: {result}"[:1000])


def crawl_outcome(source: str, result: CrawlResult) -> Outcome:
    """The child's result as the run's outcome."""
    extraction = Extraction(result.pages, result.extracted, result.matched)
    warnings = result.warning.splitlines() if result.warning else []
    return Outcome(
        source,
        result.seen,
        result.new,
        result.updated,
        result.error,
        warnings,
        extraction,
    )


class CrawlKind:
    """Crawls one source with the spider its ``type`` names, in a child process."""

    def __init__(self, source: CrawlSource, context: Context) -> None:
        self.source = source
        self.context = context

    def job(self, params: dict[str, Any], *, check: bool = False) -> CrawlJob:
        """The job the child runs."""
        return CrawlJob(
            source=self.source.name,
            spider=self.source.type,
            params=params,
            brands=self.context.brands,
            database_url=self.context.database_url,
            politeness=self.context.politeness,
            own_accounts=self.context.own_accounts,
            check=check,
        )

    def collect(
        self,
        *,
        once: bool = False,
        wake: Callable[[], object] | None = None,
    ) -> Outcome:
        """Crawl once; a failing source (unreachable, timeout…) never raises."""
        log.info("crawling %s with the %s spider", self.source.name, self.source.type)
        job = self.job(self.source.spider_args())
        return crawl_outcome(self.source.name, run_child(job, self.context.timeout_s))

    def sample(self, check: Check) -> dict[str, Any]:
        """One fetch (or the saved page) in check mode: items reported, none stored."""
        params = self.source.spider_args()
        if "max_pages" in params:  # one fetch: the first page, the first API page
            params["max_pages"] = 1
        if "hits_per_page" in params:
            params["hits_per_page"] = check.limit
        if "max_items" in params:
            params["max_items"] = check.limit
        if check.saved is not None:
            from crawlers.check import check_page  # noqa: PLC0415 - imports Scrapy

            return check_page(
                self.source.type, params, check.saved, self.context.brands
            )
        result = run_child(self.job(params, check=True), self.context.timeout_s)
        return result.model_dump()
