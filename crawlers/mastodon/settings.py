"""The ``mastodon`` source's settings: instances, hashtags, timelines and tokens."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from crawlers.collector import Seconds, SourceSettings, env_secret


def instance_url(instance: str) -> str:
    """``mstdn.jp`` → ``https://mstdn.jp``; a URL (with a path, for tests) is kept."""
    instance = instance.strip().rstrip("/")
    return instance if "://" in instance else f"https://{instance}"


def instance_name(instance: str) -> str:
    """The instance as cursor keys and messages name it: its host (and path)."""
    return instance_url(instance).split("://", 1)[1]


def default_token_env(instance: str) -> str:
    """``mstdn.jp`` → ``EARFUL_MASTODON_TOKEN_MSTDN_JP``."""
    return (
        "EARFUL_MASTODON_TOKEN_" + re.sub(r"\W+", "_", instance_name(instance)).upper()
    )


class MastodonSource(SourceSettings):
    """Mastodon (Mastodon.py): hashtag and public timelines and keyword search on the
    instances named (``mastodon``)."""

    collector = "crawlers.mastodon.kind:MastodonKind"

    type: Literal["mastodon"]
    interval: Seconds = 120.0
    """How often each instance is read (default `"2m"`: one request per hashtag and
    instance, well inside Mastodon's 300 requests per 5 minutes)."""
    instances: Annotated[list[Annotated[str, Field(min_length=3)]], Field(min_length=1)]
    """Instances by host (`"mstdn.jp"`, `"mastodon.social"`) or URL."""
    hashtags: list[Annotated[str, Field(pattern=r"^[^\s#/?]+$")]] = []
    """Hashtags to read, without `#` (`"アクメ"`, `"acme"`)."""
    public_timeline: bool = False
    """Also read each instance's whole public timeline (busy instances: heavy)."""
    local_only: bool = False
    """Only posts made on the instance itself, not those federated to it."""
    search: bool = True
    """Search each brand's terms (needs the instance's access token; many instances
    find only hashtags, which the run's warning then says)."""
    max_pages: Annotated[int, Field(gt=0, le=20)] = 3
    """Pages of 40 statuses read per timeline and poll."""
    token_envs: dict[str, str] = {}
    """Environment variable holding each instance's access token, by instance (default
    `EARFUL_MASTODON_TOKEN_<HOST>`, e.g. `EARFUL_MASTODON_TOKEN_MSTDN_JP`)."""

    @model_validator(mode="after")
    def _something_to_read(self) -> MastodonSource:
        if not (self.hashtags or self.public_timeline or self.search):
            msg = "set hashtags, public_timeline = true or search = true"
            raise ValueError(msg)
        unknown = set(self.token_envs) - set(self.instances)
        if unknown:
            msg = f"token_envs: not in instances: {', '.join(sorted(unknown))}"
            raise ValueError(msg)
        return self

    def token_env(self, instance: str) -> str:
        """The variable holding ``instance``'s token."""
        return self.token_envs.get(instance) or default_token_env(instance)

    def secret_envs(self) -> list[tuple[str, str]]:
        """Each token variable named in ``token_envs``."""
        return [("token_envs", env) for env in self.token_envs.values()]

    def secret_values(self) -> list[str]:
        """Each instance's access token."""
        tokens = (env_secret(self.token_env(i)) for i in self.instances)
        return [t for t in tokens if t]

    @classmethod
    def check_fields(cls, target: str) -> dict[str, Any]:
        """``INSTANCE/#TAG`` or ``INSTANCE``: that hashtag, or the public timeline."""
        instance, _, tag = target.partition("/#")
        fields: dict[str, Any] = {"instances": [instance], "search": False}
        if tag:
            fields["hashtags"] = [tag]
        else:
            fields["public_timeline"] = True
        return fields
