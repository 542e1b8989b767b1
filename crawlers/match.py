"""Brand matching: which watched brands a text names, by term, with exclusions.

Text and terms are compared after Unicode NFKC normalisation and case folding, so
full-width ACME (U+FF21 U+FF23 U+FF2D U+FF25) and ``ACME`` both match the term
``acme``. A term written in Latin (or any spaced) script matches on word
boundaries: ``acme`` is not found in ``acmeology``. A term containing Japanese or
Chinese characters matches as a plain substring, because those scripts do not
separate words with spaces. A Latin term
next to Japanese or Chinese text still matches (``ACMEの新製品``).

A rule names its brand either by ``terms`` (any of them) or by a ``query`` in the
language of ``crawlers.query`` (AND, OR, NOT, parentheses, quoted phrases);
``exclude`` rules a text out either way, and ``languages`` limits a rule to
mentions detected in those languages.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from crawlers.query import AnyOf, Node, Term, evaluate, parse_query, positive_terms
from crawlers.query import terms_of as query_terms
from storage.folding import fold
from storage.queries import Match

# Hiragana, katakana, CJK ideographs (with extension A and compatibility forms).
_CJK = "\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_CHAR = re.compile(f"[{_CJK}]")
# A word character that is not Japanese/Chinese: what must not touch a Latin term.
_WORD = f"[^\\W{_CJK}]"


@dataclass(frozen=True)
class BrandRule:
    """A watched brand: the terms that name it and the terms that rule a text out."""

    name: str
    terms: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    competitor: bool = False
    query: str | None = None  # wins over terms when set
    languages: tuple[str, ...] = ()  # empty: any language

    def tree(self) -> Node:
        """The rule as a query tree: its query, else any of its terms."""
        if self.query:
            return parse_query(self.query)
        return AnyOf(tuple(Term(t) for t in self.terms))

    def as_dict(self) -> dict[str, Any]:
        """The rule as JSON-able values (crawl jobs and settings carry it so)."""
        return {
            "name": self.name,
            "terms": list(self.terms),
            "exclude": list(self.exclude),
            "competitor": self.competitor,
            "query": self.query,
            "languages": list(self.languages),
        }


def _term_pattern(term: str) -> re.Pattern[str] | None:
    folded = fold(term).strip()
    if not folded:
        return None
    body = r"\s+".join(re.escape(word) for word in folded.split())
    if _CJK_CHAR.search(folded):
        return re.compile(body)
    return re.compile(f"(?<!{_WORD}){body}(?!{_WORD})")


def _compile(terms: Iterable[str]) -> dict[str, re.Pattern[str]]:
    compiled = {}
    for term in dict.fromkeys(terms):
        pattern = _term_pattern(term)
        if pattern is not None:
            compiled[term] = pattern
    return compiled


@dataclass(frozen=True)
class _CompiledRule:
    rule: BrandRule
    tree: Node
    patterns: dict[str, re.Pattern[str]]
    positive: tuple[str, ...]
    exclude: tuple[re.Pattern[str], ...]


def _compile_rule(rule: BrandRule) -> _CompiledRule:
    tree = rule.tree()
    return _CompiledRule(
        rule,
        tree,
        _compile(query_terms(tree)),
        tuple(dict.fromkeys(positive_terms(tree))),
        tuple(_compile(rule.exclude).values()),
    )


class Matcher:
    """Match texts against brand rules; the regexes are compiled once, here.

    Raises ``crawlers.query.QueryError`` for a rule whose query does not parse.
    """

    def __init__(self, rules: Iterable[BrandRule]) -> None:
        self._rules = tuple(_compile_rule(rule) for rule in rules)
        # Whether some rule is limited to languages, so matching needs the text's.
        self.needs_language = any(c.rule.languages for c in self._rules)

    @property
    def rules(self) -> tuple[BrandRule, ...]:
        """The brand rules this matcher applies, in order."""
        return tuple(compiled.rule for compiled in self._rules)

    def match(self, text: str, language: str | None = None) -> list[Match]:
        """The brands ``text`` names (in rule order), each with its matching terms.

        A rule with ``languages`` matches only a text whose ``language`` is one
        of them.
        """
        folded = fold(text)
        matches = []
        for compiled in self._rules:
            languages = compiled.rule.languages
            if languages and language not in languages:
                continue
            terms = _holds(compiled, folded)
            if terms is not None:
                matches.append(
                    Match(compiled.rule.name, compiled.rule.competitor, terms)
                )
        return matches


def _holds(compiled: _CompiledRule, folded: str) -> tuple[str, ...] | None:
    """The rule's matching terms when ``folded`` satisfies it, else ``None``."""
    hits: dict[str, bool] = {}

    def found(term: str) -> bool:
        if term not in hits:
            pattern = compiled.patterns.get(term)
            hits[term] = bool(pattern and pattern.search(folded))
        return hits[term]

    if not evaluate(compiled.tree, found):
        return None
    if any(p.search(folded) for p in compiled.exclude):
        return None
    return tuple(t for t in compiled.positive if found(t))
