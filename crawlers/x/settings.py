"""The ``x`` source's settings: how deep each brand search reads, and its token."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field

from crawlers.collector import Seconds, SourceSettings, env_secret
from crawlers.match import BrandRule


class XSource(SourceSettings):
    """X (API v2) recent search for each brand, with author reach (``x``).

    Needs an app bearer token with recent-search access (Basic and up; see
    "X access levels" below)."""

    collector = "crawlers.x.kind:XKind"

    type: Literal["x"]
    interval: Seconds = 300.0
    """How often each brand's searches run (default `"5m"`); each is at least one
    request, and X's rate-limit table allows recent search 450 requests per 15 minutes
    per app (your level's limits are in X's developer console)."""
    token_env: str = "EARFUL_X_BEARER_TOKEN"  # noqa: S105 - a variable's name
    """Environment variable holding the app's bearer token."""
    max_pages: Annotated[int, Field(gt=0, le=50)] = 3
    """Pages of up to 100 posts read per query and poll; a deeper backlog is skipped
    with a warning."""
    retweets: bool = False
    """Also collect reposts (they repeat their original's text)."""
    api_url: str = "https://api.x.com"
    """X API base URL, for proxies and tests."""

    def secret_envs(self) -> list[tuple[str, str]]:
        """``token_env``, when the file names it."""
        return [("token_env", self.token_env)] * ("token_env" in self.model_fields_set)

    def secret_values(self) -> list[str]:
        """The bearer token."""
        token = env_secret(self.token_env)
        return [token] if token else []

    @classmethod
    def check_fields(cls, target: str) -> dict[str, Any]:
        """Nothing: a check searches the config's brands (or TARGET, see below)."""
        return {}

    @classmethod
    def check_brands(cls, target: str) -> tuple[BrandRule, ...]:
        """Without a config, TARGET is the words to search for."""
        return (BrandRule(target, (target,)),)
