"""Brand matching: which watched brands a text names, by term, with exclusions.

Text and terms are compared after Unicode NFKC normalisation and case folding, so
full-width ACME (U+FF21 U+FF23 U+FF2D U+FF25) and ``ACME`` both match the term
``acme``. A term written in Latin (or any spaced) script matches on word
boundaries: ``acme`` is not found in ``acmeology``. A term containing Japanese or
Chinese characters matches as a plain substring, because those scripts do not
separate words with spaces. A Latin term
next to Japanese or Chinese text still matches (``ACMEの新製品``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from storage.queries import Match

# Hiragana, katakana, CJK ideographs (with extension A and compatibility forms).
_CJK = "\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_CHAR = re.compile(f"[{_CJK}]")
# A word character that is not Japanese/Chinese: what must not touch a Latin term.
_WORD = f"[^\\W{_CJK}]"


def fold(text: str) -> str:
    """NFKC-normalised, case-folded text: the form both sides are compared in."""
    return unicodedata.normalize("NFKC", text).casefold()


@dataclass(frozen=True)
class BrandRule:
    """A watched brand: the terms that name it and the terms that rule a text out."""

    name: str
    terms: tuple[str, ...]
    exclude: tuple[str, ...] = ()
    competitor: bool = False


def _term_pattern(term: str) -> re.Pattern[str] | None:
    folded = fold(term).strip()
    if not folded:
        return None
    body = r"\s+".join(re.escape(word) for word in folded.split())
    if _CJK_CHAR.search(folded):
        return re.compile(body)
    return re.compile(f"(?<!{_WORD}){body}(?!{_WORD})")


def _compile(terms: Iterable[str]) -> tuple[tuple[str, re.Pattern[str]], ...]:
    compiled = []
    for term in dict.fromkeys(terms):
        pattern = _term_pattern(term)
        if pattern is not None:
            compiled.append((term, pattern))
    return tuple(compiled)


@dataclass(frozen=True)
class _CompiledRule:
    rule: BrandRule
    terms: tuple[tuple[str, re.Pattern[str]], ...]
    exclude: tuple[tuple[str, re.Pattern[str]], ...]


class Matcher:
    """Match texts against brand rules; the regexes are compiled once, here."""

    def __init__(self, rules: Iterable[BrandRule]) -> None:
        self._rules = tuple(
            _CompiledRule(rule, _compile(rule.terms), _compile(rule.exclude))
            for rule in rules
        )

    @property
    def rules(self) -> tuple[BrandRule, ...]:
        """The brand rules this matcher applies, in order."""
        return tuple(compiled.rule for compiled in self._rules)

    def match(self, text: str) -> list[Match]:
        """The brands ``text`` names (in rule order), each with its matching terms."""
        folded = fold(text)
        matches = []
        for compiled in self._rules:
            found = tuple(t for t, p in compiled.terms if p.search(folded))
            if not found:
                continue
            if any(p.search(folded) for _, p in compiled.exclude):
                continue
            matches.append(Match(compiled.rule.name, compiled.rule.competitor, found))
        return matches
