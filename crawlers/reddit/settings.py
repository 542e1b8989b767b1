"""The ``reddit`` source's settings: subreddits, searches, and where its secrets live."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field

from crawlers.collector import Seconds, SourceSettings, env_secret

SubredditName = Annotated[str, Field(pattern=r"^[A-Za-z0-9_]{2,21}$")]
SECRET_KEYS = ("client_id_env", "client_secret_env", "user_agent_env")


class RedditSource(SourceSettings):
    """Reddit through PRAW: brand searches and subreddit streams (read-only OAuth)."""

    collector = "crawlers.reddit.kind:RedditKind"

    type: Literal["reddit"]
    interval: Seconds = 20.0
    """How often the subreddit streams are polled (default `"20s"`: an alert then
    follows a new comment within about 20 s; see docs/operating.md)."""
    subreddits: list[SubredditName] = []
    """Subreddits (without `r/`) whose new submissions and comments are streamed and
    searched."""
    search: bool = True
    """Search each brand's terms, Reddit-wide and in each subreddit, newest first."""
    search_time: Literal["hour", "day", "week", "month", "year", "all"] = "day"
    """How far back a search reaches."""
    search_interval: Seconds = 300.0
    """How often the brand searches run (default `"5m"`): each costs one request per
    brand and place, and Reddit's search index lags behind its streams anyway."""
    stream_submissions: bool = True
    """Stream the subreddits' new submissions."""
    stream_comments: bool = True
    """Stream the subreddits' new comments."""
    include_all: bool = False
    """Also stream every new comment on Reddit (`r/all`); heavy, for big brands."""
    follow_threads: bool = False
    """Read the comment tree of each new submission that names a brand."""
    thread_more_limit: Annotated[int, Field(ge=0, le=10_000)] = 32
    """How many "load more comments" links are followed per thread, one request each
    (0: the first page only)."""
    praw_site: str | None = None
    """A praw.ini section to read credentials from instead of the environment."""
    client_id_env: str = "REDDIT_CLIENT_ID"
    """Environment variable holding the Reddit app's client id."""
    client_secret_env: str = "REDDIT_CLIENT_SECRET"  # noqa: S105 - a variable's name
    """Environment variable holding the Reddit app's secret."""
    user_agent_env: str = "REDDIT_USER_AGENT"
    """Environment variable holding the User-Agent Reddit asks for."""
    api_url: str | None = None
    """Reddit base URL for both OAuth and API calls, for proxies and tests."""

    def secret_envs(self) -> list[tuple[str, str]]:
        """The ``*_env`` keys the file names, unless a praw.ini section is used."""
        if self.praw_site is not None:
            return []
        return [
            (key, str(getattr(self, key)))
            for key in SECRET_KEYS
            if key in self.model_fields_set
        ]

    def secret_values(self) -> list[str]:
        """The app secret."""
        secret = env_secret(self.client_secret_env)
        return [secret] if secret else []

    @classmethod
    def check_fields(cls, target: str) -> dict[str, Any]:
        """``r/NAME`` or ``NAME``: that subreddit."""
        return {"subreddits": [target.removeprefix("r/")]}
