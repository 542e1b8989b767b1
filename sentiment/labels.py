"""Map a model's own output labels onto Earful's negative / neutral / positive."""

from __future__ import annotations

import re
from collections.abc import Mapping

from sentiment.errors import LabelSchemeError

LABELS = ("negative", "neutral", "positive")
"""Earful's labels, in the order used for probabilities and confusion matrices."""

_NAMED = {
    "negative": "negative",
    "neg": "negative",
    "neutral": "neutral",
    "neu": "neutral",
    "positive": "positive",
    "pos": "positive",
}
_GENERIC = re.compile(r"label_(\d+)")
_STARS = re.compile(r"([1-5])\s*stars?")
_STAR_CLASS = {1: "negative", 2: "negative", 3: "neutral", 4: "positive", 5: "positive"}
_BINARY_GENERIC = {0: "negative", 1: "positive"}
_TERNARY_GENERIC = {0: "negative", 1: "neutral", 2: "positive"}


def resolve_label_map(
    id2label: Mapping[int, str],
    override: Mapping[str, str] | None = None,
    *,
    model_id: str = "model",
) -> list[str]:
    """Return, for each output index of the model, the Earful label it counts towards.

    Several outputs may count towards the same label (a 5-star model sends 1 and 2
    stars to negative); their probabilities are summed. A label none of the outputs
    counts towards (neutral for a binary model) gets probability 0.0.

    Recognised schemes, case-insensitive: negative/neutral/positive and the short
    forms neg/neu/pos; `LABEL_0..LABEL_2` (0 negative, 1 neutral, 2 positive);
    `LABEL_0..LABEL_1` (0 negative, 1 positive); "1 star" to "5 stars" (1-2
    negative, 3 neutral, 4-5 positive). `override` maps the model's own label names
    to Earful labels and wins over every rule.

    Raises:
        LabelSchemeError: a label cannot be mapped, or the result lacks negative or
            positive.
    """
    labels = [str(id2label[i]) for i in sorted(id2label)]
    if override is not None:
        mapped = _apply_override(labels, override, model_id)
    else:
        mapped = [_map_one(label, len(labels)) for label in labels]
        if any(target is None for target in mapped):
            raise LabelSchemeError(
                f"{model_id}: unknown label scheme {labels}; expected names such as "
                "negative/neutral/positive, LABEL_0..LABEL_2 or '1 star'..'5 stars'. "
                "Pass label_map={model label: 'negative'|'neutral'|'positive'} "
                "to load_scorer()"
            )
    result = [target for target in mapped if target is not None]
    if "negative" not in result or "positive" not in result:
        raise LabelSchemeError(
            f"{model_id}: labels {labels} map to {result}, which lacks negative or "
            "positive; pass a label_map that names both"
        )
    return result


def _apply_override(
    labels: list[str], override: Mapping[str, str], model_id: str
) -> list[str | None]:
    """Map every model label through `override`, checking both sides."""
    bad_targets = sorted({v for v in override.values() if v not in LABELS})
    if bad_targets:
        raise LabelSchemeError(
            f"{model_id}: label_map targets {bad_targets} are not among {list(LABELS)}"
        )
    lowered = {key.lower(): value for key, value in override.items()}
    missing = [label for label in labels if label.lower() not in lowered]
    if missing:
        raise LabelSchemeError(
            f"{model_id}: label_map does not cover model labels {missing} "
            f"(model labels: {labels})"
        )
    return [lowered[label.lower()] for label in labels]


def _map_one(label: str, count: int) -> str | None:
    """Map one model label by the known schemes, or None if no scheme fits."""
    text = label.strip().lower()
    if text in _NAMED:
        return _NAMED[text]
    generic = _GENERIC.fullmatch(text)
    if generic is not None:
        scheme = {2: _BINARY_GENERIC, 3: _TERNARY_GENERIC}.get(count, {})
        return scheme.get(int(generic.group(1)))
    stars = _STARS.fullmatch(text)
    if stars is not None and count == len(_STAR_CLASS):
        return _STAR_CLASS[int(stars.group(1))]
    return None
