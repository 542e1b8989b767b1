"""What a score is, without the model: importable without torch or transformers."""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_MODEL = "earful-default"
"""The offline default model: multilingual-e5-small and Earful's trained head."""
ENGLISH_MODEL = "earful-english"
"""The offline English-only model (MiniLM + adapter): faster, English tweets only."""


@dataclass(frozen=True, slots=True)
class Score:
    """Sentiment of one text: the most probable label and every label's probability."""

    label: str
    probabilities: dict[str, float]
