"""Brands side by side: volume, net sentiment, share of voice, complaints per aspect.

The brand and each competitor (``[[brands]] competitor = true``) over one
window, and per day or week within it. Volume and labels come from the daily
counts of ``storage.rollup`` for the window's whole UTC days and from
``brand_matches`` joined to scores by mention id for its partial edge days;
``direct_tallies`` is that join over any window, the whole answer before the
rollup (at a million mentions, a quarter took 0.6 to 1.3 s).

Response time is compared where a brand's public answer is visible on the site
(``mentions.replied_at``: a developer reply under a Google Play review today),
so it is the same measure for the brand and its competitors. The team's own
case timings (``storage.response``) exist only for the brand's alerted mentions
and are not comparable with a competitor's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from statistics import median
from typing import Any

from sqlalchemy import ColumnElement, Integer, Select, and_, case, cast, func, select
from sqlalchemy.orm import Session

from storage.aspects import AspectCount, aspect_counts
from storage.models import BrandMatch, Mention, SentimentResult
from storage.rollup import Tally, brand_tallies, day_tallies, split
from storage.stats import Period, bucket

# A share taken of fewer mentions than this says little ("100 % of 1"): the
# comparison marks it and says which brands are that thin. Ten is where one
# mention more or less moves a share by under ten points.
FEW_MENTIONS = 10


def few(mentions: int) -> bool:
    """Whether a share of ``mentions`` is too small a sample to compare."""
    return mentions < FEW_MENTIONS


def few_mentions_note(sides: list[BrandSide]) -> str | None:
    """The warning for the brands with too few mentions to compare, if any."""
    thin = [s for s in sides if few(s.mentions)]
    if not thin:
        return None
    counts = ", ".join(
        f"{s.brand} {s.mentions} mention{'s' * (s.mentions != 1)}" for s in thin
    )
    return f"Too few mentions to compare (fewer than {FEW_MENTIONS}): {counts}"


@dataclass(frozen=True, slots=True)
class PublicReplies:
    """A brand's answers given in public on the sites, in one window."""

    replied: int  # mentions answered in public
    median_hours: float  # from publication to the public answer

    def share(self, mentions: int) -> float:
        """The share of ``mentions`` answered in public."""
        return self.replied / mentions if mentions else 0.0


@dataclass(frozen=True, slots=True)
class BrandSide:
    """One brand's column of the comparison."""

    brand: str
    competitor: bool
    mentions: int
    negative: int
    neutral: int
    positive: int
    share: float  # of all the compared brands' mentions
    aspects: dict[str, AspectCount] = field(default_factory=dict)
    replies: PublicReplies | None = None  # None: no public reply seen in the window

    @property
    def net(self) -> float:
        """(positive - negative) / mentions, from -1 to 1."""
        return (self.positive - self.negative) / self.mentions if self.mentions else 0.0


@dataclass(frozen=True, slots=True)
class BrandPeriod:
    """One brand in one day or week: mentions and net sentiment."""

    period: str
    brand: str
    mentions: int
    negative: int
    positive: int

    @property
    def net(self) -> float:
        """(positive - negative) / mentions, from -1 to 1."""
        return (self.positive - self.negative) / self.mentions if self.mentions else 0.0


def _label(label: str) -> Any:
    return func.coalesce(
        func.sum(case((SentimentResult.label == label, 1), else_=0)), 0
    )


def _scored(stmt: Select[Any], model_id: str, since: datetime | None,
            until: datetime | None, brands: tuple[str, ...]) -> Select[Any]:  # fmt: skip
    stmt = stmt.select_from(BrandMatch).outerjoin(
        SentimentResult,
        and_(
            SentimentResult.mention_id == BrandMatch.mention_id,
            SentimentResult.model_id == model_id,
        ),
    )
    if brands:
        stmt = stmt.where(BrandMatch.brand.in_(brands))
    if since is not None:
        stmt = stmt.where(BrandMatch.published_at >= since)
    if until is not None:
        stmt = stmt.where(BrandMatch.published_at < until)
    return stmt


def _tally(competitor: Any, n: Any, neg: Any, neu: Any, pos: Any) -> Tally:
    labels = {"negative": int(neg), "neutral": int(neu), "positive": int(pos)}
    return Tally(bool(competitor), int(n), {k: v for k, v in labels.items() if v})


def direct_tallies(
    session: Session,
    model_id: str,
    since: datetime | None = None,
    until: datetime | None = None,
    brands: tuple[str, ...] = (),
    *,
    where: ColumnElement[bool] | None = None,
) -> dict[str, Tally]:
    """Per brand, its matches and their labels counted from ``brand_matches``.

    The whole answer before the rollup; now, with ``where``, the rows the
    rollup leaves out (``storage.rollup.Split.rest``).
    """
    stmt = select(
        BrandMatch.brand,
        func.max(cast(BrandMatch.competitor, Integer)),
        func.count(),
        _label("negative"),
        _label("neutral"),
        _label("positive"),
    ).group_by(BrandMatch.brand)
    if where is not None:
        stmt = stmt.where(where)
    return {
        str(b): _tally(*counts)
        for b, *counts in session.execute(_scored(stmt, model_id, since, until, brands))
    }


