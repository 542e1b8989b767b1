"""Meta's Graph API conventions, shared by the Instagram, Facebook Pages and Threads collectors.

Meta publishes no maintained Python client for the Graph API (the
``facebook-sdk`` package stopped in 2019), so this is a small typed client on
``httpx``. It knows the conventions every Graph host shares
(graph.facebook.com, graph.threads.net):

- **Token** in an ``Authorization: Bearer`` header, never in a URL, so no URL
  in a log or error carries it. The ``paging.next`` links Meta returns embed
  ``access_token``; it is stripped before the link is followed.
- **Paging**: ``data`` plus ``paging.cursors.after`` and ``paging.next``;
  ``pages()`` follows ``next`` for at most ``max_pages`` pages.
- **Errors**: ``{"error": {"message", "type", "code", "error_subcode",
  "fbtrace_id"}}``, sorted by what the collector does about them::

      GraphError                 anything else (the message says what Meta said)
      ├── GraphTokenError        190 / 102 / HTTP 401: token expired or refused
      ├── GraphPermissionError   10, 200-299: the token lacks a permission
      ├── GraphRateLimitError    4, 17, 32, 613, 80001-80014: throttled
      └── GraphUnavailableError  1, 2, HTTP 5xx, timeouts, dropped connections

- **Usage headers**: ``X-App-Usage`` (per app) and
  ``X-Business-Use-Case-Usage`` (per business account and use case) give the
  percentage of the rolling hour's allowance used. Once any of them reaches
  ``USAGE_CEILING`` the client makes no further call and raises
  ``GraphRateLimitError`` itself, waiting the header's
  ``estimated_time_to_regain_access`` (minutes), or ``PAUSE_S`` when it
  gives none: Meta blocks a throttled app for the rest of the window, so it
  is cheaper to stop just before than just after.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx

from crawlers.bounds import loads_json
from crawlers.errors import BadItemError, CollectorError

TIMEOUT_S = 30.0
USER_AGENT = "Earful/0.1 (social listening; read-only)"
USAGE_CEILING = 90  # percent of an allowance: stop before Meta throttles
PAUSE_S = 600.0  # when a header or an error gives no time to regain access
TOKEN_CODES = frozenset({102, 190})
RATE_CODES = frozenset({4, 17, 32, 613, *range(80001, 80015)})
UNAVAILABLE_CODES = frozenset({1, 2})


class GraphError(CollectorError):
    """Graph answered with an error; the message holds what it said (never the token)."""

    def __init__(
        self, message: str, *, code: int | None = None, subcode: int | None = None
    ) -> None:
        super().__init__(message)
        self.code = code
        self.subcode = subcode


class GraphTokenError(GraphError):
    """The token is missing, expired or refused (code 190, HTTP 401)."""


class GraphPermissionError(GraphError):
    """The token lacks a permission the call needs (code 10, 200-299)."""


class GraphRateLimitError(GraphError):
    """Throttled by Meta, or about to be (usage headers): wait ``retry_after`` s."""

    def __init__(self, message: str, *, retry_after: float, code: int | None = None):
        super().__init__(message, code=code)
        self.retry_after = retry_after


class GraphUnavailableError(GraphError):
    """A 5xx answer, a transient code (1, 2), a timeout or a dropped connection."""


@dataclass(frozen=True)
class GraphAccess:
    """A Graph host, its token and the variable it comes from (no token in repr)."""

    token: str | None
    token_env: str
    api_url: str

    def __repr__(self) -> str:
        return f"GraphAccess({self.api_url!r}, token_env={self.token_env!r})"


@dataclass
class Usage:
    """The highest percentage the last answer's usage headers reported, and where."""

    percent: int = 0
    where: str = ""
    regain_s: float = 0.0
    seen: dict[str, int] = field(default_factory=dict)


def read_usage(headers: Mapping[str, str]) -> Usage:
    """``X-App-Usage`` and ``X-Business-Use-Case-Usage`` as one ``Usage``.

    A header that is not the JSON Meta documents is ignored: it decides nothing.
    """
    usage = Usage()

    def note(where: str, entry: Any) -> None:
        if not isinstance(entry, dict):
            return
        for key in ("call_count", "total_cputime", "total_time"):
            value = entry.get(key)
            if isinstance(value, int | float) and not isinstance(value, bool):
                usage.seen[f"{where} {key}"] = int(value)
                if value > usage.percent:
                    usage.percent, usage.where = int(value), f"{where} {key}"
        regain = entry.get("estimated_time_to_regain_access")
        if isinstance(regain, int | float) and not isinstance(regain, bool):
            usage.regain_s = max(usage.regain_s, float(regain) * 60)

    note("X-App-Usage", _header_json(headers.get("x-app-usage")))
    business = _header_json(headers.get("x-business-use-case-usage"))
    if isinstance(business, dict):
        for account, entries in business.items():
            for entry in entries if isinstance(entries, list) else []:
                kind = entry.get("type", "") if isinstance(entry, dict) else ""
                note(f"X-Business-Use-Case-Usage {account} {kind}".rstrip(), entry)
    return usage


