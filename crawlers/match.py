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

Many rules cost little more than a few: one Aho-Corasick automaton
(``pyahocorasick``) holds every term's longest word, and one pass over the
folded text names the few terms whose word occurs. Only those are checked with
their own regex (boundaries, spacing), and only the rules they belong to are
evaluated, plus any rule that holds with no term at all (``NOT spam``). A
regex's match always contains its term's longest word literally, so this
finds exactly what testing every regex would; a thousand brands then cost the
firehose about what ten do (``bench/firehose.py``). One regex alternation
of all terms was the alternative; Python's ``re`` tries each branch at each
position, so it grows with the number of terms.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import ahocorasick

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


def _anchor(term: str) -> str:
    """The longest word of the folded term: every match of its regex contains it."""
    return max(fold(term).split(), key=len)


@dataclass(frozen=True)
class _CompiledRule:
    rule: BrandRule
    tree: Node
    terms: tuple[str, ...]  # every term the tree names, negated ones too
    positive: tuple[str, ...]
    exclude: tuple[str, ...]
    always: bool  # holds when no term is found, so it is evaluated on every text


def _compile_rule(rule: BrandRule) -> _CompiledRule:
    tree = rule.tree()
    terms = tuple(dict.fromkeys(query_terms(tree)))
    return _CompiledRule(
        rule,
        tree,
        terms,
        tuple(dict.fromkeys(positive_terms(tree))),
        tuple(dict.fromkeys(rule.exclude)),
        evaluate(tree, lambda _term: False),
    )


class Matcher:
    """Match texts against brand rules; the regexes and automaton are built once, here.

    Raises ``crawlers.query.QueryError`` for a rule whose query does not parse.
    Safe to share between threads: matching only reads.
    """

    def __init__(self, rules: Iterable[BrandRule]) -> None:
        self._rules = tuple(_compile_rule(rule) for rule in rules)
        # Whether some rule is limited to languages, so matching needs the text's.
        self.needs_language = any(c.rule.languages for c in self._rules)
        every = (t for c in self._rules for t in (*c.terms, *c.exclude))
        self._patterns = _compile(every)
        self._always = tuple(i for i, c in enumerate(self._rules) if c.always)
        # term -> the rules whose tree names it (excludes only matter once a rule holds)
        self._owners: dict[str, list[int]] = {}
        for i, compiled in enumerate(self._rules):
            for term in compiled.terms:
                self._owners.setdefault(term, []).append(i)
        by_anchor: dict[str, list[str]] = {}
        for term in self._patterns:
            by_anchor.setdefault(_anchor(term), []).append(term)
        self._automaton: Any = None
        if by_anchor:
            self._automaton = ahocorasick.Automaton()
            for anchor, terms in by_anchor.items():
                self._automaton.add_word(anchor, tuple(terms))
            self._automaton.make_automaton()

    @property
    def rules(self) -> tuple[BrandRule, ...]:
        """The brand rules this matcher applies, in order."""
        return tuple(compiled.rule for compiled in self._rules)

    def found_terms(self, folded: str) -> set[str]:
        """The terms (and exclude terms) of any rule that folded text contains."""
        if self._automaton is None:
            return set()
        candidates: set[str] = set()
        for _end, terms in self._automaton.iter(folded):
            candidates.update(terms)
        patterns = self._patterns
        return {t for t in candidates if patterns[t].search(folded)}

    def match(self, text: str, language: str | None = None) -> list[Match]:
        """The brands ``text`` names (in rule order), each with its matching terms.

        A rule with ``languages`` matches only a text whose ``language`` is one
        of them.
        """
        found = self.found_terms(fold(text))
        chosen = {i for term in found for i in self._owners.get(term, ())}
        chosen.update(self._always)
        matches = []
        for i in sorted(chosen):
            compiled = self._rules[i]
            languages = compiled.rule.languages
            if languages and language not in languages:
                continue
            terms = _holds(compiled, found)
            if terms is not None:
                matches.append(
                    Match(compiled.rule.name, compiled.rule.competitor, terms)
                )
        return matches


def _holds(compiled: _CompiledRule, found: set[str]) -> tuple[str, ...] | None:
    """The rule's matching terms when the ``found`` terms satisfy it, else ``None``."""
    if not evaluate(compiled.tree, found.__contains__):
        return None
    if any(t in found for t in compiled.exclude):
        return None
    return tuple(t for t in compiled.positive if t in found)
