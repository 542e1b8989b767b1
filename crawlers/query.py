"""The brand query language for brand rules: its grammar, with collector errors.

The grammar and the tree walks live in :mod:`storage.query_language`, shared with
mention search; this module gives brand rules a ``QueryError`` (a
``CollectorError``) for a query that does not parse.
"""

from __future__ import annotations

from crawlers.errors import CollectorError
from storage.errors import QuerySyntaxError
from storage.query_language import (
    MAX_DEPTH,
    MAX_TOKENS,
    AllOf,
    AnyOf,
    Node,
    Not,
    Term,
    evaluate,
    positive_terms,
    terms_of,
)
from storage.query_language import parse_query as parse_syntax

__all__ = [
    "MAX_DEPTH",
    "MAX_TOKENS",
    "AllOf",
    "AnyOf",
    "Node",
    "Not",
    "QueryError",
    "Term",
    "evaluate",
    "parse_query",
    "positive_terms",
    "terms_of",
]


class QueryError(CollectorError):
    """A brand query that does not parse; the message says where and why."""


def parse_query(query: str) -> Node:
    """The query's syntax tree; ``QueryError`` says what is wrong with a bad one."""
    try:
        return parse_syntax(query)
    except QuerySyntaxError as exc:
        raise QueryError(str(exc)) from None
