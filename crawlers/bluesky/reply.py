"""Replies as the brand's Bluesky account: an ``app.bsky.feed.post`` with a reply ref.

A reply names two posts by strong reference (URI + CID): its ``parent`` (the
mention) and the thread's ``root`` (the parent's own root, or the parent when
it starts the thread); both are read with ``getPosts``. ``find_posted`` reads
the account's own post records (``com.atproto.repo.listRecords`` on its PDS,
which has a new record at once, where the AppView's feed may lag) for a reply
to that parent with the same text. Bluesky refuses a text over 300 graphemes
(400 InvalidRequest): that is not retried.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import httpx
from atproto import Client
from atproto.exceptions import (
    AtProtocolError,
    BadRequestError,
    RateLimitExceededError,
    RequestErrorBase,
    UnauthorizedError,
)

from crawlers.bluesky.posts import permalink
from crawlers.bluesky.search import _error_body
from crawlers.reply import PostedReply, Reply, ReplyError, same_text
from storage.models import utcnow

POST = "app.bsky.feed.post"
OWN_RECORDS = 50


# atproto wraps httpx's timeouts and network errors, not a dropped connection
# (RemoteProtocolError): both mean the request may or may not have been done.
FAILURES = (AtProtocolError, httpx.TransportError)


def _error(exc: AtProtocolError | httpx.TransportError, handle: str) -> ReplyError:
    where = f"bluesky {handle}"
    if isinstance(exc, RateLimitExceededError):
        return ReplyError(f"{where}: rate limited (429)", retry=True)
    if isinstance(exc, UnauthorizedError | BadRequestError):
        body = _error_body(exc)
        code, message = body.get("error"), str(body.get("message") or "")[:200]
        retry = code == "ExpiredToken"  # a new session works
        return ReplyError(f"{where}: refused: {code}: {message}", retry=retry)
    if isinstance(exc, RequestErrorBase):
        return ReplyError(f"{where}: not answering ({type(exc).__name__})", retry=True)
    return ReplyError(f"{where}: not reachable ({type(exc).__name__})", retry=True)


class BlueskyReplier:
    """Posts replies as ``handle``, logged in with an app password on first use."""

    network = "bluesky"

    def __init__(
        self,
        handle: str,
        app_password: str,
        *,
        api_url: str | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._handle = handle
        self._password = app_password
        self._api_url = api_url
        self._clock = clock
        self._client: Client | None = None

    def __repr__(self) -> str:
        return f"BlueskyReplier({self._handle!r})"

    def _login(self) -> Client:
        if self._client is None:
            client = Client(base_url=self._api_url)
            client.login(self._handle, self._password, fetch_bsky_profile=False)
            self._client = client
        return self._client

    def find_posted(self, reply: Reply) -> PostedReply | None:
        """The account's own reply to the mention with this text, if it is out."""
        try:
            found = self._login().com.atproto.repo.list_records(
                {"repo": self._handle, "collection": POST, "limit": OWN_RECORDS}
            )
        except FAILURES as exc:
            self._client = None
            raise _error(exc, self._handle) from None
        for record in found.records:
            value = record.value
            parent = _get(_get(_get(value, "reply"), "parent"), "uri")
            if parent == reply.target and same_text(
                str(_get(value, "text")), reply.text
            ):
                at = datetime.fromisoformat(str(_get(value, "created_at", "createdAt")))
                return self._posted(record.uri, at)
        return None

    def post(self, reply: Reply) -> PostedReply:
        """Post the reply in the mention's thread."""
        at = self._clock()
        try:
            client = self._login()
            found = client.app.bsky.feed.get_posts({"uris": [reply.target]}).posts
            if not found:
                msg = f"bluesky: post {reply.target} not found (deleted?)"
                raise ReplyError(msg, retry=False)
            parent = {"uri": found[0].uri, "cid": found[0].cid}
            root = _get(_get(found[0].record, "reply"), "root")
            record = {
                "$type": POST,
                "text": reply.text,
                "createdAt": at.isoformat(timespec="milliseconds"),
                "reply": {
                    "root": {"uri": _get(root, "uri"), "cid": _get(root, "cid")}
                    if root is not None
                    else parent,
                    "parent": parent,
                },
            }
            created = client.com.atproto.repo.create_record(
                {"repo": self._handle, "collection": POST, "record": record}
            )
        except FAILURES as exc:
            self._client = None
            raise _error(exc, self._handle) from None
        return self._posted(created.uri, at)

    def _posted(self, uri: str, at: datetime) -> PostedReply:
        return PostedReply(permalink(self._handle, uri.rsplit("/", 1)[1]), uri, at)


def _get(value: Any, *names: str) -> Any:
    """A field of a record as atproto gives it: a model or a plain dict."""
    for name in names:
        found = (
            value.get(name) if isinstance(value, dict) else getattr(value, name, None)
        )
        if found is not None:
            return found
    return None


def replier(account: Any, secret: Callable[[str], str]) -> BlueskyReplier | None:
    """``[response.accounts.bluesky]``'s poster, or None without its app password."""
    if not (password := secret(account.app_password_env)):
        return None
    return BlueskyReplier(account.handle, password, api_url=account.api_url)
