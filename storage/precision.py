"""A stored date shown no finer than its source gave it (``published_precision``)."""

from __future__ import annotations

from datetime import datetime

# "2026-10" for a month-only date stored as 2026-10-01: never a day it lacks.
FORMATS = {"year": "%Y", "month": "%Y-%m", "day": "%Y-%m-%d"}


def shown_date(
    at: datetime, precision: str | None, time_format: str = "%Y-%m-%d %H:%M"
) -> str:
    """``at`` as text: to the time, or only to the day, month or year it has."""
    return at.strftime(FORMATS.get(precision or "", time_format))
