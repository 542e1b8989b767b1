"""The ``instagram`` source's settings: the brand's account, what is read, the token."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from crawlers.tokensource import TokenSource

GRAPH_URL = "https://graph.facebook.com/v23.0"
HASHTAG_LIMIT = 30  # unique hashtags an account may query per 7 rolling days


class InstagramSource(TokenSource):
    """Instagram (Graph API, a business or creator account linked to a Facebook
    Page): comments under the brand's media, media it is tagged in, and hashtags
    (``instagram``).

    @mentions reach an app only by webhook, which Earful does not receive, and
    there is no keyword search; see "Instagram" below for the credentials, the
    limits and what the API lets a business read."""

    collector = "crawlers.instagram.kind:InstagramKind"
    target_key = "user_id"

    type: Literal["instagram"]
    user_id: Annotated[str, Field(pattern=r"^\d{5,25}$")]
    """The brand's Instagram user id (`GET /me/accounts?fields=instagram_business_account`
    gives it), not its @username."""
    comments: bool = True
    """Read the comments and replies under the brand's newest media."""
    media_max: Annotated[int, Field(ge=1, le=100)] = 25
    """How many of the brand's newest media have their comments watched."""
    tags: bool = True
    """Read the media other accounts tagged the brand in (`/{user-id}/tags`)."""
    hashtags: list[Annotated[str, Field(min_length=1, max_length=100)]] = []
    """Hashtags whose recent media (the last 24 hours) are read, without `#`. Instagram
    lets an account query 30 unique hashtags per 7 rolling days."""
    top_media: bool = False
    """Also read each hashtag's most popular media (`top_media`)."""
    hashtag_budget: Annotated[int, Field(ge=1, le=HASHTAG_LIMIT)] = HASHTAG_LIMIT
    """Unique hashtags this source may query per 7 days (lower it when another app
    queries hashtags for the same account); `earful status` shows the count."""
    max_pages: Annotated[int, Field(ge=1, le=20)] = 3
    """Pages (25 to 50 items) read per edge and poll."""
    token_env: str = "EARFUL_INSTAGRAM_TOKEN"  # noqa: S105 - a variable name
    """Environment variable holding the access token (a long-lived user or system
    user token with instagram_basic, instagram_manage_comments and pages_read_engagement)."""
    api_url: str = GRAPH_URL
    """Graph API root with its version, for proxies and tests."""

    @model_validator(mode="after")
    def _something_to_read(self) -> InstagramSource:
        if not (self.comments or self.tags or self.hashtags):
            msg = "set comments = true, tags = true or some hashtags"
            raise ValueError(msg)
        return self
