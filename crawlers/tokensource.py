"""What the Instagram, Facebook, Threads and TikTok settings share: a token, an API root.

Each of these kinds reads one account (a user, a Page, a business) with one
access token from the environment variable ``token_env``, against an API
root with its version (``api_url``). ``earful source check --type KIND``
takes the account's id, or its node URL (``API_ROOT/ID``) to point the check
at a proxy or a local server.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from crawlers.collector import SourceSettings, env_secret


class TokenSource(SourceSettings):
    """A source read with one access token; subclasses declare the fields."""

    target_key: ClassVar[str]  # the field ``source check`` TARGET fills
    if TYPE_CHECKING:
        token_env: str
        api_url: str

    def secret_envs(self) -> list[tuple[str, str]]:
        """``token_env``, when the file names it."""
        return [("token_env", self.token_env)] * ("token_env" in self.model_fields_set)

    def secret_values(self) -> list[str]:
        """The access token."""
        token = env_secret(self.token_env)
        return [token] if token else []

    @classmethod
    def check_fields(cls, target: str) -> dict[str, Any]:
        """``ID``, or ``API_ROOT/ID`` (the account's node URL)."""
        if "://" not in target:
            return {cls.target_key: target}
        api_url, _, node = target.rstrip("/").rpartition("/")
        return {cls.target_key: node, "api_url": api_url}
