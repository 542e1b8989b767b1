"""The comparison's counts: whole UTC days from the rollup, the rest from ``brand_matches``.

``brand_days`` and ``brand_day_labels`` (migration 0016) count brand matches
and their labels per brand and UTC day, kept exact by triggers in each
writer's transaction. A window rarely falls on midnights (the CLI's "last 90
days" starts at the current hour), so ``split`` cuts it into the whole days,
read here, and at most two partial days at its edges, which the caller counts
from ``brand_matches`` as before. Reading the whole quarter that way costs a
few hundred rollup rows instead of joining 130,000 matches to their labels.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, or_, select, true
from sqlalchemy.orm import Session

from storage.models import BrandDay, BrandDayAspect, BrandDayLabel

LABELS = ("negative", "neutral", "positive")


@dataclass(slots=True)
class Tally:
    """One brand's counts in a window or a period, added up from several reads."""

    competitor: bool = False
    mentions: int = 0
    labels: dict[str, int] = field(default_factory=dict)

    def add(self, competitor: bool, mentions: int, labels: dict[str, int]) -> None:
        """Add another read's counts (a brand is a competitor if any match says so)."""
        self.competitor = self.competitor or competitor
        self.mentions += mentions
        for label, n in labels.items():
            self.labels[label] = self.labels.get(label, 0) + n


@dataclass(frozen=True, slots=True)
class Split:
    """A window as whole UTC days ``[first, end)`` (None: open) and partial edges."""

    first: date | None
    end: date | None
    edges: tuple[tuple[datetime | None, datetime | None], ...]
    days: bool  # False: the window holds no whole day; the edges are all of it
    undated: bool = False  # an unbounded window counts undated rows too

    def rest(
        self, published: Any, *also: ColumnElement[bool]
    ) -> ColumnElement[bool] | None:
        """Which rows dated by ``published`` the rollup leaves out; None: none.

        One condition for both edges, so their rows are read in one query;
        ``also`` (the model, the brands) goes into each edge's term, so that
        SQLite reads each edge from an index on them and the date (given
        ``model_id = ?`` beside the OR instead, it walks every row of the model).
        """
        parts: list[ColumnElement[bool]] = []
        for since, until in self.edges:
            bounds = [published >= since] if since is not None else []
            bounds += [published < until] if until is not None else []
            parts.append(and_(true(), *also, *bounds))
        if self.undated:
            parts.append(and_(true(), *also, published.is_(None)))
        return or_(*parts) if parts else None


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


def _utc(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        msg = f"naive datetime {value!r}: pass timezone-aware datetimes"
        raise ValueError(msg)
    return None if value is None else value.astimezone(UTC)


def split(since: datetime | None, until: datetime | None) -> Split:
    """``[since, until)`` as whole UTC days and the partial days left at its edges."""
    since, until = _utc(since), _utc(until)
    first = end = None
    if since is not None:
        first = since.date() + timedelta(days=since != _midnight(since.date()))
    if until is not None:
        end = until.date()
    if first is not None and end is not None and first >= end:
        return Split(None, None, ((since, until),), days=False)
    edges: list[tuple[datetime | None, datetime | None]] = []
    if since is not None and first is not None and since < _midnight(first):
        edges.append((since, _midnight(first)))
    if until is not None and end is not None and _midnight(end) < until:
        edges.append((_midnight(end), until))
    undated = since is None and until is None
    return Split(first, end, tuple(edges), days=True, undated=undated)


def _where(
    table: type[BrandDay | BrandDayLabel | BrandDayAspect],
    s: Split,
    brands: tuple[str, ...],
) -> list[ColumnElement[bool]]:
    where = []
    if s.first is not None:
        where.append(table.day >= s.first)
    if s.end is not None:
        where.append(table.day < s.end)
    if brands:
        where.append(table.brand.in_(brands))
    return where


def day_tallies(
    session: Session, model_id: str, s: Split, brands: tuple[str, ...] = ()
) -> dict[tuple[date, str], Tally]:
    """Per (UTC day, brand), the rollup's counts over the whole days of ``s``."""
    tallies: dict[tuple[date, str], Tally] = {}
    if not s.days:
        return tallies
    counted = case((and_(BrandDay.competitor, BrandDay.mentions > 0), 1), else_=0)
    days = select(
        BrandDay.day, BrandDay.brand, func.max(counted), func.sum(BrandDay.mentions)
    ).group_by(BrandDay.day, BrandDay.brand)
    for day, brand, competitor, n in session.execute(
        days.where(*_where(BrandDay, s, brands))
    ):
        if n:
            tallies[day, brand] = Tally(bool(competitor), int(n))
    labels = select(
        BrandDayLabel.day, BrandDayLabel.brand, BrandDayLabel.label,
        BrandDayLabel.mentions,
    ).where(
        BrandDayLabel.model_id == model_id,
        BrandDayLabel.label.in_(LABELS),
        BrandDayLabel.mentions != 0,
    )  # fmt: skip
    for day, brand, label, n in session.execute(
        labels.where(*_where(BrandDayLabel, s, brands))
    ):
        tallies.setdefault((day, brand), Tally()).labels[label] = int(n)
    return tallies


def brand_tallies(
    session: Session, model_id: str, s: Split, brands: tuple[str, ...] = ()
) -> dict[str, Tally]:
    """Per brand, the rollup's counts over the whole days of ``s``."""
    tallies: dict[str, Tally] = {}
    if not s.days:
        return tallies
    counted = case((and_(BrandDay.competitor, BrandDay.mentions > 0), 1), else_=0)
    days = select(
        BrandDay.brand, func.max(counted), func.sum(BrandDay.mentions)
    ).group_by(BrandDay.brand)
    for brand, competitor, n in session.execute(
        days.where(*_where(BrandDay, s, brands))
    ):
        if n:
            tallies[brand] = Tally(bool(competitor), int(n))
    labels = (
        select(
            BrandDayLabel.brand,
            BrandDayLabel.label,
            func.sum(BrandDayLabel.mentions),
        )
        .where(BrandDayLabel.model_id == model_id, BrandDayLabel.label.in_(LABELS))
        .group_by(BrandDayLabel.brand, BrandDayLabel.label)
    )
    for brand, label, n in session.execute(
        labels.where(*_where(BrandDayLabel, s, brands))
    ):
        if n:
            tallies.setdefault(brand, Tally()).labels[label] = int(n)
    return tallies


def aspect_tallies(
    session: Session, model_id: str, s: Split, brands: tuple[str, ...] = ()
) -> dict[tuple[str, str, str], int]:
    """Per (brand, aspect, label), the rollup's aspect rows over the whole days of ``s``."""
    if not s.days:
        return {}
    stmt = (
        select(
            BrandDayAspect.brand,
            BrandDayAspect.aspect,
            BrandDayAspect.label,
            func.sum(BrandDayAspect.mentions),
        )
        .where(BrandDayAspect.model_id == model_id)
        .group_by(BrandDayAspect.brand, BrandDayAspect.aspect, BrandDayAspect.label)
    )
    rows = session.execute(stmt.where(*_where(BrandDayAspect, s, brands)))
    return {(b, a, label): int(n) for b, a, label, n in rows if n}
