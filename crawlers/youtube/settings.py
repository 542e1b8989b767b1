"""The ``youtube`` source's settings: channel, videos, searches and the unit budget."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from crawlers.collector import Seconds, SourceSettings, env_secret


class YouTubeSource(SourceSettings):
    """YouTube comments (Data API v3): the brand's channel, chosen videos, and new
    videos naming a brand with their comments (``youtube``)."""

    collector = "crawlers.youtube.kind:YouTubeKind"

    type: Literal["youtube"]
    interval: Seconds = 900.0
    """How often the comment threads are read (default `"15m"`; 1 unit per place)."""
    channel_id: Annotated[str, Field(pattern=r"^UC[\w-]{22}$")] | None = None
    """The brand's own channel (`UC…`): comments on all its videos."""
    videos: list[Annotated[str, Field(pattern=r"^[\w-]{11}$")]] = []
    """Video ids (the `v=` of a watch URL) whose comments are read."""
    search: bool = True
    """Search each brand for new videos (100 units each), store those that name it,
    and read their comments for `follow_days`."""
    search_interval: Seconds = 21600.0
    """How often the brand searches run (default `"6h"`: 400 units a brand a day)."""
    follow_days: Annotated[float, Field(gt=0, le=90)] = 7.0
    """Days the comments of a video found by search are read."""
    follow_every: Seconds = 3600.0
    """How often the comments of videos found by search are read (default `"1h"`;
    1 unit a video)."""
    follow_max: Annotated[int, Field(ge=0, le=500)] = 20
    """Videos found by search whose comments are followed at once (the newest found)."""
    max_pages: Annotated[int, Field(gt=0, le=20)] = 2
    """Pages of 100 comment threads read per place and poll."""
    daily_budget: Annotated[int, Field(ge=1, le=1_000_000_000)] = 10_000
    """Units a Pacific-time day this source may spend (Google's default quota is
    10,000 a project; search 100, comment threads and videos 1). Past it the source
    waits for midnight Pacific Time; `earful status` shows what was used."""
    key_env: str = "EARFUL_YOUTUBE_API_KEY"
    """Environment variable holding the API key."""
    api_url: str | None = None
    """API root URL, for proxies and tests (default: Google's)."""

    @model_validator(mode="after")
    def _something_to_watch(self) -> YouTubeSource:
        if not (self.channel_id or self.videos or self.search):
            msg = "set channel_id, videos or search = true"
            raise ValueError(msg)
        return self

    def secret_envs(self) -> list[tuple[str, str]]:
        """``key_env``, when the file names it."""
        return [("key_env", self.key_env)] * ("key_env" in self.model_fields_set)

    def secret_values(self) -> list[str]:
        """The API key."""
        key = env_secret(self.key_env)
        return [key] if key else []

    @classmethod
    def check_fields(cls, target: str) -> dict[str, Any]:
        """A video: its id or its watch URL (no search: 100 units)."""
        return {"videos": [target.rpartition("v=")[2][:11]], "search": False}
