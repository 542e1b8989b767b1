"""Language of a mention's text, detected offline and deterministically (py3langid).

Rules before the statistical guess, because a short text gives it too little:

* a text with kana (hiragana or katakana) in mostly Japanese script is Japanese,
  however short: 「アプデ多すぎ」 has no other reading, while kanji alone
  (「最悪」) could be Chinese and is left to the length rule;
* below ``MIN_LETTERS`` letters, or in a spaced script below ``MIN_WORDS``
  words ("Terrible service"), a guess is noise (often French or Latin for two
  English words), so such a mention keeps no language rather than a wrong one.
"""

from __future__ import annotations

import re

import py3langid

MIN_LETTERS = 12
MIN_WORDS = 3
SAMPLE = 2_000
_KANA = re.compile(r"[\u3041-\u309f\u30a0-\u30ff\u31f0-\u31ff\uff66-\uff9d]")
# Japanese script: kana, kanji, the prolonged sound mark and iteration marks.
_JAPANESE = re.compile(
    r"[\u3005\u3041-\u309f\u30a0-\u30ff\u31f0-\u31ff\u3400-\u9fff\uf900-\ufaff"
    r"\uff66-\uff9d]"
)
# Scripts written without spaces, where a word count means nothing.
_UNSPACED = re.compile(
    r"[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u9fff"
    r"\uac00-\ud7af\uf900-\ufaff\uff66-\uff9f]"
)
_WORD = re.compile(r"[^\W\d_]+(?:['\u2019-][^\W\d_]+)*")


def _letters(text: str) -> int:
    return sum(ch.isalpha() for ch in text)


def _is_japanese(text: str, letters: int) -> bool:
    """Kana, with Japanese script making up at least half of the letters."""
    return bool(_KANA.search(text)) and 2 * len(_JAPANESE.findall(text)) >= letters


def detect_language(text: str) -> str | None:
    """The ISO 639-1 code of ``text``'s language, or ``None`` when too short to tell."""
    sample = text[:SAMPLE]
    letters = _letters(sample)
    if letters and _is_japanese(sample, letters):
        return "ja"
    if letters < MIN_LETTERS:
        return None
    if not _UNSPACED.search(sample) and len(_WORD.findall(sample)) < MIN_WORDS:
        return None
    language, _score = py3langid.classify(sample)
    return str(language)