def brand_counts(
    session: Session,
    model_id: str,
    since: datetime | None = None,
    until: datetime | None = None,
    brands: tuple[str, ...] = (),
) -> dict[str, Tally]:
    """Per brand, its matches and labels in the window: rollup days plus edges."""
    window = split(since, until)
    tallies = brand_tallies(session, model_id, window, brands)
    picked = [BrandMatch.brand.in_(brands)] if brands else []
    rest = window.rest(BrandMatch.published_at, *picked)
    if rest is not None:
        for brand, t in direct_tallies(
            session, model_id, brands=brands, where=rest
        ).items():
            tallies.setdefault(brand, Tally()).add(t.competitor, t.mentions, t.labels)
    return tallies


def compare_brands(
    session: Session,
    model_id: str,
    since: datetime | None = None,
    until: datetime | None = None,
    brands: tuple[str, ...] = (),
) -> list[BrandSide]:
    """Every brand (or ``brands``) in the window: own brands first, then by volume."""
    tallies = brand_counts(session, model_id, since, until, brands)
    total = sum(t.mentions for t in tallies.values())
    aspects: dict[str, dict[str, AspectCount]] = {}
    for count in aspect_counts(session, model_id, brands, since, until):
        aspects.setdefault(count.brand, {})[count.aspect] = count
    replies = public_replies(session, since, until, brands)
    sides = [
        BrandSide(
            b, t.competitor, t.mentions, t.labels.get("negative", 0),
            t.labels.get("neutral", 0), t.labels.get("positive", 0),
            t.mentions / total if total else 0.0, aspects.get(b, {}),
            replies.get(b),
        )
        for b, t in tallies.items()
    ]  # fmt: skip
    return sorted(sides, key=lambda s: (s.competitor, -s.mentions, s.brand))


def _period_key(period: Period, day: date) -> str:
    """A UTC day's key in ``period``, as ``storage.stats.bucket`` writes it."""
    if period == "week":
        day -= timedelta(days=day.weekday())
    return day.isoformat()


def compare_over_time(
    session: Session,
    model_id: str,
    period: Period = "week",
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    brands: tuple[str, ...] = (),
    zone: str = "UTC",
) -> list[BrandPeriod]:
    """Each brand's mentions and net sentiment per day or week, oldest first.

    Days are UTC days in the rollup, so a UTC series reads it; a series in
    another zone (``[daemon] timezone``) has edges inside every rollup day and
    is counted directly from the matches.
    """
    dialect = session.get_bind().dialect.name
    if zone != "UTC":
        local = bucket(period, dialect, BrandMatch.published_at, zone)
        stmt = (
            select(local, BrandMatch.brand, func.count(), _label("negative"),
                   _label("positive"))
            .where(BrandMatch.published_at.is_not(None))
            .group_by(local, BrandMatch.brand)
            .order_by(local, BrandMatch.brand)
        )  # fmt: skip
        return [
            BrandPeriod(str(k), str(b), int(n), int(neg), int(pos))
            for k, b, n, neg, pos in session.execute(
                _scored(stmt, model_id, since, until, brands)
            )
        ]
    window = split(since, until)
    tallies: dict[tuple[str, str], Tally] = {}
    for (day, brand), t in day_tallies(session, model_id, window, brands).items():
        key = (_period_key(period, day), brand)
        tallies.setdefault(key, Tally()).add(t.competitor, t.mentions, t.labels)
    bucketed = bucket(period, dialect, BrandMatch.published_at)
    stmt = select(
        bucketed, BrandMatch.brand, func.count(), _label("negative"), _label("positive")
    ).group_by(bucketed, BrandMatch.brand)
    rest = window.rest(BrandMatch.published_at)
    if rest is not None:
        stmt = stmt.where(rest, BrandMatch.published_at.is_not(None))
        for k, b, n, neg, pos in session.execute(
            _scored(stmt, model_id, None, None, brands)
        ):
            labels = {"negative": int(neg), "positive": int(pos)}
            tallies.setdefault((str(k), str(b)), Tally()).add(False, int(n), labels)
    return [
        BrandPeriod(k, b, t.mentions, t.labels.get("negative", 0),
                    t.labels.get("positive", 0))
        for (k, b), t in sorted(tallies.items())
    ]  # fmt: skip


def _aware(value: datetime) -> datetime:
    """SQLite hands timestamps back naive; they are stored in UTC."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def public_replies(
    session: Session,
    since: datetime | None = None,
    until: datetime | None = None,
    brands: tuple[str, ...] = (),
) -> dict[str, PublicReplies]:
    """Per brand: mentions published in the window and answered in public, and how fast.

    Reads only answered mentions (``replied_at`` set) through the partial index
    ``ix_mentions_answered``, so its cost follows the replies, not the mentions;
    the window is the mention's own date (``brand_matches`` holds a copy of it).
    A reply dated before its post (clock skew on the site) counts as immediate.
    """
    stmt = (
        select(BrandMatch.brand, Mention.published_at, Mention.replied_at)
        .select_from(Mention)
        .join(BrandMatch, BrandMatch.mention_id == Mention.id)
        .where(Mention.replied_at.is_not(None), Mention.published_at.is_not(None))
    )
    if brands:
        stmt = stmt.where(BrandMatch.brand.in_(brands))
    if since is not None:
        stmt = stmt.where(Mention.published_at >= since)
    if until is not None:
        stmt = stmt.where(Mention.published_at < until)
    hours: dict[str, list[float]] = {}
    for brand, published, replied in session.execute(stmt):
        if published is None or replied is None:  # excluded by the query
            continue
        delay = (_aware(replied) - _aware(published)).total_seconds() / 3600
        hours.setdefault(str(brand), []).append(max(0.0, delay))
    return {
        brand: PublicReplies(len(delays), median(delays))
        for brand, delays in hours.items()
    }
