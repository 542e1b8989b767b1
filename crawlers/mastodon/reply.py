"""Replies as the brand's Mastodon account: a status with ``in_reply_to_id``.

The mention is stored by its status URI, which names it on its home instance;
the brand's instance knows it by another id, found with ``search_v2(uri,
resolve=True)`` (as the web UI does when one pastes a URL). Posting sends an
``Idempotency-Key`` (kept by Mastodon for an hour) and ``find_posted`` reads
the account's own latest statuses for a reply to that id with the same text,
so a retry after a lost answer finds the reply rather than posting again.
Mastodon refuses a text over the instance's limit (500 characters by default)
with 422: that is not retried.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mastodon import (
    MastodonAPIError,
    MastodonError,
    MastodonNetworkError,
    MastodonRatelimitError,
    MastodonServerError,
    MastodonUnauthorizedError,
)

from crawlers.mastodon.client import InstanceAccess, make_mastodon
from crawlers.reply import PostedReply, Reply, ReplyError, same_text
from crawlers.text import html_to_text

OWN_STATUSES = 40  # one page: the reply, if it went out, is among the newest


def _error(exc: MastodonError, where: str) -> ReplyError:
    if isinstance(exc, MastodonUnauthorizedError):
        return ReplyError(f"{where}: the token was refused (401)", retry=False)
    if isinstance(exc, MastodonRatelimitError):
        return ReplyError(f"{where}: rate limited (429)", retry=True)
    if isinstance(exc, (MastodonServerError, MastodonNetworkError)):
        return ReplyError(f"{where}: not reachable ({type(exc).__name__})", retry=True)
    if isinstance(exc, MastodonAPIError):
        # args: (message, status, reason, the instance's error text)
        detail = " ".join(str(a) for a in exc.args[1::2])[:200]
        return ReplyError(f"{where}: refused the reply: {detail}", retry=False)
    return ReplyError(f"{where}: {type(exc).__name__}", retry=True)


class MastodonReplier:
    """Posts replies with a Mastodon.py client signed in as the brand's account."""

    network = "mastodon"

    def __init__(self, client: Any, instance: str) -> None:
        self._client = client
        self._instance = instance

    def __repr__(self) -> str:
        return f"MastodonReplier({self._instance!r})"

    def _local_id(self, reply: Reply) -> str:
        """The status's id on the brand's instance, resolved from its URI."""
        # exclude_unreviewed filters hashtags only; left on, Mastodon.py first
        # reads the instance's version, and recurses forever when that is a 401.
        found = self._client.search_v2(
            reply.target,
            resolve=True,
            result_type="statuses",
            exclude_unreviewed=False,
        )
        statuses = found.get("statuses") or []
        if not statuses:
            msg = (
                f"mastodon {self._instance}: status {reply.target} not found (deleted?)"
            )
            raise ReplyError(msg, retry=False)
        return str(statuses[0]["id"])

    def find_posted(self, reply: Reply) -> PostedReply | None:
        """The account's own reply to the status with this text, if it is out."""
        try:
            target = self._local_id(reply)
            me = self._client.account_verify_credentials()
            own = self._client.account_statuses(me["id"], limit=OWN_STATUSES)
        except MastodonError as exc:
            raise _error(exc, f"mastodon {self._instance}") from None
        for status in own:
            if str(status.get("in_reply_to_id")) == target and same_text(
                html_to_text(str(status.get("content") or "")), reply.text
            ):
                return _posted(status)
        return None

    def post(self, reply: Reply) -> PostedReply:
        """Post the reply (public, in the mention's thread)."""
        try:
            target = self._local_id(reply)
            status = self._client.status_post(
                reply.text,
                in_reply_to_id=target,
                idempotency_key=reply.key,
            )
        except MastodonError as exc:
            raise _error(exc, f"mastodon {self._instance}") from None
        return _posted(status)


def _posted(status: Any) -> PostedReply:
    return PostedReply(
        url=str(status.get("url") or status["uri"]),
        external_id=str(status["uri"]),
        at=status["created_at"],
    )


def replier(account: Any, secret: Callable[[str], str]) -> MastodonReplier | None:
    """``[response.accounts.mastodon]``'s poster, or None without its token."""
    if not (token := secret(account.token_env)):
        return None
    access = InstanceAccess(account.instance, token, account.token_env)
    return MastodonReplier(make_mastodon(access), access.name)
