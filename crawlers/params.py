"""Spider-argument models: what each spider accepts, validated before it runs."""

from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from crawlers.recipes import Recipe, shipped

HTTP_SCHEMES = frozenset({"http", "https"})
RecipeName = Literal[
    "amazon",
    "appstore",
    "cosme",
    "discourse",
    "forumotion",
    "googleplay",
    "kakaku",
    "phpbb",
    "tabelog",
    "trustpilot",
    "tripadvisor",
    "vbulletin",
    "xenforo",
    "yelp",
]


class UrlParam(BaseModel):
    """Mixin for spiders that start from one http(s) URL."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, use_attribute_docstrings=True
    )

    url: str
    """Where to start: an http:// or https:// URL."""

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        value = value.strip()
        parts = urlsplit(value)
        if parts.scheme.lower() not in HTTP_SCHEMES or not parts.netloc:
            msg = f"must be an http:// or https:// URL with a host, got {value!r}"
            raise ValueError(msg)
        return value


class FeedParams(UrlParam):
    """Arguments of the ``feed`` spider: the feed's URL and how many entries to take."""

    max_items: Annotated[int, Field(gt=0)] = 200
    """Most entries taken from one fetch of the feed."""


class PageParams(UrlParam):
    """Arguments shared by HTML spiders: where to start and how far to page."""

    max_pages: Annotated[int, Field(gt=0, le=1000)] = 20
    """Most pages followed from the first one in one crawl."""
    next_page: str | None = None
    """CSS or XPath selector of the next-page link (default: `rel=next`)."""


class ReviewsParams(PageParams):
    """Arguments of the ``reviews`` spider (schema.org Review markup)."""


class ForumParams(PageParams):
    """Arguments of the ``forum`` spider: a page and the recipe that reads it."""

    recipe: RecipeName | None = None
    """A shipped recipe by name. Review sites: `amazon` (desktop and mobile),
    `appstore` (App Store web pages), `cosme` (@cosme), `googleplay` (Google Play
    web pages), `kakaku` (価格.com),
    `tabelog` (食べログ), `tripadvisor`, `trustpilot`, `yelp`. Forums: `discourse`, `forumotion`, `phpbb`,
    `vbulletin`, `xenforo`."""
    selectors: Recipe | None = None
    """Your own recipe (`[sources.selectors]`), for sites no shipped recipe fits."""

    @model_validator(mode="after")
    def _one_recipe(self) -> ForumParams:
        if self.recipe is None and self.selectors is None:
            msg = (
                "set recipe (a shipped one's name) or selectors (your own); "
                "`earful source check` shows what each extracts"
            )
            raise ValueError(msg)
        if self.recipe is not None and self.selectors is not None:
            msg = "set recipe or selectors, not both"
            raise ValueError(msg)
        return self

    def chosen(self) -> Recipe:
        """The recipe this source uses."""
        return self.selectors or shipped()[str(self.recipe)]


class HackerNewsParams(BaseModel):
    """Arguments of the ``hackernews`` spider (the Algolia HN Search API)."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, use_attribute_docstrings=True
    )

    query: Annotated[str, Field(min_length=1)]
    """Words to search for (Algolia's full-text search); brands are matched after."""
    tags: Annotated[list[Literal["story", "comment", "poll"]], Field(min_length=1)] = [
        "story",
        "comment",
    ]
    """Which kinds of items to collect, one search each."""
    api_url: str = "https://hn.algolia.com/api/v1"
    """The API's base URL (for proxies and tests)."""
    hits_per_page: Annotated[int, Field(gt=0, le=1000)] = 100
    """Items asked for per request."""
    max_pages: Annotated[int, Field(gt=0, le=50)] = 5
    """Most result pages read per kind in one crawl."""
