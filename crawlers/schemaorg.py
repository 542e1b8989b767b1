"""schema.org Review and AggregateRating from JSON-LD, microdata and RDFa (extruct)."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import extruct

from crawlers.text import html_to_text, one_line

SYNTAXES = ["json-ld", "microdata", "rdfa"]
DEFAULT_BEST = 5.0
DEFAULT_WORST = 1.0  # schema.org's default worstRating
_REVIEW_KEYS = ("review", "reviews")

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
    rating: float | None  # 0-1
    rating_value: float | None  # as the page wrote it
    item_reviewed: str | None
    ident: str | None  # the review's own @id or url, where it has one


@dataclass
class PageReviews:
    """Every review on a page and the page's aggregate rating (as context)."""

    reviews: list[Review] = field(default_factory=list)
    aggregate: dict[str, Any] | None = None


def _types(node: dict[str, Any]) -> set[str]:
    raw = node.get("@type") or ()
    values = [raw] if isinstance(raw, str) else list(raw)
    return {str(v).rsplit("/", 1)[-1] for v in values}


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


def normalise(value: float, scale: Scale) -> float | None:
    """``value`` on ``scale`` mapped to 0-1 (1 = best), clipped; ``None`` if no range."""
    span = scale.best - scale.worst
    if span <= 0:
        return None
    return min(1.0, max(0.0, (value - scale.worst) / span))


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


def _review(node: dict[str, Any], about: str | None, scale: Scale) -> Review:
    body = _first(node.get("reviewBody") or node.get("description") or "")
    rating_node = _first(node.get("reviewRating"))
    value = _number(rating_node)
    rating = None
    if value is not None:
        rating = normalise(value, _scale(rating_node, scale))
    ident = _first(node.get("@id") or node.get("url"))
    return Review(
        text=html_to_text(str(body)),
        title=_name(node.get("name") or node.get("headline")),
        author=_name(node.get("author") or node.get("creator")),
        published=_name(node.get("datePublished") or node.get("dateCreated")),
        rating=rating,
        rating_value=value,
        item_reviewed=_name(node.get("itemReviewed")) or about,
        ident=str(ident) if isinstance(ident, str) and ident.strip() else None,
    )


def _key(review: Review) -> str:
    """What makes two syntaxes' copies of one review the same review."""
    text = one_line(review.text)[:100].casefold()
    return hashlib.sha256(f"{review.author}\x00{text}".encode()).hexdigest()


def page_reviews(html: str, url: str) -> PageReviews:
    """The reviews in ``html`` (deduplicated across syntaxes) and its aggregate."""
    data = extruct.extract(
        html, base_url=url, syntaxes=SYNTAXES, uniform=True, errors="ignore"
    )
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
            if _key(review) not in seen:
                seen.add(_key(review))
                found.reviews.append(review)
    return found
