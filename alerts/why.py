"""Why an alert fired: the rule, and the term, the stars or the label that matched.

The reason is worked out when the alert is queued and kept in the alert's
``payload["why"]``, so the message, a later rewrite and ``earful alerts show``
all say what fired it then, whatever the mention's score becomes. A rule's
triggers are tried in the order ``AlertRule.matches`` accepts them: a keyword,
then low stars (the reviewer's verdict), then the model's label.
"""

from __future__ import annotations

from typing import Any

from alerts.rules import AlertRule
from storage.models import Mention, SentimentResult
from storage.ratings import stars_text


def reason(
    rule: AlertRule, mention: Mention, score: SentimentResult | None
) -> dict[str, Any]:
    """What fired ``rule`` for ``mention``: ``{"rule", "by", …}`` (JSON-safe)."""
    found: dict[str, Any] = {"rule": rule.name}
    if (term := rule.matched_term(mention)) is not None:
        return found | {"by": "keyword", "term": term}
    by_stars = score is not None and score.label_source == "stars"
    if mention.rating is not None and (rule.rated_low(mention) or by_stars):
        return found | {
            "by": "stars",
            "rating": mention.rating,
            "best": mention.rating_best,
            "label": score.label if score is not None else None,
        }
    if score is None:
        return found | {"by": "rule"}
    probability = round(float(getattr(score, score.label)), 4)
    return found | {"by": "label", "label": score.label, "probability": probability}


def headline(why: dict[str, Any] | None, brands: str) -> str:
    """The message's header: what kind of mention this is, by what fired it."""
    why = why or {}
    by = why.get("by")
    if by == "keyword":
        return f"Mention of {brands} with “{why.get('term')}”"
    if by == "stars":
        return f"Low-rated review of {brands}"
    if by == "label":
        return f"{str(why.get('label')).capitalize()} mention of {brands}"
    return f"Negative mention of {brands}"  # alerts queued before reasons were kept


def because(why: dict[str, Any] | None) -> str | None:
    """``keyword “返金” · rule acme-negative``: the Why line (raw: escape it)."""
    if not why:
        return None
    by, rule = why.get("by"), f"rule {why.get('rule')}"
    if by == "keyword":
        return f"keyword “{why.get('term')}” · {rule}"
    if by == "stars":
        stars = stars_text(float(why["rating"]), why.get("best"))
        return f"{stars} (the reviewer's stars) · {rule}"
    if by == "label":
        return (
            f"{why.get('label')} {float(why['probability']):.0%} (the model) · {rule}"
        )
    return rule
