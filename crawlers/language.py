"""Language of a mention's text, detected offline and deterministically (py3langid)."""

from __future__ import annotations

import py3langid

# Below this many letters a guess is noise; such mentions keep no language.
MIN_LETTERS = 12
SAMPLE = 2_000


def detect_language(text: str) -> str | None:
    """The ISO 639-1 code of ``text``'s language, or ``None`` when it is too short."""
    sample = text[:SAMPLE]
    if sum(ch.isalpha() for ch in sample) < MIN_LETTERS:
        return None
    language, _score = py3langid.classify(sample)
    return str(language)
