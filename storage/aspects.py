"""Aspects per mention: save them, and count them by brand and polarity.

Each aspect row carries a copy of the brand and the date, so counting a
brand's aspects in a period reads one covering index of ``mention_aspects``
(model, brand, date, aspect, label), every brand's the other (model, date,
brand, aspect, label), and joins nothing: a join per mention cost SQLite
half a second for every brand's month on the million-mention benchmark. A
quarter is still 70,000 rows, so whole UTC days are read from their daily
counts (``brand_day_aspects``, migration 0016) and only a window's partial
edge days from these indexes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, delete, func, select
from sqlalchemy.orm import Session

from storage.models import BrandMatch, Mention, MentionAspect
from storage.rollup import aspect_tallies, split

LABELS = ("negative", "neutral", "positive")


@dataclass(frozen=True, slots=True)
class AspectScore:
    """One aspect of one mention as scored: the polarity and where it came from."""

    aspect: str
    label: str
    negative: float
    basis: str  # "clause": scored on its own clause; "mention": the whole mention's
    terms: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class AspectCount:
    """How a brand's mentions about one aspect were scored in a period."""

    brand: str
    aspect: str
    negative: int
    neutral: int
    positive: int

    @property
    def total(self) -> int:
        """Mentions about the aspect."""
        return self.negative + self.neutral + self.positive

    @property
    def negative_share(self) -> float:
        """Negative mentions about the aspect over all mentions about it."""
        return self.negative / self.total if self.total else 0.0


def save_aspects(
    session: Session, mention_id: int, model_id: str, aspects: Iterable[AspectScore]
) -> None:
    """Replace ``model_id``'s aspects of one mention with ``aspects``, per brand."""
    session.execute(
        delete(MentionAspect).where(
            MentionAspect.mention_id == mention_id, MentionAspect.model_id == model_id
        )
    )
    aspects = list(aspects)
    if not aspects:
        return
    brands = session.scalars(
        select(BrandMatch.brand).where(BrandMatch.mention_id == mention_id)
    ).all()
    published = session.scalar(
        select(Mention.published_at).where(Mention.id == mention_id)
    )
    session.add_all(
        MentionAspect(
            mention_id=mention_id,
            model_id=model_id,
            aspect=a.aspect[:64],
            brand=brand,
            label=a.label,
            negative=a.negative,
            basis=a.basis,
            terms=list(a.terms),
            published_at=published,
        )
        for brand in brands
        for a in aspects
    )


def _direct(
    session: Session, brands: Sequence[str], where: ColumnElement[bool]
) -> dict[tuple[str, str, str], int]:
    """Per (brand, aspect, label), the aspect rows ``where`` picks, one by one."""
    stmt = (
        select(
            MentionAspect.brand, MentionAspect.aspect, MentionAspect.label, func.count()
        )
        .where(where)
        .group_by(MentionAspect.brand, MentionAspect.aspect, MentionAspect.label)
    )
    if brands:
        stmt = stmt.where(MentionAspect.brand.in_(brands))
    return {
        (str(b), str(a), str(lab)): int(n) for b, a, lab, n in session.execute(stmt)
    }


def direct_aspect_counts(
    session: Session,
    model_id: str,
    brands: Sequence[str] = (),
    since: datetime | None = None,
    until: datetime | None = None,
) -> dict[tuple[str, str, str], int]:
    """Per (brand, aspect, label) in the window, counted without the rollup."""
    where = [MentionAspect.model_id == model_id]
    if since is not None:
        where.append(MentionAspect.published_at >= since)
    if until is not None:
        where.append(MentionAspect.published_at < until)
    return _direct(session, brands, and_(*where))


def aspect_counts(
    session: Session,
    model_id: str,
    brands: Sequence[str] = (),
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[AspectCount]:
    """Per brand and aspect, mentions by polarity; every brand when ``brands`` is empty.

    Whole UTC days come from the ``brand_day_aspects`` rollup, the partial days
    at the window's edges from ``mention_aspects`` (``storage.rollup``). Sorted
    by brand, then by the most-mentioned aspect first.
    """
    brands = tuple(brands)
    window = split(since, until)
    counts = aspect_tallies(session, model_id, window, brands)
    picked = [MentionAspect.model_id == model_id]
    if brands:
        picked.append(MentionAspect.brand.in_(brands))
    rest = window.rest(MentionAspect.published_at, *picked)
    if rest is not None:
        for key, n in _direct(session, brands, rest).items():
            counts[key] = counts.get(key, 0) + n
    per_aspect: dict[tuple[str, str], dict[str, int]] = {}
    for (brand, aspect, label), n in counts.items():
        per_aspect.setdefault((brand, aspect), {})[label] = n
    rows = [
        AspectCount(
            b, a, n.get("negative", 0), n.get("neutral", 0), n.get("positive", 0)
        )
        for (b, a), n in per_aspect.items()
    ]
    return sorted(rows, key=lambda r: (r.brand, -r.total, r.aspect))
