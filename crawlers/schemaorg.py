"""schema.org Review and AggregateRating from JSON-LD, microdata and RDFa (extruct)."""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Iterator
from copy import deepcopy
from dataclasses import dataclass, field
from typing import Any

import extruct
from parsel import Selector

from crawlers.text import html_to_text, one_line

SYNTAXES = ["json-ld", "microdata", "rdfa"]
_SCHEMA_ORG = ("http://schema.org/", "https://schema.org/")
DEFAULT_BEST = 5.0
DEFAULT_WORST = 1.0  # schema.org's default worstRating
# Searched in the lower-cased page, with whether a match must start a word (as
# ``\b`` would say). Each starts with a literal, which re finds fast; a leading
# ``\b`` or re.IGNORECASE would make it try every offset (~20 ms a large page).
_MARKERS = {
    "json-ld": (re.compile(r"application/ld\+json"), False),
    "microdata": (re.compile(r"itemscope\b"), True),
    "rdfa": (re.compile(r"""typeof\s*=\s*["']?[^"'>]*(?:review|rating)"""), True),
}
_WORD_CHAR = re.compile(r"\w")
# reviewBody values that are a template's, not a reviewer's: "comment" from an
# unfilled field, or an unexpanded {{ token }}; the visible text is used instead.
_PLACEHOLDERS = frozenset(
    {"comment", "comments", "review", "reviewbody", "text", "body", "content"}
    | {"description", "undefined", "null", "none", "n/a"}
)
_TEMPLATE = re.compile(r"^(?:\{\{.*\}\}|\$\{.*\}|<%.*%>|\[\[.*\]\]|%\w+%)$", re.DOTALL)
# What is not the reviewer's prose: other properties (name, author, rating),
# nested items, hidden parts. A visible description or text property stays: a
# page that puts the placeholder in reviewBody often shows the text there.
_NOT_PROSE = (
    ".//*[(@itemprop and not(@itemprop='description' or @itemprop='text')"
    " and not(@itemscope)) or @itemscope or @hidden or self::meta or self::link"
    " or self::script or self::style or contains(translate(@style, ' ', ''),"
    " 'display:none')]"
)

logging.getLogger("extruct").setLevel(logging.ERROR)  # broken JSON-LD blocks


@dataclass(frozen=True)
class Scale:
    """A rating's scale: its best and worst values."""

    best: float = DEFAULT_BEST
    worst: float = DEFAULT_WORST


@dataclass
class Review:
    """One review read from a page's markup."""

    text: str
    title: str | None
    author: str | None
    published: str | None
    rating: float | None  # as the page wrote it
    rating_best: float | None  # the best of its scale (bestRating, default 5)
    item_reviewed: str | None
    ident: str | None  # the review's own @id or url, where it has one


@dataclass
class PageReviews:
    """Every review on a page and the page's aggregate rating (as context)."""

    reviews: list[Review] = field(default_factory=list)
    aggregate: dict[str, Any] | None = None
    not_reviews: int = 0  # Review nodes that are not a customer's (is_customer_review)


def is_customer_review(review: Review) -> bool:
    """Whether a schema.org Review is what someone wrote about a thing.

    A Review with neither a rating nor an author is a page marked up as one (a
    news site's theme puts ``itemtype=Review`` on every article's whole post):
    storing it would make the article a customer review.
    """
    return review.rating is not None or review.author is not None


def _types(node: dict[str, Any]) -> set[str]:
    raw = node.get("@type") or ()
    values = raw if isinstance(raw, list | tuple) else [raw]  # "@type": 7 is a page's
    return {v.rsplit("/", 1)[-1] for v in values if isinstance(v, str)}


def _first(value: Any) -> Any:
    return value[0] if isinstance(value, list) and value else value


def _name(value: Any) -> str | None:
    """A Person/Thing's name, or the plain string the markup gives instead."""
    value = _first(value)
    if isinstance(value, dict):
        value = value.get("name")
    value = _first(value)
    if isinstance(value, str | int | float) and str(value).strip():
        return one_line(str(value))
    return None


