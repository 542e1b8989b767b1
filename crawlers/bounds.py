"""Bounds on what strangers send: dates, integers, id lengths, JSON nesting and size.

Every field of a post is written by someone on the internet, and one post
that makes a collector raise stops its source: the cursor stays before the
post, and every later run fails on it again. So a value out of range is
never an exception here:

- a date before ``EARLIEST`` (1990) or more than ``AHEAD`` (a day) past the
  collection time is dropped, and the post kept without it (or with the
  collection time) plus a warning; a date Python cannot represent or convert
  to UTC (year 9999 at UTC-14, year 1 at UTC+14) is the same;
- a count (score, comments, followers) outside what the database's 32-bit
  ``INTEGER`` column takes is dropped with a warning;
- an id longer than its column keeps its start and gains a digest of the
  whole, so it stays unique and the same on every fetch;
- JSON nested deeper than ``MAX_JSON_DEPTH`` or longer than ``MAX_JSON_BYTES``
  is a ``BadItemError``, never a ``RecursionError``.

``crawlers.dates`` parses what sites print; this module only judges the
result, so the two stay apart.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, ParamSpec, TypeVar

from crawlers.errors import BadItemError
from crawlers.items import MentionItem

EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)  # before the web: a broken date
AHEAD = timedelta(days=1)  # time zones and clock skew, no more
MIN_COUNT = -(2**31)  # a score may be negative (downvotes)
MAX_COUNT = 2**31 - 1  # mentions.score, comments, followers: INTEGER on PostgreSQL
MAX_ID = 512  # mentions.external_id, thread_id, parent_id
MAX_LANGUAGE = 16  # mentions.language
MAX_JSON_DEPTH = 64  # real API answers nest a dozen deep
MAX_JSON_BYTES = 16 << 20  # 16 MiB, far above any page of any API Earful reads
# What reading a dict of an unexpected shape raises: a list where a dict was,
# a string where a number was, a missing key, a date Python cannot hold.
SHAPE_ERRORS = (
    AttributeError,
    TypeError,
    KeyError,
    IndexError,
    ValueError,
    OverflowError,
    RecursionError,
)
_TEXT_FIELDS = ("url", "title", "author", "site_name", "thread_id", "parent_id")
P = ParamSpec("P")
R = TypeVar("R")


def date_problem(when: datetime, now: datetime) -> str | None:
    """Why ``when`` cannot be a post's date (collected at ``now``), or None."""
    try:
        utc = when.astimezone(UTC) if when.tzinfo else when.replace(tzinfo=UTC)
    except (OverflowError, ValueError):
        return f"date {when.isoformat()} is out of range"
    if utc < EARLIEST:
        return f"date {utc:%Y-%m-%d} is before {EARLIEST:%Y}"
    if utc > now + AHEAD:
        return f"date {utc:%Y-%m-%d} is more than a day after it was collected"
    return None


def sane_date(
    when: datetime | None, now: datetime | None = None
) -> tuple[datetime | None, str | None]:
    """``when`` in UTC if it can be a post's date, else None; and why not."""
    if when is None:
        return None, None
    now = now or datetime.now(UTC)
    problem = date_problem(when, now)
    if problem is not None:
        return None, problem
    return (when.astimezone(UTC) if when.tzinfo else when.replace(tzinfo=UTC)), None


def parse_iso(value: str) -> datetime | None:
    """An ISO 8601 date and time (naive means UTC), or None when it is not one."""
    try:
        when = datetime.fromisoformat(value)
    except (ValueError, OverflowError):
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def from_timestamp(seconds: float) -> datetime | None:
    """A Unix time as an aware UTC datetime, or None outside what Python represents."""
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, ValueError, OSError):
        return None


def bounded_int(value: object, low: int = 0, high: int = MAX_COUNT) -> int | None:
    """``value`` when it is an int (not a bool) within ``low..high``, else None."""
    if isinstance(value, int) and not isinstance(value, bool) and low <= value <= high:
        return value
    return None


def bounded_id(value: str, limit: int = MAX_ID) -> str:
    """``value``, or its start and a digest of it when longer than ``limit``."""
    if len(value) <= limit:
        return value
    digest = hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()
    return f"{value[: limit - len(digest) - 1]}#{digest}"


