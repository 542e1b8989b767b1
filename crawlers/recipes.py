"""Recipes: per-site selectors for pages without markup, and the ones Earful ships.

A selector is CSS (Scrapy's flavour, ``::attr(name)`` and ``::text`` included)
or XPath when it starts with ``/``, ``./`` or ``(``. Each field takes the first
match inside the item's container, so a container nested in another (as broken
markup makes them) still reads its own values. The shipped recipes live in
``crawlers/recipes.json`` and are chosen by name (``recipe = "xenforo"``).
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


def _valid_selector(query: str) -> str:
    try:
        select(_PROBE, query)
    except (ValueError, SelectorError) as exc:  # bad XPath, bad CSS
        kind = "XPath" if query.startswith(("/", "./", "(")) else "CSS"
        msg = f"invalid {kind} selector {query!r}: {str(exc).splitlines()[0]}"
        raise ValueError(msg) from None
    return query


class Recipe(BaseModel):
    """Where a page keeps its posts or reviews, as CSS or XPath selectors."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, use_attribute_docstrings=True
    )

    kind: Literal["forum", "reviews"] = "forum"
    """What the items are; stored as the mentions' `source_type`."""
    item: Annotated[str, Field(min_length=1)]
    """The container of one post or review."""
    text: Annotated[str, Field(min_length=1)]
    """The post's or review's body, inside the container."""
    remove: list[str] = []
    """Parts of the body to drop: quoted earlier posts, signatures."""
    id: str | None = None
    """The item's id at the site (default: a digest of author, date and title)."""
    title: str | None = None
    """The item's title (default: the page's title)."""
    author: str | None = None
    """The author's name."""
    date: str | None = None
    """When it was posted: a machine date or any text dateparser reads."""
    date_pattern: str | None = None
    """A regular expression whose first group cuts the date out of the date text."""
    date_order: Literal["DMY", "MDY", "YMD"] | None = None
    """How to read ambiguous numeric dates such as 03/04/05."""
    rating: str | None = None
    """The rating text, such as `4.0 out of 5 stars` or `4/5`."""
    rating_best: Annotated[float, Field(gt=0)] = 5.0
    """The best rating when the text does not say (`out of N`, `/N`)."""
    permalink: str | None = None
    """A link to the item itself."""
    next_page: str | None = None
    """The link to the next page of the thread or list."""

    @field_validator(*SELECTOR_FIELDS)
    @classmethod
    def _selector(cls, value: str | None) -> str | None:
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
