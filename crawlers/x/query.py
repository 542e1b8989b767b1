"""A brand rule in X's search syntax, split into queries of at most 512 characters.

X search (``/2/tweets/search/recent``) ANDs words separated by spaces, ORs
with ``OR``, negates with ``-``, matches ``"exact phrases"`` and filters with
operators such as ``lang:ja`` and ``-is:retweet``. A query may be 512
characters long (Pro: 1,024; we keep to the lower limit so every tier
works). A brand with many terms is split at its top-level ``OR`` into
several queries, each carrying the excludes and operators; X's matching is
looser than Earful's (tokenised, no NFKC), so every result is matched again
locally with the same rules.
"""

from __future__ import annotations

import re

from crawlers.errors import CollectorError
from crawlers.match import BrandRule
from crawlers.query import AllOf, AnyOf, Node, Not, Term

MAX_QUERY = 512
_BARE = re.compile(r"^[A-Za-z0-9_]+$")
_OPERATOR_WORDS = frozenset({"OR", "AND", "NOT"})


class XQueryError(CollectorError):
    """A brand rule that cannot be written as X queries within the length limit."""


def quoted(term: str) -> str:
    """``acme`` stays bare; phrases, Japanese and punctuated terms are quoted."""
    clean = " ".join(term.replace('"', " ").split())
    if _BARE.match(clean) and clean not in _OPERATOR_WORDS:
        return clean
    return f'"{clean}"'


def render(node: Node) -> str:
    """One query tree in X syntax."""
    if isinstance(node, Term):
        return quoted(node.text)
    if isinstance(node, Not):
        inner = render(node.child)
        return f"-{inner}" if isinstance(node.child, Term) else f"-({inner})"
    if isinstance(node, AllOf):
        return " ".join(
            f"({render(c)})" if isinstance(c, AnyOf) else render(c)
            for c in node.children
        )
    return " OR ".join(
        f"({render(c)})" if isinstance(c, AllOf) else render(c) for c in node.children
    )


def _suffix(rule: BrandRule, retweets: bool) -> str:
    parts = [f"-{quoted(t)}" for t in rule.exclude]
    langs = [f"lang:{lang}" for lang in rule.languages]
    if len(langs) == 1:
        parts.append(langs[0])
    elif langs:
        parts.append(f"({' OR '.join(langs)})")
    if not retweets:
        parts.append("-is:retweet")
    return " ".join(parts)


def _wrap(body: str, suffix: str, *, alternatives: bool) -> str:
    if not suffix:
        return body
    return f"({body}) {suffix}" if alternatives else f"{body} {suffix}"


def _is_or(node: Node) -> bool:
    return isinstance(node, AnyOf) and len(node.children) > 1


def x_queries(rule: BrandRule, *, retweets: bool = False) -> list[str]:
    """The rule as X queries that together find what it names (each <= 512 chars)."""
    tree = rule.tree()
    suffix = _suffix(rule, retweets)
    whole = _wrap(render(tree), suffix, alternatives=_is_or(tree))
    if len(whole) <= MAX_QUERY:
        return [whole]
    head: tuple[Node, ...] = ()
    alternatives: tuple[Node, ...] = (tree,)
    if isinstance(tree, AnyOf):
        alternatives = tree.children
    elif isinstance(tree, AllOf):  # split its one OR group, keep the rest in each
        groups = [c for c in tree.children if isinstance(c, AnyOf)]
        if len(groups) == 1:
            head = tuple(c for c in tree.children if c is not groups[0])
            alternatives = groups[0].children
    queries: list[str] = []
    chunk: list[Node] = []
    for alternative in alternatives:
        trial = _part(head, (*chunk, alternative), suffix)
        if len(trial) <= MAX_QUERY:
            chunk.append(alternative)
            continue
        if not chunk:
            msg = (
                f"brand {rule.name!r}: a part of its rule is longer than X's "
                f"{MAX_QUERY}-character query limit: {trial[:80]}…"
            )
            raise XQueryError(msg)
        queries.append(_part(head, tuple(chunk), suffix))
        chunk = [alternative]
    if chunk:
        queries.append(_part(head, tuple(chunk), suffix))
    return queries


def _part(head: tuple[Node, ...], alternatives: tuple[Node, ...], suffix: str) -> str:
    group: Node = alternatives[0] if len(alternatives) == 1 else AnyOf(alternatives)
    if head:
        return _wrap(render(AllOf((*head, group))), suffix, alternatives=False)
    return _wrap(render(group), suffix, alternatives=_is_or(group))
