"""Volume, sentiment and share of voice over time, by source and by language."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    String,
    and_,
    case,
    cast,
    func,
    select,
)
from sqlalchemy.orm import InstrumentedAttribute, Session

from storage.localtime import fixed_offset
from storage.models import BrandMatch, Mention, SentimentResult
from storage.search import MentionQuery, MentionRow, find_mentions

Period = Literal["day", "week"]
Dimension = Literal["source", "language"]


@dataclass(frozen=True, slots=True)
class Volume:
    """Mentions in one bucket (a day, a week, a source…) and how they were scored."""

    key: str
    total: int
    negative: int
    neutral: int
    positive: int

    @property
    def net(self) -> float:
        """Net sentiment: (positive - negative) / all mentions, from -1 to 1."""
        return (self.positive - self.negative) / self.total if self.total else 0.0


@dataclass(frozen=True, slots=True)
class Share:
    """One brand's part of all brand mentions in a period."""

    brand: str
    competitor: bool
    mentions: int
    share: float


@dataclass(frozen=True, slots=True)
class Window:
    """Which mentions count: one brand (or all) published in [since, until).

    ``zone`` is where days begin for daily and weekly buckets.
    """

    model_id: str = "earful-default"
    brand: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    zone: str = "UTC"


def bucket(
    period: Period,
    dialect: str,
    date: InstrumentedAttribute[datetime | None],
    zone: str = "UTC",
) -> ColumnElement[str]:
    """``date``'s day in ``zone``, or the Monday of its week, ``YYYY-MM-DD``.

    See :mod:`storage.localtime`: a Tokyo day starts at 15:00 UTC.
    """
    if dialect == "sqlite":
        offset = fixed_offset(zone)
        if offset is None:
            day = func.earful_local_date(date, zone)
        elif offset:
            minutes = f"{offset.total_seconds() / 60:+.0f} minutes"
            day = func.strftime("%Y-%m-%d", date, minutes)
        else:
            day = func.strftime("%Y-%m-%d", date)
        return func.date(day, "-6 days", "weekday 1") if period == "week" else day
    local = func.timezone(zone, date)
    return func.to_char(func.date_trunc(period, local), "YYYY-MM-DD")


def _count(label: str) -> ColumnElement[int]:
    return func.coalesce(
        func.sum(case((SentimentResult.label == label, 1), else_=0)), 0
    )


def _published(window: Window) -> InstrumentedAttribute[datetime | None]:
    """What dates a mention: for one brand, the copy on its ``brand_matches`` row."""
    return Mention.published_at if window.brand is None else BrandMatch.published_at


def _volume_select(
    key: ColumnElement[Any], w: Window, *, needs_mention: bool = True
) -> Select[Any]:
    """Mentions and their labels by ``key`` (``needs_mention``: it reads ``mentions``).

    One brand's mentions start from ``brand_matches``, whose copy of
    ``published_at`` and ``ix_brand_matches_brand_published_at`` find the
    brand's period without reading ``mentions`` unless ``key`` needs it.
    """
    stmt = select(
        key.label("key"),
        func.count(),
        _count("negative"),
        _count("neutral"),
        _count("positive"),
    )
    if w.brand is None:
        stmt = stmt.select_from(Mention)
        mention_id = Mention.id
    else:
        stmt = stmt.select_from(BrandMatch).where(BrandMatch.brand == w.brand)
        mention_id = BrandMatch.mention_id
        if needs_mention:
            stmt = stmt.join(Mention, Mention.id == BrandMatch.mention_id)
    stmt = stmt.outerjoin(
        SentimentResult,
        and_(
            SentimentResult.mention_id == mention_id,
            SentimentResult.model_id == w.model_id,
        ),
    )
    if w.since is not None:
        stmt = stmt.where(_published(w) >= w.since)
    if w.until is not None:
        stmt = stmt.where(_published(w) < w.until)
    return stmt.group_by(key).order_by(key)


def _volumes(session: Session, stmt: Select[Any]) -> list[Volume]:
    return [
        Volume(str(key), int(total), int(neg), int(neu), int(pos))
        for key, total, neg, neu, pos in session.execute(stmt)
    ]


def volume_over_time(
    session: Session, window: Window, period: Period = "day"
) -> list[Volume]:
    """Mentions and their sentiment per day or week, oldest first (dated only)."""
    dialect = session.get_bind().dialect.name
    date = _published(window)
    key = bucket(period, dialect, date, window.zone)
    stmt = _volume_select(key, window, needs_mention=False).where(date.is_not(None))
    return _volumes(session, stmt)


def volume_by(session: Session, window: Window, dimension: Dimension) -> list[Volume]:
    """Mentions and their sentiment per source or language, largest first."""
    column = Mention.source if dimension == "source" else Mention.language
    key = func.coalesce(column, cast("unknown", String))
    rows = _volumes(session, _volume_select(key, window))
    return sorted(rows, key=lambda v: (-v.total, v.key))


def share_of_voice(
    session: Session, since: datetime | None = None, until: datetime | None = None
) -> list[Share]:
    """Each brand's mentions as a share of all brands' mentions, largest first.

    Read from ``brand_matches`` alone: its copy of ``published_at`` and a
    covering index answer a period without joining every mention in it.
    """
    competitor = func.max(cast(BrandMatch.competitor, Integer))
    stmt = select(BrandMatch.brand, competitor, func.count()).group_by(BrandMatch.brand)
    if since is not None:
        stmt = stmt.where(BrandMatch.published_at >= since)
    if until is not None:
        stmt = stmt.where(BrandMatch.published_at < until)
    rows = [(b, bool(c), int(n)) for b, c, n in session.execute(stmt)]
    total = sum(n for _, _, n in rows)
    shares = [Share(b, c, n, n / total if total else 0.0) for b, c, n in rows]
    return sorted(shares, key=lambda s: (-s.mentions, s.brand))


def top_negative(session: Session, window: Window, limit: int = 10) -> list[MentionRow]:
    """The negative mentions with the largest reach, handled or not."""
    q = MentionQuery(
        model_id=window.model_id,
        brands=(window.brand,) if window.brand else (),
        sentiment="negative",
        since=window.since,
        until=window.until,
        sort="reach",
        limit=limit,
    )
    return find_mentions(session, q)


def latest_model(session: Session) -> str | None:
    """The model of the newest score: whose scores count when no config names one."""
    stmt = select(SentimentResult.model_id).order_by(SentimentResult.id.desc()).limit(1)
    return session.scalars(stmt).first()
