"""The settings of a ``threads`` source: the brand's profile, what is read, the token."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from crawlers.metagraph import GraphAccess
from crawlers.threads.collect import ThreadsParams
from crawlers.threads.things import SEARCH_LIMIT

THREADS_URL = "https://graph.threads.net/v1.0"


class ThreadsSettings(BaseModel):
    """Threads (Threads API, the brand's profile): replies to its posts, mentions of
    it, and keyword search where Meta approved it."""

    model_config = ConfigDict(extra="forbid")

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
    def _something_to_read(self) -> ThreadsSettings:
        if not (self.replies or self.mentions or self.search):
            msg = "set replies, mentions or search to true"
            raise ValueError(msg)
        return self

    def access(self, environ: Mapping[str, str]) -> GraphAccess:
        """The token from the variable this source names (None when unset)."""
        token = environ.get(self.token_env, "").strip()
        return GraphAccess(token or None, self.token_env, self.api_url)

    def params(self, source: str, environ: Mapping[str, str]) -> ThreadsParams:
        """What the collector reads, for the source named ``source``."""
        return ThreadsParams(
            source=source,
            access=self.access(environ),
            user_id=self.user_id,
            replies=self.replies,
            follow_days=self.follow_days,
            posts_max=self.posts_max,
            mentions=self.mentions,
            search=self.search,
            search_budget=self.search_budget,
            max_pages=self.max_pages,
        )
