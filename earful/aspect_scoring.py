"""Aspect polarity: each aspect's clause scored by the sentiment model, in batches.

A mention the model calls negative or positive gets its aspects (see
``crawlers.aspects``). Each aspect's clause is scored on its own, in one batch
with every other clause of the chunk, because a review is often mixed:
"配送は早かったが、品質が悪い" is positive about delivery and negative about
quality. The mention's own verdict stands for an aspect when

- the clause is the whole text (scoring it again would say the same),
- the aspect has no clause of its own (a query across clauses), or
- the model finds the clause neutral: a clause such as "Shipping took three
  weeks" carries its complaint in what surrounds it.

Neutral mentions get no aspects: "what people complain about" counts opinions.
The accuracy of this on chABSA's aspect targets is in docs/alerts.md.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import sentiment
from crawlers.aspects import AspectDetector, AspectHit
from storage.aspects import AspectScore

OPINION_LABELS = frozenset({"negative", "positive"})
MAX_CLAUSE = 1000  # characters; a "clause" longer than this is not one


@dataclass(frozen=True, slots=True)
class Verdict:
    """The mention-level verdict aspects fall back to."""

    label: str
    negative: float


def aspect_scores(
    detector: AspectDetector,
    score: Callable[[list[str]], list[sentiment.Score]],
    texts: Sequence[tuple[str, str | None]],
    verdicts: Sequence[Verdict],
) -> list[list[AspectScore]]:
    """For each (text, language) and its verdict, the aspects and their polarity.

    ``score`` is called once, with every clause that needs the model.
    """
    found: list[list[AspectHit]] = [
        detector.detect(text, language) if v.label in OPINION_LABELS else []
        for (text, language), v in zip(texts, verdicts, strict=True)
    ]
    clauses = [
        (hit.clause or "")[:MAX_CLAUSE]
        for (text, _), hits in zip(texts, found, strict=True)
        for hit in hits
        if _own_clause(hit, text)
    ]
    scored = iter(score(clauses) if clauses else [])
    out = []
    for (text, _), hits, verdict in zip(texts, found, verdicts, strict=True):
        row = []
        for hit in hits:
            result = next(scored) if _own_clause(hit, text) else None
            row.append(_polarity(hit, result, verdict))
        out.append(row)
    return out


def _own_clause(hit: AspectHit, text: str) -> bool:
    return hit.clause is not None and hit.clause.strip() != text.strip()


def _polarity(
    hit: AspectHit, result: sentiment.Score | None, verdict: Verdict
) -> AspectScore:
    if result is not None and result.label in OPINION_LABELS:
        negative = float(result.probabilities.get("negative", 0.0))
        return AspectScore(hit.aspect, result.label, negative, "clause", hit.terms)
    return AspectScore(
        hit.aspect, verdict.label, verdict.negative, "mention", hit.terms
    )
