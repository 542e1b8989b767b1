"""The settings of an ``instagram`` source: the brand's account, what is read, the token."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from crawlers.instagram.collect import InstagramParams
from crawlers.instagram.hashtags import LIMIT
from crawlers.metagraph import GraphAccess

GRAPH_URL = "https://graph.facebook.com/v23.0"


class InstagramSettings(BaseModel):
    """Instagram (Graph API, a business or creator account linked to a Facebook
    Page): comments under the brand's media, media it is tagged in, and hashtags."""

    model_config = ConfigDict(extra="forbid")

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
    hashtag_budget: Annotated[int, Field(ge=1, le=LIMIT)] = LIMIT
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
    def _something_to_read(self) -> InstagramSettings:
        if not (self.comments or self.tags or self.hashtags):
            msg = "set comments = true, tags = true or some hashtags"
            raise ValueError(msg)
        return self

    def access(self, environ: Mapping[str, str]) -> GraphAccess:
        """The token from the variable this source names (None when unset)."""
        token = environ.get(self.token_env, "").strip()
        return GraphAccess(token or None, self.token_env, self.api_url)

    def params(self, source: str, environ: Mapping[str, str]) -> InstagramParams:
        """What the collector reads, for the source named ``source``."""
        return InstagramParams(
            source=source,
            access=self.access(environ),
            user_id=self.user_id,
            comments=self.comments,
            media_max=self.media_max,
            tags=self.tags,
            hashtags=tuple(self.hashtags),
            top_media=self.top_media,
            hashtag_budget=self.hashtag_budget,
            max_pages=self.max_pages,
        )
