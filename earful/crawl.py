"""Run one Scrapy crawl in a child process and record it as a crawl run.

Why a child process per crawl (``python -m crawlers.run``, spec as JSON on stdin):

- **No reactor restarts.** Scrapy runs on Twisted's reactor, which cannot be
  started twice in one process; a long-running daemon crawls many times, so every
  crawl gets a fresh interpreter and a fresh reactor.
- **Isolation.** A crash, a leak or a stuck C extension in one crawl cannot take
  the scheduler (or another source) down with it.
- **A hung crawl can be killed.** The parent waits at most ``timeout_s`` and
  then kills the child outright; the run is recorded as failed.
- **Memory goes back to the OS** when the child exits, however much it parsed.

The parent records the ``crawl_runs`` row (running → ok | failed with the
reason | empty when pages were read but nothing was extracted, with its warning); the child stores mentions and the source's cursor. The database URL may
carry a password: it travels on stdin, never on the command line, and only its
redacted form (``storage.redact_url``) appears in logs and errors. The child's
logs go to this process's stderr at WARNING and above, unless the
``earful.crawl`` logger is set lower.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

import crawlers
from crawlers.match import BrandRule
from crawlers.politeness import Politeness
from storage import CrawlRun, redact_url
from storage.queries import Extraction, finish_crawl_run, start_crawl_run

log = logging.getLogger(__name__)

CHILD = [sys.executable, "-m", "crawlers.run"]
PROJECT_ROOT = Path(crawlers.__file__).resolve().parent.parent
MAX_REASON = 500  # characters of an exception's first line kept as a run's error


@dataclass(frozen=True)
class CrawlSpec:
    """Everything one crawl of one source needs, in plain typed values."""

    source: str  # the config's source name
    spider: str  # the source's type: feed, reviews, forum, hackernews
    params: dict[str, Any]  # validated by the spider's params model in the child
    brands: tuple[BrandRule, ...]
    database_url: str
    politeness: Politeness = field(default_factory=Politeness)  # UA contact, delays
    own_accounts: tuple[str, ...] = ()  # the brand's accounts on this source
    timeout_s: float = 600.0
    check: bool = False  # `earful source check`: report items, store nothing


@dataclass(frozen=True)
class CrawlOutcome:
    """What a crawl did: mentions seen, new and updated, and why it failed if it did.

    ``extraction`` counts pages fetched, items extracted and matched; a crawl
    that fetched pages but extracted nothing is ``empty``, and its ``warning``
    (every warning, one a line) says why first.
    """

    source: str
    seen: int
    new: int
    updated: int
    error: str | None
    warning: str | None = None
    extraction: Extraction = field(default_factory=Extraction)

    @property
    def empty(self) -> bool:
        """Whether pages were fetched but nothing was extracted (and no error)."""
        e = self.extraction
        return not self.error and bool(e.pages) and not e.extracted


def _job_json(spec: CrawlSpec) -> str:
    level = logging.getLevelName(min(log.getEffectiveLevel(), logging.WARNING))
    return json.dumps(
        {
            "source": spec.source,
            "spider": spec.spider,
            "params": spec.params,
            "brands": [b.as_dict() for b in spec.brands],
            "own_accounts": list(spec.own_accounts),
            "database_url": spec.database_url,
            "politeness": spec.politeness.model_dump(mode="json"),
            "log_level": level,
            "check": spec.check,
        }
    )


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    path = env.get("PYTHONPATH")
    root = str(PROJECT_ROOT)
    env["PYTHONPATH"] = f"{root}{os.pathsep}{path}" if path else root
    env.pop("SCRAPY_SETTINGS_MODULE", None)
    return env


def _forward(spec: CrawlSpec, stderr: str | bytes | None) -> str:
    """Copy the child's log to our stderr (URL redacted); return its last line."""
    if isinstance(stderr, bytes):
        stderr = stderr.decode("utf-8", "replace")
    text = (stderr or "").replace(spec.database_url, redact_url(spec.database_url))
    if text:
        sys.stderr.write(text if text.endswith("\n") else text + "\n")
    lines = [line for line in text.splitlines() if line.strip()]
    return lines[-1].strip() if lines else "no output"


