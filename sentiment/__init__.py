"""Score mention text as negative, neutral or positive with a transformer model."""

from sentiment.errors import SentimentError
from sentiment.scorer import DEFAULT_MODEL, Score, Scorer, load_scorer

__all__ = ["DEFAULT_MODEL", "Score", "Scorer", "SentimentError", "load_scorer"]
