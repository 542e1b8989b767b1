"""The YouTube Data API v3 client (google-api-python-client) and its errors by kind.

``build("youtube", "v3", static_discovery=True)`` reads the discovery document
shipped with the library (no request), and ``client_options.api_endpoint``
replaces its root URL, which is how tests point it at the local server.

Errors, by what the collector does about them::

    YouTubeError               anything else
    ├── YouTubeCredentialsError  400 keyInvalid, 403 forbidden: the API key
    ├── YouTubeQuotaError        403 quotaExceeded: nothing more today
    ├── YouTubeDisabledError     403 commentsDisabled, 404 videoNotFound: skip it
    └── YouTubeUnavailableError  5xx, timeouts, dropped connections: back off
"""

from __future__ import annotations

import json
import warnings
from dataclasses import dataclass
from typing import Any

import httplib2

# google-api-core warns on import once a Python version passes its end of life
# (3.11: October 2027), on every command that loads this module. Earful pins
# 3.11 and says so in its README; the operator need not read it every run.
warnings.filterwarnings(
    "ignore",
    message="You are using a non-supported Python version",
    category=FutureWarning,
)
from googleapiclient.discovery import build
from googleapiclient.errors import HttpError

from crawlers.errors import CollectorError

KEY_PAGE = "https://console.cloud.google.com/apis/credentials"
TIMEOUT_S = 30
SKIPPED = frozenset({"commentsDisabled", "videoNotFound", "channelNotFound"})


class YouTubeError(CollectorError):
    """YouTube answered with an error; the message holds its reason."""


class YouTubeCredentialsError(YouTubeError):
    """The API key is missing or refused."""


class YouTubeQuotaError(YouTubeError):
    """Google says the project's daily quota is spent (403 quotaExceeded)."""


class YouTubeDisabledError(YouTubeError):
    """Comments are off on a video, or it is gone: skip it, note it."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


class YouTubeUnavailableError(YouTubeError):
    """A 5xx answer, a timeout or a dropped connection."""


@dataclass(frozen=True)
class YouTubeCredentials:
    """The API key and where it comes from (the key stays out of repr)."""

    api_key: str | None
    key_env: str = "EARFUL_YOUTUBE_API_KEY"
    api_url: str | None = None  # for proxies and tests; Google's by default

    def __repr__(self) -> str:
        return f"YouTubeCredentials(key_env={self.key_env!r})"

    def missing_message(self) -> str:
        """What to set."""
        return (
            f"YouTube API key missing: set {self.key_env} to an API key with the "
            f"YouTube Data API v3 enabled (see {KEY_PAGE})"
        )


def make_youtube(credentials: YouTubeCredentials) -> Any:
    """A ``youtube`` v3 service object for the key (no request is made)."""
    if not credentials.api_key:
        raise YouTubeCredentialsError(credentials.missing_message())
    options = {"api_endpoint": credentials.api_url} if credentials.api_url else None
    return build(
        "youtube",
        "v3",
        developerKey=credentials.api_key,
        static_discovery=True,
        cache_discovery=False,
        client_options=options,
        http=httplib2.Http(timeout=TIMEOUT_S),
    )


def _reason(exc: HttpError) -> tuple[str, str]:
    """Google's ``errors[0].reason`` and message of an error answer."""
    try:
        body = json.loads(exc.content.decode("utf-8"))
        error = body["error"]
        first = (error.get("errors") or [{}])[0]
        return str(first.get("reason") or ""), str(error.get("message") or "")[:300]
    except (ValueError, KeyError, TypeError, AttributeError, IndexError):
        return "", f"HTTP {exc.resp.status}"


def execute(request: Any, credentials: YouTubeCredentials) -> dict[str, Any]:
    """Run one API request; every failure becomes a ``YouTubeError`` by kind."""
    try:
        answer = request.execute(num_retries=0)
    except HttpError as exc:
        raise _classified(exc, credentials) from None
    except (TimeoutError, OSError, httplib2.HttpLib2Error) as exc:
        msg = f"YouTube connection failed ({type(exc).__name__})"
        raise YouTubeUnavailableError(msg) from None
    return answer if isinstance(answer, dict) else {}


def _classified(exc: HttpError, credentials: YouTubeCredentials) -> YouTubeError:
    status = int(exc.resp.status)
    reason, message = _reason(exc)
    said = f"HTTP {status} {reason}".strip()
    if reason in {"keyInvalid", "keyExpired", "accessNotConfigured", "forbidden"} or (
        status == 400 and "API key" in message  # noqa: PLR2004
    ):
        return YouTubeCredentialsError(
            f"YouTube refused the API key ({said}: {message}): check "
            f"{credentials.key_env} (see {KEY_PAGE})"
        )
    if reason in {"quotaExceeded", "dailyLimitExceeded"}:
        return YouTubeQuotaError(
            f"YouTube's daily quota is spent ({said}); collection resumes after "
            "midnight Pacific Time"
        )
    if reason in SKIPPED:
        return YouTubeDisabledError(f"{reason}: {message}", reason)
    if status >= 500:  # noqa: PLR2004
        return YouTubeUnavailableError(f"YouTube unavailable ({said})")
    return YouTubeError(f"YouTube refused the request ({said}: {message})")
