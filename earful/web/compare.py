"""The dashboard's aspect charts and its comparison page (brand beside competitors)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from markupsafe import Markup
from sqlalchemy.orm import Session

from earful.web.aspect_charts import aspect_chart, compare_chart
from storage.aspects import AspectCount, aspect_counts
from storage.compare import (
    FEW_MENTIONS,
    compare_brands,
    compare_over_time,
    few_mentions_note,
)
from storage.stats import Period, Window


def aspect_charts(session: Session, window: Window) -> list[tuple[str, Markup]]:
    """(brand, its aspect-by-sentiment chart) per brand, or for the window's brand."""
    brands = (window.brand,) if window.brand else ()
    per_brand: dict[str, list[AspectCount]] = {}
    for count in aspect_counts(
        session, window.model_id, brands, window.since, window.until
    ):
        per_brand.setdefault(count.brand, []).append(count)
    if window.brand and not per_brand:
        per_brand[window.brand] = []
    return [(brand, aspect_chart(brand, rows)) for brand, rows in per_brand.items()]


def compare_context(
    session: Session, model_id: str, since: datetime, period: Period, zone: str
) -> dict[str, Any]:
    """What compare.html shows: the brands' columns, the chart, the periods."""
    sides = compare_brands(session, model_id, since)
    periods: dict[str, dict[str, Any]] = {}
    for p in compare_over_time(session, model_id, period, since=since, zone=zone):
        periods.setdefault(p.period, {})[p.brand] = p
    aspects = list(dict.fromkeys(a for s in sides for a in s.aspects))
    return {
        "sides": sides,
        "aspects": aspects,
        "periods": periods,
        "period": period,
        "chart": compare_chart(sides),
        "few": FEW_MENTIONS,
        "few_note": few_mentions_note(sides),
    }