def _number(value: Any) -> float | None:
    value = _first(value)
    if isinstance(value, dict):
        value = value.get("ratingValue")
    try:
        return float(str(value).strip().replace(",", "."))
    except ValueError:
        return None


def _scale(node: Any, fallback: Scale) -> Scale:
    if not isinstance(node, dict):
        return fallback
    best = _number(node.get("bestRating"))
    worst = _number(node.get("worstRating"))
    return Scale(
        best if best is not None else fallback.best,
        worst if worst is not None else fallback.worst,
    )


def _walk(node: Any, parent: str | None) -> Iterator[tuple[dict[str, Any], str | None]]:
    """Every dict in the tree with the name of the thing that holds it."""
    if isinstance(node, list):
        for child in node:
            yield from _walk(child, parent)
    elif isinstance(node, dict):
        yield node, parent
        name = _name(node.get("name")) or parent
        for value in node.values():
            yield from _walk(value, name)


def is_placeholder(text: str) -> bool:
    """Whether a review body is a template's placeholder, not what someone wrote."""
    text = text.strip()
    return text.casefold() in _PLACEHOLDERS or bool(_TEMPLATE.match(text))


def visible_text(element: Any) -> str:
    """The text a reader sees in a microdata item, less its other properties.

    Properties (``itemprop``), nested items, ``meta``/``link`` values and hidden
    elements are dropped, so what is left is the prose beside them.
    """
    copy = deepcopy(element)
    for child in copy.xpath(_NOT_PROSE):
        child.drop_tree()  # keeps the text that follows it
    return html_to_text(Selector(root=copy, type="html").get())


def _body(node: dict[str, Any]) -> str:
    """The review's text; the visible text beside a placeholder ``reviewBody``.

    A placeholder with nothing visible beside it gives no text at all: a
    template's word is never stored as what a customer wrote.
    """
    body = _first(node.get("reviewBody") or node.get("description") or "")
    body = html_to_text(str(body))
    if not is_placeholder(body):
        return body
    element = node.get("htmlNode")
    visible = visible_text(element) if element is not None else ""
    return "" if is_placeholder(visible) else visible


def _review(node: dict[str, Any], about: str | None, scale: Scale) -> Review:
    rating_node = _first(node.get("reviewRating"))
    value = _number(rating_node)
    ident = _first(node.get("@id") or node.get("url"))
    return Review(
        text=_body(node),
        title=_name(node.get("name") or node.get("headline")),
        author=_name(node.get("author") or node.get("creator")),
        published=_name(node.get("datePublished") or node.get("dateCreated")),
        rating=value,
        rating_best=None if value is None else _scale(rating_node, scale).best,
        item_reviewed=_name(node.get("itemReviewed")) or about,
        ident=ident.strip() if _own_id(ident) else None,
    )


def _own_id(ident: Any) -> bool:
    """Whether ``ident`` names the review itself (a blank node ``_:b0`` does not)."""
    return isinstance(ident, str) and bool(ident.strip()) and not ident.startswith("_:")


def _key(review: Review) -> str:
    """What makes two syntaxes' copies of one review the same review."""
    text = one_line(review.text)[:100].casefold()
    return hashlib.sha256(f"{review.author}\x00{text}".encode()).hexdigest()


def _compact(
    node: dict[str, Any], nodes: dict[str, dict[str, Any]], seen: frozenset[str]
) -> dict[str, Any]:
    """An expanded RDFa node as a JSON-LD-like dict: short keys, values, nested nodes."""
    seen = seen | {str(node.get("@id"))}
    out: dict[str, Any] = {"@type": node.get("@type", [])}
    for key, values in node.items():
        if not key.startswith(_SCHEMA_ORG):
            continue
        items = []
        for value in values if isinstance(values, list) else [values]:
            ref = value.get("@id") if isinstance(value, dict) else None
            if isinstance(value, dict) and "@value" in value:
                items.append(value["@value"])
            elif ref in nodes and ref not in seen:
                items.append(_compact(nodes[ref], nodes, seen))
            elif ref:
                items.append(ref)
        out[key.rsplit("/", 1)[-1]] = items[0] if len(items) == 1 else items
    return out


