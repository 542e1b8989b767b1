"""What a score is, without the model: importable without torch or transformers."""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_MODEL = "earful-default"
"""Name of the offline default model: MiniLM encoder + the adapter in default_model/."""


@dataclass(frozen=True, slots=True)
class Score:
    """Sentiment of one text: the most probable label and every label's probability."""

    label: str
    probabilities: dict[str, float]
