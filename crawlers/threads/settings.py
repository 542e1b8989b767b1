"""The ``threads`` source's settings: the brand's profile, what is read, the token."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from crawlers.tokensource import TokenSource

THREADS_URL = "https://graph.threads.net/v1.0"
SEARCH_LIMIT = 2200  # keyword queries per user per rolling 24 hours


class ThreadsSource(TokenSource):
    """Threads (Threads API, the brand's profile): replies to its posts, mentions of
    it, and keyword search where Meta approved it (``threads``).

    See "Threads" below for the credentials, the 2,200 keyword queries a day,
    and what the API lets a business read."""

    collector = "crawlers.threads.kind:ThreadsKind"
    target_key = "user_id"

    type: Literal["threads"]
    user_id: Annotated[str, Field(pattern=r"^\d{5,25}$")]
    """The brand's Threads user id (`GET /me?fields=id` with its token)."""
    replies: bool = True
    """Read the replies under the brand's recent posts (`/{media-id}/conversation`)."""
    follow_days: Annotated[float, Field(gt=0, le=90)] = 7.0
    """Days a post's replies are read after it is posted."""
    posts_max: Annotated[int, Field(ge=1, le=100)] = 25
    """How many of the brand's newest posts are looked at."""
    mentions: bool = True
    """Read posts that mention the brand's profile (needs `threads_manage_mentions`)."""
    search: bool = False
    """Search each brand's terms in recent public posts (`/keyword_search`; needs
    `threads_keyword_search`, approved in app review; without it Threads searches
    only the brand's own posts, and each run says so)."""
    search_budget: Annotated[int, Field(ge=1, le=SEARCH_LIMIT)] = SEARCH_LIMIT
    """Keyword queries this source may send per rolling 24 hours (Threads allows
    2,200 a user across apps); `earful status` shows the count."""
    max_pages: Annotated[int, Field(ge=1, le=20)] = 3
    """Pages of up to 100 posts read per edge and poll."""
    token_env: str = "EARFUL_THREADS_TOKEN"  # noqa: S105 - a variable name
    """Environment variable holding the long-lived Threads user token."""
    api_url: str = THREADS_URL
    """Threads API root with its version, for proxies and tests."""

    @model_validator(mode="after")
    def _something_to_read(self) -> ThreadsSource:
        if not (self.replies or self.mentions or self.search):
            msg = "set replies, mentions or search to true"
            raise ValueError(msg)
        return self
