"""The crawl process's child end: ``python -m crawlers.crawl_child``.

The parent (``crawlers.crawl_parent``) writes a ``CrawlJob`` as JSON to
stdin; this module runs the spider once in a fresh Twisted reactor and
writes one ``CrawlResult`` line to stdout::

    {"seen": 3, "new": 2, "updated": 0, "error": null, "warning": null,
     "pages": 2, "extracted": 40, "matched": 3}

``warning`` holds every warning, one a line; a crawl that read pages but
extracted nothing from them gets one first that says why.

Logs go to stderr at the job's ``log_level``. The exit status is 0 whenever an
outcome was written, even for a failed source; anything else is a crash.
"""

from __future__ import annotations

import ctypes
import signal
import sys
from typing import Any

from pydantic import ValidationError
from scrapy.crawler import Crawler, CrawlerProcess
from scrapy.settings import Settings

from crawlers.check import CHECKED_STAT
from crawlers.crawl_job import CrawlJob, CrawlResult
from crawlers.errors import (
    EMPTY_STAT,
    ERROR_STAT,
    EXTRACTED_STAT,
    MATCHED_STAT,
    NEW_STAT,
    PAGES_STAT,
    SEEN_STAT,
    UPDATED_STAT,
    WARNING_STAT,
)
from storage import redact_url

CHECK_PIPELINES = {
    "crawlers.pipelines.NormalizePipeline": 100,
    "crawlers.check.CheckPipeline": 200,
}


def crawl_settings(job: CrawlJob) -> Settings:
    """The project's settings with this job's source, brands, database and etiquette."""
    settings = Settings()
    settings.setmodule("crawlers.settings", priority="project")
    overrides: dict[str, Any] = {
        "EARFUL_SOURCE": job.source,
        "EARFUL_BRANDS": [b.as_dict() for b in job.brands],
        "EARFUL_OWN_ACCOUNTS": list(job.own_accounts),
        "EARFUL_DATABASE_URL": job.database_url,
        "LOG_LEVEL": job.log_level,
        **job.politeness.scrapy_settings(),
    }
    if job.check:
        overrides["ITEM_PIPELINES"] = CHECK_PIPELINES
    settings.setdict(overrides, priority="cmdline")
    return settings


def outcome(stats: dict[str, Any], error: str | None = None) -> CrawlResult:
    """The outcome of a crawl from its stats."""
    if error is None:
        error = stats.get(ERROR_STAT)
    reason = stats.get("finish_reason")
    if error is None and reason != "finished":
        error = f"crawl ended early: {reason or 'it did not start'} (see its log)"
    errors = stats.get("log_count/ERROR", 0)
    if error is None and errors:
        error = f"{errors} errors logged during the crawl (see its log)"
    pages = int(stats.get(PAGES_STAT, 0))
    extracted = int(stats.get(EXTRACTED_STAT, 0))
    warnings = list(stats.get(WARNING_STAT) or [])
    if pages and not extracted and error is None:  # a failure says why already
        empty = stats.get(EMPTY_STAT) or "nothing extracted"
        warnings.insert(0, f"{empty} ({pages} page{'s' * (pages != 1)} read)")
    return CrawlResult(
        seen=int(stats.get(SEEN_STAT, 0)),
        new=int(stats.get(NEW_STAT, 0)),
        updated=int(stats.get(UPDATED_STAT, 0)),
        error=error,
        warning="\n".join(warnings) or None,
        pages=pages,
        extracted=extracted,
        matched=int(stats.get(MATCHED_STAT, 0)),
    )


def run_job(job: CrawlJob) -> CrawlResult:
    """Run ``job``'s spider once and return its outcome (never raises for a source)."""
    settings = crawl_settings(job)
    process = CrawlerProcess(settings)
    try:
        spider_cls = process.spider_loader.load(job.spider)
    except KeyError:
        return outcome({}, f"unknown spider {job.spider!r} for source {job.source}")
    params_model = getattr(spider_cls, "params_model", None)
    if params_model is not None:
        try:
            params_model.model_validate(job.params)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()
            )
            return outcome({}, f"invalid {job.spider} arguments: {problems}")
    crawler: Crawler = process.create_crawler(spider_cls)
    process.crawl(crawler, **job.params)
    process.start()
    stats = crawler.stats.get_stats() if crawler.stats is not None else {}
    result = outcome(stats)
    if job.check:
        result.items = list(stats.get(CHECKED_STAT, []))
    return result


PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def _stop_with_parent() -> None:
    """On Linux, get SIGTERM when the process that started this crawl dies.

    A worker killed with -9 would otherwise leave its crawl running, orphaned,
    while its job is retried elsewhere: two crawls of one source at once.
    SIGTERM lets Scrapy stop as it does on a daemon's shutdown.
    """
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def main() -> int:
    """Read a job from stdin, run it, write the outcome to stdout."""
    _stop_with_parent()
    try:
        job = CrawlJob.model_validate_json(sys.stdin.read())
    except ValidationError as exc:
        sys.stderr.write(f"invalid crawl job on stdin: {exc}\n")
        return 2
    result = run_job(job)
    if result.error:
        result.error = result.error.replace(
            job.database_url, redact_url(job.database_url)
        )
    leave_out = None if job.check else {"items"}
    sys.stdout.write(result.model_dump_json(exclude=leave_out) + "\n")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
