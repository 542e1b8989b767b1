"""A thin X API v2 client (httpx): recent search with a bearer token, errors by kind.

Not tweepy: ``tweepy.Client.request`` (4.17) hard-codes the host
``https://api.twitter.com``, so it cannot be pointed at a local replay server
without patching it, and it turns the ``x-rate-limit-*`` headers of a
successful answer into nothing we can read. The two endpoints Earful needs
are small enough to call directly.

Errors, by what the collector does about them::

    XError                  anything else (400 with X's ``errors``, 404…)
    ├── XCredentialsError   401: bearer token missing, wrong or revoked
    ├── XAccessError        403: the app's access level lacks the endpoint
    ├── XRateLimitError     429: wait until ``x-rate-limit-reset``
    └── XUnavailableError   5xx, a dropped connection or a timeout: back off
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import httpx

from crawlers.errors import CollectorError

API_URL = "https://api.x.com"
PORTAL = "https://developer.x.com/en/portal/dashboard"
TIMEOUT_S = 30.0
TWEET_FIELDS = "created_at,lang,public_metrics,author_id,conversation_id,edit_history_tweet_ids,withheld,referenced_tweets"
USER_FIELDS = "username,name,public_metrics,verified"


class XError(CollectorError):
    """X answered with an error; the message holds its title and detail."""


class XCredentialsError(XError):
    """The bearer token is missing, or X refused it (401)."""


class XAccessError(XError):
    """The app's access level does not include the endpoint (403)."""


class XRateLimitError(XError):
    """429: ``reset_in`` seconds until ``x-rate-limit-reset``."""

    def __init__(self, message: str, reset_in: float) -> None:
        super().__init__(message)
        self.reset_in = reset_in


class XUnavailableError(XError):
    """A 5xx answer, a timeout or a dropped connection."""


@dataclass(frozen=True)
class XCredentials:
    """The bearer token and where it comes from (the token stays out of repr)."""

    bearer_token: str | None
    token_env: str = "EARFUL_X_BEARER_TOKEN"  # noqa: S105 - a variable's name
    api_url: str = API_URL

    def __repr__(self) -> str:
        return f"XCredentials(token_env={self.token_env!r}, api_url={self.api_url!r})"

    def missing_message(self) -> str:
        """What to set."""
        return (
            f"X bearer token missing: set {self.token_env} to the app's bearer "
            f"token (see {PORTAL})"
        )


@dataclass(frozen=True)
class Page:
    """One answer of recent search, and the rate limit left after it."""

    body: dict[str, Any]
    remaining: int | None
    reset_in: float | None


def _reset_in(headers: httpx.Headers) -> float | None:
    reset = headers.get("x-rate-limit-reset")
    if reset is None or not reset.strip().isdigit():
        return None
    return max(0.0, int(reset) - time.time())


def _problem(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return f"HTTP {response.status_code}"
    if not isinstance(body, dict):
        return f"HTTP {response.status_code}"
    errors = body.get("errors")
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        first = errors[0]
        return str(first.get("message") or first.get("detail") or first)[:300]
    title = body.get("title") or f"HTTP {response.status_code}"
    detail = body.get("detail")
    return f"{title}: {detail}"[:300] if detail and detail != title else str(title)


class XClient:
    """Calls X API v2 with an app-only bearer token."""

    def __init__(self, credentials: XCredentials) -> None:
        if not credentials.bearer_token:
            raise XCredentialsError(credentials.missing_message())
        self.credentials = credentials
        self._http = httpx.Client(
            base_url=credentials.api_url.rstrip("/"),
            headers={
                "Authorization": f"Bearer {credentials.bearer_token}",
                "User-Agent": "Earful/0.1 (social listening; read-only)",
            },
            timeout=TIMEOUT_S,
        )

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    def search_recent(
        self,
        query: str,
        *,
        since_id: str | None = None,
        next_token: str | None = None,
        max_results: int = 100,
    ) -> Page:
        """One page of ``GET /2/tweets/search/recent``, with authors expanded."""
        params: dict[str, str | int] = {
            "query": query,
            "max_results": max_results,
            "tweet.fields": TWEET_FIELDS,
            "expansions": "author_id",
            "user.fields": USER_FIELDS,
        }
        if since_id:
            params["since_id"] = since_id
        if next_token:
            params["next_token"] = next_token
        return self._get("/2/tweets/search/recent", params)

    def _get(self, path: str, params: dict[str, str | int]) -> Page:
        try:
            response = self._http.get(path, params=params)
        except httpx.TimeoutException:
            msg = f"X did not answer within {TIMEOUT_S:g} s"
            raise XUnavailableError(msg) from None
        except httpx.TransportError as exc:
            msg = f"X connection failed ({type(exc).__name__})"
            raise XUnavailableError(msg) from None
        self._raise_for(response)
        try:
            body = response.json()
        except ValueError:
            msg = "X answered with something that is not JSON"
            raise XUnavailableError(msg) from None
        remaining = response.headers.get("x-rate-limit-remaining")
        return Page(
            body=body if isinstance(body, dict) else {},
            remaining=int(remaining) if remaining and remaining.isdigit() else None,
            reset_in=_reset_in(response.headers),
        )

    def _raise_for(self, response: httpx.Response) -> None:
        status = response.status_code
        if status < 400:  # noqa: PLR2004
            return
        problem = _problem(response)
        token = self.credentials.token_env
        if status == 401:  # noqa: PLR2004
            msg = f"X rejected the bearer token (HTTP 401 {problem}): check {token}"
            raise XCredentialsError(msg)
        if status == 403:  # noqa: PLR2004
            msg = (
                f"X refused access (HTTP 403 {problem}): recent search needs an "
                "app in a Project with Basic access or above (see docs/config.md)"
            )
            raise XAccessError(msg)
        if status == 429:  # noqa: PLR2004
            reset_in = _reset_in(response.headers)
            wait = 900.0 if reset_in is None else reset_in
            msg = f"rate limited by X (HTTP 429), retrying after {wait:.0f} s"
            raise XRateLimitError(msg, wait)
        if status >= 500:  # noqa: PLR2004
            msg = f"X unavailable (HTTP {status} {problem})"
            raise XUnavailableError(msg)
        msg = f"X refused the request (HTTP {status} {problem})"
        raise XError(msg)
