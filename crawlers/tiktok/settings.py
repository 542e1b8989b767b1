"""The settings of a ``tiktok`` source: the brand's business account and its token."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from crawlers.metagraph import GraphAccess
from crawlers.tiktok.collect import TikTokParams

BUSINESS_URL = "https://business-api.tiktok.com/open_api/v1.3"


class TikTokSettings(BaseModel):
    """TikTok (API for Business, Accounts API): comments and replies on the brand's
    own videos. TikTok gives a business no search and nothing under other people's
    videos."""

    model_config = ConfigDict(extra="forbid")

    business_id: Annotated[str, Field(min_length=1, max_length=200)]
    """The business account's id (the `open_id` its authorization returned)."""
    videos_max: Annotated[int, Field(ge=1, le=20)] = 20
    """How many of the account's newest videos have their comments watched."""
    max_pages: Annotated[int, Field(ge=1, le=20)] = 3
    """Pages of 30 comments read per video and poll."""
    token_env: str = "EARFUL_TIKTOK_TOKEN"  # noqa: S105 - a variable name
    """Environment variable holding the account's access token (scopes
    `business.info.basic`, `video.list`, `comment.list`; it expires after 24 hours
    and must be refreshed by the operator's token job)."""
    api_url: str = BUSINESS_URL
    """API root with its version, for the sandbox, proxies and tests."""

    def access(self, environ: Mapping[str, str]) -> GraphAccess:
        """The token from the variable this source names (None when unset)."""
        token = environ.get(self.token_env, "").strip()
        return GraphAccess(token or None, self.token_env, self.api_url)

    def params(self, source: str, environ: Mapping[str, str]) -> TikTokParams:
        """What the collector reads, for the source named ``source``."""
        return TikTokParams(
            source=source,
            access=self.access(environ),
            business_id=self.business_id,
            videos_max=self.videos_max,
            max_pages=self.max_pages,
        )