def _header_json(value: str | None) -> Any:
    if not value:
        return None
    try:
        return json.loads(value)
    except ValueError:
        return None


def error_of(status: int, body: Any, token_env: str) -> GraphError:
    """The ``GraphError`` for an error answer (``body``: its parsed JSON, or None)."""
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        error = {}
    code = error.get("code") if isinstance(error.get("code"), int) else None
    subcode = error.get("error_subcode")
    subcode = subcode if isinstance(subcode, int) else None
    said = str(error.get("message") or f"HTTP {status}")[:300]
    where = f" (code {code}" + (f", subcode {subcode}" if subcode else "") + ")"
    where = where if code is not None else f" (HTTP {status})"
    if code in TOKEN_CODES or (status == 401 and code is None):  # noqa: PLR2004
        return GraphTokenError(
            f"the access token was refused{where}: {said}; check {token_env}",
            code=code,
            subcode=subcode,
        )
    if code in RATE_CODES:
        return GraphRateLimitError(
            f"rate limited{where}: {said}", retry_after=PAUSE_S, code=code
        )
    if code == 10 or (code is not None and 200 <= code <= 299):  # noqa: PLR2004
        return GraphPermissionError(
            f"permission missing{where}: {said}", code=code, subcode=subcode
        )
    if code in UNAVAILABLE_CODES or status >= 500:  # noqa: PLR2004
        return GraphUnavailableError(f"unavailable{where}: {said}", code=code)
    return GraphError(f"error{where}: {said}", code=code, subcode=subcode)


def without_token(url: str) -> str:
    """``url`` without its ``access_token`` query parameter (Meta's ``next`` links)."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != "access_token"]
    return urlunsplit(parts._replace(query=urlencode(query)))


class GraphClient:
    """GET requests to one Graph host with one token; see the module docstring."""

    def __init__(self, access: GraphAccess, *, timeout: float = TIMEOUT_S) -> None:
        if not access.token:
            msg = f"the access token is not set: set {access.token_env}"
            raise GraphTokenError(msg)
        self.access = access
        self.usage = Usage()
        self._http = httpx.Client(
            base_url=access.api_url.rstrip("/") + "/",
            headers={
                "Authorization": f"Bearer {access.token}",
                "User-Agent": USER_AGENT,
            },
            timeout=timeout,
            follow_redirects=False,
        )

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    def get(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        """``GET path`` (relative to the host, or a ``next`` link) as parsed JSON."""
        if self.usage.percent >= USAGE_CEILING:
            wait = self.usage.regain_s or PAUSE_S
            msg = (
                f"{self.usage.where} at {self.usage.percent}% "
                f"(pausing at {USAGE_CEILING}%), next requests in {wait:.0f} s"
            )
            raise GraphRateLimitError(msg, retry_after=wait)
        url = without_token(path) if "://" in path else path.lstrip("/")
        try:
            # no params for a ``next`` link: httpx would replace its query
            answer = self._http.get(url, params=dict(params) if params else None)
        except httpx.TransportError as exc:
            msg = f"unavailable ({type(exc).__name__})"
            raise GraphUnavailableError(msg) from None
        self.usage = read_usage(answer.headers)
        try:
            body = loads_json(answer.content)
        except BadItemError as exc:
            if answer.status_code >= 500:  # noqa: PLR2004
                msg = f"unavailable (HTTP {answer.status_code})"
                raise GraphUnavailableError(msg) from None
            msg = f"unreadable answer (HTTP {answer.status_code}): {exc}"
            raise GraphError(msg) from None
        if answer.status_code >= 400 or (  # noqa: PLR2004
            isinstance(body, dict) and "error" in body
        ):
            error = error_of(answer.status_code, body, self.access.token_env)
            if isinstance(error, GraphRateLimitError) and self.usage.regain_s:
                error.retry_after = self.usage.regain_s
            raise error
        return body

    def pages(
        self, path: str, params: Mapping[str, Any], max_pages: int
    ) -> Iterator[list[Any]]:
        """The ``data`` of each page of an edge, following ``paging.next``."""
        url: str | None = path
        query: Mapping[str, Any] | None = params
        for _ in range(max_pages):
            if url is None:
                return
            body = self.get(url, query)
            data = body.get("data") if isinstance(body, dict) else None
            yield data if isinstance(data, list) else []
            url, query = next_link(body), None


def next_link(body: Any) -> str | None:
    """The page's ``paging.next`` link, if there is a next page."""
    paging = body.get("paging") if isinstance(body, dict) else None
    link = paging.get("next") if isinstance(paging, dict) else None
    return link if isinstance(link, str) and link else None


def usage_note(usage: Usage) -> str | None:
    """A warning when an allowance is past half used, so it shows before it bites."""
    if usage.percent >= USAGE_CEILING // 2:
        return f"{usage.where} at {usage.percent}% of Meta's hourly allowance"
    return None