def rdfa_things(graph: Any) -> list[dict[str, Any]]:
    """extruct's RDFa graph as nested schema.org things shaped like JSON-LD's.

    The graph is expanded JSON-LD: full property IRIs, ``@value`` wrappers and
    nodes linked by ``@id``. One thing per node that no other node refers to.
    """
    if not isinstance(graph, list):
        return []
    nodes = {str(n["@id"]): n for n in graph if isinstance(n, dict) and "@id" in n}
    referred = {
        str(value["@id"])
        for node in nodes.values()
        for values in node.values()
        if isinstance(values, list)
        for value in values
        if isinstance(value, dict) and "@id" in value
    }
    return [
        _compact(node, nodes, frozenset())
        for key, node in nodes.items()
        if key not in referred
    ]


def syntaxes_in(html: str) -> list[str]:
    """The syntaxes ``html`` may hold reviews in; the others are not worth parsing.

    RDFa is the slow one (its own DOM parser and a graph per page), and a Review
    or AggregateRating in RDFa is always a ``typeof``, so without such a
    ``typeof`` it is skipped; JSON-LD needs a script, microdata an ``itemscope``.
    """
    lowered = html.lower()
    return [
        syntax
        for syntax, (marker, word) in _MARKERS.items()
        if _found(marker, lowered, word=word)
    ]


def _found(marker: re.Pattern[str], text: str, *, word: bool) -> bool:
    """Whether ``marker`` matches in ``text`` (where a word starts, if ``word``)."""
    found = marker.search(text)
    while found and word and not _starts_word(text, found.start()):
        found = marker.search(text, found.start() + 1)
    return found is not None


def _starts_word(text: str, index: int) -> bool:
    """Whether a word starts at ``index`` (no word character before it)."""
    return index == 0 or not _WORD_CHAR.match(text, index - 1)


def page_reviews(html: str, url: str, tree: object | None = None) -> PageReviews:
    """The reviews in ``html`` (deduplicated across syntaxes) and its aggregate.

    ``tree``, the page already parsed by lxml's HTML parser (an
    ``lxml.html.HtmlElement``, such as a Scrapy response's ``selector.root``),
    saves parsing it again when RDFa (which needs a DOM of its own) is not among
    its syntaxes.
    """
    syntaxes = syntaxes_in(html)
    if not syntaxes:
        return PageReviews()
    source = html if tree is None or "rdfa" in syntaxes else tree
    data = extruct.extract(
        source,
        base_url=url,
        syntaxes=syntaxes,
        uniform=True,
        errors="ignore",
        return_html_node=True,  # microdata: the visible text beside a placeholder
    )
    if "rdfa" in data:
        data["rdfa"] = rdfa_things(data["rdfa"])
    nodes = [pair for syntax in SYNTAXES for pair in _walk(data.get(syntax), None)]
    found = PageReviews()
    scale = Scale()
    for node, parent in nodes:
        if "AggregateRating" in _types(node) and found.aggregate is None:
            scale = _scale(node, scale)
            found.aggregate = {
                "value": _number(node),
                "best": scale.best,
                "worst": scale.worst,
                "count": _number(node.get("ratingCount") or node.get("reviewCount")),
                "item_reviewed": _name(node.get("itemReviewed")) or parent,
            }
    seen: set[str] = set()
    for node, parent in nodes:
        if "Review" in _types(node):
            review = _review(node, parent, scale)
            if not is_customer_review(review):
                found.not_reviews += 1
            elif _key(review) not in seen:
                seen.add(_key(review))
                found.reviews.append(review)
    return found
