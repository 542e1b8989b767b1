"""The ``tiktok`` source's settings: the brand's business account and its token."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from crawlers.tokensource import TokenSource

BUSINESS_URL = "https://business-api.tiktok.com/open_api/v1.3"


class TikTokSource(TokenSource):
    """TikTok (API for Business, Accounts API): comments and replies on the brand's
    own videos (``tiktok``).

    TikTok gives a business no search and nothing under other people's videos;
    see "TikTok" below for the credentials and the 24-hour token."""

    collector = "crawlers.tiktok.kind:TikTokKind"
    target_key = "business_id"

    type: Literal["tiktok"]
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