def too_deep(value: Any, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether lists and dicts in ``value`` nest deeper than ``limit`` (no recursion)."""
    level = [value] if isinstance(value, dict | list) else []
    depth = 0
    while level:
        depth += 1
        if depth > limit:
            return True
        below: list[Any] = []
        for node in level:
            children = node.values() if isinstance(node, dict) else node
            below.extend(c for c in children if isinstance(c, dict | list))
        level = below
    return False


def loads_json(
    text: str | bytes,
    *,
    max_bytes: int = MAX_JSON_BYTES,
    max_depth: int = MAX_JSON_DEPTH,
) -> Any:
    """``json.loads`` within bounds; ``BadItemError`` says what was wrong."""
    if len(text) > max_bytes:
        msg = f"JSON of {len(text):,} bytes is over the {max_bytes:,}-byte limit"
        raise BadItemError(msg)
    try:
        value = json.loads(text)
    except RecursionError:
        msg = f"JSON nested more than {max_depth} deep"
        raise BadItemError(msg) from None
    except ValueError as exc:  # JSONDecodeError and undecodable bytes
        msg = str(exc)[:200]  # "Expecting value: line 1 column 1 (char 0)"
        raise BadItemError(msg) from None
    if too_deep(value, max_depth):
        msg = f"JSON nested more than {max_depth} deep"
        raise BadItemError(msg)
    return value


def bound_item(item: MentionItem, now: datetime | None = None) -> None:
    """Drop or shorten ``item``'s values that storage cannot take; warn on the item."""
    where = item.external_id[:100]
    item.external_id = bounded_id(item.external_id)
    item.thread_id = bounded_id(item.thread_id) if item.thread_id else item.thread_id
    item.parent_id = bounded_id(item.parent_id) if item.parent_id else item.parent_id
    for name in ("score", "comments", "followers"):
        value = getattr(item, name)
        if value is not None and bounded_int(value, MIN_COUNT) is None:
            setattr(item, name, None)
            item.warnings.append(f"{where}: {name} {str(value)[:30]} is out of range")
    if item.rating is not None and not math.isfinite(item.rating):
        item.rating = None
        item.warnings.append(f"{where}: rating is not a number")
    for name in ("published_at", "replied_at"):
        when, problem = sane_date(getattr(item, name), now)
        if problem is not None:
            setattr(item, name, when)
            item.warnings.append(f"{where}: {name}: {problem}; stored without it")
            if name == "published_at":
                item.published_precision = None


def reads_item(parse: Callable[P, R]) -> Callable[P, R]:
    """``parse`` (one item from an API answer) raising only ``BadItemError``.

    Whatever an unexpected shape makes it raise (``SHAPE_ERRORS``) becomes a
    ``BadItemError`` naming the parser, which the collector skips and counts.
    """

    @functools.wraps(parse)
    def read(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return parse(*args, **kwargs)
        except BadItemError:
            raise
        except SHAPE_ERRORS as exc:
            reason = str(exc).splitlines()[0][:200] if str(exc) else ""
            msg = f"{parse.__name__}: unreadable item: {type(exc).__name__} {reason}"
            raise BadItemError(msg.rstrip()) from None

    return read


def typed_item(item: MentionItem) -> None:
    """Give ``item``'s fields the types storage takes; drop the rest with a warning.

    A parser copies some values as the API sent them (a count, a language); a
    stranger's instance or relay can send any JSON type there instead.
    """
    item.external_id = str(item.external_id)
    where = item.external_id[:100]
    if not isinstance(item.text, str):
        item.text = ""
        item.warnings.append(f"{where}: text is not a string")
    for name in (*_TEXT_FIELDS, "language"):
        value = getattr(item, name)
        if value is not None and not isinstance(value, str):
            setattr(item, name, None)
            item.warnings.append(f"{where}: {name} is not a string")
    for name in ("published_at", "replied_at"):
        if not isinstance(getattr(item, name), datetime | None):
            setattr(item, name, None)
            item.warnings.append(f"{where}: {name} is not a date")
    if not isinstance(item.rating, int | float | None) or isinstance(item.rating, bool):
        item.rating = None
    if not isinstance(item.top_level, bool | None):
        item.top_level = None
    if not isinstance(item.raw, dict | None):
        item.raw = None
