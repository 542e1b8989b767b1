"""Times as people read them: in the configured zone (``[daemon] timezone``), named.

Earful stores UTC. What it shows (CLI tables, the dashboard, the stats buckets)
is in one configured zone and says which (``2026-03-02 00:30 JST``), so a Tokyo
team reads its own day: a mention at 2026-03-01T15:30Z counts on 2026-03-02.

Daily and weekly buckets are computed by the database. PostgreSQL converts with
``timezone(zone, ts)`` and its own zone data. SQLite has no zone data: a zone
whose offset never changed over the years mentions come from (UTC, Asia/Tokyo,
Asia/Kolkata) is a ``strftime`` modifier (``+540 minutes``), and any other gets
``earful_local_date(ts, zone)``, registered on every connection Earful opens
(Python's ``zoneinfo``, so daylight saving holds). Daily volume of 50,000
mentions on SQLite: 121 ms in UTC, 168 ms in Tokyo, 383 ms through the function.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

SQLITE_FUNCTION = "earful_local_date"
# Collectors drop dates before 1990 and more than a day ahead; a zone whose
# offset is the same on the 1st and 15th of every month of these years is fixed.
_YEARS = range(1990, 2041)


@lru_cache(maxsize=64)
def zone_of(name: str) -> ZoneInfo:
    """The ``ZoneInfo`` for an IANA name (validated by the config)."""
    return ZoneInfo(name)


def shown_time(at: datetime, zone: str, time_format: str = "%Y-%m-%d %H:%M") -> str:
    """``at`` in ``zone``, with the zone's abbreviation: ``2026-03-02 00:30 JST``."""
    local = at.astimezone(zone_of(zone))
    return f"{local.strftime(time_format)} {local.tzname()}"


@lru_cache(maxsize=64)
def fixed_offset(zone: str) -> timedelta | None:
    """The zone's one UTC offset over the years mentions are dated, or None."""
    tz = zone_of(zone)
    offsets = {
        datetime(year, month, day, 12, tzinfo=UTC).astimezone(tz).utcoffset()
        for year in _YEARS
        for month in range(1, 13)
        for day in (1, 15)
    }
    return offsets.pop() if len(offsets) == 1 else None


def local_date(at: datetime, zone: str) -> date:
    """The calendar day ``at`` falls on in ``zone``."""
    return at.astimezone(zone_of(zone)).date()


def _sqlite_local_date(value: object, zone: object) -> str | None:
    if value is None:
        return None
    at = datetime.fromisoformat(str(value))
    if at.tzinfo is None:  # SQLite holds UTC without an offset
        at = at.replace(tzinfo=UTC)
    return local_date(at, str(zone)).isoformat()


def register_sqlite_local_date(dbapi_conn: Any) -> None:
    """Make ``earful_local_date(ts, zone)`` available on a ``sqlite3`` connection."""
    dbapi_conn.create_function(
        SQLITE_FUNCTION, 2, _sqlite_local_date, deterministic=True
    )
