"""The Reddit factory: read-only application-only OAuth from typed credentials."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import praw
from prawcore.exceptions import OAuthException, ResponseException

from crawlers.errors import CollectorError

APP_PAGE = "https://www.reddit.com/prefs/apps"
USER_AGENT = "Earful/0.1 (social listening; read-only)"


class RedditCredentialsError(CollectorError):
    """Reddit credentials are missing or Reddit rejected them."""


@dataclass(frozen=True)
class RedditCredentials:
    """Where the credentials come from and what they are (secrets stay out of repr).

    ``client_id_env`` / ``client_secret_env`` / ``user_agent_env`` are the names
    of the environment variables, used only in error messages. With ``praw_site``
    the missing values come from that praw.ini section instead.
    """

    client_id: str | None
    client_secret: str | None
    user_agent: str | None
    client_id_env: str = "REDDIT_CLIENT_ID"
    client_secret_env: str = "REDDIT_CLIENT_SECRET"  # noqa: S105 - a variable's name
    user_agent_env: str = "REDDIT_USER_AGENT"
    praw_site: str | None = None
    oauth_url: str | None = None  # for proxies and tests; Reddit's own by default
    reddit_url: str | None = None

    def __repr__(self) -> str:
        return f"RedditCredentials(client_id_env={self.client_id_env!r}, ...)"

    def missing_message(self) -> str:
        """What to set, naming the variables and the app page."""
        return (
            f"Reddit credentials missing: set {self.client_id_env} and "
            f"{self.client_secret_env} (and {self.user_agent_env}) to a script or "
            f"web app's id and secret (see {APP_PAGE})"
        )

    def rejected_message(self, status: int | str) -> str:
        """What to check when Reddit answers the token request with an error."""
        return (
            f"Reddit rejected the credentials (HTTP {status}): check "
            f"{self.client_id_env} and {self.client_secret_env} (see {APP_PAGE})"
        )


def make_reddit(credentials: RedditCredentials) -> praw.Reddit:
    """A read-only ``praw.Reddit`` (client-credentials grant, no user)."""
    settings: dict[str, Any] = {
        "check_for_updates": False,
        "check_for_async": False,
    }
    for key in ("oauth_url", "reddit_url"):
        value = getattr(credentials, key)
        if value:
            settings[key] = value
    if credentials.reddit_url:
        settings["short_url"] = credentials.reddit_url
    for key in ("client_id", "client_secret", "user_agent"):
        value = getattr(credentials, key)
        if value:
            settings[key] = value
    if credentials.praw_site is None:
        if not (credentials.client_id and credentials.client_secret):
            raise RedditCredentialsError(credentials.missing_message())
        settings.setdefault("user_agent", USER_AGENT)
    try:
        reddit = praw.Reddit(credentials.praw_site, **settings)
    except praw.exceptions.MissingRequiredAttributeException:
        raise RedditCredentialsError(credentials.missing_message()) from None
    reddit.read_only = True
    return reddit


def credentials_error(
    credentials: RedditCredentials, exc: Exception
) -> RedditCredentialsError | None:
    """The credentials error ``exc`` stands for, if it is one."""
    if isinstance(exc, OAuthException):
        return RedditCredentialsError(credentials.rejected_message(exc.error))
    if isinstance(exc, ResponseException) and exc.response.status_code == 401:  # noqa: PLR2004
        return RedditCredentialsError(
            credentials.rejected_message(exc.response.status_code)
        )
    return None
