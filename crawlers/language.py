"""Language of a mention's text, detected offline and deterministically (py3langid)."""

from __future__ import annotations

import py3langid

# Below this many letters a guess is noise; such mentions keep no language.
MIN_LETTERS = 12
SAMPLE = 2_000


def _has_letters(text: str, least: int) -> bool:
    """Whether ``text`` has ``least`` letters (stops counting once it has)."""
    for ch in text:
        if ch.isalpha():
            least -= 1
            if least <= 0:
                return True
    return False


def detect_language(text: str) -> str | None:
    """The ISO 639-1 code of ``text``'s language, or ``None`` when it is too short."""
    sample = text[:SAMPLE]
    if not _has_letters(sample, MIN_LETTERS):
        return None
    language, _score = py3langid.classify(sample)
    return str(language)
