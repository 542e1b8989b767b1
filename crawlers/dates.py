"""Dates as sources write them, to timezone-aware UTC (relative ones against crawl time)."""

from __future__ import annotations

import warnings
from datetime import UTC, datetime
from typing import Any

import dateparser


def _aware(value: datetime) -> datetime:
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def parse_date(
    value: Any, now: datetime, *, date_order: str | None = None
) -> datetime | None:
    """``value`` as an aware UTC datetime, or ``None`` when it is no date.

    Accepts ISO 8601 (fast path), Unix timestamps, and whatever dateparser reads
    in any language: ``"March 2, 2017"``, ``"21.01.2009, 05:42"``, and relative
    forms such as ``"3 days ago"`` or ``"3日前"``, resolved against ``now`` (the
    crawl's start). Times without a zone are taken as UTC. ``date_order`` (e.g.
    ``"DMY"``) settles ambiguous numeric dates.
    """
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, UTC)
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    try:
        return _aware(datetime.fromisoformat(text))
    except ValueError:
        pass
    settings: dict[str, Any] = {
        "RELATIVE_BASE": now.astimezone(UTC).replace(tzinfo=None),
        "TIMEZONE": "UTC",
        "RETURN_AS_TIMEZONE_AWARE": True,
        "TO_TIMEZONE": "UTC",
        "PREFER_DATES_FROM": "past",
    }
    if date_order:
        settings["DATE_ORDER"] = date_order
    with warnings.catch_warnings():  # dateparser's internals warn on some inputs
        warnings.simplefilter("ignore", DeprecationWarning)
        parsed = dateparser.parse(text, settings=settings)
    return _aware(parsed) if parsed is not None else None
