"""Every source's run is recorded here: a ``crawl_runs`` row, started and always finished."""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy.orm import Session, sessionmaker

from crawlers.outcome import Outcome
from storage import CrawlRun
from storage.queries import finish_crawl_run, start_crawl_run

log = logging.getLogger(__name__)

MAX_REASON = 500  # characters of an exception's first line kept as a run's error


def recorded_run(
    sessions: sessionmaker[Session], source: str, collect: Callable[[], Outcome]
) -> Outcome:
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
        outcome = Outcome(source, error=error)
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


def record_failure(sessions: sessionmaker[Session], source: str, reason: str) -> None:
    """A failed run of ``source`` whose job raised outside ``recorded_run``."""
    recorded_run(sessions, source, lambda: Outcome(source, error=reason))
