"""Dates as sources write them, to timezone-aware UTC (relative ones against crawl time).

A date keeps the precision its source gave. 食べログ shows only the month of a
visit (「2026/10訪問」), some feeds only a year: such a date is the first of its
month (or year), at midnight UTC, with its precision ``"month"`` (``"year"``)
beside it, never a day or month taken from the crawl time to fill the gap (the
default of ``dateparser``). A date without a time is ``"day"``; one with a time
has no precision mark (``None``). Relative forms resolve against the crawl's
start: 「3日前」 is a day, 「先月」 and "last month" the first of that month.
"""

from __future__ import annotations

import math
import re
import warnings
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from dateparser.date import DateDataParser

Precision = Literal["day", "month", "year"]


@dataclass(frozen=True, slots=True)
class Dated:
    """A parsed date and how precise its source was (``None``: to the time)."""

    at: datetime
    precision: Precision | None = None


# "21.01.2009, 05:42", "26/10/13, 03:48 pm", "2014-05-30 23:17": forum software's
# numeric dates, read here because dateparser takes milliseconds for each.
_NUMERIC = re.compile(
    r"(\d{1,4})([./-])(\d{1,2})\2(\d{4}|\d{2})"
    r"(?:,?\s*(?:-\s*)?(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\s*([ap])\.?\s?m\.?)?)?",
    re.IGNORECASE,
)
_ORDERS = {"DMY": (2, 1, 0), "MDY": (2, 0, 1), "YMD": (0, 1, 2)}  # year, month, day
# "on March 2, 2017", "Mar. 2 2017", "2 March 2017": English dates with the month
# named, as Amazon and many forums write them, also read here (same result).
_MONTH_NAMES = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
_MONTHS = {"sept": 9} | {
    name: number
    for number, full in enumerate(_MONTH_NAMES, start=1)
    for name in (full, full[:3])
}
_MONTH = "|".join(_MONTHS)
_NAMED = re.compile(
    rf"(?:on\s+)?(?:(?P<m1>{_MONTH})\.?\s+(?P<d1>\d{{1,2}})\s*,?|"
    rf"(?P<d2>\d{{1,2}})\s+(?P<m2>{_MONTH})\.?,?)\s+(?P<year>\d{{4}})",
    re.IGNORECASE | re.ASCII,
)


# "2023年5月1日", "2024年 5月 1日 12:30", "2024年5月1日 12時30分": Japanese dates.
_JAPANESE = re.compile(
    r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日"
    r"(?:\D{0,4}?(\d{1,2})\s*[:時]\s*(\d{2}))?"
)


# "2026年10月訪問", "2026/10訪問", "2026-10": a year and a month, and no day.
_YEAR_MONTH = re.compile(
    r"(?<!\d)(\d{4})\s*"
    r"(?:年\s*(\d{1,2})\s*月(?!\s*\d)|[/.-](\d{1,2})(?![/.\-]?\d))"
)
_ISO_DAY = len("2026-10-07")  # an ISO date no longer than this has no time
# dateparser fills a missing day with the first of the month (not today's).
_PARSER_SETTINGS: dict[str, Any] = {
    "TIMEZONE": "UTC",
    "RETURN_AS_TIMEZONE_AWARE": True,
    "TO_TIMEZONE": "UTC",
    "PREFER_DATES_FROM": "past",
    "PREFER_DAY_OF_MONTH": "first",
    "RETURN_TIME_AS_PERIOD": True,
}


# A date past what Python holds (year 9999 at UTC-14, a timestamp of 10**30) is
# given as the edge it lies beyond, so that crawlers.bounds judges it out of
# range and the post is stored undated with a warning, never an OverflowError
# that loses the whole page.
LATEST = datetime.max.replace(tzinfo=UTC)
EARLIEST = datetime.min.replace(tzinfo=UTC)


def _aware(value: datetime) -> datetime:
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except OverflowError:  # west of UTC past the end, or east before the start
        return LATEST if value.year == LATEST.year else EARLIEST


def _from_timestamp(seconds: float) -> datetime | None:
    if math.isnan(seconds):
        return None
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, ValueError, OSError):
        return LATEST if seconds > 0 else EARLIEST


def _numeric(text: str, now: datetime, date_order: str | None) -> Dated | None:
    """A numeric date with an optional time; ``None`` when it is not one or ambiguous."""
    found = _NUMERIC.fullmatch(text)
    if found is None:
        return None
    parts = (found[1], found[3], found[4])
    if len(parts[0]) == 4:  # noqa: PLR2004 - a four-digit year first: Y-M-D
        date_order = "YMD"
    if date_order not in _ORDERS:
        return None  # dateparser knows the locales' orders
    year, month, day = (int(parts[i]) for i in _ORDERS[date_order])
    if year < 100:  # noqa: PLR2004 - two-digit years: the latest not in the future
        year += 2000 if 2000 + year <= now.year else 1900
    hour, minute, second = int(found[5] or 0), int(found[6] or 0), int(found[7] or 0)
    if found[8]:
        hour = hour % 12 + (12 if found[8].lower() == "p" else 0)
    try:
        at = datetime(year, month, day, hour, minute, second, tzinfo=UTC)
    except ValueError:
        return None
    return Dated(at, None if found[5] else "day")


