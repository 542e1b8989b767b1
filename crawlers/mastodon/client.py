"""Mastodon.py clients, one per instance, with tokens from the environment.

``ratelimit_method="throw"``: Mastodon.py's default ("wait") sleeps in the
job thread until the limit resets, which would hold a scheduler worker for up
to five minutes; instead the collector reads the client's
``ratelimit_remaining`` / ``ratelimit_reset`` (parsed from each answer's
``X-RateLimit-Remaining`` / ``X-RateLimit-Reset``) and pauses that instance
until the reset, without failing the source.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mastodon import Mastodon

from crawlers.mastodon.settings import instance_name, instance_url

TIMEOUT_S = 30.0
USER_AGENT = "Earful/0.1 (social listening; read-only)"


@dataclass(frozen=True)
class InstanceAccess:
    """One instance's URL and token (the token stays out of repr)."""

    instance: str
    token: str | None
    token_env: str

    def __repr__(self) -> str:
        return f"InstanceAccess({self.instance!r}, token_env={self.token_env!r})"

    @property
    def name(self) -> str:
        """The instance's host (and path)."""
        return instance_name(self.instance)


def make_mastodon(access: InstanceAccess) -> Any:
    """A Mastodon.py client for the instance (no request is made)."""
    return Mastodon(
        access_token=access.token,
        api_base_url=instance_url(access.instance),
        ratelimit_method="throw",
        request_timeout=TIMEOUT_S,
        version_check_mode="none",
        user_agent=USER_AGENT,
    )
