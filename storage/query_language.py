"""The brand query language: terms, "quoted phrases", AND, OR, NOT and parentheses.

Shared by brand matching (``crawlers.match``, through ``crawlers.query``) and
mention search (``storage.search``), so ``--search`` reads a query exactly as a
brand's ``query`` key does. It lives in ``storage`` because storage imports no
other package; it knows only the grammar, not how a term is matched.

Grammar (operators are upper-case words; adjacent terms mean AND)::

    query  := or
    or     := and ("OR" and)*
    and    := unary (["AND"] unary)*
    unary  := "NOT" unary | "(" or ")" | PHRASE | WORD

A PHRASE is quoted with ``"…"`` or with Japanese corner brackets ``「…」`` or
``『…』``, as a Japanese team writes a quotation: ``「ログインできない」 OR 落ちる``.

``acme AND (blender OR mixer) NOT "acme corp"`` names Acme's kitchen machines
but not the unrelated company. Each term matches as ``crawlers.match`` says:
whole words in spaced scripts, substrings in Japanese/Chinese, after NFKC.

The parser and the tree walks recurse, so nesting (parentheses and ``NOT``) is
capped at ``MAX_DEPTH`` and a query at ``MAX_TOKENS``: a query 500 deep is a
``QuerySyntaxError``, never a ``RecursionError`` out of ``config check``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from storage.errors import QuerySyntaxError

_TOKEN = re.compile(r'\s*(?:(\()|(\))|"([^"]*)"|「([^」]*)」|『([^』]*)』|([^\s()"]+))')
OPERATORS = frozenset({"AND", "OR", "NOT"})
MAX_DEPTH = 32  # nested parentheses and NOTs; real queries use 2 or 3
MAX_TOKENS = 1000  # words, phrases, operators and parentheses
SHOWN = 80  # characters of a bad query quoted in its error


@dataclass(frozen=True)
class Term:
    """One word or phrase."""

    text: str


@dataclass(frozen=True)
class Not:
    """True when ``child`` is false."""

    child: Node


@dataclass(frozen=True)
class AllOf:
    """True when every child is."""

    children: tuple[Node, ...]


@dataclass(frozen=True)
class AnyOf:
    """True when some child is."""

    children: tuple[Node, ...]


Node = Term | Not | AllOf | AnyOf


def tokens(query: str) -> list[str]:
    """The query's lexemes: words, ``"``-prefixed phrases, operators, parentheses."""
    found_tokens: list[str] = []
    position = 0
    query = query.rstrip()
    while position < len(query):
        found = _TOKEN.match(query, position)
        if found is None:
            shown = query if len(query) <= SHOWN else query[:SHOWN] + "…"
            msg = f"unbalanced quote at character {position + 1} of {shown!r}"
            raise QuerySyntaxError(msg)
        opening, closing, quoted, bracketed, double, word = found.groups()
        phrase = next((p for p in (quoted, bracketed, double) if p is not None), None)
        found_tokens.append(
            opening or closing or (f'"{phrase}' if phrase is not None else word)
        )
        position = found.end()
    return found_tokens


class _Parser:
    def __init__(self, query: str) -> None:
        self.query = query
        self.tokens = tokens(query)
        self.at = 0
        self.depth = 0
        if len(self.tokens) > MAX_TOKENS:
            msg = f"more than {MAX_TOKENS} words and operators"
            raise self._fail(msg)

    def _peek(self) -> str | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def _fail(self, problem: str) -> QuerySyntaxError:
        shown = self.query if len(self.query) <= SHOWN else self.query[:SHOWN] + "…"
        return QuerySyntaxError(f"{problem} in query {shown!r}")

    def parse(self) -> Node:
        node = self._or()
        if self._peek() is not None:
            raise self._fail(f"unexpected {self._peek()!r}")
        return node

    def _many(
        self, parts: list[Node], kind: Callable[[tuple[Node, ...]], Node]
    ) -> Node:
        return parts[0] if len(parts) == 1 else kind(tuple(parts))

    def _or(self) -> Node:
        parts = [self._and()]
        while self._peek() == "OR":
            self.at += 1
            parts.append(self._and())
        return self._many(parts, AnyOf)

    def _and(self) -> Node:
        parts = [self._unary()]
        while (lexeme := self._peek()) is not None and lexeme not in {"OR", ")"}:
            if lexeme == "AND":
                self.at += 1
            parts.append(self._unary())
        return self._many(parts, AllOf)

    def _unary(self) -> Node:
        lexeme = self._peek()
        if lexeme is None:
            raise self._fail("a term is missing at the end")
        self.at += 1
        if lexeme in {"NOT", "("}:
            self.depth += 1
            if self.depth > MAX_DEPTH:
                msg = f"nested more than {MAX_DEPTH} deep (parentheses and NOTs)"
                raise self._fail(msg)
            node = self._nested(lexeme)
            self.depth -= 1
            return node
        if lexeme in OPERATORS or lexeme == ")":
            raise self._fail(f"a term is missing before {lexeme!r}")
        text = lexeme.removeprefix('"')
        if not text.strip():
            raise self._fail("empty phrase")
        return Term(text)

    def _nested(self, lexeme: str) -> Node:
        if lexeme == "NOT":
            return Not(self._unary())
        node = self._or()
        if self._peek() != ")":
            raise self._fail("missing ')'")
        self.at += 1
        return node


def parse_query(query: str) -> Node:
    """The query's syntax tree; ``QuerySyntaxError`` says what is wrong with a bad one."""
    if not query.strip():
        msg = "empty query"
        raise QuerySyntaxError(msg)
    return _Parser(query).parse()


def terms_of(node: Node) -> list[str]:
    """Every term in the tree, in order (negated ones too)."""
    if isinstance(node, Term):
        return [node.text]
    if isinstance(node, Not):
        return terms_of(node.child)
    return [term for child in node.children for term in terms_of(child)]


def evaluate(node: Node, found: Callable[[str], bool]) -> bool:
    """Whether the tree holds, given which terms a text contains."""
    if isinstance(node, Term):
        return found(node.text)
    if isinstance(node, Not):
        return not evaluate(node.child, found)
    if isinstance(node, AllOf):
        return all(evaluate(child, found) for child in node.children)
    return any(evaluate(child, found) for child in node.children)


def positive_terms(node: Node) -> list[str]:
    """The terms that count for a match (not under a NOT)."""
    if isinstance(node, Term):
        return [node.text]
    if isinstance(node, Not):
        return []
    return [term for child in node.children for term in positive_terms(child)]
