"""A stored date shown no finer than its source gave it (``published_precision``)."""

from __future__ import annotations

from datetime import datetime

from storage.localtime import shown_time

# "2026-10" for a month-only date stored as 2026-10-01: never a day it lacks.
FORMATS = {"year": "%Y", "month": "%Y-%m", "day": "%Y-%m-%d"}


def shown_date(at: datetime, precision: str | None, zone: str = "UTC") -> str:
    """``at`` as text: to the time in ``zone`` and named (``2026-03-02 00:30 JST``),
    or only to the day, month or year it has: a calendar date is never shifted.
    """
    if precision in FORMATS:
        return at.strftime(FORMATS[precision])
    return shown_time(at, zone)
