"""Moves this Python process's clock to the test run's fixed date, if one is set.

``pytest --today 2034-07-31T12:00:00Z`` (see ``tests/conftest.py``) runs the
suite as if it were that moment, so a test that only passes near the day it was
written (a time bomb) fails in the submission that plants it. Crawls, the CLI
and the daemon run in child processes; this folder is put first on their
``PYTHONPATH``, so Python imports this module at their start and their clocks
move by the same shift as the test process's: every process of the run agrees
on the time, and it goes on ticking. Only Python's clocks move: the PostgreSQL
server and Chromium keep the real one.
"""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime

import time_machine

TODAY = "EARFUL_TEST_TODAY"
SHIFT = "EARFUL_TEST_CLOCK_SHIFT"


def travel(today: str) -> None:
    """Move this process's clocks to ``today`` (ISO 8601), ticking from there.

    The first process sets the shift from the real clock; children inherit it.
    """
    if SHIFT not in os.environ:
        moment = datetime.fromisoformat(today)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        os.environ[SHIFT] = repr(moment.timestamp() - time.time())
    time_machine.travel(time.time() + float(os.environ[SHIFT]), tick=True).start()


if os.environ.get(TODAY):
    travel(os.environ[TODAY])