def _child_result(spec: CrawlSpec) -> dict[str, Any]:
    """Run the crawl in a child process; every failure comes back as ``error``."""
    try:
        done = subprocess.run(  # noqa: S603 - our own module, input on stdin
            CHILD,
            input=_job_json(spec),
            capture_output=True,
            text=True,
            timeout=spec.timeout_s,
            env=_child_env(),
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        _forward(spec, exc.stderr)
        return {"error": f"timed out after {spec.timeout_s:g} s"}
    last_line = _forward(spec, done.stderr)
    try:
        result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    except (IndexError, ValueError):
        return {"error": f"crawler exited with status {done.returncode}: {last_line}"}
    if not isinstance(result, dict):
        return {"error": f"crawler exited with status {done.returncode}: {last_line}"}
    return result


def _run_child(spec: CrawlSpec) -> CrawlOutcome:
    """Run the crawl in a child process; every failure comes back as an outcome."""
    result = _child_result(spec)
    try:
        return CrawlOutcome(
            spec.source,
            int(result.get("seen", 0)),
            int(result.get("new", 0)),
            int(result.get("updated", 0)),
            result["error"],
            result.get("warning"),
            Extraction(
                *(
                    None if result.get(key) is None else int(result[key])
                    for key in ("pages", "extracted", "matched")
                )
            ),
        )
    except (KeyError, ValueError, TypeError):
        return CrawlOutcome(spec.source, 0, 0, 0, f"unreadable crawl outcome: {result}")


def check_crawl(spec: CrawlSpec) -> dict[str, Any]:
    """Fetch ``spec``'s source once in a child process and report what it extracts.

    Nothing is stored and no run is recorded: the result is the child's
    outcome (``crawlers.run``) with ``items``, one report each
    (``crawlers.check.item_report``).
    """
    result = _child_result(replace(spec, check=True))
    result.setdefault("items", [])
    return result


def run_crawl(spec: CrawlSpec, sessions: sessionmaker[Session]) -> CrawlOutcome:
    """Crawl ``spec.source`` once in a child process and record the run.

    ``sessions`` is the caller's (already migrated) database, where the
    ``crawl_runs`` row goes; the child opens ``spec.database_url`` itself.
    A failing source (unreachable, HTTP error, malformed feed, timeout) never
    raises: the run is recorded as failed with the reason, which the outcome
    carries too. Safe to call from several threads at once (one child each).
    """
    log.info("crawling %s with the %s spider", spec.source, spec.spider)
    return recorded_run(sessions, spec.source, lambda: _run_child(spec))


def recorded_run(
    sessions: sessionmaker[Session],
    source: str,
    collect: Callable[[], CrawlOutcome],
) -> CrawlOutcome:
    """Run ``collect`` inside a ``crawl_runs`` row that is always finished.

    Whatever ``collect`` raises, the row ends ``failed`` with the exception
    as its error and the outcome says the same, so the daemon goes on and no
    row stays ``running`` (which ``earful status`` would read as a crawl in
    progress) beside a second ``failed`` row from the scheduler's listener.
    """
    with sessions.begin() as session:
        run_id = start_crawl_run(session, source).id
    try:
        outcome = collect()
    except Exception as exc:  # the source's boundary: recorded and logged
        log.exception("source %s: the collector raised", source)
        reason = (str(exc).splitlines() or [""])[0][:MAX_REASON]
        error = f"collector failed: {type(exc).__name__}: {reason}".rstrip(": ")
        outcome = CrawlOutcome(source, 0, 0, 0, error)
    with sessions.begin() as session:
        run = session.get(CrawlRun, run_id)
        if run is not None:
            finish_crawl_run(
                run,
                seen=outcome.seen,
                new=outcome.new,
                error=outcome.error,
                extraction=outcome.extraction,
                warning=outcome.warning,
            )
    return outcome