def _named(text: str) -> Dated | None:
    """An English date with the month named; ``None`` when it is not one, or no day."""
    found = _NAMED.fullmatch(text)
    if found is None:
        return None
    month = _MONTHS[(found["m1"] or found["m2"]).lower()]
    day = int(found["d1"] or found["d2"])
    try:
        return Dated(datetime(int(found["year"]), month, day, tzinfo=UTC), "day")
    except ValueError:
        return None


def parse_date(
    value: Any, now: datetime, *, date_order: str | None = None
) -> datetime | None:
    """``value`` as an aware UTC datetime, or ``None`` when it is no date.

    The date of ``parse_dated``, for sources whose precision is not kept.
    """
    dated = parse_dated(value, now, date_order=date_order)
    return dated.at if dated is not None else None


def parse_dated(
    value: Any, now: datetime, *, date_order: str | None = None
) -> Dated | None:
    """``value`` as an aware UTC date with its precision; ``None`` when it is no date.

    Accepts ISO 8601 (fast path), Unix timestamps, and whatever dateparser reads
    in any language: ``"March 2, 2017"``, ``"21.01.2009, 05:42"``, ``"2026年10月"``
    and relative forms such as ``"3 days ago"``, ``"3日前"`` or ``"先月"``,
    resolved against ``now`` (the crawl's start). Times without a zone are taken
    as UTC. ``date_order`` (e.g. ``"DMY"``) settles ambiguous numeric dates.
    """
    if isinstance(value, int | float) and not isinstance(value, bool):
        at = _from_timestamp(value)
        return Dated(at) if at is not None else None
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        pass
    else:  # "2026-10-07" alone is a day; with a time it is to the time
        return Dated(_aware(parsed), "day" if len(text) <= _ISO_DAY else None)
    if month := _YEAR_MONTH.fullmatch(text):  # "2026年13月" is no date at all
        return _year_month(month)
    return (
        _numeric(text, now, date_order)
        or _named(text)
        or _dateparser(text, now, date_order)
        or _embedded(text, now, date_order)
    )


def _dateparser(text: str, now: datetime, date_order: str | None) -> Dated | None:
    """``text`` as dateparser reads it, in any language, relative to ``now``."""
    settings = _PARSER_SETTINGS | {
        "RELATIVE_BASE": now.astimezone(UTC).replace(tzinfo=None)
    }
    if date_order:
        settings["DATE_ORDER"] = date_order
    with warnings.catch_warnings():  # dateparser's internals warn on some inputs
        warnings.simplefilter("ignore", DeprecationWarning)
        found = DateDataParser(settings=settings).get_date_data(text)
    if found.date_obj is None:
        return None
    at = _aware(found.date_obj)
    if found.period == "year":  # "2026", 「1年前」: the year's first day
        return Dated(datetime(at.year, 1, 1, tzinfo=UTC), "year")
    if found.period == "month":  # 「10月」, 「先月」: the month's first day
        return Dated(datetime(at.year, at.month, 1, tzinfo=UTC), "month")
    if found.period in {"day", "week"}:
        return Dated(at, "day")
    return Dated(at)


def _embedded(text: str, now: datetime, date_order: str | None) -> Dated | None:
    """A date inside other words, as review sites write them.

    ``2023年5月1日に日本でレビュー済み``, ``投稿日 2024/05/01``, ``Reviewed in the
    United States on March 2, 2017``, ``2026年10月訪問``: the first date-shaped
    part of the text.
    """
    if found := _JAPANESE.search(text):
        year, month, day, hour, minute = (int(g) if g else 0 for g in found.groups())
        try:
            at = datetime(year, month, day, hour, minute, tzinfo=UTC)
        except ValueError:
            return None
        return Dated(at, None if found[4] else "day")
    if found := _NUMERIC.search(text):
        return _numeric(found[0], now, date_order)
    if found := _NAMED.search(text):
        return _named(found[0])
    return _year_month(_YEAR_MONTH.search(text))


def _year_month(found: re.Match[str] | None) -> Dated | None:
    """The first of a month that ``_YEAR_MONTH`` found, with month precision."""
    if found is None:
        return None
    try:
        at = datetime(int(found[1]), int(found[2] or found[3]), 1, tzinfo=UTC)
    except ValueError:
        return None
    return Dated(at, "month")
