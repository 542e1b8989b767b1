"""Which terms rose in a set of texts against a baseline: log-odds with a Dirichlet prior.

The statistic is Monroe, Colaresi and Quinn's "weighted log-odds ratio with an
informative Dirichlet prior" (Political Analysis, 2008), whose prior is here the
two windows pooled: a term's z-score is its log-odds in the spike hour minus its
log-odds in the baseline, over its standard error. Rare terms are shrunk towards
the pooled rate, so one odd word in one post cannot top the list, and a term as
common before as now (the brand's own name) scores near zero. A term counts once
per text, so one long post repeating a word does not count as many people.
scattertext implements the same statistic but pulls in pandas and scipy for a
dozen lines, and has not been released since 2024.

Tokens: Japanese through MeCab (fugashi with the UniDic-lite dictionary), which
separates ``配送`` and ``遅延`` in ``配送が遅延``; nouns, verbs and adjectives are
kept, in their dictionary form. Latin-script words are lower-cased, three
letters or more, common function words dropped.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from functools import cache
from typing import Any

PRIOR = 10.0  # pseudo-count: how many texts' worth the pooled rate weighs
MIN_TEXTS = 2  # a term in fewer spike texts is never "what changed"
MIN_Z = 1.96
_JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff66-\uff9f]+")
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]{3,}(?:['-][A-Za-z\u00c0-\u024f]+)*")
_KANJI = re.compile(r"[\u4e00-\u9fff]")  # one kanji is a word (箱); one kana is not
_KEPT_POS = frozenset({"名詞", "動詞", "形容詞"})
_DULL = frozenset(
    [
        "the",
        "and",
        "for",
        "are",
        "but",
        "not",
        "you",
        "your",
        "with",
        "this",
        "that",
        "have",
        "has",
        "had",
        "was",
        "were",
        "been",
        "they",
        "them",
        "their",
        "its",
        "it's",
        "from",
        "just",
        "about",
        "what",
        "when",
        "will",
        "would",
        "there",
        "here",
        "all",
        "any",
        "can",
        "could",
        "did",
        "does",
        "don't",
        "get",
        "got",
        "more",
        "very",
        "than",
        "then",
        "too",
        "out",
        "also",
        "one",
        "our",
        "who",
        "how",
        "why",
        "which",
        "into",
        "after",
        "again",
        "still",
        "even",
        "only",
        "some",
        "really",
        "する",
        "いる",
        "ある",
        "なる",
        "為る",
        "居る",
        "有る",
        "成る",
        "言う",
        "思う",
        "事",
        "物",
        "所",
        "よう",
        "さん",
        "方",
        "人",
        "此れ",
        "来る",
        "くる",
        "行く",
        "いく",
        "見る",
        "みる",
        "出来る",
        "できる",
        "為す",
        "其れ",
        "これ",
        "それ",
        "なし",
        "ない",
    ]
)


@cache
def _tagger() -> Any:
    import fugashi  # noqa: PLC0415 - MeCab loads its dictionary: only when needed

    return fugashi.Tagger()


def _japanese(run: str) -> Iterable[str]:
    for word in _tagger()(run):
        feature = word.feature
        if feature.pos1 not in _KEPT_POS or feature.pos2 == "数詞":
            continue
        base = feature.orthBase if feature.pos1 != "名詞" else word.surface
        base = base or word.surface
        if len(base) > 1 or _KANJI.fullmatch(base):
            yield base


def tokens(text: str) -> set[str]:
    """The distinct content words of ``text`` (Japanese and Latin script)."""
    found = {w.casefold() for w in _LATIN.findall(text)}
    for run in _JAPANESE.findall(text):
        found.update(_japanese(run))
    return {w for w in found if w not in _DULL}


def rising_terms(
    texts: Sequence[str], baseline: Sequence[str], top: int = 3
) -> list[tuple[str, float]]:
    """The ``top`` terms of ``texts`` that rose most against ``baseline``, with z."""
    now = Counter(t for text in texts for t in tokens(text))
    before = Counter(t for text in baseline for t in tokens(text))
    n_now, n_before = len(texts), max(len(baseline), 1)
    scored = []
    for term, y_now in now.items():
        if y_now < MIN_TEXTS:
            continue
        y_before = before[term]
        alpha = PRIOR * (y_now + y_before) / (n_now + n_before)
        rest_now = n_now + PRIOR - y_now - alpha
        rest_before = n_before + PRIOR - y_before - alpha
        if rest_now <= 0 or rest_before <= 0:  # in every text of both: no change
            continue
        delta = math.log((y_now + alpha) / rest_now) - math.log(
            (y_before + alpha) / rest_before
        )
        z = delta / math.sqrt(1 / (y_now + alpha) + 1 / (y_before + alpha))
        if z >= MIN_Z:
            scored.append((term, z))
    scored.sort(key=lambda s: (-s[1], s[0]))
    return scored[:top]
