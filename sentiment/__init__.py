"""Score mention text as negative, neutral or positive with a transformer model.

``Scorer`` and ``load_scorer`` live in ``sentiment.scorer``, which imports torch and
transformers (hundreds of MB and seconds of start-up). They are imported on first
use, so a process that never scores (``earful status``, ``earful mentions``, the
dashboard, a daemon between scoring runs) never pays for them.
"""

import typing

from sentiment.errors import SentimentError
from sentiment.score import DEFAULT_MODEL, ENGLISH_MODEL, Score

if typing.TYPE_CHECKING:
    from sentiment.scorer import Scorer, load_scorer

__all__ = [
    "DEFAULT_MODEL",
    "ENGLISH_MODEL",
    "Score",
    "Scorer",
    "SentimentError",
    "load_scorer",
]

_HEAVY = frozenset({"Scorer", "load_scorer"})


def __getattr__(name: str) -> object:
    """Import ``sentiment.scorer`` (torch, transformers) when a heavy name is used."""
    if name not in _HEAVY:
        msg = f"module 'sentiment' has no attribute {name!r}"
        raise AttributeError(msg)
    from sentiment import scorer  # noqa: PLC0415 - the point: import on first use

    value = getattr(scorer, name)
    globals()[name] = value
    return value
