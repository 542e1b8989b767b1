"""Spider-argument models: what each spider accepts, validated before it runs."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator

HTTP_SCHEMES = frozenset({"http", "https"})


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
