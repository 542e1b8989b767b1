"""A small typed client for TikTok API for Business (Accounts API), on ``httpx``.

TikTok publishes no maintained Python client for the Accounts API (its
``tiktok-business-api-sdk`` covers ads), so this is one: ``GET`` with the
``Access-Token`` header, answers in the envelope ``{"code", "message",
"request_id", "data"}`` where ``code`` 0 is success. Errors are sorted into
``crawlers.metagraph``'s kinds so the shared poll (``crawlers.metapoll``)
treats them as it treats Meta's:

- 40100 or HTTP 429 (requests too frequent) → ``GraphRateLimitError``;
- 40102, 40104, 40105 (token expired, missing, refused or revoked) →
  ``GraphTokenError``, naming the token's variable;
- 40001 (no permission for the scope) → ``GraphPermissionError``;
- 5xx, codes from 50000, timeouts, dropped connections →
  ``GraphUnavailableError``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from crawlers.bounds import loads_json
from crawlers.errors import BadItemError
from crawlers.metagraph import (
    GraphAccess,
    GraphError,
    GraphPermissionError,
    GraphRateLimitError,
    GraphTokenError,
    GraphUnavailableError,
)

TIMEOUT_S = 30.0
RATE_CODES = frozenset({40100})
TOKEN_CODES = frozenset({40102, 40104, 40105})
PERMISSION_CODES = frozenset({40001})
PAUSE_S = 60.0  # TikTok gives no reset time; its limits are per minute


class TikTokClient:
    """GET requests to the Business API with one creator's token."""

    def __init__(self, access: GraphAccess, *, timeout: float = TIMEOUT_S) -> None:
        if not access.token:
            msg = f"the access token is not set: set {access.token_env}"
            raise GraphTokenError(msg)
        self.access = access
        self._http = httpx.Client(
            base_url=access.api_url.rstrip("/") + "/",
            headers={"Access-Token": access.token},
            timeout=timeout,
            follow_redirects=False,
        )

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    def get(self, path: str, params: Mapping[str, Any]) -> dict[str, Any]:
        """``GET path`` and its ``data``, or the error its ``code`` stands for."""
        try:
            answer = self._http.get(path.lstrip("/"), params=dict(params))
        except httpx.TransportError as exc:
            msg = f"unavailable ({type(exc).__name__})"
            raise GraphUnavailableError(msg) from None
        if answer.status_code == 429:  # noqa: PLR2004
            msg = "rate limited (HTTP 429)"
            raise GraphRateLimitError(msg, retry_after=PAUSE_S, code=429)
        if answer.status_code >= 500:  # noqa: PLR2004
            msg = f"unavailable (HTTP {answer.status_code})"
            raise GraphUnavailableError(msg)
        try:
            body = loads_json(answer.content)
        except BadItemError as exc:
            msg = f"unreadable answer (HTTP {answer.status_code}): {exc}"
            raise GraphError(msg) from None
        code = body.get("code") if isinstance(body, dict) else None
        if code != 0 or not isinstance(body, dict):
            raise self._error(code, body)
        data = body.get("data")
        return data if isinstance(data, dict) else {}

    def _error(self, code: Any, body: Any) -> GraphError:
        said = str(body.get("message") if isinstance(body, dict) else "")[:300]
        where = f"(code {code})"
        if code in TOKEN_CODES:
            return GraphTokenError(
                f"the access token was refused {where}: {said}; check "
                f"{self.access.token_env}",
                code=code,
            )
        if code in RATE_CODES:
            return GraphRateLimitError(
                f"rate limited {where}: {said}", retry_after=PAUSE_S, code=code
            )
        if code in PERMISSION_CODES:
            return GraphPermissionError(f"permission missing {where}: {said}")
        if isinstance(code, int) and code >= 50000:  # noqa: PLR2004
            return GraphUnavailableError(f"unavailable {where}: {said}", code=code)
        return GraphError(f"error {where}: {said}")
