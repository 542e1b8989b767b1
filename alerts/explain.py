"""What changed in a spike: the aspects, sources, authors and terms that rose most.

The spike hour's negative mentions are set against the baseline window's (the
168 hours before it). For aspects, sources and authors, what "rose most" means
is the excess over the baseline's hourly rate: ``count - baseline_count / 168``,
largest first, so a source that always carries half the complaints is not news
unless it carries more of them now. Terms use the log-odds statistic of
``alerts.terms``. Everything here is untrusted text: the renderer escapes it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from alerts.terms import rising_terms
from storage.models import Mention

TOP = 3
MIN_AUTHOR = 2  # one post by one author is not a pattern


def _aspects(mention: Mention, model_id: str) -> set[str]:
    return {
        a.aspect
        for a in mention.aspects
        if a.model_id == model_id and a.label == "negative"
    }


def _rising(
    now: Sequence[Mention],
    before: Sequence[Mention],
    hours: int,
    keys: Callable[[Mention], Iterable[str]],
    min_count: int = 1,
) -> list[dict[str, Any]]:
    """Keys whose count in ``now`` exceeds their hourly baseline most."""
    counts = Counter(k for m in now for k in set(keys(m)))
    baseline = Counter(k for m in before for k in set(keys(m)))
    rising = sorted(
        (
            (n - baseline[key] / hours, key, n)
            for key, n in counts.items()
            if n >= min_count and n > baseline[key] / hours
        ),
        key=lambda r: (-r[0], r[1]),
    )
    rows = [
        {
            "name": key,
            "count": n,
            "share": round(n / len(now), 3),
            "baseline": round(baseline[key] / hours, 2),
        }
        for _, key, n in rising
    ]
    return rows[:TOP]


def _text(mention: Mention) -> str:
    return f"{mention.title or ''}\n{mention.text}"


def explain(
    now: Sequence[Mention], before: Sequence[Mention], *, model_id: str, hours: int
) -> dict[str, Any]:
    """The ``why`` of a spike payload: aspects, sources, authors and terms that rose."""
    return {
        "aspects": _rising(now, before, hours, lambda m: _aspects(m, model_id)),
        "sources": _rising(now, before, hours, lambda m: [m.site_name or m.source]),
        "authors": _rising(
            now, before, hours, lambda m: [m.author] if m.author else [], MIN_AUTHOR
        ),
        "terms": [
            term
            for term, _ in rising_terms(
                [_text(m) for m in now], [_text(m) for m in before], TOP
            )
        ],
    }


def describe(why: dict[str, Any], clean: Callable[[Any], str]) -> str:
    """The explanation in words (not yet escaped): ``about delivery (71 %); …``.

    ``clean`` makes each name one safe line (the renderer's ``_text``).
    """

    def names(rows: Any, fmt: str) -> list[str]:
        return [
            fmt.format(name=clean(r.get("name")), count=int(r.get("count", 0)),
                       share=float(r.get("share", 0.0)))
            for r in rows or [] if isinstance(r, dict)
        ]  # fmt: skip

    parts = []
    if aspects := names(why.get("aspects"), "{name} ({share:.0%})"):
        parts.append("about " + ", ".join(aspects))
    if sources := names(why.get("sources"), "{name} ({count})"):
        parts.append("mostly " + " and ".join(sources[:2]))
    if terms := [clean(t) for t in why.get("terms") or []]:
        parts.append("top terms " + ", ".join(terms))
    if authors := names(why.get("authors"), "{name} ({count})"):
        parts.append("most active " + ", ".join(authors))
    return "; ".join(parts)
