"""Recipes: per-site selectors for pages without markup, and the ones Earful ships.

A selector is CSS (Scrapy's flavour, ``::attr(name)`` and ``::text`` included)
or XPath when it starts with ``/``, ``./`` or ``(``. Each field takes the first
match inside the item's container, so a container nested in another (as broken
markup makes them) still reads its own values. The shipped recipes live in
``crawlers/recipes.json`` and are chosen by name (``recipe = "xenforo"``).

A field may also be a list of alternatives, tried in order until one matches:
one per version of the site's software (XenForo 1 and 2, vBulletin 3 to 5),
because a site upgrades without telling anyone and a recipe must survive it.
The first alternative that matches wins, and ``source check`` says which one
it was, so a recipe's stale alternatives can be seen and dropped.
"""

from __future__ import annotations

import json
import re
from functools import cache
from importlib.resources import files
from typing import Annotated, Literal

from cssselect import SelectorError
from parsel import Selector, SelectorList
from pydantic import BaseModel, ConfigDict, Field, field_validator

SELECTOR_FIELDS = (
    "item",
    "text",
    "id",
    "title",
    "author",
    "date",
    "rating",
    "permalink",
    "next_page",
)
_PROBE = Selector(text="<html><body></body></html>")


def select(selector: Selector, query: str) -> SelectorList[Selector]:
    """Apply ``query`` as XPath when it starts like one (``/``, ``./``, ``(``), else CSS."""
    if query.startswith(("/", "./", "(")):
        return selector.xpath(query)
    return selector.css(query)


Selectors = str | list[str]
"""One selector, or alternatives tried in order (one per version of a site)."""


def alternatives(query: Selectors | None) -> list[str]:
    """``query`` as the list of its alternatives (``[]`` for none)."""
    if not query:
        return []
    return [query] if isinstance(query, str) else list(query)


def shown(query: Selectors) -> str:
    """``query`` for a message: ``'a.x'``, or ``'a.x' or 'b.y'`` for alternatives."""
    return " or ".join(repr(one) for one in alternatives(query))


def select_first(
    selector: Selector, query: Selectors | None
) -> tuple[SelectorList[Selector], int | None]:
    """The matches of the first alternative of ``query`` that matches, and its index."""
    for index, one in enumerate(alternatives(query)):
        found = select(selector, one)
        if found:
            return found, index
    return SelectorList([]), None


def _valid_selector(query: str) -> str:
    try:
        select(_PROBE, query)
    except (ValueError, SelectorError) as exc:  # bad XPath, bad CSS
        kind = "XPath" if query.startswith(("/", "./", "(")) else "CSS"
        msg = f"invalid {kind} selector {query!r}: {str(exc).splitlines()[0]}"
        raise ValueError(msg) from None
    return query


class Recipe(BaseModel):
    """Where a page keeps its posts or reviews, as CSS or XPath selectors.

    Any selector key may instead be a list of alternatives, tried in order until
    one matches (one per version of the site's markup): `source check` says
    which one matched.
    """

    model_config = ConfigDict(
        extra="forbid", frozen=True, use_attribute_docstrings=True
    )

    kind: Literal["forum", "reviews"] = "forum"
    """What the items are; stored as the mentions' `source_type`."""
    item: Annotated[Selectors, Field(min_length=1)]
    """The container of one post or review."""
    text: Annotated[Selectors, Field(min_length=1)]
    """The post's or review's body, inside the container."""
    remove: list[str] = []
    """Parts of the body to drop: quoted earlier posts, signatures."""
    id: Selectors | None = None
    """The item's id at the site (default: a digest of author, date and title)."""
    title: Selectors | None = None
    """The item's title (default: the page's title)."""
    author: Selectors | None = None
    """The author's name."""
    date: Selectors | None = None
    """When it was posted: a machine date or any text dateparser reads."""
    date_pattern: str | None = None
    """A regular expression whose first group cuts the date out of the date text."""
    date_order: Literal["DMY", "MDY", "YMD"] | None = None
    """How to read ambiguous numeric dates such as 03/04/05."""
    rating: Selectors | None = None
    """The rating text, such as `4.0 out of 5 stars` or `4/5`."""
    rating_best: Annotated[float, Field(gt=0)] = 5.0
    """The best rating when the text does not say (`out of N`, `/N`)."""
    permalink: Selectors | None = None
    """A link to the item itself."""
    next_page: Selectors | None = None
    """The link to the next page of the thread or list."""

    @field_validator(*SELECTOR_FIELDS)
    @classmethod
    def _selector(cls, value: Selectors | None) -> Selectors | None:
        if isinstance(value, list):
            if not all(value):
                msg = "an alternative is empty"
                raise ValueError(msg)
            return [_valid_selector(query) for query in value]
        return _valid_selector(value) if value else value

    @field_validator("remove")
    @classmethod
    def _selectors(cls, value: list[str]) -> list[str]:
        return [_valid_selector(query) for query in value]

    @field_validator("date_pattern")
    @classmethod
    def _pattern(cls, value: str | None) -> str | None:
        if value is None:
            return value
        try:
            groups = re.compile(value).groups
        except re.error as exc:
            msg = f"invalid regular expression: {exc}"
            raise ValueError(msg) from None
        if groups < 1:
            msg = "needs a group, e.g. (\\d+\\.\\d+\\.\\d+), around the date"
            raise ValueError(msg)
        return value


@cache
def shipped() -> dict[str, Recipe]:
    """The recipes that come with Earful, by name."""
    text = files("crawlers").joinpath("recipes.json").read_text(encoding="utf-8")
    return {name: Recipe.model_validate(raw) for name, raw in json.loads(text).items()}
