"""The ``bluesky`` source's settings: the Jetstream firehose and the search account."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, field_validator

from crawlers.collector import (
    MAX_DURATION_S,
    MaybeZeroSeconds,
    Seconds,
    SourceSettings,
    env_secret,
    parse_duration,
)

JETSTREAM_URL = "wss://jetstream2.us-east.bsky.network/subscribe"


class BlueskySource(SourceSettings):
    """Bluesky: the Jetstream firehose (public, no account) and searchPosts backfill."""

    collector = "crawlers.bluesky.kind:BlueskyKind"

    type: Literal["bluesky"]
    interval: Annotated[
        float, BeforeValidator(parse_duration), Field(ge=3, le=MAX_DURATION_S)
    ] = 300.0
    """How long one listen lasts (default `"5m"`): it stops 2 s before the next run
    is due, records its run in `earful status`, and the next resumes from the stored
    cursor, so nothing posted in between is lost. A Bluesky source holds one of
    `[daemon] workers` all the time."""
    jitter: MaybeZeroSeconds | None = 0.0
    """No random delay: listens follow each other back to back."""
    jetstream_url: str = JETSTREAM_URL
    """Jetstream's `/subscribe` endpoint (`wss://`): a public instance or your own."""
    replay_margin: Seconds = 5.0
    """A reconnect replays from this long before the stored cursor; posts seen twice
    are stored once."""
    max_backoff: Seconds = 60.0
    """Reconnect waits double from 1 s up to this while Jetstream is unreachable."""
    search: bool = False
    """Backfill: search each brand with `app.bsky.feed.searchPosts` (needs an
    account: `handle_env` and `app_password_env`)."""
    search_interval: Seconds = 3600.0
    """How often the brand searches run (default `"1h"`); the first runs at start,
    so a newly added brand is backfilled at once."""
    search_limit: Annotated[int, Field(gt=0, le=100)] = 100
    """Posts per search request (the API's maximum is 100)."""
    search_pages: Annotated[int, Field(gt=0, le=50)] = 5
    """Pages (`cursor`) read per brand and search."""
    api_url: str = "https://bsky.social"
    """The account's PDS or entryway for `createSession` and `searchPosts`."""
    handle_env: str = "EARFUL_BLUESKY_HANDLE"
    """Environment variable holding the account's handle (`name.bsky.social`)."""
    app_password_env: str = "EARFUL_BLUESKY_APP_PASSWORD"  # noqa: S105 - a name
    """Environment variable holding an app password (Settings → App passwords)."""

    @field_validator("cron")
    @classmethod
    def _no_cron(cls, value: str | None) -> str | None:
        if value is not None:
            msg = "a firehose listens all the time: set interval, not cron"
            raise ValueError(msg)
        return value

    @field_validator("jetstream_url")
    @classmethod
    def _websocket(cls, value: str) -> str:
        if not value.startswith(("ws://", "wss://")):
            msg = "must be a ws:// or wss:// URL (Jetstream's /subscribe endpoint)"
            raise ValueError(msg)
        return value

    def secret_envs(self) -> list[tuple[str, str]]:
        """With ``search``, the account's two variables, named or not."""
        if not self.search:
            return []
        return [(k, str(getattr(self, k))) for k in ("handle_env", "app_password_env")]

    def secret_values(self) -> list[str]:
        """The app password."""
        password = env_secret(self.app_password_env)
        return [password] if password else []

    @classmethod
    def check_fields(cls, target: str) -> dict[str, Any]:
        """A Jetstream ``/subscribe`` URL: the next posts on that firehose."""
        return {"jetstream_url": target}
