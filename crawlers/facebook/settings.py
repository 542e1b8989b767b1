"""The ``facebook`` source's settings: the brand's Page, what is read, the token."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from crawlers.tokensource import TokenSource

GRAPH_URL = "https://graph.facebook.com/v23.0"


class FacebookSource(TokenSource):
    """Facebook Pages (Graph API, a Page access token): comments and replies under
    the Page's posts, and its ratings (recommendations) (``facebook``).

    No search of public posts and nothing from people's profiles or groups; see
    "Facebook Pages" below for the credentials, the limits and the ratings."""

    collector = "crawlers.facebook.kind:FacebookKind"
    target_key = "page_id"

    type: Literal["facebook"]
    page_id: Annotated[str, Field(pattern=r"^\d{5,25}$")]
    """The Page's numeric id (the Page's About section, or `GET /me/accounts`)."""
    comments: bool = True
    """Read the comments and replies under the Page's newest posts."""
    posts_max: Annotated[int, Field(ge=1, le=100)] = 25
    """How many of the Page's newest posts have their comments watched."""
    ratings: bool = False
    """Read the Page's reviews (`/{page-id}/ratings`). Meta's reference marks them
    deprecated from Graph API v22.0: with a newer `api_url` each run warns that they
    were not read."""
    max_pages: Annotated[int, Field(ge=1, le=20)] = 3
    """Pages of 100 comments or ratings read per post and poll."""
    token_env: str = "EARFUL_FACEBOOK_PAGE_TOKEN"  # noqa: S105 - a variable name
    """Environment variable holding the Page access token (pages_read_engagement and
    pages_read_user_content)."""
    api_url: str = GRAPH_URL
    """Graph API root with its version, for proxies and tests."""

    @model_validator(mode="after")
    def _something_to_read(self) -> FacebookSource:
        if not (self.comments or self.ratings):
            msg = "set comments = true or ratings = true"
            raise ValueError(msg)
        return self
